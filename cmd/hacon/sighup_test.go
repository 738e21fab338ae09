package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// tmuxConsole is the real binary in a real terminal at 80x24.
type tmuxConsole struct {
	t        *testing.T
	dir, bin string
	sock     string
}

func startTmuxConsole(t *testing.T, args string) *tmuxConsole {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tmux missing in CI")
		}
		t.Skip("tmux not installed")
	}
	c := &tmuxConsole{t: t, dir: t.TempDir()}
	c.bin = filepath.Join(c.dir, "hacon")
	c.sock = filepath.Join(c.dir, "tmux.sock")
	if out, err := exec.Command("go", "build", "-o", c.bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	script := "XDG_STATE_HOME=" + c.dir + "/state NO_COLOR=1 " + c.bin + " " + args + " 2>" + c.dir + "/stderr"
	wrapper := script + "; echo $? > " + c.dir + "/exit; sleep 60"
	c.tmux("new-session", "-d", "-x", "80", "-y", "24", "-s", "hacon", "sh", "-c", wrapper)
	t.Cleanup(func() { exec.Command("tmux", "-S", c.sock, "kill-server").Run() })
	return c
}

func (c *tmuxConsole) tmux(args ...string) string {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "tmux", append([]string{"-S", c.sock}, args...)...).CombinedOutput()
	if err != nil {
		c.t.Fatalf("tmux %v: %v %s", args, err, out)
	}
	return string(out)
}

func (c *tmuxConsole) keys(keys ...string) {
	c.tmux(append([]string{"send-keys", "-t", "hacon"}, keys...)...)
}

func (c *tmuxConsole) screen() string { return c.tmux("capture-pane", "-p", "-t", "hacon") }

// waitFor polls a condition at most every 200 ms until limit; the limit
// only bounds a failing test, it measures nothing.
func (c *tmuxConsole) waitFor(what string, limit time.Duration, ok func() bool) {
	c.t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			errb, _ := os.ReadFile(filepath.Join(c.dir, "stderr"))
			c.t.Fatalf("%s not seen; stderr %q; screen:\n%s", what, errb, c.screen())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (c *tmuxConsole) auditPhases() []string {
	b, _ := os.ReadFile(filepath.Join(c.dir, "state", "hacon", "audit.log"))
	var phases []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if i := strings.Index(line, `"phase":"`); i >= 0 {
			rest := line[i+len(`"phase":"`):]
			phases = append(phases, rest[:strings.IndexByte(rest, '"')])
		}
	}
	return phases
}

// pid is the console's process, the child of the pane's shell.
func (c *tmuxConsole) pid() int {
	out := strings.TrimSpace(c.tmux("list-panes", "-t", "hacon", "-F", "#{pane_pid}"))
	pane, err := strconv.Atoi(out)
	if err != nil {
		c.t.Fatalf("pane pid %q", out)
	}
	kids, _ := exec.Command("pgrep", "-P", strconv.Itoa(pane), "-f", c.bin).Output()
	if f := strings.Fields(string(kids)); len(f) > 0 {
		pid, _ := strconv.Atoi(f[0])
		return pid
	}
	c.t.Fatalf("no hacon process under pane %d", pane)
	return 0
}

// Issue 11 #3: SIGHUP (a dropped SSH session) while an action runs: the
// console closes, and hacon waits for the action and writes its result
// and its verify line.
func TestSIGHUPDuringAnActionKeepsItsResult(t *testing.T) {
	c := startTmuxConsole(t, "demo")
	c.openDemoOvercloud()
	c.keys(":standby controller-1", "Enter")
	c.waitFor("the confirmation", 10*time.Second, func() bool { return strings.Contains(c.screen(), "CONFIRM") })
	time.Sleep(time.Second) // consent keys are ignored for a moment after a dialog opens
	c.keys("y")
	c.waitFor("the intent in the audit log", 10*time.Second, func() bool { return len(c.auditPhases()) >= 1 })
	if err := syscall.Kill(c.pid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	c.waitFor("hacon's exit", 90*time.Second, func() bool {
		_, err := os.Stat(filepath.Join(c.dir, "exit"))
		return err == nil
	})
	if got := strings.Join(c.auditPhases(), ","); got != "intent,result,verify" {
		errb, _ := os.ReadFile(filepath.Join(c.dir, "stderr"))
		t.Errorf("audit phases after SIGHUP = %q, want intent,result,verify; stderr %q", got, errb)
	}
}

// While hacon waits for an action's commands after the console closed, a
// ctrl-c (SIGINT, the terminal no longer raw) is answered, not obeyed.
func TestInterruptsAreAnsweredWhileWaiting(t *testing.T) {
	var b syncBuffer
	stop := holdInterrupts(&b)
	defer stop()
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(b.String(), "still waiting") {
		if time.Now().After(deadline) {
			t.Fatalf("SIGINT not answered; wrote %q", b.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
