#!/usr/bin/env bash
# Reads `go test -v` output on stdin and prints, for each failing test,
# its own failure lines (file:line and up to 8 continuation lines), without
# the node logs the harness dumps after them. CI keeps only the tail of a
# run's output; this brief goes last so a failure's reason is in that tail.
awk '
/^=== (RUN|NAME|CONT|PAUSE)/ { cur = $3; next }
/^ *--- FAIL: / { failed[$3] = 1; next }
/^ *--- (PASS|SKIP): / { next }
/^    [A-Za-z0-9_]+_test\.go:[0-9]+: .*log( \(.*\))?:$/ { skip = 1; next }
/^    [A-Za-z0-9_]+_test\.go:[0-9]+: / { skip = 0; keep = 8; msg[cur] = msg[cur] $0 "\n"; next }
/^        / && !skip && keep > 0 { keep--; msg[cur] = msg[cur] $0 "\n"; next }
{ keep = 0 }
END {
	n = 0
	for (t in failed) if (t in msg) { if (!n++) print "\n=== e2e failures in brief"; printf "--- %s\n%s", t, msg[t] }
}'
