package e2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kubenode/kubenode/pkg/images/imagetest"
)

// The conformance test images, built here from the same sources as
// upstream's where those are in the Kubernetes module (agnhost, kitten,
// nautilus, nonewprivs, pause, sample-apiserver, etcd), with the image's
// tools taken from this host's Debian 12 packages where upstream takes
// them from Alpine's (busybox, dash as sh, bash, curl, dig, nslookup,
// getent, nc, ip) or from Debian 12 itself (glibc-dns-testing: dash, dig,
// getent). nginx is
// Debian's nginx. Versions differ from upstream's (Debian's busybox 1.35,
// nginx 1.22; sample-apiserver and etcd from the modules the pinned
// Kubernetes module requires); the programs are the real ones. agnhost's
// previous-version name holds this agnhost (marked so in its environment):
// the specs use it only as a second agnhost image to roll to and from.
// What is not built here is not faked: the specs that need it are in
// hack/conformance/skips.txt.

const imagePath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

type layer = map[string]imagetest.File

// buildConformanceImages writes one OCI archive per image into out and
// returns their paths. dir is `make conformance`'s tool dir: the binaries,
// images.txt (role and name, from the module's manifest) and kubernetes.dir
// (the Kubernetes module's source dir).
func buildConformanceImages(t *testing.T, dir, out string) []string {
	t.Helper()
	names := map[string]string{}
	f, err := os.Open(filepath.Join(dir, "images.txt"))
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if role, name, ok := strings.Cut(sc.Text(), " "); ok {
			names[role] = name
		}
	}
	f.Close()
	srcB, err := os.ReadFile(filepath.Join(dir, "kubernetes.dir"))
	if err != nil {
		t.Fatal(err)
	}
	src := strings.TrimSpace(string(srcB))
	read := func(path string) []byte {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	exe := func(path string) imagetest.File { return imagetest.File{Mode: 0o755, Data: read(path)} }

	base := busyboxLayer(t, false)
	// sh is dash: Debian's static busybox runs its own applets before
	// anything on PATH (standalone shell), which would hide the real nc,
	// nslookup and ip from every `sh -c` a spec runs; Alpine's busybox
	// does not.
	tools := hostBinariesLayer(t, map[string]string{
		"bin/sh": "/usr/bin/dash", "bin/bash": "/usr/bin/bash", "usr/bin/curl": "/usr/bin/curl", "usr/bin/dig": "/usr/bin/dig",
		"usr/bin/nslookup": "/usr/bin/nslookup", "usr/bin/nc": "/usr/bin/nc.openbsd", "sbin/ip": "/usr/sbin/ip",
		"usr/bin/getent": "/usr/bin/getent", "etc/nsswitch.conf": "/etc/nsswitch.conf",
	})
	agnhost := layer{
		"agnhost":       exe(filepath.Join(dir, "agnhost")),
		"agnhost-2":     {Link: "agnhost"},
		"uploads":       {Dir: true},
		"localhost.crt": {Mode: 0o644, Data: read(filepath.Join(src, "test/images/agnhost/porter/localhost.crt"))},
		"localhost.key": {Mode: 0o644, Data: read(filepath.Join(src, "test/images/agnhost/porter/localhost.key"))},
		// as upstream's `adduser -u 1000 -D user-defined-in-image` and
		// `addgroup -g 50000 group-defined-in-image` make them
		"etc/passwd":                 {Mode: 0o644, Data: []byte("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/sbin/nologin\nuser-defined-in-image:x:1000:1000::/home/user-defined-in-image:/bin/sh\n")},
		"etc/group":                  {Mode: 0o644, Data: []byte("root:x:0:root\nnobody:x:65534:\nuser-defined-in-image:x:1000:\ngroup-defined-in-image:x:50000:user-defined-in-image\n")},
		"home/user-defined-in-image": {Dir: true, Mode: 0o755},
	}
	agnhostImage := imagetest.Image{Layers: []layer{base, tools, agnhost}, Entrypoint: []string{"/agnhost"}, Cmd: []string{"pause"}, Env: []string{imagePath}, WorkingDir: "/"}
	agnhostPrev := agnhostImage
	agnhostPrev.Env = []string{imagePath, "KUBENODE_STANDIN=agnhost built from the pinned Kubernetes module, for the previous agnhost version's name"}
	nginxRoot := filepath.Join(dir, "nginx-root")
	nginx := imagetest.Image{
		Layers: []layer{base, hostBinariesLayer(t, map[string]string{"usr/sbin/nginx": filepath.Join(nginxRoot, "usr/sbin/nginx")}), {
			"etc/nginx/nginx.conf":            {Mode: 0o644, Data: []byte(nginxConf)},
			"etc/nginx/mime.types":            {Mode: 0o644, Data: read(filepath.Join(nginxRoot, "etc/nginx/mime.types"))},
			"usr/share/nginx/html/index.html": {Mode: 0o644, Data: read(filepath.Join(nginxRoot, "usr/share/nginx/html/index.html"))},
			"var/lib/nginx":                   {Dir: true},
			"var/log/nginx":                   {Dir: true},
			"run":                             {Dir: true},
			"etc/passwd":                      {Mode: 0o644, Data: []byte("root:x:0:0:root:/root:/bin/sh\nnginx:x:101:101:nginx:/var/cache/nginx:/sbin/nologin\nnobody:x:65534:65534:nobody:/home:/bin/false\n")},
			"etc/group":                       {Mode: 0o644, Data: []byte("root:x:0:\nnginx:x:101:nginx\nnobody:x:65534:\n")},
		}},
		Cmd: []string{"nginx", "-g", "daemon off;"}, Env: []string{imagePath},
	}
	glibcDNS := imagetest.Image{
		Layers: []layer{base, hostBinariesLayer(t, map[string]string{
			"bin/sh": "/usr/bin/dash", "bin/dash": "/usr/bin/dash", "usr/bin/dig": "/usr/bin/dig",
			"usr/bin/getent": "/usr/bin/getent", "usr/bin/nslookup": "/usr/bin/nslookup", "etc/nsswitch.conf": "/etc/nsswitch.conf",
		})},
		Cmd: []string{"sh"}, Env: []string{imagePath},
	}
	webserver := func(pic string) imagetest.Image {
		img := agnhostImage
		img.Layers = append(append([]layer{}, agnhostImage.Layers...), layer{
			pic + ".jpg": {Mode: 0o644, Data: read(filepath.Join(src, "test/images", pic, "html", pic+".jpg"))},
			"data.json":  {Mode: 0o644, Data: read(filepath.Join(src, "test/images", pic, "html", "data.json"))},
		})
		img.Cmd = []string{"test-webserver"}
		return img
	}
	images := map[string]imagetest.Image{
		"agnhost":           agnhostImage,
		"agnhost-prev":      agnhostPrev,
		"nginx":             nginx,
		"nginx-new":         nginx,
		"glibc-dns-testing": glibcDNS,
		"kitten":            webserver("kitten"),
		"nautilus":          webserver("nautilus"),
		"busybox":           {Layers: []layer{busyboxLayer(t, true)}, Cmd: []string{"sh"}, Env: []string{imagePath}},
		// upstream's pause.c, built by make conformance
		"pause": {Layers: []layer{{"pause": exe(filepath.Join(dir, "pause"))}}, Entrypoint: []string{"/pause"}, User: "65535:65535"},
		"sample-apiserver": {Layers: []layer{base, {"sample-apiserver": exe(filepath.Join(dir, "sample-apiserver"))}},
			Entrypoint: []string{"/sample-apiserver"}, Env: []string{imagePath}},
		"etcd": {Layers: []layer{base, {"usr/local/bin/etcd": exe(filepath.Join(dir, "etcd"))}},
			Entrypoint: []string{"/usr/local/bin/etcd"}, Env: []string{imagePath}},
		// upstream's nnp.go; set-user-ID and set-group-ID root as its
		// Dockerfile's `chmod +s`
		"nonewprivs": {Layers: []layer{base, {"usr/local/bin/nnp": {Mode: 0o6755, Data: read(filepath.Join(dir, "nnp"))}}},
			Cmd: []string{"nnp"}, Env: []string{imagePath}},
	}
	var paths []string
	for role, img := range images {
		name := names[role]
		if name == "" {
			t.Fatalf("%s: no name for image %q", filepath.Join(dir, "images.txt"), role)
		}
		path := filepath.Join(out, role+".tar")
		if err := imagetest.WriteOCIArchive(path, img, name); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	return paths
}

// busyboxLayer is a busybox root: Debian's static busybox with a link per
// applet, /etc/passwd and /etc/group, and the usual empty dirs. The links
// go where `busybox --list-full` puts them, as in Alpine, or all in /bin
// when allInBin, as in the busybox image (specs run /bin/sysctl there).
func busyboxLayer(t *testing.T, allInBin bool) layer {
	t.Helper()
	bb, err := os.ReadFile("/bin/busybox")
	if err != nil {
		t.Fatalf("install busybox-static: %v", err)
	}
	list, err := exec.Command("/bin/busybox", "--list-full").Output()
	if err != nil {
		t.Fatalf("busybox --list-full: %v", err)
	}
	l := layer{
		"bin/busybox": {Mode: 0o755, Data: bb},
		"etc/passwd":  {Mode: 0o644, Data: []byte("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n")},
		"etc/group":   {Mode: 0o644, Data: []byte("root:x:0:\nnobody:x:65534:\n")},
		"tmp":         {Dir: true, Mode: 0o1777},
		"root":        {Dir: true, Mode: 0o700},
		"home":        {Dir: true},
		"var":         {Dir: true},
	}
	for _, p := range strings.Fields(string(list)) {
		if allInBin {
			p = "bin/" + filepath.Base(p)
		}
		if p == "bin/busybox" {
			continue
		}
		l[p] = imagetest.File{Link: "/bin/busybox"}
	}
	return l
}

// nginxConf is the official nginx image's setup in short: port 80 on both
// families, logs to the container's output, workers as user nginx.
const nginxConf = `user nginx;
worker_processes auto;
error_log /dev/stderr notice;
pid /run/nginx.pid;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log /dev/stdout;
    server {
        listen 80;
        listen [::]:80;
        root /usr/share/nginx/html;
        index index.html;
    }
}
`

var lddLine = regexp.MustCompile(`(?:=> )?(/\S+) \(0x`)

// hostBinariesLayer holds host programs (image path: host path) with the
// shared libraries and loader ldd names for them, at the paths ldd prints.
func hostBinariesLayer(t *testing.T, bins map[string]string) layer {
	t.Helper()
	l := layer{}
	for in, host := range bins {
		b, err := os.ReadFile(host)
		if err != nil {
			t.Fatalf("%v (make deps installs the conformance images' tools)", err)
		}
		l[in] = imagetest.File{Mode: 0o755, Data: b}
		if strings.HasPrefix(in, "etc/") {
			l[in] = imagetest.File{Mode: 0o644, Data: b}
			continue
		}
		out, err := exec.Command("ldd", host).Output()
		if err != nil {
			t.Fatalf("ldd %s: %v", host, err)
		}
		for _, m := range lddLine.FindAllStringSubmatch(string(out), -1) {
			lib := m[1]
			key := strings.TrimPrefix(lib, "/")
			if _, ok := l[key]; ok {
				continue
			}
			data, err := os.ReadFile(lib)
			if err != nil {
				t.Fatal(fmt.Errorf("%s needs %s: %w", host, lib, err))
			}
			l[key] = imagetest.File{Mode: 0o755, Data: data}
		}
	}
	return l
}
