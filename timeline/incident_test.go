package timeline_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
	fixture "github.com/hacon/hacon/cluster/clustertest"
	"github.com/hacon/hacon/timeline"
)

// session feeds snapshots to a tracker as the console does: Diff against
// the previous snapshot, then Observe; it keeps every record written.
type session struct {
	t       *testing.T
	tr      *timeline.Tracker
	prev    cluster.Snapshot
	started bool
	records []timeline.Record
}

func newSession(t *testing.T) *session {
	return &session{t: t, tr: timeline.NewTracker("t")}
}

// at observes snap as taken at fixture.Taken+sec seconds.
func (s *session) at(sec int, snap cluster.Snapshot) {
	snap.Taken = fixture.Taken.Add(time.Duration(sec) * time.Second)
	var evs []timeline.Event
	if s.started {
		evs = diff(s.prev, snap)
	}
	s.records = append(s.records, s.tr.Observe(snap, evs)...)
	s.prev, s.started = snap, true
}

func (s *session) changes() string {
	var out []string
	for _, r := range s.records {
		out = append(out, r.Change)
	}
	return strings.Join(out, ",")
}

func (s *session) only() *timeline.Incident {
	s.t.Helper()
	incs := s.tr.Incidents()
	if len(incs) != 1 {
		var titles []string
		for _, i := range incs {
			titles = append(titles, i.Title)
		}
		s.t.Fatalf("%d incidents, want 1: %q", len(incs), titles)
	}
	return incs[0]
}

func hasEvent(inc *timeline.Incident, want string) bool {
	for _, e := range inc.Events {
		if strings.Contains(e.Subject+" "+e.What+": "+e.From+" → "+e.To, want) {
			return true
		}
	}
	return false
}

// A fence and the node's return: one incident, caused by the node going
// offline, with the services below full as its impact, closed once
// nothing has been wrong for CloseAfter, in a handful of log lines.
func TestFenceAndRecoveryIsOneIncident(t *testing.T) {
	s := newSession(t)
	s.at(0, fixture.Healthy())
	for sec := 2; sec <= 10; sec += 2 {
		s.at(sec, fixture.Fenced())
	}
	for sec := 20; sec <= 40; sec += 2 {
		s.at(sec, fixture.Healthy())
	}
	inc := s.only()
	if inc.Open() || inc.Severity != timeline.SevCritical || inc.Title != "controller-2 offline in Pacemaker" {
		t.Errorf("incident open=%t severity %s title %q", inc.Open(), inc.Severity, inc.Title)
	}
	if d := inc.Duration(time.Time{}); d != 18*time.Second {
		t.Errorf("duration %s, want 18s (opened at 2s, cleared at 20s)", d)
	}
	for _, want := range []string{"controller-2 pacemaker: online → offline", "controller-2 power: on → off",
		"keystone@controller-2 role: Started → Stopped", "controller-2 pacemaker: offline → online", "alert critical"} {
		if !hasEvent(inc, want) {
			t.Errorf("event %q missing", want)
		}
	}
	var keystone *timeline.Impact
	for k := range inc.Impact {
		if inc.Impact[k].Service == "keystone" {
			keystone = &inc.Impact[k]
		}
	}
	if keystone == nil || keystone.Worst != 2 || keystone.Expected != 3 || keystone.BelowFor(time.Time{}) != 18*time.Second {
		t.Errorf("keystone impact %+v", keystone)
	}
	if got := s.changes(); got != "opened,closed" {
		t.Errorf("events log changes %q, want opened,closed", got)
	}
	if got := strings.Join(inc.Nodes(), ","); !strings.Contains(got, "controller-2") {
		t.Errorf("nodes %q", got)
	}
}

// Stale data and data coming back unchanged are folded, not listed; a
// change seen across a stale gap is told from the last real state.
func TestStaleNoiseIsFolded(t *testing.T) {
	s := newSession(t)
	s.at(0, fixture.Healthy())
	s.at(2, fixture.StaleSource())
	s.at(4, fixture.Healthy())
	inc := s.only()
	for _, e := range inc.Events {
		if e.From == "stale" || e.To == "stale" {
			t.Errorf("stale noise listed: %+v", e)
		}
	}
	if inc.Folded == 0 {
		t.Error("nothing folded")
	}

	s = newSession(t)
	s.at(0, fixture.Healthy())
	s.at(2, fixture.StaleSource())
	s.at(4, fixture.Fenced())
	if !hasEvent(s.tr.Incidents()[0], "controller-2 pacemaker: online → offline") {
		t.Errorf("the change behind the stale gap is not told from the last real state: %+v", s.tr.Incidents()[0].Events)
	}
}

// Two clusters' troubles are two incidents; a later trouble after the
// first has closed is a new one.
func TestSeparateTroublesAreSeparateIncidents(t *testing.T) {
	s := newSession(t)
	s.at(0, fixture.Snap(1, fixture.HealthyCluster("a"), fixture.HealthyCluster("b")))
	s.at(2, fixture.Snap(2, fixture.DegradedCluster("a"), fixture.FencedCluster("b")))
	incs := s.tr.Incidents()
	if len(incs) != 2 || incs[0].Cluster == incs[1].Cluster {
		t.Fatalf("want one incident per cluster, got %d", len(incs))
	}

	s = newSession(t)
	s.at(0, fixture.Healthy())
	s.at(2, fixture.Degraded())
	s.at(4, fixture.Healthy())
	s.at(30, fixture.Healthy())
	s.at(40, fixture.Fenced())
	incs = s.tr.Incidents()
	if len(incs) != 2 || !incs[0].Open() || incs[1].Open() {
		t.Fatalf("want a closed keystone incident then an open fence one, got %d", len(incs))
	}
	if !strings.Contains(incs[1].Title, "keystone") || !strings.Contains(incs[0].Title, "controller-2") {
		t.Errorf("titles %q, %q", incs[1].Title, incs[0].Title)
	}
	if !incs[1].Matches("svc:keystone node:controller-1 sev:warn") || incs[1].Matches("sev:crit") || !incs[0].Matches("controller-2") {
		t.Error("filters do not match as they should")
	}
}

// An operator's fence opens the incident and stays its cause; the node
// going offline is its consequence.
func TestActionIsTheCause(t *testing.T) {
	s := newSession(t)
	s.at(0, fixture.Healthy())
	c := fixture.HealthyCluster("overcloud")
	act := timeline.Action{Ref: "r1", Command: ":fence controller-2", Operator: "alice", Keys: timeline.ActionKeys(&c, "controller-2", "", "", "")}
	s.records = append(s.records, s.tr.ActionStarted("overcloud", act, fixture.Taken.Add(time.Second))...)
	s.at(2, fixture.Fenced())
	act.State, act.Verified, act.ID = timeline.ActionDone, true, "abc"
	s.records = append(s.records, s.tr.ActionFinished("overcloud", act, fixture.Taken.Add(3*time.Second))...)
	s.at(4, fixture.Healthy())
	s.at(30, fixture.Healthy())
	inc := s.only()
	if inc.Title != ":fence controller-2 by alice" || inc.Severity != timeline.SevCritical || inc.Open() {
		t.Errorf("title %q severity %s open %t", inc.Title, inc.Severity, inc.Open())
	}
	if len(inc.Actions) != 1 || inc.Actions[0].ID != "abc" || !inc.Actions[0].Verified {
		t.Errorf("actions %+v", inc.Actions)
	}
	if got := s.changes(); got != "opened,updated,updated,closed" {
		t.Errorf("changes %q", got)
	}
}

// The events log rebuilds the incidents the tracker had.
func TestEventsLogRebuildsIncidents(t *testing.T) {
	s := newSession(t)
	s.at(0, fixture.Healthy())
	s.at(2, fixture.Fenced())
	s.at(20, fixture.Healthy())
	s.at(40, fixture.Healthy())
	path := filepath.Join(t.TempDir(), "events.log")
	if err := timeline.NewLog(path).Append(s.records); err != nil {
		t.Fatal(err)
	}
	incs, skipped, err := timeline.ReadIncidents(path, "overcloud")
	if err != nil || skipped != 0 || len(incs) != 1 {
		t.Fatalf("%d incidents, %d skipped, %v", len(incs), skipped, err)
	}
	want := s.only()
	got := incs[0]
	if got.ID != want.ID || got.Title != want.Title || len(got.Events) != len(want.Events) || got.Open() || got.Duration(time.Time{}) != want.Duration(time.Time{}) {
		t.Errorf("rebuilt %+v\nwant %+v", got, want)
	}
	if got.Events[0].Cluster != "overcloud" {
		t.Errorf("events carry no cluster after reading back")
	}
	if other, _, _ := timeline.ReadIncidents(path, "elsewhere"); len(other) != 0 {
		t.Errorf("another cluster's filter returned %d", len(other))
	}
}

// A clone changes without changing its original (the console clones before
// each snapshot): the clone's view across a stale gap does not leak back.
func TestCloneKeepsTheOriginalsLastStates(t *testing.T) {
	s := newSession(t)
	s.at(0, fixture.Healthy())
	s.at(2, fixture.StaleSource())
	fork := &session{t: t, tr: s.tr.Clone(), prev: s.prev, started: true}
	fork.at(4, fixture.Fenced())
	if !hasEvent(fork.tr.Incidents()[0], "controller-2 pacemaker: online → offline") {
		t.Fatalf("the clone did not see the fence: %+v", fork.tr.Incidents()[0].Events)
	}
	s.at(4, fixture.Fenced())
	if incs := s.tr.Incidents(); len(incs) == 0 || !hasEvent(incs[0], "controller-2 pacemaker: online → offline") {
		t.Errorf("the original's last state was changed through its clone: %+v", incs)
	}
}
