package views

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/hacon/hacon/cluster"
	fixture "github.com/hacon/hacon/cluster/clustertest"
)

// withPlanes hangs a Galera and a RabbitMQ plane on the fixture's rows.
func withPlanes(words map[string][]string) cluster.Snapshot {
	snap := fixture.Healthy()
	c := &snap.Clusters[0]
	for svcName, ws := range words {
		svc := c.Service(svcName)
		for k := range svc.Cells {
			if k < len(ws) {
				svc.Cells[k].Plane = &cluster.PlaneNode{Node: svc.Cells[k].Node, Word: ws[k], OK: ws[k] == "Synced" || ws[k] == "running"}
			}
		}
	}
	return snap
}

func renderOverview(c *cluster.Cluster, w, h int) string {
	return ansi.Strip(Compose(NewStyles(ThemeMono, false), w, h, Header(c, HeaderInfo{}, w), Overview(c, OverviewState{}, w, h-2), Footer(FooterInfo{}, w)))
}

func rowOf(screen, name string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, " "+name+" ") {
			return l
		}
	}
	return ""
}

func TestMatrixShowsThePlanesWords(t *testing.T) {
	t.Parallel()
	snap := withPlanes(map[string][]string{
		"galera":   {"Synced", "Donor/Desynced", "non-Primary"},
		"rabbitmq": {"running", "partitioned", "alarm"},
	})
	c := &snap.Clusters[0]
	wide := renderOverview(c, 200, 50)
	g, r := rowOf(wide, "galera"), rowOf(wide, "rabbitmq")
	for _, w := range []string{"✓ Synced", "◐ Donor", "✖ non-Primary", "★ Promoted"} {
		if !strings.Contains(g, w) {
			t.Errorf("galera row lacks %q:\n%s", w, g)
		}
	}
	for _, w := range []string{"✓ running", "✖ partitioned", "✖ alarm"} {
		if !strings.Contains(r, w) {
			t.Errorf("rabbitmq row lacks %q:\n%s", w, r)
		}
	}
	narrow := renderOverview(c, 80, 24)
	if !strings.Contains(narrow, "cinder-volume") {
		t.Errorf("80 columns: the plane's words squeezed the service names:\n%s", narrow)
	}
	if g := rowOf(narrow, "galera"); !strings.Contains(g, "✖nPri") || !strings.Contains(g, "✓Sync") {
		t.Errorf("80 columns: galera row %q", g)
	}
}

// A node going Synced → non-Primary changes its own word, not the width
// of the plane's sub-column (which would shift every cell to its right).
func TestPlaneWordsDoNotShiftTheMatrix(t *testing.T) {
	t.Parallel()
	a := withPlanes(map[string][]string{"galera": {"Synced", "Synced", "Synced"}})
	b := withPlanes(map[string][]string{"galera": {"Synced", "partitioned", "non-Primary"}})
	for _, w := range []int{80, 200, 300} {
		var subs []subWidths
		for _, snap := range []cluster.Snapshot{a, b} {
			c := &snap.Clusters[0]
			svcs, ctrls := Filtered(c, "")
			m := newMatrix(c, newIndex(c), svcs, ctrls)
			m.layout(w, 0)
			subs = append(subs, m.sub)
		}
		if subs[0] != subs[1] {
			t.Errorf("%d columns: sub-columns %+v became %+v", w, subs[0], subs[1])
		}
	}
}

func TestServiceDetailShowsThePlane(t *testing.T) {
	t.Parallel()
	snap := withPlanes(map[string][]string{"galera": {"Synced", "down", "Synced"}})
	c := &snap.Clusters[0]
	c.Service("galera").Cells[1].Plane.Detail = "ERROR 2002 (HY000): Can't connect; grastate.dat seqno 77, safe_to_bootstrap 0"
	var text []string
	for _, l := range ServiceDetail(c, "galera", "", 160) {
		text = append(text, l.Plain())
	}
	all := strings.Join(text, "\n")
	if !strings.Contains(all, "galera     ✖ down ERROR 2002 (HY000): Can't connect; grastate.dat seqno 77") || strings.Contains(all, "endpoint") {
		t.Errorf("service detail:\n%s", all)
	}
}
