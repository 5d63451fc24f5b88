// Command wireguard-go is a plain wireguard-go tunnel, the baseline that
// hack/bench-network.sh measures wgkube against: the library's own TUN
// device, default bind and device, set up the way upstream's wireguard-go
// command does, with nothing of kubenode in between. It configures one
// peer, prints "ready" with the TUN device's batch size (above 1: GSO/GRO
// through virtio-net headers are on) and holds the device until SIGTERM or
// SIGINT.
//
//	go run ./hack/wireguard-go genkey   # prints "private public" (base64)
//	go run ./hack/wireguard-go -name wgb -mtu 1420 -key PRIV -port 51900 \
//	    -peer PUB -endpoint 192.168.79.2:51900 -allowed 172.31.0.2/32
package main

import (
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"golang.zx2c4.com/wireguard/conn"
	"golang.zx2c4.com/wireguard/device"
	"golang.zx2c4.com/wireguard/tun"
	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

func main() {
	if len(os.Args) == 2 && os.Args[1] == "genkey" {
		k, err := wgtypes.GeneratePrivateKey()
		check(err)
		fmt.Println(k.String(), k.PublicKey().String())
		return
	}
	name := flag.String("name", "wgbase", "link name")
	mtu := flag.Int("mtu", 1420, "link MTU")
	key := flag.String("key", "", "private key (base64)")
	port := flag.Int("port", 0, "UDP listen port")
	peer := flag.String("peer", "", "the peer's public key (base64)")
	endpoint := flag.String("endpoint", "", "the peer's host:port")
	allowed := flag.String("allowed", "", "the peer's allowed IPs (CIDR)")
	flag.Parse()
	priv, err := wgtypes.ParseKey(*key)
	check(err)
	pub, err := wgtypes.ParseKey(*peer)
	check(err)

	sigc := make(chan os.Signal, 1)
	signal.Notify(sigc, syscall.SIGTERM, syscall.SIGINT)
	tdev, err := tun.CreateTUN(*name, *mtu)
	check(err)
	dev := device.NewDevice(tdev, conn.NewDefaultBind(), device.NewLogger(device.LogLevelError, *name+": "))
	defer dev.Close()
	check(dev.IpcSet(fmt.Sprintf("private_key=%s\nlisten_port=%d\npublic_key=%s\nendpoint=%s\nallowed_ip=%s\n",
		hex.EncodeToString(priv[:]), *port, hex.EncodeToString(pub[:]), *endpoint, *allowed)))
	check(dev.Up())
	fmt.Printf("ready batch=%d\n", tdev.BatchSize())
	<-sigc
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "wireguard-go:", err)
		os.Exit(1)
	}
}
