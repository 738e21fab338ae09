package actions

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/bmc"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/internal/testpeers"
	"github.com/hacon/hacon/probes"
)

// :power controller-1 off against a real ipmi_sim: the simulated machine
// really goes off, hacon reads it back, and the audit log never sees the
// password.
func TestPowerOffOnRealIPMISim(t *testing.T) {
	const pass = "s3cret-ipmi-pw"
	sim := testpeers.StartIPMISim(t, pass)
	t.Setenv("HACON_TEST_IPMI_PW", pass)
	ctl := config.Controller{Name: "controller-1", Address: "127.0.0.1", BMC: &config.BMC{Driver: "ipmi", Address: "127.0.0.1", Port: sim.Port,
		Username: "admin", PasswordEnv: "HACON_TEST_IPMI_PW", CipherSuite: 3, Timeout: 3 * time.Second}}
	cfg := &config.Config{Interval: time.Second, Concurrency: 4, VerifyTimeout: 15 * time.Second, Clusters: []config.Cluster{{Name: "oc", Controllers: []config.Controller{ctl}}}}
	pool := bmc.NewPool()
	ts, err := probes.Targets(cfg, &probes.Deps{BMC: pool, HTTP: probes.NewHTTPClients()})
	if err != nil {
		t.Fatal(err)
	}
	src := &pollingSource{sched: probes.NewScheduler(cfg, ts)}
	src.Kick()
	if n := src.Snapshot().Clusters[0].Nodes[0]; n.Power() != "on" || !n.BMC.FenceReady {
		t.Fatalf("before: %+v", n.BMC)
	}
	audit := filepath.Join(t.TempDir(), "audit.log")
	e := New(Options{Config: cfg, BMC: pool, Audit: NewAuditLog(audit), Source: src, VerifyEvery: 100 * time.Millisecond})
	req, _ := Parse("oc", []string{"power", "controller-1", "off"})
	p, err := e.Plan(context.Background(), req, src.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	if p.TypeToConfirm != "controller-1" {
		t.Errorf("power off must need the typed node name")
	}
	if _, err := e.Execute(context.Background(), p, Confirmation{Confirmed: true, TypedName: "controller-0"}); err == nil {
		t.Fatal("ran with the wrong name typed")
	}
	out, err := e.Execute(context.Background(), p, Confirmation{Confirmed: true, TypedName: "controller-1"})
	if err != nil || !out.OK || !out.Verified {
		t.Fatalf("power off: %s %v", out.Summary(), err)
	}
	if got := sim.Power(t); got != "0" {
		t.Errorf("ipmi_sim power state %q after off", got)
	}
	t.Logf("%s", out.Summary())
	b, _ := readFile(audit)
	if strings.Contains(b, pass) || strings.Count(b, "\n") != 3 {
		t.Errorf("audit log: %s", b)
	}
}
