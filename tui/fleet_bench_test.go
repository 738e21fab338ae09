package tui

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/hacon/hacon/bmc"
	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/demo"
	"github.com/hacon/hacon/probes"
)

// fleetCycle is one poll cycle of a fleet: every source of every cluster
// records an answer (the demo cluster's real answers, the same data every
// cycle, as a quiet fleet's are), the scheduler builds the snapshot and
// the console takes it (timeline diff, incidents) and draws a frame.
type fleetCycle struct {
	sched   *probes.Scheduler
	names   []string
	results []cluster.Result // one cluster's answers
	gen     uint64
	m       Model
}

func newFleetCycle(b *testing.B, n int) *fleetCycle {
	b.Helper()
	d, err := demo.Start()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(d.Close)
	one := d.Config()
	deps := &probes.Deps{Runner: d.Runner(), HTTP: probes.NewHTTPClients(), BMC: bmc.NewPool()}
	targets, err := probes.Targets(one, deps)
	if err != nil {
		b.Fatal(err)
	}
	f := &fleetCycle{}
	for _, t := range targets {
		r := probes.DefaultProbers().Poll(context.Background(), t)
		r.ID = t.ID
		f.results = append(f.results, r)
	}
	fleet := *one
	fleet.Clusters = nil
	for i := range n {
		cc := one.Clusters[0]
		cc.Name = fmt.Sprintf("region-%03d", i+1)
		fleet.Clusters = append(fleet.Clusters, cc)
		f.names = append(f.names, cc.Name)
	}
	ft, err := probes.Targets(&fleet, deps)
	if err != nil {
		b.Fatal(err)
	}
	f.sched = probes.NewScheduler(&fleet, ft)
	f.m = newModel(b, cluster.Snapshot{}, Options{Source: f.sched, EventsLog: filepath.Join(b.TempDir(), "events.log")}, 80, 24)
	f.cycle() // the first cycle opens every source: not the steady state
	return f
}

func (f *fleetCycle) cycle() {
	f.gen++
	now := time.Now()
	for _, name := range f.names {
		for _, r := range f.results {
			r.ID.Cluster = name
			r.Generation = f.gen
			r.Started = now
			f.sched.Record(r)
		}
	}
	f.m = send(f.m, snapshotMsg{snap: f.sched.Snapshot()})
	_ = f.m.View()
}

func benchFleet(b *testing.B, n int) {
	f := newFleetCycle(b, n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		f.cycle()
	}
}

// The per-cycle work of 50 and 200 clusters × 3 controllers × the demo's
// 12 services (scripts/measure-fleet.sh measures the whole process).
func BenchmarkFleetCycle50(b *testing.B)  { benchFleet(b, 50) }
func BenchmarkFleetCycle200(b *testing.B) { benchFleet(b, 200) }
