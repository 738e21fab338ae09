package cluster

import (
	"sort"
	"testing"
	"time"
)

// Summarize counts what the fleet row shows: nodes online, services at
// full/degraded/down, VIPs held, the first most severe alert, the oldest
// data and whether any source is stale.
func TestSummarize(t *testing.T) {
	c := &Cluster{Name: "oc", HasPacemaker: true, Quorum: true,
		Nodes: []Node{
			{Name: "c0", Pacemaker: &PcmkNode{Online: true}},
			{Name: "c1", Pacemaker: &PcmkNode{Online: false}},
			{Name: "c2"}, // Pacemaker does not know it
		},
		Services: []Service{
			{Name: "keystone", Serving: 3, Expected: 3},
			{Name: "glance", Serving: 4, Expected: 3}, // more than expected is full
			{Name: "nova", Serving: 2, Expected: 3},
			{Name: "cinder", Serving: 0, Expected: 1},
		},
		VIPs: []VIP{{Name: "a", Node: "c0"}, {Name: "b", Node: "c1", Failed: true}, {Name: "c", Node: "c2", Stale: true}, {Name: "d"}},
		Alerts: []Alert{
			{Severity: SevWarning, Subject: "nova", Message: "2 of 3"},
			{Severity: SevCritical, Subject: "cinder", Message: "down"},
			{Severity: SevCritical, Subject: "c1", Message: "offline"},
			{Severity: SevInfo, Subject: "x", Message: "note"},
		},
		Sources: []Source{{DataAge: 3 * time.Second}, {DataAge: 40 * time.Second, Stale: true}, {DataAge: time.Second}},
	}
	s := Summarize(c)
	want := Summary{Name: "oc", Critical: 2, Warning: 1, HasPacemaker: true, Quorum: true, NodesOnline: 1, Nodes: 3,
		ServicesFull: 2, ServicesDegraded: 1, ServicesDown: 1, VIPsHeld: 1, VIPs: 4, DataAge: 40 * time.Second, Stale: true}
	worst := s.WorstAlert
	s.WorstAlert = nil
	if s != want {
		t.Errorf("Summarize\n got %+v\nwant %+v", s, want)
	}
	if worst != &c.Alerts[1] {
		t.Errorf("worst alert %+v, want the first critical one (cinder)", worst)
	}
	if s := Summarize(&Cluster{Name: "quiet", Alerts: []Alert{{Severity: SevInfo}}}); s.WorstAlert == nil || s.Stale || s.DataAge != 0 {
		t.Errorf("an info alert is still the worst of none worse: %+v", s)
	}
}

// Trouble sorts critical before warning before stale before quiet, and
// more of a kind before fewer.
func TestSummaryTroubleOrder(t *testing.T) {
	sums := []Summary{
		{Name: "quiet"},
		{Name: "stale", Stale: true},
		{Name: "warn2", Warning: 2},
		{Name: "crit1", Critical: 1},
		{Name: "warn1-stale", Warning: 1, Stale: true},
		{Name: "crit2", Critical: 2},
		{Name: "crit1-warn999", Critical: 1, Warning: 999},
	}
	sort.SliceStable(sums, func(i, j int) bool { return sums[i].Trouble() > sums[j].Trouble() })
	var got []string
	for _, s := range sums {
		got = append(got, s.Name)
	}
	want := []string{"crit2", "crit1-warn999", "crit1", "warn2", "warn1-stale", "stale", "quiet"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("trouble order %v, want %v", got, want)
		}
	}
}
