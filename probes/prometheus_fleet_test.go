package probes

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/internal/testpeers"
)

// pollFleet builds hacon from a config text and polls it once.
func pollFleet(t *testing.T, cfgText string) (cluster.Snapshot, []*Target) {
	t.Helper()
	cfg, err := config.Parse("fleet.yaml", []byte(cfgText))
	if err != nil {
		t.Fatal(err)
	}
	ts, err := Targets(cfg, &Deps{HTTP: NewHTTPClients()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return NewScheduler(cfg, ts).PollOnce(ctx), ts
}

// A real Prometheus loaded (by promtool) with the exporters' series of 40
// clusters: hacon reads the whole fleet with one query per metric family,
// and each cluster's overview comes out of it — a stopped scrape as stale,
// a dead controller as offline, powered off, its servers DOWN.
func TestPrometheusFleetFromBlocks(t *testing.T) {
	now := time.Now()
	f := testpeers.Fleet{Clusters: 40, Controllers: 3, Services: 12, End: now.Add(-10 * time.Second), Samples: 4, Step: 15 * time.Second,
		Old: map[string]bool{"fleet-007": true}, Age: 3 * time.Minute, Down: map[string]bool{"fleet-011/controller-2": true}}
	prom := testpeers.StartPrometheusFromOpenMetrics(t, f.OpenMetrics())
	snap, ts := pollFleet(t, f.Config("http://"+prom.Addr, 15*time.Second))

	var fleet []*Target
	for _, tg := range ts {
		if tg.ID.Kind == KindPrometheus {
			fleet = append(fleet, tg)
		} else {
			t.Errorf("a cluster read from Prometheus polls %s directly", tg.ID)
		}
	}
	if len(fleet) != 1 || len(fleet[0].Fanout) != 40*(1+3+3+36) {
		t.Fatalf("want one fleet target answering for 40×43 sources, got %d targets", len(fleet))
	}
	if len(snap.Clusters) != 40 {
		t.Fatalf("%d clusters", len(snap.Clusters))
	}
	for _, c := range snap.Clusters {
		checkFleetCluster(t, &c)
	}
	old := snap.ClusterByName("fleet-007")
	if src := old.Source(cluster.KindPacemaker, "pacemaker"); src == nil || !src.Stale || src.Age < 2*time.Minute {
		t.Errorf("a scrape 3 minutes old must show stale with its age: %+v", src)
	}
	if n := old.Node("controller-0"); n == nil || !n.Stale {
		t.Errorf("fleet-007's nodes must be marked stale: %+v", n)
	}
	down := snap.ClusterByName("fleet-011")
	n := down.Node("controller-2")
	if n.PcmkState() != "offline" || n.Power() != cluster.PowerOff {
		t.Errorf("fleet-011/controller-2: pacemaker %s power %s, want offline off", n.PcmkState(), n.Power())
	}
	cell := down.Service("svc03").Cells[2]
	if cell.Role != cluster.RoleStopped || cell.LBStatus() != "DOWN" || cell.Endpoint == nil || cell.Endpoint.OK {
		t.Errorf("svc03 on the dead controller: role %q LB %q endpoint %+v", cell.Role, cell.LBStatus(), cell.Endpoint)
	}
	if down.Worst() != cluster.SevCritical && down.Worst() != cluster.SevWarning {
		t.Errorf("a dead controller raises no alert: %+v", down.Alerts)
	}

	// Recorded mode on a server without hacon's rules: every plane fails
	// and says which rules are missing, rather than calling the fleet gone.
	f.Recorded = true
	snap, _ = pollFleet(t, f.Config("http://"+prom.Addr, 15*time.Second))
	// The families read as they are (power, endpoints) have their data but
	// no scrape time: they fail too, not pass as fresh.
	c0 := snap.ClusterByName("fleet-000")
	for _, id := range []struct {
		kind cluster.SourceKind
		name string
	}{{cluster.KindHAProxy, "controller-0"}, {cluster.KindPacemaker, "pacemaker"}, {cluster.KindBMC, "controller-0"},
		{cluster.KindEndpoint, "svc00@controller-0"}} {
		src := c0.Source(id.kind, id.name)
		if src == nil || src.OK || !strings.Contains(src.Error, ":scrape_time series") || !strings.Contains(src.Error, "hacon prometheus-rules") {
			t.Errorf("recorded mode without the rules, %s %s: %+v", id.kind, id.name, src)
		}
	}
}

func checkFleetCluster(t *testing.T, c *cluster.Cluster) {
	t.Helper()
	wantLBs := 3
	if c.Name == "fleet-007" {
		wantLBs = 0 // stale: a load balancer's view is shown only while fresh
	}
	for _, w := range c.Warnings {
		if strings.Contains(w, "unknown") || strings.Contains(w, "ignored") {
			t.Errorf("%s: %s", c.Name, w)
		}
	}
	if !c.HasPacemaker || len(c.Nodes) != 3 || len(c.Services) != 12 || len(c.LBs) != wantLBs {
		t.Errorf("%s: pacemaker %v, %d nodes, %d services, %d LBs", c.Name, c.HasPacemaker, len(c.Nodes), len(c.Services), len(c.LBs))
		return
	}
	if strings.Join(c.Prometheus, ",") != "pacemaker,haproxy,bmc,endpoint" || len(c.NotAvailable) == 0 {
		t.Errorf("%s: planes %v, not available %v", c.Name, c.Prometheus, c.NotAvailable)
	}
	if c.DC != "controller-0" || !c.Quorum {
		t.Errorf("%s: DC %q quorum %v", c.Name, c.DC, c.Quorum)
	}
	for _, s := range c.Sources {
		if !strings.HasPrefix(s.Address, "prometheus http://127.0.0.1:") {
			t.Errorf("%s: source %s/%s address %q does not say Prometheus", c.Name, s.Kind, s.Name, s.Address)
		}
		if c.Name != "fleet-007" && (!s.OK || s.Stale) {
			t.Errorf("%s: source %s/%s not fresh: %+v", c.Name, s.Kind, s.Name, s)
		}
	}
	if c.Name == "fleet-011" || c.Name == "fleet-007" {
		return
	}
	for _, svc := range c.Services {
		if svc.Serving != 3 {
			t.Errorf("%s/%s: serving %d of 3: %+v", c.Name, svc.Name, svc.Serving, svc.Cells)
		}
	}
}
