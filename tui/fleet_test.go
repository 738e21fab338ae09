package tui

import (
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/hacon/hacon/cluster"
	fixture "github.com/hacon/hacon/cluster/clustertest"
)

// TestFleetEnterEscFilterJump walks the fleet: it is the first screen,
// trouble sorts first, enter opens the cluster under the cursor, esc comes
// back, / filters and :cluster jumps straight to a cluster.
func TestFleetEnterEscFilterJump(t *testing.T) {
	m := newModel(t, fleet50(), Options{}, 80, 24)
	if m.screen != scrFleet {
		t.Fatalf("first screen = %v, want the fleet", m.screen)
	}
	m = press(m, "enter")
	if m.screen != scrOverview || m.current().Name != "region-08" {
		t.Fatalf("enter on the first row opened %v %q, want region-08 (the fenced one, sorted first)", m.screen, m.current().Name)
	}
	m = press(m, "esc")
	if m.screen != scrFleet {
		t.Fatalf("esc from a cluster went to %v, want the fleet", m.screen)
	}
	m = press(m, "j", "j", "enter")
	if got := m.current().Name; got != "region-13" {
		t.Fatalf("third row opened %q, want region-13 (degraded, after the two critical)", got)
	}
	m = press(m, "esc", "/")
	m = typeText(m, "region-4")
	m = press(m, "enter", "G", "enter")
	if got := m.current().Name; got != "region-49" {
		t.Fatalf("filter region-4, bottom, enter opened %q, want region-49 (region-41, stale, sorts first)", got)
	}
	m = press(m, "esc", ":")
	m = typeText(m, "cluster region-22")
	m = press(m, "enter")
	if m.screen != scrOverview || m.current().Name != "region-22" {
		t.Fatalf(":cluster region-22 → %v %q", m.screen, m.current().Name)
	}
}

// TestOneClusterHasNoFleet: a single cluster opens on its overview, and
// esc there stays.
func TestOneClusterHasNoFleet(t *testing.T) {
	m := newModel(t, fixture.Healthy(), Options{}, 80, 24)
	if m.screen != scrOverview {
		t.Fatalf("first screen = %v", m.screen)
	}
	if m = press(m, "esc"); m.screen != scrOverview {
		t.Fatalf("esc went to %v", m.screen)
	}
}

// The wall with a fleet rotates a round: the fleet page, then every
// cluster in the fleet's order (trouble first: region-08 fenced and
// region-41 stale, both critical; region-13 and region-32 degraded; then
// the healthy ones by name), then the fleet page again. Time is the
// tick's injected clock.
func TestWallRotatesFleetThenTroubleFirst(t *testing.T) {
	m := newModel(t, fleet50(), Options{Wall: true, Rotate: 10 * time.Second}, 80, 24)
	start := m.now
	page := func(m Model) string {
		if s := plain(t, m); m.screen == scrFleet && strings.Contains(s, "50 clusters:") && strings.Contains(s, "WALL") {
			return "fleet"
		}
		if m.screen != scrOverview {
			t.Fatalf("wall on screen %v", m.screen)
		}
		return m.current().Name
	}
	if got := page(m); got != "fleet" {
		t.Fatalf("the wall starts on %q, want the fleet page", got)
	}
	if m = send(m, tickMsg{now: start.Add(9 * time.Second)}); page(m) != "fleet" {
		t.Fatal("rotated before 10s")
	}
	var round []string
	for k := 1; k <= 52; k++ {
		m = send(m, tickMsg{now: start.Add(time.Duration(k) * 10 * time.Second)})
		round = append(round, page(m))
	}
	want := []string{"region-08", "region-41", "region-13", "region-32", "region-01", "region-02", "region-03"}
	if !slices.Equal(round[:len(want)], want) {
		t.Errorf("the round begins %v, want %v", round[:len(want)], want)
	}
	if round[49] != "region-50" || round[50] != "fleet" || round[51] != "region-08" {
		t.Errorf("the round ends %v, want region-50, the fleet page, region-08", round[48:])
	}
	seen := map[string]bool{}
	for _, p := range round[:50] {
		seen[p] = true
	}
	if len(seen) != 50 {
		t.Errorf("a round showed %d distinct clusters, want all 50", len(seen))
	}

	// region-30 fails during a round: the next round, decided on the fleet
	// page, shows it among the first, before any healthy cluster.
	s := fleet50()
	s.Clusters[29] = fixture.FencedCluster("region-30")
	s.Sequence++
	m = send(m, snapshotMsg{snap: s})
	for k := 53; page(m) != "fleet"; k++ {
		if k > 110 {
			t.Fatal("no fleet page within a round")
		}
		m = send(m, tickMsg{now: start.Add(time.Duration(k) * 10 * time.Second)})
	}
	var next []string
	for k := 0; k < 3; k++ {
		m = send(m, tickMsg{now: m.lastRotate.Add(10 * time.Second)})
		next = append(next, page(m))
	}
	if !slices.Contains(next, "region-30") {
		t.Errorf("the round after region-30 failed begins %v: region-30 not among the first three", next)
	}
}

// A poll that rebuilt nothing (every cluster the same build, same Rev)
// wakes no Update: waitSnapshot waits on for a snapshot with a new build.
func TestWaitSnapshotSkipsSameBuilds(t *testing.T) {
	withRevs := func(s cluster.Snapshot, revs ...uint64) cluster.Snapshot {
		s.Clusters = slices.Clone(s.Clusters)
		for i := range s.Clusters {
			s.Clusters[i].Rev = revs[i]
		}
		return s
	}
	have := withRevs(fixture.TwoClusters(), 1, 2)
	src := newFake(have)
	got := make(chan tea.Msg, 1)
	go func() { got <- waitSnapshot(src, have)() }()
	src.set(withRevs(fixture.TwoClusters(), 1, 2)) // same builds, a later sequence
	src.set(withRevs(fixture.TwoClusters(), 1, 2))
	select {
	case msg := <-got:
		t.Fatalf("a snapshot of the same builds woke the console: %T", msg)
	case <-time.After(50 * time.Millisecond): // a failing case only: the pass waits for the next set
	}
	src.set(withRevs(fixture.TwoClusters(), 1, 3)) // edge-dc2 rebuilt
	msg := (<-got).(snapshotMsg)
	if msg.snap.Clusters[1].Rev != 3 {
		t.Errorf("woke with revs %d/%d", msg.snap.Clusters[0].Rev, msg.snap.Clusters[1].Rev)
	}
	if sameBuilds(fixture.TwoClusters(), fixture.TwoClusters()) {
		t.Error("clusters without a Rev (built without a cache) count as the same build")
	}
}
