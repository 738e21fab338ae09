package bmc_test

import (
	"context"
	"fmt"
	"github.com/hacon/hacon/internal/testpeers"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hacon/hacon/bmc"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/internal/testpeers/redfishemu"
)

// cpuTimes is user+system CPU of this process and of its reaped children
// (every ipmitool bmclib forks is waited for, so it lands in children).
func cpuTimes() (self, children time.Duration) {
	var ru syscall.Rusage
	tv := func(t syscall.Timeval) time.Duration { return time.Duration(t.Nano()) }
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	self = tv(ru.Utime) + tv(ru.Stime)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru)
	children = tv(ru.Utime) + tv(ru.Stime)
	return self, children
}

type fleetBMC struct {
	ctl  config.Controller
	hung bool
}

// BenchmarkPoll30BMCs polls 30 BMCs at once — 18 Redfish emulators and 12
// ipmi_sim instances, of which 3 emulators hang and 2 simulators are
// SIGSTOPped — with a 2 s per-call timeout. One op is one poll cycle; it
// must end within the timeout + 10 %. Before that it measures what one
// poll costs per driver (sequential polls of healthy BMCs).
//
//	go test ./bmc/ -run '^$' -bench Poll30BMCs -benchtime 3x
func BenchmarkPoll30BMCs(b *testing.B) {
	const (
		timeout            = 2 * time.Second
		nRedfish, nIPMI    = 18, 12
		hungRedfish, hungI = 3, 2
	)
	b.Setenv("HACON_BENCH_RF_PW", rfPass)
	var fleet []fleetBMC
	for i := range nRedfish {
		emu, port := startEmulator(b)
		hung := i < hungRedfish
		if hung {
			_ = emu.SetFault(redfishemu.FaultHang)
		}
		fleet = append(fleet, fleetBMC{rfController(b, fmt.Sprintf("rf%02d", i), port, "HACON_BENCH_RF_PW", timeout), hung})
	}
	var sims []interface{ Stop() }
	b.Cleanup(func() { // registered after the sims' own cleanups, so it runs first: stop all at once
		var wg sync.WaitGroup
		for _, s := range sims {
			wg.Add(1)
			go func() { defer wg.Done(); s.Stop() }()
		}
		wg.Wait()
	})
	for i := range nIPMI {
		sim := testpeers.StartIPMISim(b, bmc.SimPass)
		sims = append(sims, sim)
		c := bmc.IPMIController(b, sim.Port, bmc.SimPass, timeout)
		c.Name = fmt.Sprintf("ipmi%02d", i)
		hung := i < hungI
		if hung {
			if err := sim.Pause(); err != nil {
				b.Fatal(err)
			}
		}
		fleet = append(fleet, fleetBMC{c, hung})
	}
	p := bmc.NewPool()
	defer p.Close()

	// Per-poll cost by driver, healthy BMCs one after the other.
	metrics := map[string]float64{}
	perPoll := func(driver string) {
		var n int
		t0 := time.Now()
		s0, c0 := cpuTimes()
		for range 3 {
			for _, f := range fleet {
				if f.hung || f.ctl.BMC.Driver != driver {
					continue
				}
				if st := p.Poll(context.Background(), "bench", f.ctl); !st.FenceReady {
					b.Fatalf("%s: %+v", f.ctl.Name, st)
				}
				n++
			}
		}
		s1, c1 := cpuTimes()
		wall := time.Since(t0)
		// Reported at the end: ResetTimer drops metrics reported before it.
		metrics[driver+"-ms/poll"] = float64(wall.Microseconds()) / float64(n) / 1000
		metrics[driver+"-cpu-self-ms/poll"] = float64((s1 - s0).Microseconds()) / float64(n) / 1000
		metrics[driver+"-cpu-children-ms/poll"] = float64((c1 - c0).Microseconds()) / float64(n) / 1000
	}
	perPoll("ipmi")
	perPoll("redfish")

	var worst time.Duration
	var cpuSelf, cpuChildren time.Duration
	b.ResetTimer()
	for range b.N {
		s0, c0 := cpuTimes()
		t0 := time.Now()
		var wg sync.WaitGroup
		var mu sync.Mutex
		bad := 0
		for _, f := range fleet {
			wg.Add(1)
			go func() {
				defer wg.Done()
				pt := time.Now()
				st := p.Poll(context.Background(), "bench", f.ctl)
				if d := time.Since(pt); d > timeout+50*time.Millisecond || os.Getenv("HACON_BENCH_VERBOSE") != "" {
					fmt.Fprintf(os.Stderr, "%s poll took %v (started %v into the cycle)\n", f.ctl.Name, d, pt.Sub(t0))
				}
				ok := st.FenceReady != f.hung && (!f.hung || st.Error == bmc.ErrTimeout || st.Skipped)
				if !ok {
					mu.Lock()
					bad++
					mu.Unlock()
					fmt.Fprintf(os.Stderr, "%s (hung=%v): %+v\n", f.ctl.Name, f.hung, st)
				}
			}()
		}
		wg.Wait()
		wall := time.Since(t0)
		s1, c1 := cpuTimes()
		cpuSelf += s1 - s0
		cpuChildren += c1 - c0
		worst = max(worst, wall)
		if bad > 0 {
			b.Errorf("%d BMCs polled wrong in a cycle", bad)
		}
		if wall > timeout+timeout/10 {
			b.Errorf("cycle took %v, over timeout+10%% (%v)", wall, timeout+timeout/10)
		}
	}
	b.StopTimer()
	for k, v := range metrics {
		b.ReportMetric(v, k)
	}
	b.ReportMetric(worst.Seconds(), "worst-cycle-s")
	b.ReportMetric((timeout + timeout/10).Seconds(), "limit-s")
	b.ReportMetric(float64(cpuSelf.Milliseconds())/float64(b.N), "cycle-cpu-self-ms")
	b.ReportMetric(float64(cpuChildren.Milliseconds())/float64(b.N), "cycle-cpu-children-ms")
}
