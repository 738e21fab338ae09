// Command measure-prometheus measures hacon reading a fleet from one
// Prometheus: a child process serves the exporters' series of CLUSTERS
// clusters (internal/testpeers.Fleet: 3 controllers × 12 services each,
// one scrape target per cluster), a real prometheus on loopback scrapes
// them every 15 s as a fleet's Prometheus does (live, in its head block,
// ingesting meanwhile), and hacon's own scheduler polls it at the refresh
// interval for the duration, rebuilding the snapshot after every refresh
// as the console does. It prints one refresh's wall time (median, max),
// hacon's CPU as a share of one core and its peak RSS, and the server's
// CPU before and while hacon reads. With -recorded the server evaluates
// hacon prometheus-rules and hacon reads the recorded series.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/internal/app"
	"github.com/hacon/hacon/internal/testpeers"
	"github.com/hacon/hacon/probes"
)

// Profiles of the measured part only (not of the set-up).
var cpuProfile, heapProfile string

func main() {
	clusters := flag.Int("clusters", 500, "clusters in the fleet")
	interval := flag.Duration("interval", 15*time.Second, "hacon's refresh interval")
	duration := flag.Duration("duration", 2*time.Minute, "how long hacon polls")
	dir := flag.String("dir", "", "work directory (default: a temp dir, removed)")
	flag.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the polling to this file")
	flag.StringVar(&heapProfile, "heapprofile", "", "write a heap profile at the end to this file")
	recorded := flag.Bool("recorded", false, "load hacon prometheus-rules into the server and read the recorded series")
	serve := flag.Bool("serve-exporters", false, "(internal) serve the fleet's exporters and print their address")
	flag.Parse()
	var err error
	if *serve {
		err = serveExporters(*clusters)
	} else {
		err = run(*clusters, *interval, *duration, *dir, *recorded)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "measure-prometheus:", err)
		os.Exit(1)
	}
}

func run(n int, interval, duration time.Duration, dir string, recorded bool) error {
	if dir == "" {
		d, err := os.MkdirTemp("", "measure-prometheus")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	f := testpeers.Fleet{Clusters: n, Controllers: 3, Services: 12, Recorded: recorded}
	var rules []byte
	if recorded {
		// The rules come from the config, as an operator makes them.
		cfg, err := config.Parse("fleet.yaml", []byte(f.Config("http://127.0.0.1:9090", interval)))
		if err != nil {
			return err
		}
		if rules, err = probes.PrometheusRulesFile(cfg, ""); err != nil {
			return err
		}
	}
	t0 := time.Now()
	exporters, exp, err := startExporters(n)
	if err != nil {
		return err
	}
	defer exp.stop()
	addr, prom, err := startPrometheus(dir, exporters, n, rules)
	if err != nil {
		return err
	}
	defer prom.stop()
	// Every target scraped (the last cluster's servers are in), and with
	// rules, their first evaluation written.
	last := f.ClusterName(n - 1)
	ready := "/api/v1/query?query=count(haproxy_server_status{cluster=%22" + last + "%22})"
	if recorded {
		ready = "/api/v1/query?query=count(hacon:haproxy_server_status:scrape_time{cluster=%22" + last + "%22})"
	}
	if err := waitFor(addr, ready, `"value"`, 5*time.Minute); err != nil {
		return err
	}
	fmt.Printf("fleet: %d clusters scraped live by prometheus (rules: %t), ready in %s\n", n, recorded, time.Since(t0).Round(time.Second))
	// The server's own load first: scraping (and rules) without hacon.
	base0 := prom.cpu()
	time.Sleep(30 * time.Second)
	fmt.Printf("prometheus CPU before hacon reads (scraping%s): %.1f%% of one core\n",
		map[bool]string{true: ", rules", false: ""}[recorded], 100*(prom.cpu()-base0).Seconds()/30)
	cfg, err := config.Parse("fleet.yaml", []byte(f.Config("http://"+addr, interval)))
	if err != nil {
		return err
	}
	app.TuneRuntime(cfg) // as hacon does once its config is loaded
	cpu0 := prom.cpu()
	err = measure(cfg, duration)
	fmt.Printf("prometheus CPU while hacon reads: %.1f%% of one core\n", 100*(prom.cpu()-cpu0).Seconds()/duration.Seconds())
	return err
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rss is a /proc/self/status figure (VmRSS now, VmHWM the peak), in bytes.
func rss(key string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == key {
			var kb int64
			fmt.Sscan(f[1], &kb)
			return kb << 10
		}
	}
	return 0
}

// measure runs the scheduler as hacon's console does and reports.
func measure(cfg *config.Config, duration time.Duration) error {
	ts, err := probes.Targets(cfg, &probes.Deps{HTTP: probes.NewHTTPClients()})
	if err != nil {
		return err
	}
	sched := probes.NewScheduler(cfg, ts)
	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	cpu0, wall0 := cpuTime(), time.Now()
	go sched.Run(ctx)
	var walls, builds []time.Duration
	var last time.Time
	var snap cluster.Snapshot
	for {
		select {
		case <-ctx.Done():
			cpu := cpuTime() - cpu0
			wall := time.Since(wall0)
			report(walls, builds, cpu, wall, snap)
			return writeHeap()
		case <-sched.Updates():
			// The snapshot is rebuilt here, as the console's Update does:
			// a refresh is its queries, decoding and fan-out (the planes'
			// latency) plus this build.
			t := time.Now()
			snap = sched.Snapshot()
			build := time.Since(t)
			if src := snap.Clusters[0].Source(cluster.KindPacemaker, "pacemaker"); src != nil && src.LastAttempt != last && src.OK {
				last = src.LastAttempt
				walls = append(walls, src.Latency+build)
				builds = append(builds, build)
			}
		}
	}
}

func writeHeap() error {
	if heapProfile == "" {
		return nil
	}
	f, err := os.Create(heapProfile)
	if err != nil {
		return err
	}
	defer f.Close()
	return pprof.WriteHeapProfile(f)
}

func report(walls, builds []time.Duration, cpu, wall time.Duration, snap cluster.Snapshot) {
	slices.Sort(walls)
	slices.Sort(builds)
	ok, total := 0, 0
	for _, c := range snap.Clusters {
		for _, s := range c.Sources {
			total++
			if s.OK && !s.Stale {
				ok++
			}
		}
	}
	if len(walls) == 0 {
		fmt.Println("no refresh completed")
		return
	}
	fmt.Printf("refreshes: %d; one refresh (all queries, decoding, fan-out, snapshot build): median %s, max %s (build alone: median %s)\n",
		len(walls), walls[len(walls)/2].Round(time.Millisecond), walls[len(walls)-1].Round(time.Millisecond),
		builds[len(builds)/2].Round(time.Millisecond))
	fmt.Printf("hacon CPU: %s over %s = %.1f%% of one core; RSS at the end %d MB, peak %d MB\n", cpu.Round(time.Millisecond),
		wall.Round(time.Second), 100*cpu.Seconds()/wall.Seconds(), rss("VmRSS:")>>20, rss("VmHWM:")>>20)
	fmt.Printf("sources fresh and OK at the end: %d of %d\n", ok, total)
}
