package flags

import (
	"net/netip"
	"testing"
)

func TestDefaultsFrontProxy(t *testing.T) {
	files := Files{
		CA:              "/d/pki/ca.crt",
		FrontProxyCA:    "/d/pki/front-proxy/ca.crt",
		ProxyClientCert: "/d/pki/front-proxy/front-proxy-client.crt",
		ProxyClientKey:  "/d/pki/front-proxy/front-proxy-client.key",
	}
	got := Defaults(Settings{
		Files:            files,
		AdvertiseAddress: netip.MustParseAddr("192.168.77.1"),
		BindAddress:      "::",
		Port:             6443,
		ServiceCIDRs:     []netip.Prefix{netip.MustParsePrefix("10.88.0.0/24"), netip.MustParsePrefix("fd88::/108")},
		Issuer:           "https://api.k8s.internal:6443",
	})
	want := map[string]string{
		// Request headers are trusted only from the front-proxy CA, and
		// only from the certificate the apiserver itself presents.
		"requestheader-client-ca-file":       "/d/pki/front-proxy/ca.crt",
		"requestheader-allowed-names":        "front-proxy-client",
		"requestheader-username-headers":     "X-Remote-User",
		"requestheader-group-headers":        "X-Remote-Group",
		"requestheader-extra-headers-prefix": "X-Remote-Extra-",
		"proxy-client-cert-file":             "/d/pki/front-proxy/front-proxy-client.crt",
		"proxy-client-key-file":              "/d/pki/front-proxy/front-proxy-client.key",
		"enable-aggregator-routing":          "true",
		// The cluster CA stays the client CA: the front-proxy CA must not
		// authenticate anyone directly.
		"client-ca-file":           "/d/pki/ca.crt",
		"service-cluster-ip-range": "10.88.0.0/24,fd88::/108",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("--%s = %q, want %q", k, got[k], v)
		}
	}
	if got["requestheader-client-ca-file"] == got["client-ca-file"] {
		t.Errorf("the request-header CA is the cluster CA: any cluster client certificate could assert identities")
	}
}
