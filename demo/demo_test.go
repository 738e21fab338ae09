package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/demo"
	"github.com/hacon/hacon/internal/app"
	"github.com/hacon/hacon/probes"
)

// startDemo starts the demo and wires the real probes to it, as `hacon
// demo` does; nothing polls until the test calls PollOnce.
func startDemo(t *testing.T) (*demo.Cluster, *probes.Scheduler) {
	t.Helper()
	a, err := app.New(app.Options{Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return a.Demo, a.Sched
}

func pollUntil(t *testing.T, s *probes.Scheduler, what string, ok func(*cluster.Cluster) bool) *cluster.Cluster {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		snap := s.PollOnce(context.Background())
		c := &snap.Clusters[0]
		if ok(c) {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not seen within 15s; alerts: %+v", what, c.Alerts)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestDemoHealthyThenNodePoweredOff(t *testing.T) {
	d, s := startDemo(t)

	c := pollUntil(t, s, "healthy", func(c *cluster.Cluster) bool { return c.Quorum })
	online := 0
	for _, n := range c.Nodes {
		if n.Pacemaker != nil && n.Pacemaker.Online {
			online++
		}
	}
	if online != 3 {
		t.Fatalf("online nodes = %d, want 3", online)
	}
	pub := c.VIPByName("public")
	if pub == nil || pub.Node == "" {
		t.Fatalf("VIP public has no node: %+v", c.VIPs)
	}
	for _, src := range c.Sources {
		if !src.OK {
			t.Errorf("healthy demo: source %s/%s failed: %s", src.Kind, src.Name, src.Error)
		}
	}
	for _, e := range c.Endpoints {
		if !e.OK {
			t.Errorf("healthy demo: endpoint %s@%s failed: %s", e.Service, e.Node, e.Error)
		}
	}
	if len(c.Alerts) != 0 {
		t.Errorf("healthy demo has alerts: %+v", c.Alerts)
	}
	for _, svc := range c.Services {
		if svc.Serving != svc.Expected {
			t.Errorf("%s serving %d/%d", svc.Name, svc.Serving, svc.Expected)
		}
	}

	holder := pub.Node
	powerOff(t, d, holder)
	c = pollUntil(t, s, holder+" offline", func(c *cluster.Cluster) bool {
		n := c.Node(holder)
		return n.Pacemaker != nil && !n.Pacemaker.Online && c.VIPByName("public").Node != ""
	})
	if v := c.VIPByName("public"); v.Node == holder {
		t.Errorf("VIP still on the powered-off node %s", holder)
	}
	ks := c.Service("keystone")
	if ks.Serving != 2 {
		t.Errorf("keystone serving %d after losing a node, want 2", ks.Serving)
	}
	for _, cell := range ks.Cells {
		if cell.Node == holder && cell.LBStatus() != "DOWN" {
			t.Errorf("HAProxies say %s for the dead node", cell.LBStatus())
		}
	}
	if c.Worst() != cluster.SevCritical {
		t.Errorf("losing a node is not critical: %+v", c.Alerts)
	}
}

func TestDemoFaultsShowInSnapshot(t *testing.T) {
	d, s := startDemo(t)
	if err := d.StopService("keystone", "controller-1", true); err != nil {
		t.Fatal(err)
	}
	if err := d.StopService("nope", "controller-1", true); err == nil {
		t.Error("unknown service accepted")
	}
	c := pollUntil(t, s, "keystone failed on controller-1", func(c *cluster.Cluster) bool {
		return c.Service("keystone").Cells[1].Failed
	})
	cell := c.Service("keystone").Cells[1]
	if cell.LBStatus() != "DOWN" || cell.Endpoint == nil || cell.Endpoint.OK || cell.Endpoint.StatusCode != 503 {
		t.Errorf("killed keystone cell: LB %s endpoint %+v", cell.LBStatus(), cell.Endpoint)
	}
	d.Heal()
	pollUntil(t, s, "healed", func(c *cluster.Cluster) bool { return c.Service("keystone").Serving == 3 })
}
