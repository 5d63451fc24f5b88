package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/sys/unix"

	"github.com/kubenode/kubenode/pkg/images/imagetest"
)

// testCert is a PEM certificate and key on disk.
type testCert struct {
	cert, key string
	x509      *x509.Certificate
	priv      *ecdsa.PrivateKey
}

// issue makes a certificate signed by parent (self-signed when nil).
func issue(t *testing.T, dir, name string, parent *testCert, tmpl *x509.Certificate) *testCert {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SerialNumber = big.NewInt(time.Now().UnixNano())
	tmpl.Subject = pkix.Name{CommonName: name}
	tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour)
	signer, signerKey := tmpl, k
	if parent != nil {
		signer, signerKey = parent.x509, parent.priv
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &k.PublicKey, signerKey)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	kd, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	out := &testCert{cert: filepath.Join(dir, name+".crt"), key: filepath.Join(dir, name+".key"), x509: c, priv: k}
	write(t, out.cert, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	write(t, out.key, string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kd})))
	return out
}

func caTemplate() *x509.Certificate {
	return &x509.Certificate{IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
}

// startRegistry runs Debian's docker-registry (distribution v2) in h's
// namespace with config text, until the test ends.
func startRegistry(t *testing.T, h *host, name, config string) {
	t.Helper()
	cfg := filepath.Join(h.root, name+".yml")
	write(t, cfg, config)
	logf, err := os.Create(filepath.Join(h.root, name+".log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("nsenter", "--net="+h.ns, "--", "docker-registry", "serve", cfg)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Skipf("docker-registry (apt-get install docker-registry): %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		logf.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			t.Logf("%s log (tail):\n%s", name, tail(string(b), 30))
		}
	})
}

// podEvents is the "reason: message" of each Event of a pod.
func podEvents(h *host, pod string) string {
	out, _ := h.kubectl("get", "events", "--field-selector", "involvedObject.name="+pod,
		"-o", `jsonpath={range .items[*]}{.reason}: {.message}{"\n"}{end}`)
	return out
}

// TestRegistries: pods pull from a real registry (distribution v2) on
// another host of the LAN, with TLS from a test CA, a client certificate
// and htpasswd auth, as the node's registries section says: credentials
// from the config, credentials from an imagePullSecret, docker.io served by
// a mirror, plain HTTP for an insecure registry. An unreachable registry,
// a wrong CA and a wrong password each give the pod an Event naming the
// cause, and the node stays healthy.
func TestRegistries(t *testing.T) {
	kubenodeBin(t)
	for _, bin := range []string{"docker-registry", "skopeo"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s not installed (make deps)", bin)
		}
	}
	l := newLAN(t)
	h1, reg := l.addHost(1), l.addHost(9)
	// One registry, several addresses: a node config entry per address.
	const (
		good      = "192.168.77.9:5000"  // config credentials and CA
		wrongCA   = "192.168.77.10:5000" // config trusts another CA
		wrongPass = "192.168.77.11:5000" // config has a wrong password
		bySecret  = "192.168.77.12:5000" // no credentials: imagePullSecrets
		fallback  = "192.168.77.13:5000" // its mirror fails: the registry serves
		broken    = "192.168.77.9:5998"  // the mirror: closes every connection
		plain     = "192.168.77.9:5001"  // plain HTTP, no auth
		refused   = "192.168.77.9:5999"  // nothing listens
	)
	for _, a := range []string{"192.168.77.10", "192.168.77.11", "192.168.77.12", "192.168.77.13"} {
		sh(t, "ip", "-n", reg.name, "addr", "add", a+"/24", "dev", "eth0")
	}

	pki := filepath.Join(reg.root, "pki")
	if err := os.MkdirAll(pki, 0o700); err != nil {
		t.Fatal(err)
	}
	ca := issue(t, pki, "ca", nil, caTemplate())
	otherCA := issue(t, pki, "other-ca", nil, caTemplate())
	var ips []net.IP
	for _, a := range []string{"192.168.77.9", "192.168.77.10", "192.168.77.11", "192.168.77.12", "192.168.77.13"} {
		ips = append(ips, net.ParseIP(a))
	}
	server := issue(t, pki, "registry", ca, &x509.Certificate{IPAddresses: ips,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	client := issue(t, pki, "client", ca, &x509.Certificate{
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	hash, err := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	htpasswd := filepath.Join(reg.root, "htpasswd")
	write(t, htpasswd, "puller:"+string(hash)+"\n")
	storage := filepath.Join(reg.root, "storage")
	startRegistry(t, reg, "tls", fmt.Sprintf(`version: 0.1
log: {level: info}
storage: {filesystem: {rootdirectory: %s}}
http:
  addr: 0.0.0.0:5000
  tls:
    certificate: %s
    key: %s
    clientcas: [%s]
auth:
  htpasswd: {realm: e2e, path: %s}
`, storage, server.cert, server.key, ca.cert, htpasswd))
	// The same storage, read over plain HTTP without auth.
	startRegistry(t, reg, "plain", fmt.Sprintf(`version: 0.1
log: {level: info}
storage: {filesystem: {rootdirectory: %s}}
http: {addr: "%s"}
`, storage, plain))

	// A ~5 MB image: busybox and 4 MiB that do not compress.
	img := busyboxImage(t)
	noise := make([]byte, 4<<20)
	rand.Read(noise)
	img.Layers = append(img.Layers, map[string]imagetest.File{"noise": {Mode: 0o644, Data: noise}})
	archive := filepath.Join(reg.root, "busybox.tar")
	if err := imagetest.WriteOCIArchive(archive, img, "localhost/busybox:registry"); err != nil {
		t.Fatal(err)
	}
	// skopeo reads ca.crt, client.cert and client.key from a certs dir.
	skopeoCerts := filepath.Join(reg.root, "skopeo-certs")
	if err := os.MkdirAll(skopeoCerts, 0o700); err != nil {
		t.Fatal(err)
	}
	for src, dst := range map[string]string{ca.cert: "ca.crt", client.cert: "client.cert", client.key: "client.key"} {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(skopeoCerts, dst), string(b))
	}
	push := func(repo string) {
		eventually(t, 20*time.Second, "skopeo copy to "+repo, func() error {
			out, err := reg.exec("skopeo", "--tmpdir", reg.root, "copy", "--quiet", "--dest-creds", "puller:s3cret",
				"--dest-cert-dir", skopeoCerts, "oci-archive:"+archive, "docker://"+good+"/"+repo)
			if err != nil {
				return fmt.Errorf("%v: %s", err, out)
			}
			return nil
		})
	}
	push("e2e/busybox:1")
	brokenHits := acceptAndClose(t, reg, broken)
	push("library/mirrored:1")

	h1.writeConfig(fmt.Sprintf(`registries:
  mirrors:
    docker.io:
      endpoint: ["https://%[1]s"]
    "%[2]s":
      endpoint: ["http://%[2]s"]
    "%[10]s":
      endpoint: ["https://%[11]s"]
  configs:
    "%[1]s":
      auth: {username: puller, password: s3cret}
      tls: {ca_file: %[3]s, cert_file: %[4]s, key_file: %[5]s}
    "%[6]s":
      auth: {username: puller, password: s3cret}
      tls: {ca_file: %[7]s, cert_file: %[4]s, key_file: %[5]s}
    "%[8]s":
      auth: {username: puller, password: wrong}
      tls: {ca_file: %[3]s, cert_file: %[4]s, key_file: %[5]s}
    "%[9]s":
      tls: {ca_file: %[3]s, cert_file: %[4]s, key_file: %[5]s}
    "%[10]s":
      auth: {username: puller, password: s3cret}
      tls: {ca_file: %[3]s, cert_file: %[4]s, key_file: %[5]s}
`, good, plain, ca.cert, client.cert, client.key, wrongCA, otherCA.cert, wrongPass, bySecret, fallback, broken))
	if out, err := h1.run("config", "check", filepath.Join(h1.root, "config.yaml")); err != nil {
		t.Fatalf("config check: %v\n%s", err, out)
	}
	_, etcErr := os.Stat("/etc/containers")
	startPrimary(t, h1)
	h1.mustKubectl("create", "secret", "docker-registry", "regcred", "--docker-server="+bySecret,
		"--docker-username=puller", "--docker-password=s3cret")

	pods := map[string]string{
		"creds":     good + "/e2e/busybox:1",
		"secret":    bySecret + "/e2e/busybox:1",
		"nosecret":  bySecret + "/e2e/busybox:1",
		"mirror":    "docker.io/library/mirrored:1",
		"shortname": "mirrored:1",
		"fallback":  fallback + "/e2e/busybox:1",
		"plainhttp": plain + "/e2e/busybox:1",
		"refused":   refused + "/e2e/busybox:1",
		"wrongca":   wrongCA + "/e2e/busybox:1",
		"wrongpass": wrongPass + "/e2e/busybox:1",
	}
	var manifest strings.Builder
	for name, image := range pods {
		secrets := ""
		if name == "secret" {
			secrets = "\n  imagePullSecrets: [{name: regcred}]"
		}
		fmt.Fprintf(&manifest, `---
apiVersion: v1
kind: Pod
metadata: {name: %s}
spec:
  terminationGracePeriodSeconds: 1%s
  containers:
  - name: c
    image: %s
    imagePullPolicy: Always
    command: ["/bin/busybox", "sh", "-c", "test -s /noise && sleep 3600"]
`, name, secrets, image)
	}
	// The timed pull is the first one, alone: later pulls share its layers.
	first := filepath.Join(h1.root, "first.yaml")
	write(t, first, manifestFor(manifest.String(), "creds"))
	h1.mustKubectl("apply", "-f", first)
	waitPodReady(t, h1, "creds")
	var wire int
	for _, m := range regexp.MustCompile(`"GET /v2/[^ ]+/blobs/[^ ]+ HTTP/[0-9.]+" 200 (\d+)`).FindAllStringSubmatch(readFile(filepath.Join(reg.root, "tls.log")), -1) {
		n, _ := strconv.Atoi(m[1])
		wire += n
	}
	all := filepath.Join(h1.root, "pods.yaml")
	write(t, all, manifest.String())
	h1.mustKubectl("apply", "-f", all)

	t.Run("pulls", func(t *testing.T) {
		for _, name := range []string{"creds", "secret", "mirror", "shortname", "plainhttp", "fallback"} {
			t.Run(name, func(t *testing.T) {
				waitPodReady(t, h1, name)
			})
		}
		ev := podEvents(h1, "creds")
		m := regexp.MustCompile(`Successfully pulled image "[^"]+" in ([^ ]+) .*Image size: (\d+) bytes`).FindStringSubmatch(ev)
		if m == nil {
			t.Fatalf("no pull time in the creds pod's events:\n%s", ev)
		}
		t.Logf("FIGURE pull of an image of %s bytes (%d bytes of blobs on the wire) over TLS with auth from the registry's namespace: %s", m[2], wire, m[1])
		// The mirror served docker.io, which this machine cannot reach.
		if out := readFile(filepath.Join(reg.root, "tls.log")); !strings.Contains(out, "/v2/library/mirrored/manifests/1") {
			t.Errorf("the mirror's log shows no request for library/mirrored:\n%s", tail(out, 20))
		}
		// The fallback pod's mirror was tried before its registry.
		if n := brokenHits.Load(); n == 0 {
			t.Errorf("no connection reached the fallback pod's mirror %s", broken)
		}
		if out := readFile(filepath.Join(reg.root, "plain.log")); !strings.Contains(out, "/v2/e2e/busybox/manifests/1") {
			t.Errorf("the plain HTTP registry's log shows no request for e2e/busybox:\n%s", tail(out, 20))
		}
	})

	t.Run("failures name their cause", func(t *testing.T) {
		for name, want := range map[string]string{
			"refused":   "connection refused",
			"wrongca":   "x509: certificate signed by unknown authority",
			"wrongpass": "authentication required",
			"nosecret":  "authentication required",
		} {
			t.Run(name, func(t *testing.T) {
				eventually(t, 60*time.Second, name+"'s pull failure Event", func() error {
					ev := podEvents(h1, name)
					for _, line := range strings.Split(ev, "\n") {
						if strings.HasPrefix(line, "Failed: Failed to pull image") && strings.Contains(line, want) {
							t.Logf("%s: %s", name, line)
							return nil
						}
					}
					return fmt.Errorf("no Failed event saying %q:\n%s", want, ev)
				})
			})
		}
	})

	t.Run("files under the node's run dir only", func(t *testing.T) {
		dir := filepath.Join(h1.runDir(), "crio", "registries")
		conf := readFile(filepath.Join(dir, "registries.conf"))
		if !strings.Contains(conf, `location = "`+good+`"`) {
			t.Errorf("registries.conf lacks the docker.io mirror:\n%s", conf)
		}
		if st, err := os.Stat(filepath.Join(dir, "auth.json")); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("auth.json: %v %v, want mode 0600", err, st)
		}
		if _, err := os.Stat("/etc/containers"); os.IsNotExist(etcErr) && !os.IsNotExist(err) {
			t.Errorf("/etc/containers appeared while the node ran")
		}
	})

	t.Run("node stays healthy", func(t *testing.T) {
		waitNodeReady(t, h1, "node1.k8s.internal", 10*time.Second)
		out, err := h1.run(append([]string{"status"}, h1.nodeArgs()...)...)
		if err != nil || strings.Contains(out, "degraded") {
			t.Fatalf("kubenode status: %v\n%s", err, out)
		}
	})
}

// manifestFor is the document of pod name in a multi-document manifest.
func manifestFor(manifest, name string) string {
	for _, doc := range strings.Split(manifest, "---\n") {
		if strings.Contains(doc, "metadata: {name: "+name+"}") {
			return "---\n" + doc
		}
	}
	return ""
}

func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

// acceptAndClose listens on addr in h's namespace and closes every
// connection at once, counting them.
func acceptAndClose(t *testing.T, h *host, addr string) *atomic.Int64 {
	t.Helper()
	type result struct {
		ln  net.Listener
		err error
	}
	ch := make(chan result)
	go func() {
		// A socket belongs to the namespace its thread was in when it was
		// made; the locked thread ends with this goroutine.
		runtime.LockOSThread()
		f, err := os.Open(h.ns)
		if err != nil {
			ch <- result{err: err}
			return
		}
		defer f.Close()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			ch <- result{err: err}
			return
		}
		ln, err := net.Listen("tcp", addr)
		ch <- result{ln, err}
	}()
	r := <-ch
	if r.err != nil {
		t.Fatalf("listen on %s in %s: %v", addr, h.name, r.err)
	}
	t.Cleanup(func() { r.ln.Close() })
	var n atomic.Int64
	go func() {
		for {
			c, err := r.ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			c.Close()
		}
	}()
	return &n
}
