package views

import (
	"testing"

	fixture "github.com/hacon/hacon/cluster/clustertest"
)

// benchOverview renders the whole overview (header, body, footer, styled)
// as the console's View() does.
func benchOverview(b *testing.B, nodes, services, w, h int) {
	snap := fixture.Large(nodes, services)
	c := &snap.Clusters[0]
	st := NewStyles(ThemeDark, false)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_ = Compose(st, w, h, Header(c, HeaderInfo{}, w), Overview(c, OverviewState{}, w, h-2), Footer(FooterInfo{}, w))
	}
}

// Targets: < 2 ms and < 10 ms per View.
func BenchmarkOverview3x30(b *testing.B)     { benchOverview(b, 3, 30, 200, 50) }
func BenchmarkOverview16x100(b *testing.B)   { benchOverview(b, 16, 100, 200, 50) }
func BenchmarkOverview3x30At80(b *testing.B) { benchOverview(b, 3, 30, 80, 24) }
