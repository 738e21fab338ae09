package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/hacon/hacon/internal/testpeers"
)

// serveExporters is the child process: every cluster's exporters as one
// scrape target each (/m/<cluster>), their text made once. It prints its
// address, then serves until killed. A child, so the measuring process's
// CPU and RSS are hacon's alone.
func serveExporters(clusters int) error {
	f := testpeers.Fleet{Clusters: clusters, Controllers: 3, Services: 12}
	bodies := make(map[string][]byte, clusters)
	for i := 0; i < clusters; i++ {
		bodies["/m/"+f.ClusterName(i)] = []byte(f.Exposition(i))
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Println(l.Addr().String())
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := bodies[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_, _ = w.Write(b)
	})}
	return srv.Serve(l)
}

// process is a child process of the measurement.
type process struct{ cmd *exec.Cmd }

func (p process) stop() { _ = p.cmd.Process.Kill(); _ = p.cmd.Wait() }

// cpu is the process's CPU time so far (user + system, from /proc).
func (p process) cpu() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// After the command name (which may hold spaces), utime and stime are
	// the 12th and 13th fields.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	var ut, st int64
	fmt.Sscan(f[11], &ut)
	fmt.Sscan(f[12], &st)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}

// startExporters runs the exporters' child and returns its address.
func startExporters(clusters int) (string, process, error) {
	cmd := exec.Command(os.Args[0], "-serve-exporters", "-clusters", fmt.Sprint(clusters))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", process{}, err
	}
	if err := cmd.Start(); err != nil {
		return "", process{}, err
	}
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return "", process{}, fmt.Errorf("the exporters' child: %w", err)
	}
	return strings.TrimSpace(addr), process{cmd}, nil
}

// startPrometheus runs prometheus on loopback scraping every cluster's
// exporters every 15 s (one target per cluster, its series' own labels
// kept), with hacon's rules when given.
func startPrometheus(dir, exporters string, clusters int, rules []byte) (string, process, error) {
	var conf strings.Builder
	conf.WriteString("global:\n  scrape_interval: 15s\n  scrape_timeout: 10s\n  evaluation_interval: 15s\n")
	if rules != nil {
		rf := filepath.Join(dir, "hacon-rules.yml")
		if err := os.WriteFile(rf, rules, 0o600); err != nil {
			return "", process{}, err
		}
		fmt.Fprintf(&conf, "rule_files: [%q]\n", rf)
	}
	conf.WriteString("scrape_configs:\n  - job_name: fleet\n    honor_labels: true\n    static_configs:\n")
	f := testpeers.Fleet{Clusters: clusters}
	for i := 0; i < clusters; i++ {
		c := f.ClusterName(i)
		fmt.Fprintf(&conf, "      - targets: [%q]\n        labels: {__metrics_path__: /m/%s, instance: %s}\n", exporters, c, c)
	}
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte(conf.String()), 0o600); err != nil {
		return "", process{}, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", process{}, err
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command("prometheus", "--config.file="+cfg, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--log.level=warn")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", process{}, err
	}
	p := process{cmd}
	if err := waitFor(addr, "/-/ready", "", time.Minute); err != nil {
		p.stop()
		return "", process{}, err
	}
	return addr, p, nil
}

// waitFor polls a path of the server until its answer contains want.
func waitFor(addr, path, want string, limit time.Duration) error {
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			continue
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK && strings.Contains(string(body), want) {
			return nil
		}
	}
	return fmt.Errorf("prometheus on %s: no %q from %s within %s", addr, want, path, limit)
}
