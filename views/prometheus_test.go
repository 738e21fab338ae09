package views

import (
	"strings"
	"testing"

	"github.com/hacon/hacon/cluster"
)

// A cluster whose Pacemaker is read from Prometheus says its constraints
// and fencing history are not available, never "none".
func TestPrometheusGapsAreNotShownAsAbsent(t *testing.T) {
	text := func(ls []Line) string {
		var b strings.Builder
		for _, l := range ls {
			for _, s := range l {
				b.WriteString(s.Text)
			}
			b.WriteString("\n")
		}
		return b.String()
	}
	direct := &cluster.Cluster{Name: "a"}
	prom := &cluster.Cluster{Name: "b", Prometheus: []string{"pacemaker"}, NotAvailable: cluster.PromNotAvailable()}
	for _, c := range []struct {
		cl   *cluster.Cluster
		want string
	}{{direct, "none"}, {prom, "not available from Prometheus"}} {
		if got := text(constraintLines(c.cl, "r")); !strings.Contains(got, c.want) {
			t.Errorf("%s constraints: %q, want %q", c.cl.Name, got, c.want)
		}
		if got := text(fenceLines(c.cl, "n")); !strings.Contains(got, c.want) {
			t.Errorf("%s fence history: %q, want %q", c.cl.Name, got, c.want)
		}
	}
}
