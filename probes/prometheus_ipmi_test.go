package probes

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/internal/testpeers"
)

// ipmi_exporter against a real BMC (ipmi_sim), scraped by a real
// Prometheus: hacon reads power from ipmi_chassis_power_state and the
// BMC's reachability from ipmi_up, mapped to the controller by a target
// label, as operators label their BMC targets.
func TestPrometheusIPMIExporter(t *testing.T) {
	const pass = "s3cret-ipmi"
	sim := testpeers.StartIPMISim(t, pass)
	exp := testpeers.StartIPMIExporter(t, "admin", pass)
	prom := testpeers.StartPrometheus(t, time.Second, []testpeers.ScrapeJob{{
		Name: "ipmi", MetricsPath: "/ipmi", Params: map[string]string{"module": "lab"}, ProbeVia: exp.Addr,
		Targets: []testpeers.ScrapeTarget{{Address: fmt.Sprintf("127.0.0.1:%d", sim.Port),
			Labels: map[string]string{"cluster": "bmc-lab", "controller": "controller-0"}}},
	}})
	cfg, err := config.Parse("ipmi.yaml", []byte(fmt.Sprintf(`prometheus:
  url: http://%s
  interval: 1s
  timeout: 900ms
  bmc_label: controller
  bmc_template: "{{.Value}}"
clusters:
  - name: bmc-lab
    prometheus: {planes: [bmc]}
    controllers: [{name: controller-0, address: 127.0.0.1}]
`, prom.Addr)))
	if err != nil {
		t.Fatal(err)
	}
	ts, err := Targets(cfg, &Deps{HTTP: NewHTTPClients()})
	if err != nil {
		t.Fatal(err)
	}
	sched := NewScheduler(cfg, ts)
	bmcOf := func() *cluster.BMCStatus {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		snap := sched.PollOnce(ctx)
		n := snap.ClusterByName("bmc-lab").Node("controller-0")
		if n == nil {
			return nil
		}
		return n.BMC
	}
	waitBMC := func(what string, ok func(b *cluster.BMCStatus) bool) {
		t.Helper()
		var last *cluster.BMCStatus
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			if last = bmcOf(); last != nil && ok(last) {
				return
			}
		}
		t.Fatalf("%s: not seen; last BMC %+v\nipmi_exporter log:\n%s", what, last, exp.Log())
	}
	waitBMC("power on, reachable", func(b *cluster.BMCStatus) bool {
		return b.Power == cluster.PowerOn && b.Reachable && b.FenceReady && b.Provider == "prometheus"
	})
	// The machine goes off behind hacon's back (the chassis state file).
	if err := os.WriteFile(sim.State, []byte("0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	waitBMC("power off", func(b *cluster.BMCStatus) bool { return b.Power == cluster.PowerOff && b.Reachable })
	// The BMC stops answering: ipmi_up 0, so power is unknown, not off.
	sim.Stop()
	waitBMC("BMC unreachable", func(b *cluster.BMCStatus) bool {
		return !b.Reachable && b.Power == cluster.PowerUnknown && b.Error != ""
	})
	if b := bmcOf(); b != nil && containsSecret(b.Error, pass) {
		t.Errorf("the BMC password leaks into the error: %q", b.Error)
	}
}

func containsSecret(s, secret string) bool {
	for i := 0; i+len(secret) <= len(s); i++ {
		if s[i:i+len(secret)] == secret {
			return true
		}
	}
	return false
}
