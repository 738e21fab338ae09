package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/actions"
	"github.com/hacon/hacon/cluster"
	fixture "github.com/hacon/hacon/cluster/clustertest"
	"github.com/hacon/hacon/timeline"
	"github.com/hacon/hacon/views"
)

// hacon export rebuilds the incidents from the events log and puts the
// audit log's actions into them: by action_id, else by what they act on
// and when; the rest are listed apart.
func TestExportFromTheLogs(t *testing.T) {
	dir := t.TempDir()
	events, audit, out := filepath.Join(dir, "events.log"), filepath.Join(dir, "audit.log"), filepath.Join(dir, "r", "report.md")
	// The console's session: a fence (action_id f1) and the node's return.
	tr := timeline.NewTracker("t")
	c := fixture.HealthyCluster("demo-overcloud")
	snap := func(sec int, cl func(string) cluster.Cluster) cluster.Snapshot {
		s := fixture.Snap(uint64(sec+1), cl("demo-overcloud"))
		s.Taken = fixture.Taken.Add(time.Duration(sec) * time.Second)
		return s
	}
	var recs []timeline.Record
	prev := snap(0, fixture.HealthyCluster)
	recs = append(recs, tr.Observe(prev, nil)...)
	act := timeline.Action{Ref: "r", Command: ":fence controller-2", Keys: timeline.ActionKeys(&c, "controller-2", "", "", "")}
	recs = append(recs, tr.ActionStarted("demo-overcloud", act, fixture.Taken.Add(time.Second))...)
	act.ID, act.State = "f1", timeline.ActionDone
	recs = append(recs, tr.ActionFinished("demo-overcloud", act, fixture.Taken.Add(2*time.Second))...)
	for _, st := range []cluster.Snapshot{snap(2, fixture.FencedCluster), snap(20, fixture.HealthyCluster), snap(40, fixture.HealthyCluster)} {
		recs = append(recs, tr.Observe(st, timeline.Diff(prev, st, views.CellWords))...)
		prev = st
	}
	if err := timeline.NewLog(events).Append(recs); err != nil {
		t.Fatal(err)
	}
	// The audit log: that fence by alice, and a standby an hour later.
	al := actions.NewAuditLogSyslog(audit, "")
	for _, e := range []actions.AuditEntry{
		{Phase: "intent", ActionID: "f1", Time: fixture.Taken.Add(time.Second).Format(time.RFC3339Nano), Target: "fence controller-2", Action: "fence"},
		{Phase: "result", ActionID: "f1", OK: true, DurationMS: 900, VerifyState: "pending", Target: "fence controller-2", Action: "fence"},
		{Phase: "verify", ActionID: "f1", OK: true, Verified: true, VerifyState: "seen", DurationMS: 2100, Target: "fence controller-2", Action: "fence"},
		{Phase: "intent", ActionID: "s1", Time: fixture.Taken.Add(time.Hour).Format(time.RFC3339Nano), Target: "standby controller-1", Action: "standby"},
	} {
		e.Cluster, e.Operator = "demo-overcloud", actions.Operator{User: "alice", TTY: "/dev/pts/3"}
		if err := al.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"export", "--demo", "--no-poll", "--events", events, "--audit", audit, "-o", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	md := string(b)
	for _, want := range []string{
		"1 incident(s), 0 still open", "lasted 19s",
		"**action** :fence controller-2 by alice (on /dev/pts/3): done, verified in 2.1s",
		"| keystone | 2 of 3 | 18s |",
		"### Actions outside any incident", ":standby controller-1 by alice (on /dev/pts/3): running",
		"Not known: the cluster was not polled.",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	if st, _ := os.Stat(out); st.Mode().Perm() != 0o600 {
		t.Errorf("report mode %v", st.Mode())
	}
}
