package actions

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
)

// A cluster read only from Prometheus has no way to act: every action is
// refused with that reason by Plan, and by Execute even for a preview
// built by hand, before anything runs or is written to the audit log.
func TestPrometheusOnlyClusterRefusesActions(t *testing.T) {
	e, runner, audit, snap := unitSetup(t, false)
	cc := &e.cfg.Clusters[0]
	cc.Pacemaker = nil
	cc.Prometheus = &config.Prometheus{URL: "http://127.0.0.1:9/"}
	cc.Services = []config.Service{{Name: "api", HAProxyBackend: "api"}}
	sc := &snap.Clusters[0]
	sc.Services = []cluster.Service{{Name: "api", Backend: "api", Cells: []cluster.Cell{{Node: "c1",
		LB: []cluster.LBView{{LB: "c0", Server: cluster.LBServer{Backend: "api", Server: "c1", Status: "UP"}}}}}}}
	ctx := context.Background()
	for _, line := range []string{"move cinder-volume c1", "standby c1", "fence c2", "drain api c1", "power c1 off"} {
		req, err := Parse("oc", strings.Fields(line))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Plan(ctx, req, snap); !errors.Is(err, ErrPrometheusOnly) {
			t.Errorf(":%s: Plan must refuse (read from Prometheus only), got %v", line, err)
		}
	}
	// A preview made without Plan (as a buggy or hostile caller could)
	// is refused by the executor itself.
	forged := &Preview{Request: Request{Kind: Standby, Cluster: "oc", Node: "c1"},
		Steps: []Step{{Plane: PlanePacemaker, Hosts: []string{"c0"}, Argv: pacemakerArgv(Request{Kind: Standby, Node: "c1"}), Shown: "crm_attribute"}}}
	_, err := e.Execute(ctx, forged, Confirmation{Confirmed: true})
	if !errors.Is(err, ErrPrometheusOnly) {
		t.Fatalf("Execute must refuse a Prometheus-only plane, got %v", err)
	}
	if n := runner.calls.Load(); n != 0 {
		t.Errorf("%d commands ran", n)
	}
	if _, err := os.Stat(audit); err == nil {
		b, _ := os.ReadFile(filepath.Clean(audit))
		t.Errorf("a refused action reached the audit log:\n%s", b)
	}
	// With direct Pacemaker access the same cluster may act again.
	cc.Pacemaker = &config.Pacemaker{Command: []string{"ssh", "{{.Name}}"}}
	e.VerifyTimeout = 10 * time.Millisecond
	if err := e.Check(forged, Confirmation{Confirmed: true}); err != nil {
		t.Errorf("direct access configured, still refused: %v", err)
	}
}
