// Command measure-prometheus measures hacon reading a fleet from one
// Prometheus: it writes the exporters' series of CLUSTERS clusters
// (internal/testpeers.Fleet: 3 controllers × 12 services each), turns them
// into TSDB blocks with promtool, serves them with a real prometheus on
// loopback, and polls them with hacon's own scheduler at the refresh
// interval for the duration, rebuilding the snapshot after every refresh
// as the console does. It prints one refresh's wall time (median, max),
// hacon's CPU as a share of one core and its peak RSS.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/internal/app"
	"github.com/hacon/hacon/internal/testpeers"
	"github.com/hacon/hacon/probes"
)

func main() {
	clusters := flag.Int("clusters", 500, "clusters in the fleet")
	interval := flag.Duration("interval", 15*time.Second, "hacon's refresh interval")
	duration := flag.Duration("duration", 2*time.Minute, "how long hacon polls")
	dir := flag.String("dir", "", "work directory (default: a temp dir, removed)")
	flag.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the polling to this file")
	flag.StringVar(&heapProfile, "heapprofile", "", "write a heap profile at the end to this file")
	seriesFile := flag.String("write-series", "", "(internal) write the fleet's OpenMetrics here and exit")
	endMS := flag.Int64("end", 0, "(internal) the newest sample's time, Unix ms")
	flag.BoolVar(&recorded, "recorded", false, "load hacon prometheus-rules into the server and read the recorded series")
	flag.Parse()
	if *seriesFile != "" {
		// A child process makes the gigabytes of text, so the measuring
		// process's RSS is hacon's alone.
		f := fleet(*clusters, *duration, time.UnixMilli(*endMS))
		om := f.OpenMetrics()
		if err := os.WriteFile(*seriesFile, []byte(om), 0o600); err != nil {
			fmt.Fprintln(os.Stderr, "measure-prometheus:", err)
			os.Exit(1)
		}
		fmt.Println(strings.Count(om, "\n") / f.Samples)
		return
	}
	if err := run(*clusters, *interval, *duration, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "measure-prometheus:", err)
		os.Exit(1)
	}
}

// Profiles of the measured part only (not of making the fleet).
var cpuProfile, heapProfile string

// recorded: the server evaluates hacon's recording rules, hacon reads
// their series (prometheus.recorded).
var recorded bool

func run(n int, interval, duration time.Duration, dir string) error {
	if dir == "" {
		d, err := os.MkdirTemp("", "measure-prometheus")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	// Samples run past the end of the measurement, so the data stays fresh
	// the whole time (an instant query takes the newest sample ≤ now).
	f := fleet(n, duration, time.Now().Add(duration+time.Minute))
	f.Recorded = recorded
	var rules []byte
	if recorded {
		// The rules come from the config, as an operator makes them.
		cfg, err := config.Parse("fleet.yaml", []byte(f.Config("http://127.0.0.1:9090", interval)))
		if err != nil {
			return err
		}
		groups, err := probes.PrometheusRules(cfg)
		if err != nil {
			return err
		}
		if rules, err = yaml.Marshal(map[string]any{"groups": groups}); err != nil {
			return err
		}
	}
	t0 := time.Now()
	addr, prom, series, err := startPrometheus(dir, f, duration, rules)
	if err != nil {
		return err
	}
	defer prom.stop()
	fmt.Printf("fleet: %d clusters, %d series, loaded in %s\n", n, series, time.Since(t0).Round(time.Second))
	if recorded {
		if err := waitRecorded(addr); err != nil {
			return err
		}
		fmt.Printf("recording rules evaluated once, %s after the start\n", time.Since(t0).Round(time.Second))
	}
	cfg, err := config.Parse("fleet.yaml", []byte(f.Config("http://"+addr, interval)))
	if err != nil {
		return err
	}
	app.TuneRuntime(cfg) // as hacon does once its config is loaded
	promCPU0 := prom.cpu()
	err = measure(cfg, interval, duration)
	fmt.Printf("prometheus server CPU meanwhile: %.1f%% of one core\n", 100*(prom.cpu()-promCPU0).Seconds()/duration.Seconds())
	return err
}

// waitRecorded waits until the rules have written the recorded series
// hacon reads (their first evaluation reads the whole fleet).
func waitRecorded(addr string) error {
	q := "http://" + addr + "/api/v1/query?query=count(hacon:haproxy_server_status:scrape_time)"
	for deadline := time.Now().Add(5 * time.Minute); time.Now().Before(deadline); time.Sleep(time.Second) {
		resp, err := http.Get(q)
		if err != nil {
			continue
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if strings.Contains(string(body), `"value"`) {
			return nil
		}
	}
	return fmt.Errorf("the recording rules wrote nothing within 5 minutes")
}

func fleet(n int, duration time.Duration, end time.Time) testpeers.Fleet {
	return testpeers.Fleet{Clusters: n, Controllers: 3, Services: 12, End: end,
		Samples: int((duration+2*time.Minute)/(30*time.Second)) + 1, Step: 30 * time.Second}
}

// promServer is the prometheus process serving the fleet.
type promServer struct{ cmd *exec.Cmd }

func (p promServer) stop() { _ = p.cmd.Process.Kill(); _ = p.cmd.Wait() }

// cpu is the server's CPU time so far (user + system, from /proc).
func (p promServer) cpu() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (which may hold spaces): utime and
	// stime are the 12th and 13th.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	var ut, st int64
	fmt.Sscan(f[11], &ut)
	fmt.Sscan(f[12], &st)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}

func startPrometheus(dir string, f testpeers.Fleet, duration time.Duration, rules []byte) (string, promServer, int, error) {
	in := filepath.Join(dir, "series.om")
	out, err := exec.Command(os.Args[0], "-write-series", in, "-clusters", fmt.Sprint(f.Clusters),
		"-duration", duration.String(), "-end", fmt.Sprint(f.End.UnixMilli())).Output()
	if err != nil {
		return "", promServer{}, 0, fmt.Errorf("writing the fleet's series: %w", err)
	}
	var series int
	fmt.Sscan(string(out), &series)
	data := filepath.Join(dir, "data")
	if out, err := exec.Command("promtool", "tsdb", "create-blocks-from", "openmetrics", in, data).CombinedOutput(); err != nil {
		return "", promServer{}, 0, fmt.Errorf("promtool: %v\n%s", err, out)
	}
	_ = os.Remove(in)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", promServer{}, 0, err
	}
	addr := l.Addr().String()
	l.Close()
	cfg := filepath.Join(dir, "prometheus.yml")
	conf := "global:\n  scrape_interval: 15s\n  evaluation_interval: 15s\n"
	if rules != nil {
		rf := filepath.Join(dir, "hacon-rules.yml")
		if err := os.WriteFile(rf, rules, 0o600); err != nil {
			return "", promServer{}, 0, err
		}
		conf += "rule_files: [" + rf + "]\n"
	}
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		return "", promServer{}, 0, err
	}
	cmd := exec.Command("prometheus", "--config.file="+cfg, "--storage.tsdb.path="+data, "--storage.tsdb.retention.time=10y",
		"--web.listen-address="+addr, "--log.level=warn")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", promServer{}, 0, err
	}
	p := promServer{cmd}
	for deadline := time.Now().Add(5 * time.Minute); ; time.Sleep(200 * time.Millisecond) {
		if resp, err := http.Get("http://" + addr + "/-/ready"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return addr, p, series, nil
			}
		}
		if time.Now().After(deadline) {
			p.stop()
			return "", promServer{}, 0, fmt.Errorf("prometheus not ready on %s", addr)
		}
	}
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
func measure(cfg *config.Config, interval, duration time.Duration) error {
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
