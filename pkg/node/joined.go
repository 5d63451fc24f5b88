package node

import "github.com/kubenode/kubenode/pkg/config"

// JoinedAs returns the node name of a worker that has finished joining
// (its join state holds an index), or "" when the host has not joined.
func JoinedAs(cfg *config.Config) (string, error) {
	st, err := readJoinState(cfg.DataDir)
	if err != nil || st == nil || st.Index == 0 {
		return "", err
	}
	return config.NodeNameOf(st.Index, cfg.ClusterDomain), nil
}
