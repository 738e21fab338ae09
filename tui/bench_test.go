package tui

import (
	"testing"

	fixture "github.com/hacon/hacon/cluster/clustertest"
)

// benchView measures View() of the console's overview as bubbletea calls it.
func benchView(b *testing.B, nodes, services int) {
	m := newModel(b, fixture.Large(nodes, services), Options{Theme: "dark"}, 200, 50)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_ = m.View()
	}
}

// Targets: < 2 ms (3 controllers × 30 services) and < 10 ms (16 × 100).
func BenchmarkOverview3x30(b *testing.B)   { benchView(b, 3, 30) }
func BenchmarkOverview16x100(b *testing.B) { benchView(b, 16, 100) }
