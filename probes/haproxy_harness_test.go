package probes

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/internal/testpeers"
)

// realHAProxy is a real haproxy 2.6 process started by a test, in front of
// tiny Go HTTP servers on 127.0.0.1, with fast health checks.
type realHAProxy struct {
	Sock     string // admin socket path
	TCPSock  string // tcp://127.0.0.1:port, an admin-level runtime API too
	StatsURL string // http://127.0.0.1:port (append /stats;csv or /metrics)
	PromEx   bool   // the binary has the Prometheus exporter
	Servers  map[string]*tinyServer
	Backup   map[string]bool // "backend/server" → configured as backup
	Order    []string        // "backend/server" in config order
}

// The LB the tests build: three backends, one with a backup server.
var testBackends = []struct {
	name    string
	servers []string
	backup  string
}{
	{"be_keystone", []string{"ks0", "ks1", "ks2"}, ""},
	{"be_nova", []string{"nv0", "nv1"}, "nvbk"},
	{"be_glance", []string{"gl0", "gl1"}, ""},
}

// tinyServer is one backend server: a real HTTP listener that answers 200.
type tinyServer struct {
	Addr string
	srv  *http.Server
	once sync.Once
}

func startTiny(t *testing.T) *tinyServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &tinyServer{Addr: ln.Addr().String(), srv: &http.Server{
		Handler:           http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) }),
		ReadHeaderTimeout: 2 * time.Second,
	}}
	go func() { _ = s.srv.Serve(ln) }()
	t.Cleanup(s.Close)
	return s
}

// Close stops the server so HAProxy's checks get "connection refused".
func (s *tinyServer) Close() { s.once.Do(func() { _ = s.srv.Close() }) }

// needHAProxy returns haproxy's path, or skips (fails in CI, where .ci/run
// installs it and a skip would hide a broken setup).
func needHAProxy(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("haproxy")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("haproxy is not installed, and CI=true: install it (apt-get install -y haproxy)")
		}
		t.Skip("haproxy is not installed; apt-get install -y haproxy")
	}
	return p
}

// lockedBuffer collects haproxy's output for failure messages.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func startHAProxy(t *testing.T) *realHAProxy {
	t.Helper()
	bin := needHAProxy(t)
	vv, err := exec.Command(bin, "-vv").CombinedOutput()
	if err != nil {
		t.Fatalf("haproxy -vv: %v\n%s", err, vv)
	}
	promEx := bytes.Contains(vv, []byte("+PROMEX")) || bytes.Contains(vv, []byte("USE_PROMEX=1"))
	// A free port can be taken by a parallel test between freePort and
	// haproxy's bind: then again, on other ports.
	for attempt := 1; ; attempt++ {
		if h, portTaken := launchHAProxy(t, bin, promEx); !portTaken {
			return h
		} else if attempt == 3 {
			t.Fatal("haproxy: its ports were taken three times in a row")
		}
	}
}

// launchHAProxy starts haproxy on fresh ports; portTaken when one of them
// was taken before haproxy could bind it.
func launchHAProxy(t *testing.T, bin string, promEx bool) (h *realHAProxy, portTaken bool) {
	t.Helper()
	dir := t.TempDir()
	h = &realHAProxy{
		Sock:    filepath.Join(dir, "admin.sock"),
		TCPSock: fmt.Sprintf("tcp://127.0.0.1:%d", testpeers.FreePort(t)),
		PromEx:  promEx,
		Servers: map[string]*tinyServer{},
		Backup:  map[string]bool{},
	}
	statsPort := testpeers.FreePort(t)
	h.StatsURL = fmt.Sprintf("http://127.0.0.1:%d", statsPort)

	var cfg strings.Builder
	fmt.Fprintf(&cfg, `global
  stats socket %s mode 600 level admin
  stats socket ipv4@%s level admin
defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
  timeout check 1s
listen stats
  bind 127.0.0.1:%d
`, h.Sock, strings.TrimPrefix(h.TCPSock, "tcp://"), statsPort)
	if h.PromEx {
		cfg.WriteString("  http-request use-service prometheus-exporter if { path /metrics }\n")
	}
	cfg.WriteString("  stats enable\n  stats uri /stats\n")
	for _, be := range testBackends {
		fmt.Fprintf(&cfg, "backend %s\n  option httpchk GET /\n", be.name)
		names := append(append([]string{}, be.servers...), be.backup)
		for _, s := range names {
			if s == "" {
				continue
			}
			ts := startTiny(t)
			h.Servers[s] = ts
			key := be.name + "/" + s
			h.Order = append(h.Order, key)
			extra := ""
			if s == be.backup {
				extra, h.Backup[key] = " backup", true
			}
			fmt.Fprintf(&cfg, "  server %s %s check inter 200ms fall 2 rise 1%s\n", s, ts.Addr, extra)
		}
	}
	cfgPath := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(cfgPath, []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	out := &lockedBuffer{}
	cmd := exec.Command(bin, "-f", cfgPath, "-db")
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start haproxy: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})

	// Ready once the socket answers and every checked server is UP.
	h.waitFor(t, 5*time.Second, "all servers UP", func() (bool, string) {
		select {
		case <-exited:
			if strings.Contains(out.String(), "Address already in use") {
				portTaken = true
				return true, ""
			}
			t.Fatalf("haproxy exited early:\n%s\nconfig:\n%s", out.String(), cfg.String())
		default:
		}
		lb, err := fetchShowStat(context.Background(), h.Sock)
		if err != nil {
			return false, err.Error()
		}
		st := statusMap(lb)
		for _, k := range h.Order {
			if st[k] != "UP" {
				return false, fmt.Sprintf("%s is %q", k, st[k])
			}
		}
		return true, ""
	})
	return h, portTaken
}

// waitFor polls cond every 50 ms until it holds or limit passes, and fails
// the test with cond's last explanation.
func (h *realHAProxy) waitFor(t *testing.T, limit time.Duration, what string, cond func() (bool, string)) time.Duration {
	t.Helper()
	start := time.Now()
	last := ""
	for time.Since(start) < limit {
		ok, why := cond()
		if ok {
			return time.Since(start)
		}
		last = why
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("waited %s for %s; last: %s", limit, what, last)
	return 0
}

// statusMap keys each server's status by "backend/server".
func statusMap(lb *cluster.LoadBalancer) map[string]string {
	m := map[string]string{}
	for _, s := range lb.Servers {
		m[s.Backend+"/"+s.Server] = s.Status
	}
	return m
}

func findServer(t *testing.T, lb *cluster.LoadBalancer, key string) cluster.LBServer {
	t.Helper()
	for _, s := range lb.Servers {
		if s.Backend+"/"+s.Server == key {
			return s
		}
	}
	t.Fatalf("%s not in %s's servers %v", key, lb.Source, statusMap(lb))
	return cluster.LBServer{}
}
