package etcd

import (
	"context"
	"fmt"

	"go.etcd.io/etcd/server/v3/storage"

	"github.com/kubenode/kubenode/pkg/supervisor"
)

// dbWarnPercent of the backend quota: etcd refuses every write (alarm
// NOSPACE) once the db file reaches the quota, so this is the time to
// compact and defragment, or to raise the quota.
const dbWarnPercent = 80

var _ supervisor.Healther = (*Etcd)(nil)

// Health reports the db file's size against etcd's backend quota and any
// alarm raised.
func (e *Etcd) Health(context.Context) []supervisor.Condition {
	e.mu.Lock()
	srv := e.server
	e.mu.Unlock()
	if srv == nil {
		return []supervisor.Condition{{Type: "DBSize", Message: "etcd is not running"}}
	}
	quota := srv.Server.Cfg.QuotaBackendBytes
	if quota <= 0 {
		quota = storage.DefaultQuotaBytes
	}
	size, inUse := srv.Server.Backend().Size(), srv.Server.Backend().SizeInUse()
	dbc := supervisor.Condition{Type: "DBSize", OK: size*100 < quota*dbWarnPercent}
	if !dbc.OK {
		dbc.Message = fmt.Sprintf("the db file is %d MiB (%d MiB in use), %d%% of etcd's %d MiB quota; at the quota etcd refuses all writes: defragment it (etcdctl defrag) or delete objects",
			size>>20, inUse>>20, size*100/quota, quota>>20)
	}
	alarms := supervisor.Condition{Type: "NoAlarm", OK: true}
	for _, a := range srv.Server.Alarms() {
		alarms.OK = false
		alarms.Message += fmt.Sprintf("alarm %s on member %x; ", a.Alarm, a.MemberID)
	}
	return []supervisor.Condition{dbc, alarms}
}
