#!/bin/bash
# make race: kubenode built with Go's race detector runs the end-to-end
# tests that start a primary and a worker (RACE_TESTS), then every data
# race the nodes reported is printed once, grouped by the two functions
# involved (hack/race-report). Fails when a test fails or a race is not in
# hack/race-known.txt. Long (a race build of the binary takes ~12 min cold
# on 2 cores, the tests ~7 min): not part of make test.
set -uo pipefail
GO=${GO:-go}
BIN=${RACE_BIN:-bin/kubenode-race}
TESTS=${RACE_TESTS:-'^(TestPrimary|TestWorkerJoin|TestLocalVolumes)$'}
: "${TAGS:?run through make race}" "${LINKFLAGS:?run through make race}"

# component-base logs "Data race detection enabled" at every start of a
# command, kubectl's too, where the tests read it as kubectl's output.
overlay=bin/race-overlay
mkdir -p "$overlay"
cat > "$overlay/withrace.go" <<'GO'
//go:build race

package cli

func logRaceDetection() {}
GO
printf '{"Replace":{"%s":"%s"}}\n' "$PWD/vendor/k8s.io/component-base/cli/withrace.go" "$PWD/$overlay/withrace.go" > "$overlay/overlay.json"
echo "building $BIN with -race"
CGO_ENABLED=1 $GO build -race -overlay "$overlay/overlay.json" -trimpath -tags "$TAGS" -ldflags "$LINKFLAGS" -o "$BIN" ./cmd/kubenode 2>&1 |
	grep -v -e "requires at runtime the shared libraries" -e "in function \`" -e '^# ' || true
[ -x "$BIN" ] || { echo "race build failed"; exit 1; }

out=$(mktemp -d /tmp/kubenode-race.XXXXXX)
echo "tests $TESTS; reports and logs in $out"
GORACE="exitcode=0 log_path=$out/report" KUBENODE_BIN=$PWD/$BIN KUBENODE_E2E_LOGS=$out/logs \
	$GO test -count=1 -timeout 60m -v -run "$TESTS" ./test/e2e/ > "$out/e2e.log" 2>&1
tests=$?
grep -E '^(--- |ok|FAIL)|^    --- ' "$out/e2e.log"
[ $tests -eq 0 ] || echo "tests failed (exit $tests): $out/e2e.log"

$GO run ./hack/race-report -known hack/race-known.txt $(ls "$out"/report.* 2>/dev/null)
races=$?
[ $tests -eq 0 ] && [ $races -eq 0 ]
