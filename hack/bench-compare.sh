#!/usr/bin/env bash
# Runs the benchmarks (hack/bench.sh, bench-cluster.sh, bench-network.sh,
# bench-restart.sh)
# RUNS times and prints every figure as min / median / max. With BASE=<commit>
# it also builds that commit and alternates the two binaries run by run, in
# the same session, so that each figure comes with the ratio of the medians
# (this / base) instead of a number from another day.
#   make bench [RUNS=3] [BASE=<commit>]
# BASE_BIN=<binary> compares with that binary instead of building BASE;
# BENCHES="bench ..." runs only those of the four.
# Needs root (network namespaces) and what the benchmarks need.
set -euo pipefail
ROOT_DIR=$(cd "$(dirname "$0")/.." && pwd)
BIN=${KUBENODE_BIN:-$ROOT_DIR/bin/kubenode}
RUNS=${RUNS:-3}
BASE=${BASE:-}
BASE_BIN=${BASE_BIN:-}
BENCHES=${BENCHES:-bench bench-cluster bench-network bench-restart}
OUT=$(mktemp -d /tmp/kubenode-bench-compare.XXXXXX)
WT=
cleanup() {
	[ -n "$WT" ] && git -C "$ROOT_DIR" worktree remove --force "$WT" 2>/dev/null || true
	rm -rf "$OUT"
}
trap cleanup EXIT

bins=(this)
declare -A path=([this]="$BIN")
if [ -n "$BASE_BIN" ]; then
	rev=$(basename "$BASE_BIN")
	BASE=$BASE_BIN
	bins+=(base)
	path[base]=$BASE_BIN
elif [ -n "$BASE" ]; then
	rev=$(git -C "$ROOT_DIR" rev-parse --short "$BASE")
	WT=$OUT/base-src
	git -C "$ROOT_DIR" worktree add --detach "$WT" "$rev" >/dev/null
	echo "building base $rev ..." >&2
	make -C "$WT" build >"$OUT/base-build.log" 2>&1 || { tail -20 "$OUT/base-build.log"; exit 1; }
	bins+=(base)
	path[base]=$WT/bin/kubenode
fi

# figures prints "label<TAB>value" for each "label: value ..." line of a
# benchmark's output: the first field after the colon that is a number.
figures() {
	awk -F': ' 'NF >= 2 {
		n = split($2, f, /[ ,;()]+/)
		for (i = 1; i <= n; i++) if (f[i] ~ /^[0-9]+(\.[0-9]+)?$/) { gsub(/^ +| +$/, "", $1); print $1 "\t" f[i]; break }
	}'
}

for run in $(seq 1 "$RUNS"); do
	for b in "${bins[@]}"; do
		for s in $BENCHES; do
			echo "run $run/$RUNS: $b $s" >&2
			KUBENODE_BIN=${path[$b]} "$ROOT_DIR/hack/$s.sh" >"$OUT/$b-$s-$run.txt" 2>"$OUT/$b-$s-$run.err" ||
				{ cat "$OUT/$b-$s-$run.err" >&2; echo "$s failed for $b (run $run)" >&2; exit 1; }
			figures <"$OUT/$b-$s-$run.txt" >>"$OUT/$b.tsv"
		done
	done
done

# stats prints "label<TAB>min<TAB>median<TAB>max" in first-seen order.
stats() {
	awk -F'\t' '{ if (!($1 in n)) order[++k] = $1; v[$1, ++n[$1]] = $2 }
	END {
		for (i = 1; i <= k; i++) {
			l = order[i]; c = n[l]
			for (a = 1; a <= c; a++) s[a] = v[l, a] + 0
			for (a = 1; a <= c; a++) for (b = a + 1; b <= c; b++) if (s[b] < s[a]) { t = s[a]; s[a] = s[b]; s[b] = t }
			med = (c % 2) ? s[(c + 1) / 2] : (s[c / 2] + s[c / 2 + 1]) / 2
			printf "%s\t%g\t%g\t%g\n", l, s[1], med, s[c]
		}
	}' "$1"
}

stats "$OUT/this.tsv" >"$OUT/this.stats"
echo
echo "kubenode $(git -C "$ROOT_DIR" describe --always --dirty) over $RUNS runs: min / median / max"
if [ -z "$BASE" ]; then
	awk -F'\t' '{ printf "%-34s %8s / %8s / %8s\n", $1, $2, $3, $4 }' "$OUT/this.stats"
	exit 0
fi
stats "$OUT/base.tsv" >"$OUT/base.stats"
printf '%-34s %28s   %28s   %s\n' "" "this" "base $rev" "ratio of medians"
awk -F'\t' 'NR == FNR { base[$1] = $2 " / " $3 " / " $4; bmed[$1] = $3; next }
	{ r = ($1 in bmed && bmed[$1] + 0 != 0) ? sprintf("%.2f", $3 / bmed[$1]) : "-"
	  printf "%-34s %28s   %28s   %s\n", $1, $2 " / " $3 " / " $4, base[$1], r }' "$OUT/base.stats" "$OUT/this.stats"
