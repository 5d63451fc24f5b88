#!/usr/bin/env bash
# Prints kubenode's start-up, pod and idle figures, measured on a primary run
# in a network namespace of its own (the machine's own network is untouched):
#   cold start and warm restart to /readyz and to node ready (kubenode's own
#   READY: node Ready, kube-proxy and CoreDNS serving), pod start latency
#   (create to Running, one pod at a time, PODS pods, p50/p95), the same for
#   a pod with a new local volume claim (CLAIMS of them), RSS and CPU
#   seconds of the node over IDLE seconds of idle, binary size.
# PODS=0 CLAIMS=0 leaves out the pods (start and idle figures only).
set -euo pipefail
BIN=${KUBENODE_BIN:-$(cd "$(dirname "$0")/.." && pwd)/bin/kubenode}
IDLE=${IDLE:-60}
PODS=${PODS:-20}
CLAIMS=${CLAIMS:-10}
NS=kn-bench-$$
CG=kn-bench-$$
ROOT=$(mktemp -d /tmp/kubenode-bench.XXXXXX)
PID=
# The kubelet sets these machine-wide sysctls at start; put them back.
TUNABLES="vm/overcommit_memory vm/panic_on_oom kernel/panic kernel/panic_on_oops kernel/keys/root_maxkeys kernel/keys/root_maxbytes"
declare -A SAVED
for k in $TUNABLES; do SAVED[$k]=$(cat /proc/sys/$k); done

cleanup() {
	# A stop keeps the pods (and the wgkube helper): shutdown stops them too.
	if [ -n "$PID" ] && ! nsenter --net=/run/netns/"$NS" -- "$BIN" shutdown --data-dir "$ROOT/data" --run-dir "$ROOT/run" --config "$ROOT/config.yaml" >/dev/null 2>&1; then
		kill -TERM "$PID" 2>/dev/null || true
	fi
	[ -n "$PID" ] && wait "$PID" 2>/dev/null || true
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

in_ns() { nsenter --net=/run/netns/"$NS" -- "$@"; }
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

# percentiles prints the p50 and p95 of the numbers in file $1 (one per line).
percentiles() {
	sort -n "$1" | awk '{a[NR]=$1} END {i=int(NR*0.95+0.5); if (i<1) i=1; print a[int((NR+1)*0.50)], a[i]}'
}

cpu_seconds() { awk '{printf "%.2f", ($14+$15)/'"$(getconf CLK_TCK)"'}' /proc/"$1"/stat; }

# start_node starts a primary, sets PID and writes "seconds-to-/readyz
# seconds-to-node-ready CPU-seconds-to-node-ready" into the file named by
# $1 (a command substitution would lose PID).
start_node() {
	[ -f "$ROOT/log" ] && cat "$ROOT/log" >>"$ROOT/log.all"
	: >"$ROOT/log"
	nsenter --net=/run/netns/"$NS" -- "$BIN" primary --data-dir "$ROOT/data" --run-dir "$ROOT/run" --config "$ROOT/config.yaml" >>"$ROOT/log" 2>&1 &
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
	echo "$t0 $t1 $t2 $(cpu_seconds "$PID")" | awk '{printf "%.2f %.2f %s\n", $2-$1, $3-$1, $4}' >"$1"
}

stop_node() {
	kill -TERM "$PID"
	wait "$PID" || true
	PID=
}

start_node "$ROOT/cold"
stop_node
start_node "$ROOT/warm"
read -r cold_api cold_node cold_cpu <"$ROOT/cold"
read -r warm_api warm_node warm_cpu <"$ROOT/warm"
: >"$ROOT/latency"
: >"$ROOT/claims"

# Pod start latency: create one pod, wait until it runs, next. Includes two
# kubectl runs (about 0.1 s each).
for i in $(seq 1 "$PODS"); do
	t0=$(now)
	kubectl run "bench-$i" --image=localhost/busybox:latest --image-pull-policy=Never --restart=Never --command -- /bin/busybox sleep 3600 >/dev/null
	kubectl wait --for=jsonpath='{.status.phase}'=Running "pod/bench-$i" --timeout=120s >/dev/null
	t1=$(now)
	echo "$t0 $t1" | awk '{printf "%.3f\n", $2-$1}' >>"$ROOT/latency"
done
read -r p50 p95 < <(percentiles "$ROOT/latency")
kubectl delete pods --all --wait=true >/dev/null

# Volume latency: a claim of StorageClass local and a pod using it, created
# together; the time until the pod runs includes scheduling, provisioning
# the directory and binding (WaitForFirstConsumer).
for i in $(seq 1 "$CLAIMS"); do
	t0=$(now)
	sed "s/NAME/claim-$i/g" <<'YAML' | kubectl apply -f - >/dev/null
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: NAME}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Mi}}
---
apiVersion: v1
kind: Pod
metadata: {name: NAME}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: localhost/busybox:latest
    imagePullPolicy: Never
    command: [/bin/busybox, sleep, "3600"]
    volumeMounts: [{name: data, mountPath: /data}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: NAME}}]
YAML
	kubectl wait --for=jsonpath='{.status.phase}'=Running "pod/claim-$i" --timeout=120s >/dev/null
	t1=$(now)
	echo "$t0 $t1" | awk '{printf "%.3f\n", $2-$1}' >>"$ROOT/claims"
done
read -r c50 c95 < <(percentiles "$ROOT/claims")
kubectl delete pods --all --wait=true >/dev/null
kubectl delete pvc --all --wait=true >/dev/null

sleep 5
c0=$(cpu_seconds "$PID")
sleep "$IDLE"
c1=$(cpu_seconds "$PID")
rss=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' /proc/"$PID"/status)
anon=$(awk '/^RssAnon/ {printf "%.0f", $2/1024}' /proc/"$PID"/status)
file=$(awk '/^RssFile/ {printf "%.0f", $2/1024}' /proc/"$PID"/status)
pss=$(awk '/^Pss:/ {printf "%.0f", $2/1024}' /proc/"$PID"/smaps_rollup)
hwm=$(awk '/VmHWM/ {printf "%.0f", $2/1024}' /proc/"$PID"/status)
# The wgkube helper maps the same binary: PSS splits the pages they share.
helper=$(cat "$ROOT/run/network/wgkube-helper.pid" 2>/dev/null || true)
hpss=0
[ -n "$helper" ] && [ -e /proc/"$helper" ] && hpss=$(awk '/^Pss:/ {printf "%.0f", $2/1024}' /proc/"$helper"/smaps_rollup)
size=$(stat -c %s "$BIN" | awk '{printf "%.1f", $1/1048576}')

echo "component ready times (cold, then warm):"
cat "$ROOT/log" >>"$ROOT/log.all"
grep -h '"component ready"' "$ROOT/log.all" | sed -E 's/.*component="([^"]+)" elapsed="([^"]+)".*/  \1 \2/' | paste -sd' ' | fold -s -w 100
printf 'cold start to /readyz:      %s s\n' "$cold_api"
printf 'cold start to node ready:   %s s\n' "$cold_node"
printf 'cold start CPU to ready:    %s s\n' "$cold_cpu"
printf 'warm restart to /readyz:    %s s\n' "$warm_api"
printf 'warm restart to node ready: %s s\n' "$warm_node"
printf 'warm restart CPU to ready:  %s s\n' "$warm_cpu"
[ "$PODS" -gt 0 ] && printf 'pod create to Running:      p50 %s s, p95 %s s (%s pods, one at a time)\n' "$p50" "$p95" "$PODS"
[ "$CLAIMS" -gt 0 ] && printf 'claim+pod to Running:       p50 %s s, p95 %s s (%s claims of class local, one at a time)\n' "$c50" "$c95" "$CLAIMS"
printf 'RSS after %ss idle:         %s MiB (the whole node: one process, no pods)\n' "$IDLE" "$rss"
printf '  of which anonymous:       %s MiB; mapped binary (clean, evictable): %s MiB\n' "$anon" "$file"
printf 'PSS after %ss idle:         %s MiB\n' "$IDLE" "$pss"
printf 'node and helper PSS:        %s MiB (wgkube helper %s MiB)\n' "$((pss + hpss))" "$hpss"
printf 'peak RSS (warm start on):   %s MiB\n' "$hwm"
printf 'CPU over %ss idle:          %s s\n' "$IDLE" "$(echo "$c0 $c1" | awk '{printf "%.2f", $2-$1}')"
printf 'binary size:                %s MiB\n' "$size"
