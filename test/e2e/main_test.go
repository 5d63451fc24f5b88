package e2e

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestMain lets the test binary act as a small client inside a namespace:
// Go cannot dial into another network namespace without pinning threads, so
// the tests re-run themselves there through nsenter.
func TestMain(m *testing.M) {
	switch os.Getenv("E2E_HELPER") {
	case "get":
		os.Exit(helperGet())
	case "listen":
		os.Exit(helperListen())
	}
	restore := saveKernelTunables()
	code := m.Run()
	restore()
	os.Exit(code)
}

// kernelTunables are the machine-wide sysctls the kubelet sets at start
// (protectKernelDefaults false, its default). They are not per network
// namespace: the tests put back what the machine had.
var kernelTunables = []string{
	"vm/overcommit_memory", "vm/panic_on_oom", "kernel/panic", "kernel/panic_on_oops",
	"kernel/keys/root_maxkeys", "kernel/keys/root_maxbytes",
}

func saveKernelTunables() func() {
	saved := map[string][]byte{}
	for _, k := range kernelTunables {
		if v, err := os.ReadFile("/proc/sys/" + k); err == nil {
			saved[k] = v
		}
	}
	return func() {
		for k, v := range saved {
			if cur, err := os.ReadFile("/proc/sys/" + k); err == nil && string(cur) != string(v) {
				os.WriteFile("/proc/sys/"+k, v, 0o644)
			}
		}
	}
}

func helperGet() int {
	pkiDir := os.Getenv("E2E_PKI")
	pool := x509.NewCertPool()
	caPEM, err := os.ReadFile(filepath.Join(pkiDir, "ca.crt"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	pool.AppendCertsFromPEM(caPEM)
	cfg := &tls.Config{RootCAs: pool}
	if name := os.Getenv("E2E_CERT"); name != "" {
		pair, err := tls.LoadX509KeyPair(filepath.Join(pkiDir, name+".crt"), filepath.Join(pkiDir, name+".key"))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: cfg}}
	req, err := http.NewRequest("GET", os.Getenv("E2E_URL"), nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if tok := os.Getenv("E2E_BEARER"); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := client.Do(req)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	json.NewEncoder(os.Stdout).Encode(struct {
		Status int
		Body   string
	}{resp.StatusCode, string(body)})
	return 0
}

// helperListen holds E2E_ADDR (TCP, or UDP with E2E_NET=udp) until killed,
// printing "listening" once bound.
func helperListen() int {
	var l io.Closer
	var err error
	if os.Getenv("E2E_NET") == "udp" {
		l, err = net.ListenPacket("udp", os.Getenv("E2E_ADDR"))
	} else {
		l, err = net.Listen("tcp", os.Getenv("E2E_ADDR"))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer l.Close()
	fmt.Println("listening")
	select {}
}
