package node

import (
	"os"
	"strconv"
	"strings"
)

// nodeOOMScoreAdj is the oom_score_adj a node process wants: the kubelet's
// and kube-proxy's own default, and what configs/kubenode.service sets.
const nodeOOMScoreAdj = -999

const oomScoreAdjFile = "/proc/self/oom_score_adj"

// processOOMScoreAdj sets this process's oom_score_adj to want with one
// write, and returns the value the process has afterwards. The kubelet and
// kube-proxy each write theirs at start and, when the kernel refuses
// (lowering it needs CAP_SYS_RESOURCE, which a container's root or a
// restricted host lacks), retry with 100 ms sleeps: 200 ms each on the way
// to a ready node, for a value that is the whole process's anyway. Given
// what the process has, their writes change nothing and succeed at once.
func processOOMScoreAdj(want int32) (int32, error) {
	if v, err := currentOOMScoreAdj(); err != nil || v == want {
		return v, err
	}
	// Refused without CAP_SYS_RESOURCE: the process keeps what it has.
	_ = os.WriteFile(oomScoreAdjFile, []byte(strconv.Itoa(int(want))), 0o644)
	return currentOOMScoreAdj()
}

// currentOOMScoreAdj is this process's oom_score_adj.
func currentOOMScoreAdj() (int32, error) {
	b, err := os.ReadFile(oomScoreAdjFile)
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 32)
	return int32(v), err
}
