//go:build lab

package lab

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/discover"
	"github.com/hacon/hacon/internal/app"
	"github.com/hacon/hacon/remote"
)

// 9. `hacon discover` against controller-0, through the lab's own prefix,
// writes a config that — used as is, plus the BMC password variable — gives
// the same nodes, services, VIPs and BMCs as lab/state/hacon.yaml: the two
// `status -o json` reports are compared.
func TestLab9Discover(t *testing.T) {
	h := lab
	h.requireHealthy(t)
	c0, _ := h.cc.Controller("controller-0")
	via, err := config.ExpandArgs(h.cc.Pacemaker.Command, c0)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	res, notes, err := discover.Discover(ctx, discover.Options{
		Transport:    remote.Prefix{Command: via, Runner: remote.ExecRunner{}},
		TransportFor: func(p []string) remote.Transport { return remote.Prefix{Command: p, Runner: remote.ExecRunner{}} },
		Via:          via,
	}, clusterName)
	if err != nil {
		t.Fatal(err)
	}
	record(t, "discover: controller-0 → config", time.Since(start))
	for _, n := range append(notes, res.Notes...) {
		t.Logf("not mapped: %s: %s", n.What, n.Why)
	}
	file := filepath.Join(t.TempDir(), "new.yaml")
	if err := os.WriteFile(file, discover.Render(res), 0o600); err != nil {
		t.Fatal(err)
	}
	pass, err := os.ReadFile(filepath.Join(h.state, "bmc-password"))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range res.PasswordEnv {
		t.Setenv(v, strings.TrimSpace(string(pass)))
	}
	if b, _ := os.ReadFile(file); strings.Contains(string(b), strings.TrimSpace(string(pass))) {
		t.Fatal("the BMC password is in the discovered config")
	}
	want, got := labReport(t, h.cfg.File), labReport(t, file)
	compareLabReports(t, want, got)
}

func labReport(t *testing.T, path string) cluster.ClusterReport {
	t.Helper()
	a, err := app.New(app.Options{ConfigPath: path, AuditLog: filepath.Join(t.TempDir(), "audit.log")})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer a.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	snap := a.Sched.PollOnce(ctx)
	b, err := json.Marshal(snap.Report()) // what `status -o json` prints
	if err != nil {
		t.Fatal(err)
	}
	var rep cluster.Report
	if err := json.Unmarshal(b, &rep); err != nil || len(rep.Clusters) != 1 {
		t.Fatalf("%s: report %v %s", path, err, b)
	}
	return rep.Clusters[0]
}

func compareLabReports(t *testing.T, want, got cluster.ClusterReport) {
	t.Helper()
	nodes := func(r cluster.ClusterReport) []string {
		var out []string
		for _, n := range r.Nodes {
			out = append(out, fmt.Sprintf("%s controller=%t online=%t power=%s fence_ready=%t bmc=%v", n.Name, n.Controller, n.Online, n.Power, n.FenceReady, n.BMCFenceReady != nil && *n.BMCFenceReady))
		}
		slices.Sort(out)
		return out
	}
	services := func(r cluster.ClusterReport) []string {
		var out []string
		for _, s := range r.Services {
			out = append(out, fmt.Sprintf("%s %s %d/%d", s.Name, s.Mode, s.Serving, s.Expected))
		}
		slices.Sort(out)
		return out
	}
	vips := func(r cluster.ClusterReport) []string {
		var out []string
		for _, v := range r.VIPs {
			out = append(out, v.Address+" on "+v.Node) // names are the operator's choice
		}
		slices.Sort(out)
		return out
	}
	for _, cmp := range []struct {
		what string
		f    func(cluster.ClusterReport) []string
	}{{"nodes", nodes}, {"services", services}, {"VIPs", vips}} {
		if w, g := cmp.f(want), cmp.f(got); !slices.Equal(w, g) {
			t.Errorf("%s differ\nlab/state/hacon.yaml: %v\ndiscovered:           %v", cmp.what, w, g)
		} else {
			t.Logf("%s agree: %v", cmp.what, g)
		}
	}
	for _, s := range got.Sources {
		if !s.OK {
			t.Errorf("discovered config: source %s %s failed: %s", s.Kind, s.Name, s.Error)
		}
	}
}
