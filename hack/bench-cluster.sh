#!/usr/bin/env bash
# Prints worker figures, measured on a primary and a worker run in network
# namespaces of their own joined by a veth switch (the machine's own network
# is untouched): join to node ready, the worker's RSS and CPU seconds over
# IDLE seconds of idle. Pod-to-pod throughput over wgkube versus a plain
# veth is hack/bench-network.sh (the same data path: veth, brkube, wgkube).
set -euo pipefail
BIN=${KUBENODE_BIN:-$(cd "$(dirname "$0")/.." && pwd)/bin/kubenode}
IDLE=${IDLE:-60}
ID=kb$$
ROOT=$(mktemp -d /tmp/kubenode-bench-cluster.XXXXXX)
PIDS=()
TUNABLES="vm/overcommit_memory vm/panic_on_oom kernel/panic kernel/panic_on_oops kernel/keys/root_maxkeys kernel/keys/root_maxbytes"
declare -A SAVED
for k in $TUNABLES; do SAVED[$k]=$(cat /proc/sys/$k); done

cleanup() {
	# A stop keeps the pods (and the wgkube helper): shutdown stops them too.
	for i in "${!PIDS[@]}"; do
		n=$((i + 1))
		# shellcheck disable=SC2046
		nsenter --net=/run/netns/"$ID-h$n" -- "$BIN" shutdown $(node_args $n) >/dev/null 2>&1 || kill -TERM "${PIDS[$i]}" 2>/dev/null || true
	done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	for n in sw h1 h2; do ip netns del "$ID-$n" 2>/dev/null || true; done
	grep " $ROOT" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	for d in /sys/fs/cgroup/*/"$ID"-h*; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
	done
	for k in $TUNABLES; do echo "${SAVED[$k]}" >/proc/sys/$k; done
	rm -rf "$ROOT"
}
trap cleanup EXIT

ip netns add "$ID-sw"
ip -n "$ID-sw" link add br0 type bridge
ip -n "$ID-sw" link set br0 up
for i in 1 2; do
	ns=$ID-h$i
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip -n "$ns" link add eth0 type veth peer name "v$ID$i" netns "$ID-sw"
	ip -n "$ID-sw" link set "v$ID$i" master br0 up
	ip -n "$ns" addr add 192.168.79.$i/24 dev eth0
	ip -n "$ns" addr add fd79::$i/64 dev eth0 nodad
	ip -n "$ns" link set eth0 up
	ip -n "$ns" route add default dev eth0
	ip -n "$ns" -6 route add default dev eth0
	mkdir -p "$ROOT/h$i"
	: >"$ROOT/h$i/log"
	cat >"$ROOT/h$i/config.yaml" <<EOF
runtime:
  kubeletRootDir: $ROOT/h$i/kubelet
  podLogsDir: $ROOT/h$i/pods
  cgroupRoot: /$ns
EOF
done

node_args() { echo --data-dir "$ROOT/h$1/data" --run-dir "$ROOT/h$1/run" --config "$ROOT/h$1/config.yaml"; }
now() { date +%s.%N; }
wait_ready() {
	until grep -q '"node ready"' "$ROOT/h$1/log"; do
		kill -0 "$2" 2>/dev/null || { tail -30 "$ROOT/h$1/log" >&2; echo "kubenode exited (node $1)" >&2; exit 1; }
		sleep 0.05
	done
}

# shellcheck disable=SC2046
nsenter --net=/run/netns/"$ID-h1" -- "$BIN" primary $(node_args 1) >"$ROOT/h1/log" 2>&1 &
PIDS+=($!)
wait_ready 1 "${PIDS[0]}"
# shellcheck disable=SC2046
token=$(nsenter --net=/run/netns/"$ID-h1" -- "$BIN" token create $(node_args 1) | sed -n 's/.*kubenode worker --join \(kn1\.[A-Za-z0-9_-]*\).*/\1/p' | head -1)
t0=$(now)
# shellcheck disable=SC2046
nsenter --net=/run/netns/"$ID-h2" -- "$BIN" worker $(node_args 2) --join "$token" >"$ROOT/h2/log" 2>&1 &
PIDS+=($!)
W=${PIDS[1]}
wait_ready 2 "$W"
t1=$(now)

cpu_seconds() { awk '{printf "%.2f", ($14+$15)/'"$(getconf CLK_TCK)"'}' /proc/"$1"/stat; }
sleep 5
c0=$(cpu_seconds "$W")
sleep "$IDLE"
c1=$(cpu_seconds "$W")
rss=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' /proc/"$W"/status)
anon=$(awk '/^RssAnon/ {printf "%.0f", $2/1024}' /proc/"$W"/status)
file=$(awk '/^RssFile/ {printf "%.0f", $2/1024}' /proc/"$W"/status)
pss=$(awk '/^Pss:/ {printf "%.0f", $2/1024}' /proc/"$W"/smaps_rollup)
# The worker's wgkube helper (userspace WireGuard) is part of its cost.
helper=$(cat "$ROOT/h2/run/network/wgkube-helper.pid" 2>/dev/null || true)
hrss=0 hanon=0 hpss=0
if [ -n "$helper" ] && [ -e /proc/"$helper" ]; then
	hrss=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' /proc/"$helper"/status)
	hanon=$(awk '/^RssAnon/ {printf "%.0f", $2/1024}' /proc/"$helper"/status)
	hpss=$(awk '/^Pss:/ {printf "%.0f", $2/1024}' /proc/"$helper"/smaps_rollup)
fi

echo "worker component ready times:"
grep -h '"component ready"' "$ROOT/h2/log" | sed -E 's/.*component="([^"]+)" elapsed="([^"]+)".*/  \1 \2/' | paste -sd' ' | fold -s -w 100
printf 'join to node ready:         %s s\n' "$(echo "$t0 $t1" | awk '{printf "%.2f", $2-$1}')"
printf 'worker RSS after %ss idle:  %s MiB (anonymous %s MiB, mapped binary %s MiB)\n' "$IDLE" "$rss" "$anon" "$file"
printf 'worker PSS after %ss idle:  %s MiB\n' "$IDLE" "$pss"
printf 'wgkube helper RSS:          %s MiB (anonymous %s MiB)\n' "$hrss" "$hanon"
printf 'wgkube helper PSS:          %s MiB\n' "$hpss"
printf 'worker and helper PSS:      %s MiB\n' "$((pss + hpss))"
printf 'worker CPU over %ss idle:   %s s\n' "$IDLE" "$(echo "$c0 $c1" | awk '{printf "%.2f", $2-$1}')"
