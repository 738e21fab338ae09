package tui

import (
	"github.com/hacon/hacon/timeline"
	"strings"
	"testing"
	"time"

	fixture "github.com/hacon/hacon/cluster/clustertest"
)

// A wall runs for a day with nobody touching it: a simulated 24 hours of
// ticks, with the data flapping between healthy and degraded every minute
// (far more churn than a real day), must keep rotating, keep drifting within
// the screen, keep the in-memory timeline bounded and never overflow 80x24.
func TestWallSoakOneDay(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates a day of ticks")
	}
	healthy, degraded := fixture.TwoClusters(), fixture.TwoClusters()
	degraded.Clusters[0] = fixture.Degraded().Clusters[0]
	m := newModel(t, healthy, Options{Wall: true, Rotate: 15 * time.Second, EventsLog: "-"}, 80, 24)
	start := m.now
	seen := map[int]bool{}
	var seq uint64 = 100
	for s := 10; s <= 24*3600; s += 10 {
		now := start.Add(time.Duration(s) * time.Second)
		snap := healthy
		if (s/60)%2 == 1 {
			snap = degraded
		}
		seq++
		snap.Sequence, snap.Taken = seq, now
		for i := range snap.Clusters {
			snap.Clusters[i].Name = []string{"overcloud", "edge-dc2"}[i]
		}
		m, _ = m.applySnapshot(snap)
		m = send(m, tickMsg{now: now, snap: snap, ok: true})
		seen[m.cluster] = true
		if n := len(m.incidents.Incidents()); n > timeline.MaxClosed+2 {
			t.Fatalf("timeline grew to %d incidents after %ds", n, s)
		}
		if s%3600 == 0 {
			out := plain(t, m)
			lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
			if len(lines) > 24 {
				t.Fatalf("hour %d: %d lines", s/3600, len(lines))
			}
			for i, l := range lines {
				if len([]rune(l)) > 80 {
					t.Fatalf("hour %d line %d: %d wide", s/3600, i, len([]rune(l)))
				}
			}
			if !strings.Contains(out, ":") { // the clock is always there
				t.Fatalf("hour %d: no clock:\n%s", s/3600, out)
			}
		}
	}
	if !seen[0] || !seen[1] {
		t.Error("the wall stopped rotating between clusters")
	}
	// One degraded minute in two, each one incident: 720 in a day.
	if n := len(m.incidents.Incidents()); n < timeline.MaxClosed || n > timeline.MaxClosed+2 {
		t.Errorf("timeline holds %d incidents after a day of churn, want the cap %d (+1 open per cluster)", n, timeline.MaxClosed)
	}
}
