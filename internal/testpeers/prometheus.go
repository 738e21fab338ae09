package testpeers

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Prometheus, its exporters and promtool, as Debian packages them; tests
// run them on loopback with their own config and data in a temp dir.

// RequireBinary skips without the named program (looked up in PATH and the
// given paths), except in CI where it must exist: pkg is the Debian
// package to install.
func RequireBinary(t testing.TB, name, pkg string) string {
	t.Helper()
	for _, p := range []string{name, "/usr/bin/" + name, "/usr/sbin/" + name} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not installed (CI=true): apt-get install -y %s", name, pkg)
	}
	t.Skipf("%s not installed (apt-get install -y %s)", name, pkg)
	return ""
}

// Daemon is a test's own process, killed at cleanup.
type Daemon struct {
	Addr string // 127.0.0.1:port it serves HTTP on
	Dir  string
	cmd  *exec.Cmd
	done chan struct{}
	log  string
}

// StartDaemon runs the command argvFor makes for a free loopback address,
// with env added and its output in a log file under dir, and waits until
// GET http://addr+readyPath answers 200. A free port can be taken by a
// parallel test before the daemon binds it: then it starts again, on
// another, up to three times.
func StartDaemon(t testing.TB, dir, readyPath string, env []string, argvFor func(addr string) []string) *Daemon {
	t.Helper()
	for attempt := 1; ; attempt++ {
		d, portTaken := launchDaemon(t, dir, readyPath, env, argvFor)
		if !portTaken {
			return d
		}
		if attempt == 3 {
			t.Fatalf("%s: its port was taken three times in a row:\n%s", d.cmd.Path, d.Log())
		}
	}
}

func launchDaemon(t testing.TB, dir, readyPath string, env []string, argvFor func(addr string) []string) (d *Daemon, portTaken bool) {
	t.Helper()
	addr := fmt.Sprintf("127.0.0.1:%d", FreePort(t))
	argv := argvFor(addr)
	d = &Daemon{Addr: addr, Dir: dir, done: make(chan struct{}), log: filepath.Join(dir, filepath.Base(argv[0])+".log")}
	out, err := os.Create(d.log)
	if err != nil {
		t.Fatal(err)
	}
	d.cmd = exec.Command(argv[0], argv[1:]...)
	d.cmd.Dir, d.cmd.Stdout, d.cmd.Stderr = dir, out, out
	d.cmd.Env = append(os.Environ(), env...)
	if err := d.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", argv[0], err)
	}
	go func() { _ = d.cmd.Wait(); out.Close(); close(d.done) }()
	deadline := time.Now().Add(20 * time.Second)
	client := http.Client{Timeout: time.Second}
	for {
		ready := false
		if resp, err := client.Get("http://" + addr + readyPath); err == nil {
			resp.Body.Close()
			ready = resp.StatusCode == http.StatusOK
		}
		select {
		case <-d.done:
			// Exited: whoever answered on the address, it was not this one.
			if strings.Contains(strings.ToLower(d.Log()), "address already in use") {
				return d, true
			}
			t.Fatalf("%s exited early:\n%s", argv[0], d.Log())
		default:
		}
		if ready && d.confirmAlive() {
			t.Cleanup(d.Stop)
			return d, false
		}
		if time.Now().After(deadline) {
			d.Stop()
			t.Fatalf("%s not ready on %s:\n%s", argv[0], addr, d.Log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// confirmAlive: after a ready answer, the process is still running a
// moment later. A daemon that lost its port to another answers nothing
// itself; the ready answer was the other's, and this one is exiting.
func (d *Daemon) confirmAlive() bool {
	select {
	case <-d.done:
		return false
	case <-time.After(150 * time.Millisecond):
		return !strings.Contains(strings.ToLower(d.Log()), "address already in use")
	}
}

// Stop kills the process and waits for it.
func (d *Daemon) Stop() {
	if d.cmd.Process != nil {
		_ = d.cmd.Process.Kill()
	}
	<-d.done
}

// Log is the process's output so far (bounded), for failure messages.
func (d *Daemon) Log() string {
	f, err := os.Open(d.log)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, 64<<10))
	return string(b)
}

// ScrapeJob is one scrape_configs entry of a test Prometheus: static
// targets with their labels.
type ScrapeJob struct {
	Name        string
	MetricsPath string
	Params      map[string]string // e.g. blackbox's module
	Targets     []ScrapeTarget
	// ProbeVia, when set, scrapes this exporter address for each target
	// (the blackbox/ipmi multi-target pattern): the target becomes the
	// ?target= parameter and keeps its own instance label.
	ProbeVia string
}

// ScrapeTarget is one target and its extra labels.
type ScrapeTarget struct {
	Address string
	Labels  map[string]string
}

// StartPrometheus runs Debian's prometheus on loopback scraping jobs every
// interval, with its TSDB in a temp dir.
func StartPrometheus(t testing.TB, interval time.Duration, jobs []ScrapeJob) *Daemon {
	t.Helper()
	bin := RequireBinary(t, "prometheus", "prometheus")
	dir := t.TempDir()
	var b strings.Builder
	fmt.Fprintf(&b, "global:\n  scrape_interval: %s\n  scrape_timeout: %s\nscrape_configs:\n", interval, interval*3/4)
	for _, j := range jobs {
		writeJob(&b, j)
	}
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return startPrometheusBin(t, bin, dir, "--config.file="+cfg)
}

func startPrometheusBin(t testing.TB, bin, dir string, args ...string) *Daemon {
	t.Helper()
	return StartDaemon(t, dir, "/-/ready", nil, func(addr string) []string {
		return append([]string{bin, "--storage.tsdb.path=" + filepath.Join(dir, "data"),
			"--web.listen-address=" + addr, "--log.level=warn"}, args...)
	})
}

func writeJob(b *strings.Builder, j ScrapeJob) {
	fmt.Fprintf(b, "  - job_name: %q\n", j.Name)
	if j.MetricsPath != "" {
		fmt.Fprintf(b, "    metrics_path: %q\n", j.MetricsPath)
	}
	if len(j.Params) > 0 {
		b.WriteString("    params:\n")
		for k, v := range j.Params {
			fmt.Fprintf(b, "      %s: [%q]\n", k, v)
		}
	}
	b.WriteString("    static_configs:\n")
	for _, tg := range j.Targets {
		fmt.Fprintf(b, "      - targets: [%q]\n", tg.Address)
		if len(tg.Labels) > 0 {
			b.WriteString("        labels:\n")
			for k, v := range tg.Labels {
				fmt.Fprintf(b, "          %s: %q\n", k, v)
			}
		}
	}
	if j.ProbeVia != "" {
		fmt.Fprintf(b, "    relabel_configs:\n      - source_labels: [__address__]\n        target_label: __param_target\n"+
			"      - source_labels: [__param_target]\n        target_label: instance\n"+
			"      - target_label: __address__\n        replacement: %q\n", j.ProbeVia)
	}
}

// StartPrometheusFromOpenMetrics turns OpenMetrics text into TSDB blocks
// with promtool (tsdb create-blocks-from openmetrics) and serves them with
// prometheus, scraping nothing.
func StartPrometheusFromOpenMetrics(t testing.TB, openmetrics string) *Daemon {
	t.Helper()
	return StartPrometheusWithRules(t, openmetrics, nil)
}

// StartPrometheusWithRules is StartPrometheusFromOpenMetrics with a rule
// file loaded (nil: none); its groups' own interval says how often they
// are evaluated (evaluation_interval, 1 s, is for groups without one).
func StartPrometheusWithRules(t testing.TB, openmetrics string, rules []byte) *Daemon {
	t.Helper()
	bin := RequireBinary(t, "prometheus", "prometheus")
	promtool := RequireBinary(t, "promtool", "prometheus")
	dir := t.TempDir()
	in := filepath.Join(dir, "series.om")
	if err := os.WriteFile(in, []byte(openmetrics), 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	out, err := exec.Command(promtool, "tsdb", "create-blocks-from", "openmetrics", in, data).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool create-blocks-from openmetrics: %v\n%s", err, out)
	}
	conf := "global:\n  scrape_interval: 15s\n  evaluation_interval: 1s\n"
	if rules != nil {
		rf := filepath.Join(dir, "rules.yml")
		if err := os.WriteFile(rf, rules, 0o600); err != nil {
			t.Fatal(err)
		}
		// The server's own checker first: a rule it would refuse fails here,
		// with promtool's words.
		if out, err := exec.Command(promtool, "check", "rules", rf).CombinedOutput(); err != nil {
			t.Fatalf("promtool check rules: %v\n%s", err, out)
		}
		conf += "rule_files: [" + strconv.Quote(rf) + "]\n"
	}
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return startPrometheusBin(t, bin, dir, "--config.file="+cfg, "--storage.tsdb.retention.time=10y")
}

// StartHAClusterExporter runs ClusterLabs' ha_cluster_exporter with its
// crm_mon reading a saved CIB (CIB_file), as on a controller it reads the
// live one.
func StartHAClusterExporter(t testing.TB, cib string) *Daemon {
	t.Helper()
	bin := RequireBinary(t, "ha_cluster_exporter", "prometheus-hacluster-exporter")
	dir := t.TempDir()
	return StartDaemon(t, dir, "/metrics", []string{"CIB_file=" + cib}, func(addr string) []string {
		return []string{bin, "--web.listen-address=" + addr, "--web.config.file=" + filepath.Join(dir, "none.yml")}
	})
}

// StartBlackbox runs blackbox_exporter with an http_2xx module.
func StartBlackbox(t testing.TB) *Daemon {
	t.Helper()
	bin := RequireBinary(t, "prometheus-blackbox-exporter", "prometheus-blackbox-exporter")
	dir := t.TempDir()
	cfg := filepath.Join(dir, "blackbox.yml")
	if err := os.WriteFile(cfg, []byte("modules:\n  http_2xx:\n    prober: http\n    timeout: 2s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return StartDaemon(t, dir, "/-/healthy", nil, func(addr string) []string {
		return []string{bin, "--config.file=" + cfg, "--web.listen-address=" + addr}
	})
}

// StartIPMIExporter runs ipmi_exporter (with FreeIPMI's ipmi-chassis) in remote (multi-target) mode with
// one module, "lab", whose credentials are in its own 0600 config file:
// never on a command line or in hacon's config.
func StartIPMIExporter(t testing.TB, user, pass string) *Daemon {
	t.Helper()
	bin := RequireBinary(t, "prometheus-ipmi-exporter", "prometheus-ipmi-exporter")
	RequireBinary(t, "ipmi-chassis", "freeipmi-tools")
	dir := t.TempDir()
	cfg := filepath.Join(dir, "ipmi.yml")
	body := fmt.Sprintf("modules:\n  lab:\n    user: %q\n    pass: %q\n    driver: LAN_2_0\n    privilege: admin\n    timeout: 2000\n    collectors: [chassis]\n"+
		// ipmi_sim grants the session privilege only when it is asked for
		// at session open (FreeIPMI's workaround for such BMCs).
		"    workaround_flags: [opensesspriv]\n", user, pass)
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return StartDaemon(t, dir, "/", nil, func(addr string) []string {
		return []string{bin, "--config.file=" + cfg, "--web.listen-address=" + addr}
	})
}
