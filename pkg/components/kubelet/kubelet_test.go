package kubelet

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestNodeReady(t *testing.T) {
	start := time.Date(2026, 11, 30, 8, 0, 10, 600e6, time.UTC)
	node := func(status corev1.ConditionStatus, heartbeat time.Time, taints ...corev1.Taint) *corev1.Node {
		return &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{Name: "n1"},
			Spec:       corev1.NodeSpec{Taints: taints},
			Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{
				{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse, LastHeartbeatTime: metav1.NewTime(heartbeat)},
				{Type: corev1.NodeReady, Status: status, LastHeartbeatTime: metav1.NewTime(heartbeat), Reason: "KubeletNotReady", Message: "CSINode not initialized"},
			}},
		}
	}
	notReadyTaint := corev1.Taint{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoSchedule}
	for _, tc := range []struct {
		name     string
		node     *corev1.Node
		previous time.Time // the heartbeat at the start
		want     string    // "" for ready
	}{
		{"posted since start", node(corev1.ConditionTrue, start.Add(300*time.Millisecond)), time.Time{}, ""},
		// JSON carries whole seconds: a status posted at 08:00:10.9
		// reads as 08:00:10, before the start at 08:00:10.6.
		{"posted in the second of the start", node(corev1.ConditionTrue, start.Truncate(time.Second)), time.Time{}, ""},
		{"posted since start, after the previous run's", node(corev1.ConditionTrue, start.Add(time.Second)), start.Add(-3 * time.Second), ""},
		{"previous run's status", node(corev1.ConditionTrue, start.Add(-4*time.Second)), time.Time{}, "has not posted its status since its start"},
		{"previous run's status, a second before", node(corev1.ConditionTrue, start.Truncate(time.Second).Add(-time.Nanosecond)), time.Time{}, "has not posted its status since its start"},
		// A worker that restarts within a second of its last status.
		{"previous run's status in the second of the start", node(corev1.ConditionTrue, start.Truncate(time.Second)), start.Truncate(time.Second), "has not posted its status since its start"},
		{"not ready", node(corev1.ConditionFalse, start.Add(time.Second)), time.Time{}, "not Ready: KubeletNotReady: CSINode not initialized"},
		{"still tainted", node(corev1.ConditionTrue, start.Add(time.Second), notReadyTaint), time.Time{}, "still tainted"},
		{"no condition", &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"}}, time.Time{}, "no Ready condition"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := nodeReady(tc.node, start, tc.previous)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("not ready: %v", err)
			case tc.want != "" && err == nil:
				t.Fatalf("ready, want an error with %q", tc.want)
			case tc.want != "" && !strings.Contains(err.Error(), tc.want):
				t.Fatalf("error %q, want %q in it", err, tc.want)
			}
		})
	}
}
