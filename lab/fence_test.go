//go:build lab

package lab

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
)

// 5. :fence controller-1 off → stonith_admin → fence_ipmilan → ipmi_sim
// powers it off; hacon shows it offline and off, its resources and the
// VIP moved; :power controller-1 on brings it back and it rejoins.
func TestLab5Fence(t *testing.T) {
	h := lab
	h.requireHealthy(t)
	const victim = "controller-1"
	t.Cleanup(func() { h.ensureOn(t, victim) })
	// Put the VIP and the A/P resource on the victim, so they must move.
	h.place(t, vipResource, victim)
	h.place(t, "cinder-volume", victim)
	eventually(t, 30*time.Second, "hacon sees the VIP and cinder-volume on "+victim, func() (bool, string) {
		_, c := h.snap()
		return c.VIPByName(vipName).Node == victim && slices.Contains(placements(c), "cinder-volume "+victim+" Started"), fmt.Sprint(placements(c))
	})

	h.act(t, "fence", victim, "off")

	if pids, err := run(5*time.Second, "ip", "netns", "pids", victim); err != nil || strings.TrimSpace(pids) != "" {
		t.Errorf("processes left in %s after the fence: %q %v", victim, pids, err)
	}
	if p, _ := os.ReadFile(filepath.Join(h.state, victim, "power")); strings.TrimSpace(string(p)) != "0" {
		t.Errorf("ipmi_sim's chassis says power %q, want 0", p)
	}
	_, c := h.snap()
	if n := c.Node(victim); n == nil || n.Pacemaker == nil || n.Pacemaker.Online || n.Power() != "off" {
		t.Errorf("hacon after the fence: %+v", n)
	}
	h.promFollows(t, "fenced "+victim+" offline and off", time.Now(), nodeDown(victim))
	d := eventually(t, 60*time.Second, "hacon shows the VIP and cinder-volume moved off "+victim, func() (bool, string) {
		_, c := h.snap()
		v := c.VIPByName(vipName)
		moved := v != nil && v.Node != "" && v.Node != victim
		for _, p := range placements(c) {
			if strings.Contains(p, " "+victim+" ") {
				moved = false
			}
		}
		return moved && slices.ContainsFunc(placements(c), func(p string) bool { return strings.HasPrefix(p, "cinder-volume ") }),
			fmt.Sprintf("VIP on %q, %v", v.Node, placements(c))
	})
	record(t, "fence: verified → hacon shows VIP+cinder-volume moved", d)
	h.promFollows(t, "resources moved off "+victim, time.Now(), h.samePlacements)
	s, err := h.crmMon()
	if err != nil {
		t.Fatal(err)
	}
	_, c = h.snap()
	if w := s.Where[vipResource]; len(w) != 1 || w[0] != c.VIPByName(vipName).Node {
		t.Errorf("VIP: crm_mon %v, hacon %s", w, c.VIPByName(vipName).Node)
	}
	if !slices.ContainsFunc(c.FenceHistory, func(f cluster.FenceEvent) bool {
		return f.Target == victim && f.Status == "success" && f.Action == "off"
	}) {
		t.Errorf("hacon's fence history has no successful off of %s: %+v", victim, c.FenceHistory)
	}

	h.act(t, "power", victim, "on")
	start := time.Now()
	d = eventually(t, 90*time.Second, victim+" rejoins (hacon shows it online)", func() (bool, string) {
		_, c := h.snap()
		n := c.Node(victim)
		return n != nil && n.Pacemaker != nil && n.Pacemaker.Online && !n.Stale, n.PcmkState()
	})
	record(t, "power on: verified → hacon shows "+victim+" online", d)
	eventually(t, 90*time.Second, "healthy lab after the rejoin", h.healthy)
	record(t, "power on: verified → cluster healthy again", time.Since(start))
}

// 6. Power off the controller hacon asks first for Pacemaker: the probe
// falls over to the next controller within two intervals and the failure
// shows; the cluster fences it; power on brings it back.
func TestLab6PacemakerFailover(t *testing.T) {
	h := lab
	h.requireHealthy(t)
	const victim, next = "controller-0", "controller-1"
	t.Cleanup(func() { h.ensureOn(t, victim) })
	_, c := h.snap()
	if c.PacemakerVia != victim {
		t.Fatalf("hacon queries Pacemaker via %q, want %s first", c.PacemakerVia, victim)
	}
	interval := h.cfg.IntervalFor(h.cc, h.cc.Pacemaker.Interval)
	ctl, _ := h.cc.Controller(victim)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := h.pool.SetPower(ctx, clusterName, ctl, "off")
	if err != nil || !res.Confirmed {
		t.Fatalf("power off %s through its BMC: %v %+v", victim, err, res)
	}
	off := time.Now()
	record(t, "bmc power off "+victim+" (confirmed by the BMC)", res.Elapsed)

	d := eventually(t, 2*interval, "hacon's Pacemaker data via "+next, func() (bool, string) {
		s, c := h.snap()
		src := c.Source(cluster.KindPacemaker, "pacemaker")
		// The failover is shown: which controller did not answer, and why.
		shown := len(c.PacemakerFailed) > 0 && strings.HasPrefix(c.PacemakerFailed[0], victim+": ")
		return s.Taken.After(off) && c.PacemakerVia == next && src != nil && src.OK && src.LastSuccess.After(off) && shown,
			fmt.Sprintf("via %q, failed first %q, source %+v", c.PacemakerVia, c.PacemakerFailed, src)
	})
	record(t, fmt.Sprintf("pacemaker probe failover to %s (limit 2×%s)", next, interval), d)

	// Each sign of the failure must show, though not necessarily at once:
	// the cluster may fence and reboot the node meanwhile.
	var sawOff, sawOffline, sawLB, sawAlert bool
	eventually(t, 30*time.Second, "hacon shows "+victim+"'s failure", func() (bool, string) {
		s, c := h.snap()
		if !s.Taken.After(off) {
			return false, "no snapshot since the power-off"
		}
		n := c.Node(victim)
		lb := c.Source(cluster.KindHAProxy, victim)
		sawOff = sawOff || n.Power() == "off"
		sawOffline = sawOffline || (n.Pacemaker != nil && !n.Pacemaker.Online)
		sawLB = sawLB || (lb != nil && !lb.OK)
		sawAlert = sawAlert || slices.ContainsFunc(c.Alerts, func(a cluster.Alert) bool {
			return a.Severity <= cluster.SevWarning && (strings.Contains(a.Subject, victim) || strings.Contains(a.Message, victim))
		})
		return sawOff && sawOffline && sawLB && sawAlert, fmt.Sprintf("node %s power %s, haproxy source ok=%t; seen: off=%t offline=%t lb-failing=%t alert=%t",
			n.PcmkState(), n.Power(), lb != nil && lb.OK, sawOff, sawOffline, sawLB, sawAlert)
	})
	record(t, "power off → hacon shows "+victim+" offline, off, alerted", time.Since(off))
	_, c = h.snap()
	for _, a := range c.Alerts {
		t.Logf("alert: %s %s: %s", a.Severity, a.Subject, a.Message)
	}

	// The cluster fences the lost node by itself (reboot through
	// fence_ipmilan); wait for that before powering on, as an operator would.
	eventually(t, 60*time.Second, "the cluster fences "+victim, func() (bool, string) {
		_, c := h.snap()
		return slices.ContainsFunc(c.FenceHistory, func(f cluster.FenceEvent) bool {
			return f.Target == victim && f.Status == "success" && f.Action == "reboot"
		}), fmt.Sprintf("%+v", c.FenceHistory)
	})
	record(t, "power off → Pacemaker fenced "+victim+" (reboot)", time.Since(off))

	h.act(t, "power", victim, "on")
	start := time.Now()
	eventually(t, 90*time.Second, victim+" rejoins", func() (bool, string) {
		_, c := h.snap()
		n := c.Node(victim)
		return n != nil && n.Pacemaker != nil && n.Pacemaker.Online, n.PcmkState()
	})
	record(t, "power on: verified → hacon shows "+victim+" online", time.Since(start))
	eventually(t, 90*time.Second, "healthy lab after the rejoin", h.healthy)
	eventually(t, 3*interval, "hacon back to "+victim+" first", func() (bool, string) {
		_, c := h.snap()
		return c.PacemakerVia == victim, c.PacemakerVia
	})
}

// ensureOn powers a node on (if a test left it off) and waits for a
// healthy lab, so the next test starts clean.
func (h *harness) ensureOn(t *testing.T, node string) {
	p, _ := os.ReadFile(filepath.Join(h.state, node, "power"))
	if strings.TrimSpace(string(p)) == "0" {
		t.Logf("cleanup: powering %s on", node)
		ctl, _ := h.cc.Controller(node)
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if _, err := h.pool.SetPower(ctx, clusterName, ctl, "on"); err != nil {
			t.Errorf("cleanup: power on %s: %v", node, err)
		}
	}
	deadline := time.Now().Add(120 * time.Second)
	for time.Now().Before(deadline) {
		if ok, _ := h.healthy(); ok {
			return
		}
		time.Sleep(time.Second)
	}
	ok, why := h.healthy()
	if !ok {
		t.Errorf("cleanup: the lab is not healthy again: %s", why)
	}
}
