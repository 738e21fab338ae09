package testpeers

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Server is one server line of a test HAProxy backend.
type Server struct {
	Name   string
	Addr   string // host:port of a real listener
	Backup bool
}

// HAProxy is a real haproxy process with an admin socket.
type HAProxy struct {
	Dir  string
	Sock string // admin socket path (runtime API)
	cmd  *exec.Cmd
	done chan struct{}
}

// RequireHAProxy skips without haproxy, except in CI where it must exist.
func RequireHAProxy(t testing.TB) string {
	t.Helper()
	for _, p := range []string{"haproxy", "/usr/sbin/haproxy"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("haproxy not installed (CI=true): apt-get install -y haproxy")
	}
	t.Skip("haproxy not installed")
	return ""
}

// StatsPage also serves HAProxy's stats page on bind (e.g. "[::1]:18000"),
// as a real deployment's stats listener does.
func StatsPage(bind string) func(*strings.Builder) {
	return func(b *strings.Builder) {
		fmt.Fprintf(b, "listen stats\n  bind %s\n  stats enable\n  stats uri /\n\n", bind)
	}
}

// StartHAProxy runs haproxy with the given backends (health checks every
// 200 ms) and an admin-level stats socket; it is stopped at cleanup. extras
// add listeners such as StatsPage.
func StartHAProxy(t testing.TB, backends map[string][]Server, extras ...func(*strings.Builder)) *HAProxy {
	t.Helper()
	bin := RequireHAProxy(t)
	dir := t.TempDir()
	h := &HAProxy{Dir: dir, Sock: filepath.Join(dir, "admin.sock"), done: make(chan struct{})}
	var b strings.Builder
	fmt.Fprintf(&b, "global\n  stats socket %s mode 600 level admin\n\ndefaults\n  mode http\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\n\n", h.Sock)
	for name, servers := range backends {
		fmt.Fprintf(&b, "backend %s\n", name)
		for _, s := range servers {
			bk := ""
			if s.Backup {
				bk = " backup"
			}
			fmt.Fprintf(&b, "  server %s %s check inter 200ms fall 2 rise 1%s\n", s.Name, s.Addr, bk)
		}
	}
	for _, extra := range extras {
		extra(&b)
	}
	cfg := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(cfg, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	h.cmd = exec.Command(bin, "-f", cfg, "-db")
	h.cmd.Dir = dir
	if err := h.cmd.Start(); err != nil {
		t.Fatalf("start haproxy: %v", err)
	}
	go func() { _ = h.cmd.Wait(); close(h.done) }()
	t.Cleanup(func() {
		_ = h.cmd.Process.Kill()
		<-h.done
	})
	deadline := time.Now().Add(5 * time.Second)
	for {
		if c, err := net.Dial("unix", h.Sock); err == nil {
			c.Close()
			return h
		}
		select {
		case <-h.done:
			t.Fatalf("haproxy exited early (config %s)", cfg)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("haproxy socket %s not ready", h.Sock)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// RuntimeCommand sends one command to a runtime API socket and returns the
// reply: the test's own view of what HAProxy holds, not hacon's.
func RuntimeCommand(t testing.TB, sock, cmd string) string {
	t.Helper()
	c, err := net.DialTimeout("unix", sock, 2*time.Second)
	if err != nil {
		t.Fatalf("runtime API %s: %v", sock, err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte(cmd + "\n")); err != nil {
		t.Fatalf("runtime API %s: %v", sock, err)
	}
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}
