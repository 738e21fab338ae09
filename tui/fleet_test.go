package tui

import (
	"testing"

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
