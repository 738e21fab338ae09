//go:build lab

// Package labreport compares what hacon reports with two configs of the
// same lab — the one the lab wrote and the one `hacon discover` wrote — by
// the keys of `hacon status -o json`. Both labs' discover tests use it.
package labreport

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/internal/app"
)

// Of polls once with the config at path and returns its one cluster as
// `status -o json` prints it.
func Of(t *testing.T, path string) cluster.ClusterReport {
	t.Helper()
	a, err := app.New(app.Options{ConfigPath: path, AuditLog: filepath.Join(t.TempDir(), "audit.log")})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer a.Close()
	// A first poll pays for the ssh logins; a source that timed out on one
	// is asked again, a few times, before the reports are compared.
	var polled cluster.Report
	for attempt := 1; attempt <= 4; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		snap := a.Sched.PollOnce(ctx)
		cancel()
		if polled = snap.Report(); allOK(polled) {
			break
		}
	}
	b, err := json.Marshal(polled) // and back: what `status -o json` prints
	if err != nil {
		t.Fatal(err)
	}
	var rep cluster.Report
	if err := json.Unmarshal(b, &rep); err != nil || len(rep.Clusters) != 1 {
		t.Fatalf("%s: report %v %s", path, err, b)
	}
	return rep.Clusters[0]
}

func allOK(r cluster.Report) bool {
	for _, c := range r.Clusters {
		for _, s := range c.Sources {
			if !s.OK {
				return false
			}
		}
	}
	return true
}

// Options says what the comparison leaves out.
type Options struct {
	// Undiscovered are services only the lab's config has, with why.
	Undiscovered map[string]string
	// NoBMCs: the discovered config cannot know the BMCs (no stonith
	// devices to read them from), so fencing readiness is not compared.
	NoBMCs bool
}

// Compare fails t where the discovered report differs from the lab's on
// nodes, services (name, mode, serving/expected) and VIP holders, and for
// every discovered source that failed. VIP names are the operator's
// choice: only addresses and holders are compared.
func Compare(t *testing.T, want, got cluster.ClusterReport, o Options) {
	t.Helper()
	for name, why := range o.Undiscovered {
		t.Logf("not compared: %s: %s", name, why)
	}
	for _, cmp := range []struct {
		what string
		f    func(cluster.ClusterReport) []string
	}{
		{"nodes", func(r cluster.ClusterReport) []string { return nodes(r, o) }},
		{"services", func(r cluster.ClusterReport) []string { return services(r, o) }},
		{"VIPs", vips},
	} {
		if w, g := cmp.f(want), cmp.f(got); !slices.Equal(w, g) {
			t.Errorf("%s differ\nthe lab's config: %v\ndiscovered:       %v", cmp.what, w, g)
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

func nodes(r cluster.ClusterReport, o Options) []string {
	var out []string
	for _, n := range r.Nodes {
		line := fmt.Sprintf("%s controller=%t online=%t", n.Name, n.Controller, n.Online)
		if !o.NoBMCs {
			line += fmt.Sprintf(" power=%s fence_ready=%t bmc=%v", n.Power, n.FenceReady, n.BMCFenceReady != nil && *n.BMCFenceReady)
		}
		out = append(out, line)
	}
	slices.Sort(out)
	return out
}

func services(r cluster.ClusterReport, o Options) []string {
	var out []string
	for _, s := range r.Services {
		if _, skip := o.Undiscovered[s.Name]; skip {
			continue
		}
		out = append(out, fmt.Sprintf("%s %s %d/%d", s.Name, s.Mode, s.Serving, s.Expected))
	}
	slices.Sort(out)
	return out
}

func vips(r cluster.ClusterReport) []string {
	var out []string
	for _, v := range r.VIPs {
		out = append(out, v.Address+" on "+v.Node)
	}
	slices.Sort(out)
	return out
}
