#!/usr/bin/env bash
# Prints figures of the network phase, measured on two hosts made of
# network namespaces joined by veth (the machine's own network is
# untouched):
#   cold `kubenode network apply` (nothing there yet) and no-op apply times,
#   TCP throughput pod to pod across wgkube, and between the same two pod
#   namespaces over a plain veth pair, and their ratio;
#   TCP throughput host to host across wgkube, and across a plain
#   wireguard-go tunnel (hack/wireguard-go: the library as upstream's
#   command sets it up) between the same two host namespaces, same MTU, and
#   the ratios of wgkube to it.
# Needs root, iperf3, busybox and Go (to build hack/wireguard-go; or
# WIREGUARD_GO=<binary>). Without a WireGuard kernel module wgkube is
# wireguard-go inside each `kubenode network apply`, which then stays in the
# foreground holding it; the cold time is measured up to that point.
set -euo pipefail
ROOT_DIR=$(cd "$(dirname "$0")/.." && pwd)
BIN=${KUBENODE_BIN:-$ROOT_DIR/bin/kubenode}
WIREGUARD_GO=${WIREGUARD_GO:-}
SECONDS_IPERF=${SECONDS_IPERF:-5}
NOOP_RUNS=${NOOP_RUNS:-5}
ID=$(printf '%04x' $((RANDOM)))
P=kn-bn$ID
ROOT=$(mktemp -d /tmp/kubenode-bench-network.XXXXXX)
PIDS=()

cleanup() {
	for pid in "${PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
	done
	for i in 1 2; do
		[ -e /run/netns/$P-h$i ] && nsenter --net=/run/netns/$P-h$i -- "$BIN" reset $(args $i) >/dev/null 2>&1 || true
	done
	for ns in $P-p1 $P-p2 $P-h1 $P-h2 $P-sw; do
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -rf "$ROOT"
}
trap cleanup EXIT

args() { echo --data-dir "$ROOT/h$1/data" --run-dir "$ROOT/h$1/run" --config "$ROOT/h$1/config.yaml"; }
in_ns() { local ns=$1; shift; nsenter --net=/run/netns/"$ns" -- "$@"; }
now() { date +%s.%N; }
ms() { echo "$1 $2" | awk '{printf "%.0f", ($2-$1)*1000}'; }

# The underlay: a switch namespace with a bridge, one veth per host.
ip netns add $P-sw
ip -n $P-sw link add br0 type bridge
ip -n $P-sw link set br0 up
for i in 1 2; do
	ns=$P-h$i
	ip netns add $ns
	ip -n $ns link add eth0 type veth peer name v$ID$i netns $P-sw
	ip -n $P-sw link set v$ID$i master br0 up
	in_ns $ns sysctl -qw net.ipv6.conf.eth0.accept_dad=0
	ip -n $ns link set lo up
	ip -n $ns addr add 192.168.79.$i/24 dev eth0
	ip -n $ns addr add fd79::$i/64 dev eth0 nodad
	ip -n $ns link set eth0 up
	ip -n $ns route add default dev eth0
	ip -n $ns -6 route add default dev eth0
	mkdir -p "$ROOT/h$i"
	: >"$ROOT/h$i/config.yaml"
	in_ns $ns "$BIN" network pubkey $(args $i) >"$ROOT/h$i/pubkey"
done
for i in 1 2; do
	j=$((3 - i))
	cat >"$ROOT/h$i/config.yaml" <<-EOF
		nodeIndex: $i
		network:
		  peers:
		  - {index: $j, publicKey: "$(cat "$ROOT/h$j/pubkey")", endpoint: 192.168.79.$j}
	EOF
done

# Cold apply: until apply holds wgkube (userspace) or exits (kernel).
cold=()
for i in 1 2; do
	t0=$(now)
	# nsenter, not in_ns: $! must be the process itself (nsenter execs
	# it), not a subshell, for cleanup to stop it.
	nsenter --net=/run/netns/$P-h$i -- "$BIN" network apply $(args $i) >"$ROOT/h$i/apply.out" 2>"$ROOT/h$i/apply.err" &
	pid=$!
	PIDS+=("$pid")
	until grep -q "holding wgkube" "$ROOT/h$i/apply.err" 2>/dev/null; do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid" || { cat "$ROOT/h$i/apply.err" >&2; exit 1; }
			break
		fi
		sleep 0.005
	done
	cold+=("$(ms "$t0" "$(now)")")
done
mode=$(grep -o 'wireguard: [a-z]*' "$ROOT/h1/apply.out" | head -1 | cut -d' ' -f2)

# No-op apply: the median of a few one-shot runs.
noop=()
for _ in $(seq "$NOOP_RUNS"); do
	t0=$(now)
	out=$(in_ns $P-h1 "$BIN" network apply $(args 1) 2>&1)
	noop+=("$(ms "$t0" "$(now)")")
	grep -q "no changes" <<<"$out" || { echo "no-op apply changed something:" >&2; echo "$out" >&2; exit 1; }
done
noop_median=$(printf '%s\n' "${noop[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')

# Two pod namespaces, one per host, on brkube; plus a direct veth between
# them for the baseline.
mtu=$(awk '/^mtu:/ {print $2}' "$ROOT/h1/apply.out")
for i in 1 2; do
	p=$P-p$i
	ip netns add $p
	ip -n $p link add eth0 mtu "$mtu" type veth peer name vpod netns $P-h$i
	ip -n $P-h$i link set vpod mtu "$mtu" master brkube up
	ip -n $p link set lo up
	ip -n $p link set eth0 up
	ip -n $p addr add 10.88.$i.10/24 dev eth0
	ip -n $p route add default via 10.88.$i.1
done
ip -n $P-p1 link add direct type veth peer name direct netns $P-p2
ip -n $P-p1 addr add 172.30.79.1/30 dev direct
ip -n $P-p2 addr add 172.30.79.2/30 dev direct
ip -n $P-p1 link set direct up
ip -n $P-p2 link set direct up
in_ns $P-p1 busybox ping -c 3 -W 2 10.88.2.10 >/dev/null || { echo "pods cannot reach each other over wgkube" >&2; exit 1; }

iperf() { # namespace-of-server server-address -> Mbit/s received
	in_ns $P-p2 iperf3 -s -1 -B "$2" >/dev/null 2>&1 &
	local spid=$!
	sleep 0.3
	in_ns $P-p1 iperf3 -c "$2" -t "$SECONDS_IPERF" -f m | awk '/receiver/ {print $(NF-2)}'
	wait "$spid" 2>/dev/null || true
}
wg=$(iperf p2 10.88.2.10)
veth=$(iperf p2 172.30.79.2)

# Host to host: over wgkube (h2's brkube address) and over a plain
# wireguard-go tunnel between h1 and h2, both on the same underlay.
if [ -z "$WIREGUARD_GO" ]; then
	WIREGUARD_GO=$ROOT/wireguard-go
	(cd "$ROOT_DIR" && go build -trimpath -o "$WIREGUARD_GO" ./hack/wireguard-go)
fi
declare -A key pub
for i in 1 2; do read -r "key[$i]" "pub[$i]" < <("$WIREGUARD_GO" genkey); done
for i in 1 2; do
	j=$((3 - i))
	nsenter --net=/run/netns/$P-h$i -- "$WIREGUARD_GO" -name wgb$ID -mtu "$mtu" -key "${key[$i]}" -port 51999 \
		-peer "${pub[$j]}" -endpoint 192.168.79.$j:51999 -allowed 172.31.79.$j/32 >"$ROOT/h$i/wgb.out" 2>&1 &
	PIDS+=("$!")
	until grep -q ready "$ROOT/h$i/wgb.out"; do
		kill -0 "${PIDS[-1]}" 2>/dev/null || { cat "$ROOT/h$i/wgb.out" >&2; exit 1; }
		sleep 0.05
	done
	ip -n $P-h$i addr add 172.31.79.$i/24 dev wgb$ID
	ip -n $P-h$i link set wgb$ID up
done
hostiperf() { # address in h2 -> Mbit/s received
	in_ns $P-h2 iperf3 -s -1 -B "$1" >/dev/null 2>&1 &
	local spid=$!
	sleep 0.3
	in_ns $P-h1 iperf3 -c "$1" -t "$SECONDS_IPERF" -f m | awk '/receiver/ {print $(NF-2)}'
	wait "$spid" 2>/dev/null || true
}
wghost=$(hostiperf 10.88.2.1)
plain=$(hostiperf 172.31.79.2)
batch=$(grep -o "batch=[0-9]*" "$ROOT/h1/wgb.out" | cut -d= -f2 || true)
# (an older kubenode does not log it)
offloads=$(grep -o 'tunOffloads=[a-z]*' "$ROOT/h1/apply.err" | head -1 | cut -d= -f2 || true)

printf 'wireguard mode:              %s\n' "$mode"
printf 'cold apply (node 1, node 2): %s ms, %s ms\n' "${cold[0]}" "${cold[1]}"
printf 'no-op apply (median of %s):   %s ms\n' "$NOOP_RUNS" "$noop_median"
printf 'TCP pod to pod over wgkube:  %s Mbit/s (mtu %s)\n' "$wg" "$mtu"
printf 'TCP over a plain veth:       %s Mbit/s (mtu 1500)\n' "$veth"
printf 'ratio wgkube / veth:         %s\n' "$(echo "$wg $veth" | awk '{printf "%.3f", $1/$2}')"
printf 'TCP host to host over wgkube: %s Mbit/s (TUN offloads: %s)\n' "$wghost" "${offloads:-unknown}"
printf 'TCP over plain wireguard-go: %s Mbit/s (mtu %s, TUN batch %s)\n' "$plain" "$mtu" "$batch"
printf 'ratio wgkube pod to pod / wireguard-go: %s\n' "$(echo "$wg $plain" | awk '{printf "%.3f", $1/$2}')"
printf 'ratio wgkube host to host / wireguard-go: %s\n' "$(echo "$wghost $plain" | awk '{printf "%.3f", $1/$2}')"
