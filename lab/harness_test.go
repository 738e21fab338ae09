//go:build lab

package lab

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hacon/hacon/actions"
	"github.com/hacon/hacon/bmc"
	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/internal/app"
	"github.com/hacon/hacon/probes"
	"github.com/hacon/hacon/remote/sshmux"
)

// The lab's fixed facts (lab/lib/common.sh).
const (
	clusterName = "hacon-lab"
	vipName     = "public"
	vipAddr     = "169.254.100.10"
	vipResource = "vip"
)

var nodes = []string{"controller-0", "controller-1", "controller-2"}

// harness is hacon, wired as the console wires it, on the running lab.
type harness struct {
	state string // lab state dir
	on    string // lab/bin/on
	cfg   *config.Config
	cc    *config.Cluster
	pool  *bmc.Pool
	sched *probes.Scheduler
	exec  *actions.Executor
	ssh   *sshmux.Manager // every Pacemaker command, polls and actions, goes through it
	audit string
	// The same cluster read from the lab's Prometheus only (hacon-prom.yaml).
	promApp *app.App
	promCfg *config.Config
	promCC  *config.Cluster
	psched  *probes.Scheduler
	// The same again from hacon's recording rules (hacon-rec.yaml).
	recApp *app.App
	rsched *probes.Scheduler
}

var (
	lab *harness
	// verbose logs every state an eventually sees on the way (HACON_LAB_VERBOSE=1).
	verbose = os.Getenv("HACON_LAB_VERBOSE") == "1"

	timingsMu sync.Mutex
	timings   []string
)

// record keeps one measured time for the summary printed at the end.
func record(t *testing.T, what string, d time.Duration) {
	t.Helper()
	t.Logf("TIMING %-55s %6.2fs", what, d.Seconds())
	timingsMu.Lock()
	timings = append(timings, fmt.Sprintf("%-55s %6.2fs", what, d.Seconds()))
	timingsMu.Unlock()
}

func TestMain(m *testing.M) {
	h, err := newHarness()
	if err != nil {
		if os.Getenv("CI") == "true" {
			fmt.Fprintf(os.Stderr, "lab e2e: %v (CI=true: the lab must run; make lab-test)\n", err)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "lab e2e: skipped: %v (run as root: make lab-test)\n", err)
		os.Exit(0)
	}
	lab = h
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { h.sched.Run(ctx); close(done) }()
	promDone := make(chan struct{})
	go func() { h.psched.Run(ctx); close(promDone) }()
	recDone := make(chan struct{})
	go func() { h.rsched.Run(ctx); close(recDone) }()
	code := m.Run()
	cancel()
	h.exec.Wait()
	for _, ch := range []chan struct{}{done, promDone, recDone} {
		select {
		case <-ch:
		case <-time.After(15 * time.Second):
			fmt.Fprintln(os.Stderr, "lab e2e: scheduler did not stop within 15s")
			code = 1
		}
	}
	h.promApp.Close()
	h.recApp.Close()
	h.pool.Close()
	h.ssh.Close()
	timingsMu.Lock()
	fmt.Println("\nlab e2e timings (action → hacon's verified result):")
	for _, l := range timings {
		fmt.Println("  " + l)
	}
	timingsMu.Unlock()
	os.Exit(code)
}

func newHarness() (*harness, error) {
	if os.Geteuid() != 0 {
		return nil, fmt.Errorf("not root")
	}
	labDir, err := filepath.Abs(".")
	if err != nil {
		return nil, err
	}
	state := os.Getenv("HACON_LAB_STATE")
	if state == "" {
		state = filepath.Join(labDir, "state")
	}
	path := filepath.Join(state, "hacon.yaml")
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no lab config %s (lab/up not run?)", path)
	}
	a, err := app.New(app.Options{ConfigPath: path})
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	cc, ok := a.Config.ClusterByName(clusterName)
	if !ok {
		return nil, fmt.Errorf("%s has no cluster %s", path, clusterName)
	}
	h := &harness{state: state, on: filepath.Join(labDir, "bin", "on"), cfg: a.Config, cc: cc,
		pool: a.BMC, sched: a.Sched, exec: a.Executor, ssh: a.SSH, audit: a.Config.AuditLog}
	promPath := filepath.Join(state, "hacon-prom.yaml")
	pa, err := app.New(app.Options{ConfigPath: promPath})
	if err != nil {
		return nil, fmt.Errorf("load %s (lab/up writes it once its Prometheus scrapes the lab): %w", promPath, err)
	}
	pcc, ok := pa.Config.ClusterByName(clusterName)
	if !ok || pa.Config.PrometheusFor(pcc) == nil {
		return nil, fmt.Errorf("%s has no cluster %s read from Prometheus", promPath, clusterName)
	}
	h.promApp, h.promCfg, h.promCC, h.psched = pa, pa.Config, pcc, pa.Sched
	recPath := filepath.Join(state, "hacon-rec.yaml")
	ra, err := app.New(app.Options{ConfigPath: recPath})
	if err != nil {
		pa.Close()
		return nil, fmt.Errorf("load %s (lab/up writes it once hacon's recording rules are evaluated): %w", recPath, err)
	}
	// Checked, not assumed: hacon-rec.yaml is hacon-prom.yaml with one
	// line changed, and if that change missed, the recorded checks would
	// compare the raw view with itself.
	if rcc, ok := ra.Config.ClusterByName(clusterName); !ok || !ra.Config.PrometheusFor(rcc).UsesRecorded() {
		pa.Close()
		ra.Close()
		return nil, fmt.Errorf("%s: cluster %s does not read the recorded series (prometheus.recorded)", recPath, clusterName)
	}
	h.recApp, h.rsched = ra, ra.Sched
	return h, nil
}

// snap is the running scheduler's newest view of the lab cluster.
func (h *harness) snap() (cluster.Snapshot, *cluster.Cluster) {
	s := h.sched.Snapshot()
	return s, s.ClusterByName(clusterName)
}

// act runs palette words through hacon's executor exactly as the console
// does after the operator confirms, and requires a verified success.
func (h *harness) act(t *testing.T, words ...string) actions.Outcome {
	t.Helper()
	out, err := h.tryAct(t, words...)
	if err != nil {
		t.Fatalf(":%s: %v", strings.Join(words, " "), err)
	}
	if !out.OK || !out.Verified {
		t.Fatalf(":%s: %s (steps %+v)", strings.Join(words, " "), out.Summary(), out.Steps)
	}
	record(t, ":"+strings.Join(words, " "), out.Duration)
	return out
}

func (h *harness) tryAct(t *testing.T, words ...string) (actions.Outcome, error) {
	t.Helper()
	req, err := actions.Parse(clusterName, words)
	if err != nil {
		return actions.Outcome{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	p, err := h.exec.Plan(ctx, req, h.sched.Snapshot())
	if err != nil {
		return actions.Outcome{}, fmt.Errorf("plan: %w", err)
	}
	for _, st := range p.Steps {
		t.Logf(":%s runs: %s", req.String(), st.Shown)
	}
	if len(p.Transition) > 0 {
		t.Logf(":%s predicted transition: %s", req.String(), strings.Join(p.Transition, "; "))
	}
	return h.exec.Execute(ctx, p, actions.Confirmation{Confirmed: true, TypedName: p.TypeToConfirm,
		AcceptConsequence: p.Consequence != "", Force: false})
}

// run runs a command with a timeout and returns its combined output.
func run(timeout time.Duration, argv ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.WaitDelay = time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s: %w: %s", strings.Join(argv, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// onAny runs a command inside the first controller that answers.
func (h *harness) onAny(argv ...string) (string, string, error) {
	var errs []string
	for _, n := range nodes {
		out, err := run(20*time.Second, append([]string{h.on, n}, argv...)...)
		if err == nil {
			return out, n, nil
		}
		errs = append(errs, err.Error())
	}
	return "", "", fmt.Errorf("no controller answered: %s", strings.Join(errs, "; "))
}

// eventually polls cond every 250ms until it holds or timeout passes, and
// returns how long it took.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) time.Duration {
	t.Helper()
	start := time.Now()
	last := ""
	for {
		ok, state := cond()
		if ok {
			return time.Since(start)
		}
		if state != last && verbose {
			t.Logf("  %5.2fs %s: %s", time.Since(start).Seconds(), what, state)
		}
		last = state
		if time.Since(start) > timeout {
			t.Fatalf("%s: not seen within %s; last: %s", what, timeout, last)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// placements lists "resource node role" of a snapshot, sorted.
func placements(c *cluster.Cluster) []string {
	var out []string
	for _, r := range c.Resources {
		for _, in := range r.Instances {
			if in.Node != "" {
				out = append(out, r.ID+" "+in.Node+" "+in.Role)
			}
		}
	}
	sort.Strings(out)
	return out
}

// runStdin is run with stdin.
func runStdin(timeout time.Duration, stdin string, argv ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.WaitDelay = time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s: %w: %s", strings.Join(argv, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}
