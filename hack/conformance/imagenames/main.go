// Command imagenames prints, one per line, "ROLE NAME" for the test images
// `make conformance` builds, with each NAME exactly as the pinned e2e.test
// asks for it (test/utils/image/manifest.go), so no name is copied by hand.
package main

import (
	"fmt"

	imageutils "k8s.io/kubernetes/test/utils/image"
)

func main() {
	for _, r := range []struct {
		role string
		id   imageutils.ImageID
	}{
		{"agnhost", imageutils.Agnhost},
		{"agnhost-prev", imageutils.AgnhostPrev},
		{"glibc-dns-testing", imageutils.GlibcDnsTesting},
		{"busybox", imageutils.BusyBox},
		{"kitten", imageutils.Kitten},
		{"nautilus", imageutils.Nautilus},
		{"pause", imageutils.Pause},
		{"sample-apiserver", imageutils.APIServer},
		{"etcd", imageutils.Etcd},
		{"nginx", imageutils.Nginx},
		{"nginx-new", imageutils.NginxNew},
		{"nonewprivs", imageutils.Nonewprivs},
	} {
		fmt.Println(r.role, imageutils.GetE2EImage(r.id))
	}
}
