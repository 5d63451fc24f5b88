#!/usr/bin/env bash
# Prints what a restart of kubenode costs a node that runs PODS pods (kept
# running, the default), measured on a primary in a network namespace of its
# own (the machine's own network is untouched):
#   SIGTERM to exit, start to /readyz and to node ready (kubenode's READY),
#   SIGTERM to node ready; whether every pod kept its container and
#   restartCount; the longest gap between two answers of a ClusterIP Service
#   (backed by those pods) that a client on the node polled over the restart.
set -euo pipefail
BIN=${KUBENODE_BIN:-$(cd "$(dirname "$0")/.." && pwd)/bin/kubenode}
PODS=${PODS:-20}
NS=kn-benchr-$$
CG=kn-benchr-$$
ROOT=$(mktemp -d /tmp/kubenode-bench-restart.XXXXXX)
PID=
POLL=
TUNABLES="vm/overcommit_memory vm/panic_on_oom kernel/panic kernel/panic_on_oops kernel/keys/root_maxkeys kernel/keys/root_maxbytes"
declare -A SAVED
for k in $TUNABLES; do SAVED[$k]=$(cat /proc/sys/$k); done

node_args() { echo --data-dir "$ROOT/data" --run-dir "$ROOT/run" --config "$ROOT/config.yaml"; }
in_ns() { nsenter --net=/run/netns/"$NS" -- "$@"; }

cleanup() {
	[ -n "$POLL" ] && kill "$POLL" 2>/dev/null || true
	# A stop keeps the pods: shutdown stops the node with them.
	# shellcheck disable=SC2046
	if [ -n "$PID" ] && ! in_ns "$BIN" shutdown $(node_args) >/dev/null 2>&1; then
		kill -TERM "$PID" 2>/dev/null || true
	fi
	[ -n "$PID" ] && wait "$PID" 2>/dev/null || true
	# shellcheck disable=SC2046
	[ -e /run/netns/"$NS" ] && in_ns "$BIN" reset $(node_args) >/dev/null 2>&1 || true
	ip netns del "$NS" 2>/dev/null || true
	grep " $ROOT" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	for d in /sys/fs/cgroup/*/"$CG"; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
	done
	for k in $TUNABLES; do echo "${SAVED[$k]}" >/proc/sys/$k; done
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

kubectl() { in_ns "$BIN" kubectl --data-dir "$ROOT/data" "$@"; }
now() { date +%s.%N; }

cat >"$ROOT/config.yaml" <<EOF
runtime:
  kubeletRootDir: $ROOT/kubelet
  podLogsDir: $ROOT/pods
  cgroupRoot: /$CG
EOF
mkdir -p "$ROOT/data/images"
(cd "$(dirname "$0")/.." && go run -trimpath -tags 'containers_image_openpgp exclude_graphdriver_btrfs' ./hack/busybox-image "$ROOT/data/images/busybox.tar")

# start_node starts a primary, sets PID and writes "start-time
# seconds-to-/readyz seconds-to-node-ready" into the file named by $1.
start_node() {
	: >"$ROOT/log"
	# shellcheck disable=SC2046
	nsenter --net=/run/netns/"$NS" -- "$BIN" primary $(node_args) >>"$ROOT/log" 2>&1 &
	PID=$!
	local t0 t1 t2
	t0=$(now)
	until kubectl get --raw /readyz >/dev/null 2>&1; do
		kill -0 "$PID" 2>/dev/null || { tail -30 "$ROOT/log" >&2; echo "kubenode exited" >&2; exit 1; }
		sleep 0.05
	done
	t1=$(now)
	until grep -q '"node ready"' "$ROOT/log"; do
		kill -0 "$PID" 2>/dev/null || { tail -30 "$ROOT/log" >&2; echo "kubenode exited" >&2; exit 1; }
		sleep 0.05
	done
	t2=$(now)
	echo "$t0 $t1 $t2" | awk '{printf "%s %.2f %.2f\n", $1, $2-$1, $3-$1}' >"$1"
}

say() { echo "$(date +%T) $*" >&2; }
say "starting the node"
start_node "$ROOT/first"
say "node ready; starting $PODS pods"
kubectl apply -f - >/dev/null <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: $PODS
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: web
        image: localhost/busybox:latest
        imagePullPolicy: Never
        command: ["/bin/busybox", "sh", "-c", "mkdir -p /www; hostname > /www/index.html; exec /bin/busybox httpd -f -p 8080 -h /www"]
        readinessProbe: {httpGet: {port: 8080}, periodSeconds: 2}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
EOF
kubectl rollout status deploy/web --timeout=600s >/dev/null
say "$PODS pods ready"
ip=$(kubectl get service web -o jsonpath='{.spec.clusterIP}')
# busybox wget -T crashes (busybox 1.35): timeout bounds each try instead.
until in_ns timeout 1 busybox wget -q -O /dev/null "http://$ip/" 2>/dev/null; do sleep 0.2; done
pods() { kubectl get pods -l app=web -o jsonpath='{range .items[*]}{.metadata.name} {.status.containerStatuses[0].containerID} {.status.containerStatuses[0].restartCount}{"\n"}{end}' | sort; }
pods >"$ROOT/pods.before"

# The client: a new connection every 50 ms; each answer's time is logged.
in_ns bash -c "while :; do timeout 1 busybox wget -q -O /dev/null http://$ip/ 2>/dev/null && date +%s.%N; sleep 0.05; done" >"$ROOT/poll" &
POLL=$!
sleep 3

say "restarting the node"
t_term=$(now)
kill -TERM "$PID"
wait "$PID" || true
t_exit=$(now)
cat "$ROOT/log" >>"$ROOT/log.all"
start_node "$ROOT/restart"
sleep 5
kill "$POLL" 2>/dev/null || true
wait "$POLL" 2>/dev/null || true
POLL=

pods >"$ROOT/pods.after"
kept=$(join "$ROOT/pods.before" "$ROOT/pods.after" | awk '$2 == $4 && $3 == 0 && $5 == 0' | wc -l)
read -r t_start api node <"$ROOT/restart"
# The longest time between two answers, of those whose answer came between
# $1 and $2: from SIGTERM on (so the gap spanning it counts), and before.
gap() { awk -v from="$1" -v to="$2" 'prev != "" && $1 >= from && $1 <= to { if ($1 - prev > g) g = $1 - prev } { prev = $1 } END { printf "%.2f", g }' "$ROOT/poll"; }
first=$(head -1 "$ROOT/poll")
printf 'pods kept across the restart:      %s of %s (same container, restartCount 0)\n' "$kept" "$PODS"
printf 'SIGTERM to exit:                   %s s\n' "$(echo "$t_term $t_exit" | awk '{printf "%.2f", $2-$1}')"
printf 'start to /readyz:                  %s s\n' "$api"
printf 'start to node ready:               %s s\n' "$node"
printf 'SIGTERM to node ready:             %s s\n' "$(echo "$t_term $t_start $node" | awk '{printf "%.2f", $2-$1+$3}')"
printf 'ClusterIP: longest gap between answers over the restart: %s s (before it: %s s; %s answers in all)\n' \
	"$(gap "$t_term" 9999999999)" "$(gap "$first" "$t_term")" "$(wc -l <"$ROOT/poll")"
