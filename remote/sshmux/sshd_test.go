package sshmux

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/internal/testpeers"
	"github.com/hacon/hacon/remote"
)

// These tests run the system ssh against a real OpenSSH sshd on loopback
// (internal/testpeers) and count logins in sshd's own log.

var ctls = []config.Controller{{Name: "c0", Address: "127.0.0.1"}, {Name: "c1", Address: "127.0.0.2"}}

// shortDir is a private socket directory with a short path.
func shortDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "hm")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

func newManager(t *testing.T, prefix []string) (*Manager, remote.Transport) {
	t.Helper()
	return newManagerTimeout(t, prefix, 3*time.Second)
}

// newManagerTimeout sets the Pacemaker source's timeout, which bounds
// ssh's ServerAlive timers.
func newManagerTimeout(t *testing.T, prefix []string, timeout time.Duration) (*Manager, remote.Transport) {
	t.Helper()
	cfg := &config.Config{Interval: time.Second, Timeout: timeout,
		Clusters: []config.Cluster{{Name: "oc", Controllers: ctls, Pacemaker: &config.Pacemaker{Command: prefix}}}}
	m := New(Options{Config: cfg, Dir: shortDir(t)})
	t.Cleanup(m.Close)
	return m, m.For(&cfg.Clusters[0])
}

func runOn(t *testing.T, tr remote.Transport, c config.Controller, timeout time.Duration) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out, err := tr.Run(ctx, c, []string{"echo", "hello"})
	if err == nil && strings.TrimSpace(string(out.Stdout)) != "hello" {
		t.Errorf("stdout %q", out.Stdout)
	}
	return err
}

// Twenty commands to each of two controllers, five of them at once from
// a cold start, log in once per controller; Close ends both masters.
func TestOneLoginPerController(t *testing.T) {
	t.Parallel()
	s := testpeers.StartSSHD(t, "127.0.0.1", "127.0.0.2")
	m, tr := newManager(t, s.Prefix())
	for _, c := range ctls {
		var wg sync.WaitGroup
		for range 5 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := runOn(t, tr, c, 10*time.Second); err != nil {
					t.Errorf("%s: %v", c.Name, err)
				}
			}()
		}
		wg.Wait()
		for range 15 {
			if err := runOn(t, tr, c, 10*time.Second); err != nil {
				t.Fatalf("%s: %v", c.Name, err)
			}
		}
	}
	if n := s.Logins(t); n != len(ctls) {
		t.Errorf("%d logins for 40 commands on %d controllers, want one each", n, len(ctls))
	}
	links := m.Links()
	if len(links) != 2 || !links[0].Up || links[0].Reuse != ReuseHacon || links[0].Commands != 20 || links[0].Reconnects != 0 || links[0].Since.IsZero() {
		t.Errorf("links %+v", links)
	}
	socks := sockets(t, m)
	if len(socks) != 2 {
		t.Fatalf("control sockets %v, want 2", socks)
	}
	m.Close()
	if left := sockets(t, m); len(left) != 0 {
		t.Errorf("sockets left after Close: %v", left)
	}
}

func sockets(t *testing.T, m *Manager) []string {
	t.Helper()
	ents, err := os.ReadDir(m.dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// With ControlPath=none in the prefix (how an operator turns sharing off)
// every command logs in: the operator's setting wins.
func TestPrefixTurnsReuseOff(t *testing.T) {
	t.Parallel()
	s := testpeers.StartSSHD(t)
	m, tr := newManager(t, s.Prefix("-o", "ControlPath=none"))
	for range 3 {
		if err := runOn(t, tr, ctls[0], 10*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.Logins(t); n != 3 {
		t.Errorf("%d logins for 3 commands without sharing", n)
	}
	if l, _ := m.Link("oc", "c0"); l.Reuse != ReusePrefix || !l.Up || len(sockets(t, m)) != 0 {
		t.Errorf("link %+v, sockets %v", l, sockets(t, m))
	}
}

// ControlMaster in the operator's ssh config (ssh -G sees it) also wins.
func TestSSHConfigTurnsHaconReuseOff(t *testing.T) {
	t.Parallel()
	s := testpeers.StartSSHD(t)
	cfgFile := shortDir(t) + "/config"
	if err := os.WriteFile(cfgFile, []byte("Host *\n  ControlMaster no\n  ControlPersist 5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := s.Prefix()
	p[2] = cfgFile // -F /dev/null → -F cfgFile
	m, tr := newManager(t, p)
	if err := runOn(t, tr, ctls[0], 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if l, _ := m.Link("oc", "c0"); l.Reuse != ReuseSSHConfig || !strings.Contains(l.ReuseWhy, "controlpersist 5") {
		t.Errorf("link %+v", l)
	}
}

// An unknown host key, with a prefix that does not ask for BatchMode,
// fails at once, unreachable, in words naming the command that fixes it.
func TestUnknownHostKeyNamesTheFix(t *testing.T) {
	t.Parallel()
	s := testpeers.StartSSHD(t)
	empty := shortDir(t) + "/known_hosts"
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	p := s.Prefix()
	p[len(p)-2] = "UserKnownHostsFile=" + empty
	m, tr := newManager(t, p)
	err := runOn(t, tr, ctls[0], 10*time.Second)
	var se *Error
	want := "host key not known: run `ssh -F /dev/null -p " + strconv.Itoa(s.Port) + " -i " + s.ClientKey +
		" -o IdentitiesOnly=yes -o UserKnownHostsFile=" + empty + " " + s.User + "@127.0.0.1` once to accept it"
	if !errors.As(err, &se) || !remote.IsUnreachable(err) || err.Error() != want {
		t.Fatalf("err %v\nwant %s", err, want)
	}
	if l, _ := m.Link("oc", "c0"); l.Up || l.LastError != want {
		t.Errorf("link %+v", l)
	}
	if n := s.Logins(t); n != 0 {
		t.Errorf("%d logins", n)
	}
}

// A killed master is replaced by the next command: one more login, one
// reconnect.
func TestKilledMasterIsReplaced(t *testing.T) {
	t.Parallel()
	s := testpeers.StartSSHD(t)
	m, tr := newManager(t, s.Prefix())
	if err := runOn(t, tr, ctls[0], 10*time.Second); err != nil {
		t.Fatal(err)
	}
	killMaster(t, m, "c0")
	if err := runOn(t, tr, ctls[0], 10*time.Second); err != nil {
		t.Fatalf("after the master was killed: %v", err)
	}
	if l, _ := m.Link("oc", "c0"); !l.Up || l.Reconnects != 1 || s.Logins(t) != 2 {
		t.Errorf("link %+v, %d logins", l, s.Logins(t))
	}
}

// killMaster SIGKILLs the master of a controller.
func killMaster(t *testing.T, m *Manager, ctl string) {
	t.Helper()
	pid, err := m.MasterPID("oc", ctl)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
}

// sshd stopped (SIGSTOP: the kernel still accepts, nothing answers): a
// command through the live master returns at its deadline and the master
// is found dead (its check gets half the 8s source timeout) and closed
// before ServerAlive would end it (3s × 3 after the last traffic), so the next command connects afresh,
// bounded by ConnectTimeout; once sshd runs again it reconnects.
func TestStoppedSSHDIsBounded(t *testing.T) {
	t.Parallel()
	s := testpeers.StartSSHD(t)
	m, tr := newManagerTimeout(t, s.Prefix(), 8*time.Second)
	if err := runOn(t, tr, ctls[0], 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := s.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	// A hang fails the test by its timeout; a return is the point.
	if err := runOn(t, tr, ctls[0], 1500*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("command through the master with sshd stopped: %v", err)
	}
	waitNoCheck(t, m)
	if socks := sockets(t, m); len(socks) != 0 {
		t.Errorf("the dead master's socket is still there: %v", socks)
	}
	// No master now: a new connection, stuck in the banner exchange.
	if err := runOn(t, tr, ctls[0], 1500*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) && !remote.IsUnreachable(err) {
		t.Fatalf("new connection with sshd stopped: %v", err)
	}
	if l, _ := m.Link("oc", "c0"); l.Up || l.LastError == "" {
		t.Errorf("link %+v", l)
	}
	if err := s.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	if err := runOn(t, tr, ctls[0], 10*time.Second); err != nil {
		t.Fatalf("after sshd resumed: %v", err)
	}
	if l, _ := m.Link("oc", "c0"); !l.Up || l.Reconnects != 1 {
		t.Errorf("link %+v", l)
	}
}

// waitNoCheck waits for the health checks under way to finish.
func waitNoCheck(t *testing.T, m *Manager) {
	t.Helper()
	for range 300 {
		busy := false
		m.mu.Lock()
		for _, l := range m.links {
			l.mu.Lock()
			busy = busy || l.checking
			l.mu.Unlock()
		}
		m.mu.Unlock()
		if !busy {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("health check still running after 15s")
}
