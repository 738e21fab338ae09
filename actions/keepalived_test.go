package actions

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
)

// vrrpRunner plays a holder whose address leaves when keepalived stops;
// it records every command (a double for our own sequencing logic: the
// lab runs the real keepalived).
type vrrpRunner struct {
	mu      sync.Mutex
	argv    [][]string
	holds   bool
	stopErr error
}

func (r *vrrpRunner) Run(_ context.Context, argv []string) ([]byte, []byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.argv = append(r.argv, argv)
	switch {
	case strings.Contains(strings.Join(argv, " "), "keepalived-stop"):
		if r.stopErr != nil {
			return nil, nil, r.stopErr
		}
		r.holds = false
	case argv[len(argv)-1] == "show":
		if r.holds {
			return []byte(`[{"ifname":"eth0","addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8}]}]`), nil, nil
		}
		return []byte(`[{"ifname":"eth0","addr_info":[]}]`), nil, nil
	}
	return nil, nil, nil
}

func (r *vrrpRunner) lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, a := range r.argv {
		out = append(out, strings.Join(a, " "))
	}
	return out
}

// kaSnapshot: VIP 127.0.0.1 (so the TCP check can reach it) on k0, k1 and
// k2 BACKUP at the given priorities.
func kaSnapshot(holderNoPreempt bool, prios [3]int, states [3]string) cluster.Snapshot {
	v := cluster.VIP{Name: "internal", Address: "127.0.0.1", Instance: "kolla_internal_vip_51", Holders: []string{"k0"}, Node: "k0"}
	for i, n := range []string{"k0", "k1", "k2"} {
		v.VRRP = append(v.VRRP, cluster.VRRPView{Node: n, Known: true, State: states[i], BasePriority: prios[i], EffectivePriority: prios[i], NoPreempt: holderNoPreempt || i > 0})
	}
	return cluster.Snapshot{Taken: time.Now(), Clusters: []cluster.Cluster{{Name: "kolla", HasKeepalived: true,
		Nodes: []cluster.Node{{Name: "k0", Controller: true}, {Name: "k1", Controller: true}, {Name: "k2", Controller: true}},
		VIPs:  []cluster.VIP{v}}}}
}

func kaSetup(t *testing.T, snap cluster.Snapshot, port string) (*Executor, *vrrpRunner, *staticSource, string) {
	t.Helper()
	cfg := &config.Config{VerifyTimeout: 2 * time.Second, Clusters: []config.Cluster{{
		Name: "kolla", Command: []string{"ssh", "{{.Name}}", "sudo"},
		Keepalived:  &config.Keepalived{StopCommand: []string{"keepalived-stop"}, StartCommand: []string{"keepalived-start"}},
		Controllers: []config.Controller{{Name: "k0"}, {Name: "k1"}, {Name: "k2"}},
		Services:    []config.Service{{Name: "keystone", VIPEndpoint: "http://127.0.0.1:" + port + "/v3"}},
		VIPs:        []config.VIP{{Name: "internal", Address: "127.0.0.1", KeepalivedInstance: "kolla_internal_vip_51"}},
	}}}
	audit := filepath.Join(t.TempDir(), "audit.log")
	r := &vrrpRunner{holds: true}
	src := &staticSource{snap}
	e := New(Options{Config: cfg, Runner: r, Local: r, Audit: NewAuditLog(audit), Source: src, Operator: Operator{User: "op"}, VerifyEvery: 20 * time.Millisecond})
	return e, r, src, audit
}

func planVIP(t *testing.T, e *Executor, snap cluster.Snapshot, node string) (*Preview, error) {
	t.Helper()
	req, err := Parse("kolla", []string{"vip", "internal", node})
	if err != nil {
		t.Fatal(err)
	}
	return e.Plan(context.Background(), req, snap)
}

func TestKeepalivedVIPPlanSaysWhoTakesIt(t *testing.T) {
	snap := kaSnapshot(true, [3]int{1, 2, 3}, [3]string{cluster.VRRPMaster, cluster.VRRPBackup, cluster.VRRPBackup})
	e, _, _, _ := kaSetup(t, snap, "1")
	p, err := planVIP(t, e, snap, "k2")
	if err != nil {
		t.Fatal(err)
	}
	var shown []string
	for _, s := range p.Steps {
		shown = append(shown, s.Shown)
	}
	if len(p.Steps) != 3 || shown[0] != "ssh k0 sudo keepalived-stop" || !strings.HasPrefix(shown[1], "ssh k0 sudo ip -j addr show   (until 127.0.0.1 leaves k0") || shown[2] != "ssh k0 sudo keepalived-start" {
		t.Errorf("steps = %q", shown)
	}
	blast := strings.Join(p.Blast, "\n")
	for _, want := range []string{"when keepalived stops on k0, k2 takes the address: priority 3, the highest healthy BACKUP",
		"k0 comes back as BACKUP and does not take it back (nopreempt)"} {
		if !strings.Contains(blast, want) {
			t.Errorf("preview lacks %q:\n%s", want, blast)
		}
	}
}

func TestKeepalivedVIPRefusalsSayWhyAndWhatWouldHelp(t *testing.T) {
	M, B, F := cluster.VRRPMaster, cluster.VRRPBackup, cluster.VRRPFault
	for _, tc := range []struct {
		name      string
		snap      cluster.Snapshot
		to, wants string
	}{
		{"another backup wins", kaSnapshot(true, [3]int{1, 2, 3}, [3]string{M, B, B}), "k1",
			"k2 takes it (priority 3, the highest healthy BACKUP), not k1 (priority 2). To move it to k1, first make k2 unable to take it, e.g. force it into FAULT with a track_file"},
		{"target in fault", kaSnapshot(true, [3]int{1, 2, 3}, [3]string{M, B, F}), "k2", "k2 is in FAULT for kolla_internal_vip_51"},
		{"holder preempts back", kaSnapshot(false, [3]int{150, 100, 50}, [3]string{M, B, B}), "k1",
			"k0 preempts (no nopreempt) at priority 150, above k1's 100: it would take 127.0.0.1 back as soon as its keepalived restarts"},
		{"tie", kaSnapshot(true, [3]int{1, 2, 2}, [3]string{M, B, B}), "k1", "VRRP breaks the tie by the higher IP address"},
		{"already there", kaSnapshot(true, [3]int{1, 2, 3}, [3]string{M, B, B}), "k0", "already on k0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, r, _, _ := kaSetup(t, tc.snap, "1")
			_, err := planVIP(t, e, tc.snap, tc.to)
			if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), tc.wants) {
				t.Errorf("want refusal containing %q, got %v", tc.wants, err)
			}
			if len(r.lines()) != 0 {
				t.Errorf("planning ran commands: %q", r.lines())
			}
		})
	}
	split := kaSnapshot(true, [3]int{1, 2, 3}, [3]string{M, B, M})
	split.Clusters[0].VIPs[0].Holders = []string{"k0", "k2"}
	e, _, _, _ := kaSetup(t, split, "1")
	if _, err := planVIP(t, e, split, "k1"); err == nil || !strings.Contains(err.Error(), "split brain") {
		t.Errorf("split brain: %v", err)
	}
}

func TestKeepalivedVIPMoveRunsLikeKollaAndVerifiesWithTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	snap := kaSnapshot(true, [3]int{1, 2, 3}, [3]string{cluster.VRRPMaster, cluster.VRRPBackup, cluster.VRRPBackup})
	e, r, src, audit := kaSetup(t, snap, port)
	p, err := planVIP(t, e, snap, "k2")
	if err != nil {
		t.Fatal(err)
	}
	after := kaSnapshot(true, [3]int{1, 2, 3}, [3]string{cluster.VRRPBackup, cluster.VRRPBackup, cluster.VRRPMaster})
	after.Clusters[0].VIPs[0].Holders = []string{"k2"}
	src.snap = after
	out, err := e.Execute(context.Background(), p, Confirmation{Confirmed: true})
	if err != nil || !out.OK || !out.Verified {
		t.Fatalf("outcome %+v, %v", out, err)
	}
	if !strings.Contains(out.Verify, "127.0.0.1 on k2, TCP to 127.0.0.1:"+port+" answers") {
		t.Errorf("verify = %q", out.Verify)
	}
	got := r.lines()
	if got[0] != "ssh k0 sudo keepalived-stop" || got[len(got)-1] != "ssh k0 sudo keepalived-start" || !strings.Contains(got[1], "ip -j addr show") {
		t.Errorf("commands = %q", got)
	}
	b, _ := os.ReadFile(audit)
	if !strings.Contains(string(b), `"phase":"intent"`) || !strings.Contains(string(b), `keepalived-stop`) || !strings.Contains(string(b), `"verified":true`) {
		t.Errorf("audit log:\n%s", b)
	}
	// TCP through the VIP failing keeps it unverified.
	ln.Close()
	e2, _, src2, _ := kaSetup(t, snap, port)
	p, _ = planVIP(t, e2, snap, "k2")
	src2.snap = after
	out, _ = e2.Execute(context.Background(), p, Confirmation{Confirmed: true})
	if out.Verified || !strings.Contains(out.Verify, "TCP through it fails") {
		t.Errorf("unverified move: %+v", out)
	}
}

// A stop that fails still starts keepalived again: never left stopped.
func TestKeepalivedAlwaysStartedAgain(t *testing.T) {
	snap := kaSnapshot(true, [3]int{1, 2, 3}, [3]string{cluster.VRRPMaster, cluster.VRRPBackup, cluster.VRRPBackup})
	e, r, _, _ := kaSetup(t, snap, "1")
	r.stopErr = errors.New("docker: no such container")
	p, _ := planVIP(t, e, snap, "k2")
	out, _ := e.Execute(context.Background(), p, Confirmation{Confirmed: true})
	got := r.lines()
	if out.OK || !strings.Contains(out.Error, "stop on k0") || got[len(got)-1] != "ssh k0 sudo keepalived-start" {
		t.Errorf("outcome %+v, commands %q", out, got)
	}
}

func TestFenceWithoutPacemakerIsBMCPowerAndWaitsForTheVIP(t *testing.T) {
	snap := kaSnapshot(true, [3]int{1, 2, 3}, [3]string{cluster.VRRPMaster, cluster.VRRPBackup, cluster.VRRPBackup})
	e, _, _, _ := kaSetup(t, snap, "1")
	e.cfg.Clusters[0].Controllers[0].BMC = &config.BMC{Driver: "ipmi", Address: "127.0.0.1", Port: 623}
	req, _ := Parse("kolla", []string{"fence", "k0", "off"})
	p, err := e.Plan(context.Background(), req, snap)
	if err != nil {
		t.Fatal(err)
	}
	if p.Steps[0].Plane != PlaneBMC || p.Request.Power != "off" || p.TypeToConfirm != "k0" || !strings.Contains(strings.Join(p.Blast, "\n"), "k0 holds VIP internal (127.0.0.1): k2 (priority 3) takes it") {
		t.Errorf("preview = %+v", p)
	}
	c := &snap.Clusters[0]
	c.Nodes[0].BMC = &cluster.BMCStatus{Power: cluster.PowerOff}
	if ok, what := Verified(p.Request, c, nil); ok || !strings.Contains(what, "still holds VIP internal") {
		t.Errorf("verified while the VIP is still there: %s", what)
	}
	c.VIPs[0].Holders = []string{"k2"}
	if ok, what := Verified(p.Request, c, nil); !ok {
		t.Errorf("not verified: %s", what)
	}
}

func TestKeepalivedVIPRefusedWhileARivalIsUnknown(t *testing.T) {
	snap := kaSnapshot(true, [3]int{1, 2, 3}, [3]string{cluster.VRRPMaster, cluster.VRRPBackup, cluster.VRRPBackup})
	snap.Clusters[0].VIPs[0].VRRP[2] = cluster.VRRPView{Node: "k2"}
	e, _, _, _ := kaSetup(t, snap, "1")
	if _, err := planVIP(t, e, snap, "k1"); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "k2's keepalived state is unknown") {
		t.Errorf("unknown rival: %v", err)
	}
	snap.Clusters[0].Nodes[2].BMC = &cluster.BMCStatus{Power: cluster.PowerOff}
	if _, err := planVIP(t, e, snap, "k1"); err != nil {
		t.Errorf("a powered-off rival takes nothing: %v", err)
	}
}
