//go:build lab

package lab

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/actions"
	"github.com/hacon/hacon/internal/app"
)

// 1. One poll of hacon agrees with crm_mon inside the cluster and with
// every HAProxy's own `show stat`.
func TestLab1Status(t *testing.T) {
	h := lab
	h.requireHealthy(t)
	// A second hacon, assembled as `hacon status` assembles it.
	st, err := app.New(app.Options{ConfigPath: h.cfg.File})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	snap := st.Sched.PollOnce(ctx)
	c := snap.ClusterByName(clusterName)
	if c == nil {
		t.Fatal("no cluster in the snapshot")
	}
	record(t, fmt.Sprintf("status: one PollOnce of %d sources", len(c.Sources)), time.Since(start))
	truth, err := h.crmMon()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range c.Sources {
		if !s.OK {
			t.Errorf("source %s %s failed: %s", s.Kind, s.Name, s.Error)
		}
	}
	if !c.HasPacemaker || c.DC != truth.DC || !c.Quorum || !c.StonithEnabled {
		t.Errorf("hacon: pacemaker=%t dc=%q quorum=%t stonith=%t; crm_mon dc=%q", c.HasPacemaker, c.DC, c.Quorum, c.StonithEnabled, truth.DC)
	}
	for _, n := range nodes {
		sn := c.Node(n)
		if sn == nil || sn.Pacemaker == nil {
			t.Errorf("hacon does not know node %s", n)
			continue
		}
		if sn.Pacemaker.Online != truth.Online[n] {
			t.Errorf("%s: hacon online=%t, crm_mon online=%t", n, sn.Pacemaker.Online, truth.Online[n])
		}
		if sn.Power() != "on" || sn.BMC == nil || !sn.BMC.FenceReady {
			t.Errorf("%s: hacon BMC power %s, %+v", n, sn.Power(), sn.BMC)
		}
	}
	if got := placements(c); !slices.Equal(got, truth.Placements) {
		t.Errorf("placements differ\nhacon:   %v\ncrm_mon: %v", got, truth.Placements)
	} else {
		t.Logf("%d placements agree: %v", len(got), got)
	}
	v := c.VIPByName(vipName)
	if w := truth.Where[vipResource]; v == nil || len(w) != 1 || v.Node != w[0] {
		t.Errorf("VIP: hacon %+v, crm_mon on %v", v, w)
	}
	if len(c.LBs) != len(nodes) {
		t.Fatalf("hacon sees %d HAProxies, want %d", len(c.LBs), len(nodes))
	}
	for _, lb := range c.LBs {
		st, err := h.showStat(lb.Name)
		if err != nil {
			t.Fatal(err)
		}
		if len(lb.Servers) != len(st) || len(st) != 15 {
			t.Errorf("HAProxy on %s: hacon %d servers, show stat %d (want 15)", lb.Name, len(lb.Servers), len(st))
		}
		for _, s := range lb.Servers {
			if want, ok := st[s.Backend+"/"+s.Server]; !ok || want != s.Status {
				t.Errorf("HAProxy on %s: %s/%s hacon %q, show stat %q", lb.Name, s.Backend, s.Server, s.Status, want)
			}
		}
	}
	for _, e := range c.Endpoints {
		if !e.OK {
			t.Errorf("endpoint %s@%s %s: %s", e.Service, e.Node, e.URL, e.Error)
		}
	}
}

// 2. :vip moves the VIP; it answers from the root namespace on the target.
func TestLab2VIPMove(t *testing.T) {
	h := lab
	h.requireHealthy(t)
	t.Cleanup(func() { _, _, _ = h.onAny("crm_resource", "--clear", "--resource", vipResource) })
	_, c := h.snap()
	from := c.VIPByName(vipName).Node
	to := ""
	for _, n := range nodes {
		if n != from {
			to = n
			break
		}
	}
	auditBefore := auditLines(t, h.audit)
	h.act(t, "vip", vipName, to)
	d := eventually(t, 15*time.Second, "TCP connect to the VIP", func() (bool, string) {
		conn, err := net.DialTimeout("tcp", vipAddr+":5000", time.Second)
		if err != nil {
			return false, err.Error()
		}
		conn.Close()
		return true, ""
	})
	record(t, "vip: verified → TCP connect "+vipAddr+":5000 answers", d)
	out, err := run(5*time.Second, "ip", "-n", to, "-4", "addr", "show", "dev", "eth0")
	if err != nil || !strings.Contains(out, vipAddr+"/24") {
		t.Errorf("ip -n %s addr: VIP %s not there (%v): %s", to, vipAddr, err, out)
	}
	if out, _ := run(5*time.Second, "ip", "-n", from, "-4", "addr", "show", "dev", "eth0"); strings.Contains(out, vipAddr+"/") {
		t.Errorf("the VIP is still on %s: %s", from, out)
	}
	cl := http.Client{Timeout: 3 * time.Second}
	resp, err := cl.Get("http://" + vipAddr + ":5000/keystone/")
	if err != nil {
		t.Errorf("keystone through the VIP: %v", err)
	} else {
		resp.Body.Close()
		if resp.StatusCode != 300 {
			t.Errorf("keystone through the VIP: status %d, want 300", resp.StatusCode)
		}
	}
	checkAudit(t, h.audit, auditBefore, "vip "+vipName+" "+to)
	h.act(t, "clear", vipResource)
	if ids, err := h.cliConstraints(); err != nil || len(ids) > 0 {
		t.Errorf("constraints left after :clear: %v %v", ids, err)
	}
}

// 3. :move cinder-volume controller-2, then :clear.
func TestLab3Failover(t *testing.T) {
	h := lab
	h.requireHealthy(t)
	t.Cleanup(func() { _, _, _ = h.onAny("crm_resource", "--clear", "--resource", "cinder-volume") })
	h.place(t, "cinder-volume", "controller-0")
	eventually(t, 30*time.Second, "hacon sees cinder-volume on controller-0", func() (bool, string) {
		_, c := h.snap()
		return slices.Contains(placements(c), "cinder-volume controller-0 Started"), fmt.Sprint(placements(c))
	})
	h.act(t, "move", "cinder-volume", "controller-2")
	s, err := h.crmMon()
	if err != nil {
		t.Fatal(err)
	}
	if w := s.Where["cinder-volume"]; len(w) != 1 || w[0] != "controller-2" {
		t.Errorf("crm_mon: cinder-volume on %v, want controller-2", w)
	}
	if ids, _ := h.cliConstraints(); !slices.Contains(ids, "cli-prefer-cinder-volume") {
		t.Errorf("no cli-prefer-cinder-volume after the move: %v", ids)
	}
	h.act(t, "clear", "cinder-volume")
	if ids, err := h.cliConstraints(); err != nil || len(ids) > 0 {
		t.Errorf("constraints left after :clear: %v %v", ids, err)
	}
	s, _ = h.crmMon()
	if w := s.Where["cinder-volume"]; len(w) != 1 || w[0] != "controller-2" {
		t.Errorf("cinder-volume left controller-2 after :clear (stickiness): %v", w)
	}
}

// 4. :drain keystone controller-1 → DRAIN in all three HAProxies; :ready.
func TestLab4Drain(t *testing.T) {
	h := lab
	h.requireHealthy(t)
	const key = "keystone_public/controller-1"
	t.Cleanup(func() {
		for _, n := range nodes {
			_, _ = h.socat(n, "set server "+key+" state ready")
		}
	})
	h.act(t, "drain", "keystone", "controller-1")
	// Verified: the direct view shows DRAIN in every HAProxy now.
	h.promFollows(t, "drain shows in every HAProxy", time.Now(), serverEverywhere(key, "DRAIN"))
	for _, n := range nodes {
		st, err := h.showStat(n)
		if err != nil {
			t.Fatal(err)
		}
		if st[key] != "DRAIN" {
			t.Errorf("HAProxy on %s: %s is %q, want DRAIN", n, key, st[key])
		}
	}
	h.act(t, "ready", "keystone", "controller-1")
	h.promFollows(t, "ready shows in every HAProxy", time.Now(), serverEverywhere(key, "UP"))
	for _, n := range nodes {
		st, err := h.showStat(n)
		if err != nil {
			t.Fatal(err)
		}
		if st[key] != "UP" {
			t.Errorf("HAProxy on %s: %s is %q after :ready, want UP", n, key, st[key])
		}
	}
}

// auditLines counts the audit log's lines (0 when absent).
func auditLines(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	return strings.Count(string(b), "\n")
}

// checkAudit finds the intent and the verified result of target in the
// audit log lines after skip.
func checkAudit(t *testing.T, path string, skip int, target string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("audit log: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var intent, result bool
	for i := 0; sc.Scan(); i++ {
		if i < skip {
			continue
		}
		var e actions.AuditEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Errorf("audit line %d is not JSON: %v", i+1, err)
			continue
		}
		if e.Target != target || e.Cluster != clusterName {
			continue
		}
		switch e.Phase {
		case "intent":
			intent = len(e.Commands) > 0
		case "verify": // verified is read from the verify line, written after the result
			result = intent && e.OK && e.Verified && e.DurationMS > 0
		}
	}
	if !intent || !result {
		t.Errorf("audit log %s: intent=%t verified result=%t for %q", path, intent, result, target)
	}
}
