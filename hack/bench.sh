#!/usr/bin/env bash
# Prints kubenode's start-up and idle figures, measured on a primary run in
# a network namespace of its own (the machine's own network is untouched).
#   cold start to /readyz, warm restart to /readyz, RSS and CPU seconds over
#   IDLE seconds of idle, binary size.
set -euo pipefail
BIN=${KUBENODE_BIN:-$(cd "$(dirname "$0")/.." && pwd)/bin/kubenode}
IDLE=${IDLE:-60}
NS=kn-bench-$$
ROOT=$(mktemp -d /tmp/kubenode-bench.XXXXXX)
PID=

cleanup() {
	[ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$ROOT"
}
trap cleanup EXIT

ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" link add eth0 type veth peer name eth0peer
ip -n "$NS" link set eth0peer up
ip -n "$NS" addr add 192.168.78.1/24 dev eth0
ip -n "$NS" addr add fd78::1/64 dev eth0 nodad
ip -n "$NS" link set eth0 up
ip -n "$NS" route add default dev eth0
ip -n "$NS" -6 route add default dev eth0

in_ns() { nsenter --net=/run/netns/"$NS" -- "$@"; }
now() { date +%s.%N; }

# start_node starts a primary, sets PID and prints seconds to /readyz into
# the file named by $1 (a command substitution would lose PID).
start_node() {
	nsenter --net=/run/netns/"$NS" -- "$BIN" primary --data-dir "$ROOT/data" --run-dir "$ROOT/run" --config "$ROOT/config.yaml" >>"$ROOT/log" 2>&1 &
	PID=$!
	local t0 t1
	t0=$(now)
	until in_ns "$BIN" kubectl --data-dir "$ROOT/data" get --raw /readyz >/dev/null 2>&1; do
		kill -0 "$PID" 2>/dev/null || { tail -30 "$ROOT/log"; echo "kubenode exited" >&2; exit 1; }
		sleep 0.05
	done
	t1=$(now)
	echo "$t0 $t1" | awk '{printf "%.2f", $2-$1}' >"$1"
}

stop_node() {
	kill -TERM "$PID"
	wait "$PID" || true
	PID=
}

cpu_seconds() { awk '{printf "%.2f", ($14+$15)/'"$(getconf CLK_TCK)"'}' /proc/"$1"/stat; }

: >"$ROOT/config.yaml"
start_node "$ROOT/cold"
stop_node
start_node "$ROOT/warm"
cold=$(cat "$ROOT/cold")
warm=$(cat "$ROOT/warm")
sleep 5
c0=$(cpu_seconds "$PID")
sleep "$IDLE"
c1=$(cpu_seconds "$PID")
rss=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' /proc/"$PID"/status)
size=$(stat -c %s "$BIN" | awk '{printf "%.1f", $1/1048576}')

printf 'cold start to /readyz:   %s s\n' "$cold"
printf 'warm restart to /readyz: %s s\n' "$warm"
printf 'RSS after %ss idle:      %s MiB\n' "$IDLE" "$rss"
printf 'CPU over %ss idle:       %s s\n' "$IDLE" "$(echo "$c0 $c1" | awk '{printf "%.2f", $2-$1}')"
printf 'binary size:             %s MiB\n' "$size"
