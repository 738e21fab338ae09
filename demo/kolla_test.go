package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/actions"
	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/demo"
	"github.com/hacon/hacon/internal/testpeers/polleddemo"
	"github.com/hacon/hacon/probes"
)

func pollKolla(t *testing.T, s *probes.Scheduler, what string, ok func(*cluster.Cluster) bool) *cluster.Cluster {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		snap := s.PollOnce(context.Background())
		c := snap.ClusterByName(demo.KollaClusterName)
		if c != nil && ok(c) {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not seen within 15s; %+v", what, c)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func hasAlert(c *cluster.Cluster, sev cluster.Severity, words string) bool {
	for _, a := range c.Alerts {
		if a.Severity == sev && strings.Contains(a.Message, words) {
			return true
		}
	}
	return false
}

// The kolla-style cluster: the same probes as a real one, through the
// demo's answers to ip -j addr and the keepalived dump script.
func TestKollaDemoFaultsShowUp(t *testing.T) {
	d, s := startDemo(t)
	c := pollKolla(t, s, "healthy", func(c *cluster.Cluster) bool { return c.VIPByName("internal").Node == "kolla-2" })
	if len(c.Alerts) != 0 || c.Service("mariadb").Mode != cluster.ModeActivePassive {
		t.Fatalf("healthy kolla demo: alerts %+v, mariadb %s", c.Alerts, c.Service("mariadb").Mode)
	}
	if err := d.StopService("haproxy", "kolla-2", true); err != nil {
		t.Fatal(err)
	}
	pollKolla(t, s, "haproxy killed on the holder", func(c *cluster.Cluster) bool {
		return c.VIPByName("internal").Node == "kolla-1" && hasAlert(c, cluster.SevWarning, "kolla-2 is in FAULT for VRRP instance kolla_internal_vip_51 and cannot hold its VIPs: failing: script check_alive")
	})
	d.SplitBrain(true)
	pollKolla(t, s, "split brain", func(c *cluster.Cluster) bool {
		return hasAlert(c, cluster.SevCritical, "split brain: VIP internal (127.0.1.10) is on kolla-0 and kolla-1 at once")
	})
	d.Heal()
	pollKolla(t, s, "healed", func(c *cluster.Cluster) bool { return len(c.Alerts) == 0 })
	if err := d.StopService("keepalived", "kolla-0", true); err != nil {
		t.Fatal(err)
	}
	pollKolla(t, s, "keepalived killed: address only", func(c *cluster.Cluster) bool {
		return hasAlert(c, cluster.SevInfo, "keepalived on kolla-0: keepalived dump unavailable (showing addresses only)")
	})
	if err := d.StopService("nova", "kolla-0", true); err == nil {
		t.Error("a kolla node accepted a fault on a service it does not run")
	}
}

// :vip on the kolla cluster through the real executor: refused towards a
// node that would not get it, done (and verified with TCP) towards the one
// that would.
func TestKollaDemoVIPMove(t *testing.T) {
	a := polleddemo.Start(t, 200*time.Millisecond)
	snap := a.Sched.PollOnce(context.Background())
	if c := snap.ClusterByName(demo.KollaClusterName); c.VIPByName("internal").Node != "kolla-2" {
		t.Fatalf("holder = %q", c.VIPByName("internal").Node)
	}
	req, _ := actions.Parse(demo.KollaClusterName, []string{"vip", "internal", "kolla-0"})
	if _, err := a.Executor.Plan(context.Background(), req, snap); err == nil || !strings.Contains(err.Error(), "kolla-1 takes it (priority 2, the highest healthy BACKUP), not kolla-0") {
		t.Fatalf("plan to kolla-0: %v", err)
	}
	req, _ = actions.Parse(demo.KollaClusterName, []string{"vip", "internal", "kolla-1"})
	p, err := a.Executor.Plan(context.Background(), req, snap)
	if err != nil {
		t.Fatal(err)
	}
	out, err := a.Executor.Execute(context.Background(), p, actions.Confirmation{Confirmed: true})
	if err != nil || !out.OK || !out.Verified || !strings.Contains(out.Verify, "answers") {
		t.Fatalf("outcome %+v, %v", out, err)
	}
}
