package e2e

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// lbWorkloads: a web server per node that answers with the client address
// it sees (busybox httpd's CGI), behind LoadBalancer Services: a
// dual-stack one with externalTrafficPolicy Local, one of another class
// (MetalLB's, say) and one asking for the port the first one holds.
const lbWorkloads = `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: whoami}
spec:
  selector: {matchLabels: {app: whoami}}
  template:
    metadata: {labels: {app: whoami}}
    spec:
      terminationGracePeriodSeconds: 1
      tolerations: [{operator: Exists}]
      containers:
      - name: web
        image: localhost/busybox:e2e
        imagePullPolicy: Never
        command: ["/bin/busybox", "sh", "-c", "mkdir -p /www/cgi-bin && printf '#!/bin/busybox sh\\necho Content-Type: text/plain\\necho\\necho $REMOTE_ADDR\\n' > /www/cgi-bin/ip && chmod +x /www/cgi-bin/ip && exec /bin/busybox httpd -f -p 8080 -h /www"]
        securityContext:
          seccompProfile: {type: RuntimeDefault}
---
apiVersion: v1
kind: Service
metadata: {name: whoami}
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  ipFamilyPolicy: PreferDualStack
  selector: {app: whoami}
  ports: [{port: 8088, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: metallb-owned}
spec:
  type: LoadBalancer
  loadBalancerClass: metallb.io/l2
  selector: {app: whoami}
  ports: [{port: 8089, targetPort: 8080}]
`

const lbLate = `
apiVersion: v1
kind: Service
metadata: {name: whoami-late}
spec:
  type: LoadBalancer
  selector: {app: whoami}
  ports: [{port: 8088, targetPort: 8080}]
`

// TestServiceLoadBalancer: a client outside the cluster (a namespace on
// the LAN that runs no node) reaches a LoadBalancer Service on every
// node's address, IPv4 and IPv6, and the pod sees the client's own
// address (externalTrafficPolicy Local). Another class is left alone; a
// Service asking for a port that is taken stays pending with an Event
// naming the holder, and gets the addresses once the holder is gone.
func TestServiceLoadBalancer(t *testing.T) {
	kubenodeBin(t)
	l := newLAN(t)
	h1, h2, outside := l.addHost(1), l.addHost(2), l.addHost(9)
	writeBusyboxArchive(t, h1)
	writeBusyboxArchive(t, h2)
	startPrimary(t, h1)
	startWorker(t, h2, createToken(t, h1))
	manifest := filepath.Join(h1.root, "lb.yaml")
	write(t, manifest, lbWorkloads)
	h1.mustKubectl("apply", "-f", manifest)
	h1.mustKubectl("rollout", "status", "ds/whoami", "--timeout=120s")

	want := "192.168.77.1 192.168.77.2 fd77::1 fd77::2"
	eventually(t, 60*time.Second, "the Service's ingress", func() error {
		out, err := h1.kubectl("get", "svc", "whoami", "-o", "jsonpath={.status.loadBalancer.ingress[*].ip}")
		if err != nil || strings.TrimSpace(out) != want {
			return fmt.Errorf("ingress %q (%v), want %q", out, err, want)
		}
		return nil
	})
	for _, ip := range strings.Fields(want) {
		url := "http://" + net.JoinHostPort(ip, "8088") + "/cgi-bin/ip"
		client := outside.addr4
		if strings.Contains(ip, ":") {
			client = outside.addr6
		}
		eventually(t, 30*time.Second, "GET "+url+" from outside", func() error {
			out, err := httpGet(outside.ns, url)
			if err != nil {
				return err
			}
			// busybox httpd writes [::ffff:192.0.2.9] for IPv4 on its
			// dual-stack socket.
			if seen := strings.TrimPrefix(strings.Trim(out, "[]"), "::ffff:"); seen != client {
				return fmt.Errorf("the pod saw %q, not the client's address %s", out, client)
			}
			return nil
		})
	}
	if out := h1.mustKubectl("get", "svc", "metallb-owned", "-o", "jsonpath={.status.loadBalancer.ingress}"); strings.TrimSpace(out) != "" {
		t.Errorf("a Service of another class got addresses: %s", out)
	}

	late := filepath.Join(h1.root, "late.yaml")
	write(t, late, lbLate)
	h1.mustKubectl("apply", "-f", late)
	eventually(t, 30*time.Second, "an Event naming the holder", func() error {
		out, err := h1.kubectl("get", "events", "--field-selector", "involvedObject.name=whoami-late,reason=PortInUse", "-o", "jsonpath={.items[*].message}")
		if err != nil || !strings.Contains(out, "port 8088/TCP is held by Service default/whoami") {
			return fmt.Errorf("%v: %q", err, out)
		}
		return nil
	})
	if out := h1.mustKubectl("get", "svc", "whoami-late", "-o", "jsonpath={.status.loadBalancer.ingress}"); strings.TrimSpace(out) != "" {
		t.Fatalf("the later Service got the taken port: %s", out)
	}
	h1.mustKubectl("delete", "svc", "whoami")
	eventually(t, 30*time.Second, "the later Service served once the port is free", func() error {
		out, err := h1.kubectl("get", "svc", "whoami-late", "-o", "jsonpath={.status.loadBalancer.ingress[*].ip}")
		if err != nil || !strings.Contains(out, "192.168.77.1") {
			return fmt.Errorf("%v: %q", err, out)
		}
		return nil
	})
	if out, err := httpGet(outside.ns, "http://192.168.77.2:8088/cgi-bin/ip"); err != nil {
		t.Fatalf("the later Service from outside: %v", err)
	} else {
		t.Logf("whoami-late from outside, via node 2: %s", out)
	}
}
