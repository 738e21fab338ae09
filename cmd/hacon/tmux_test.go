package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The real binary in a real terminal: `hacon demo` in tmux at 80x24, keys
// sent with send-keys, the screen read with capture-pane.
func TestTmuxSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tmux missing in CI")
		}
		t.Skip("tmux not installed")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "hacon")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	sock := filepath.Join(dir, "tmux.sock")
	exitFile := filepath.Join(dir, "exit")
	tmux := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, "tmux", append([]string{"-S", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v %s", args, err, out)
		}
		return string(out)
	}
	script := "XDG_STATE_HOME=" + dir + "/state NO_COLOR=1 " + bin + " demo 2>" + dir + "/err; echo $? > " + exitFile + "; sleep 30"
	tmux("new-session", "-d", "-x", "80", "-y", "24", "-s", "hacon", "sh", "-c", script)
	t.Cleanup(func() { exec.Command("tmux", "-S", sock, "kill-server").Run() })

	screen := func() string { return tmux("capture-pane", "-p", "-t", "hacon") }
	waitFor := func(what string, ok func(string) bool) string {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			s := screen()
			if ok(s) {
				return s
			}
			if time.Now().After(deadline) {
				b, _ := os.ReadFile(filepath.Join(dir, "err"))
				t.Fatalf("%s not seen; stderr %s; screen:\n%s", what, b, s)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	s := waitFor("overview with 3 controllers and services", func(s string) bool {
		return strings.Contains(s, "keystone") && strings.Contains(s, "cinder-volume") &&
			(strings.Count(s, "controller-") >= 3 || strings.Count(s, "ctrl-") >= 3 || strings.Count(s, "c-") >= 3)
	})
	for i, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		if len([]rune(line)) > 80 {
			t.Errorf("line %d wider than 80: %q", i, line)
		}
	}
	tmux("send-keys", "-t", "hacon", "?")
	waitFor("help", func(s string) bool {
		return strings.Contains(strings.ToLower(s), "quit") && strings.Contains(strings.ToLower(s), "help")
	})
	tmux("send-keys", "-t", "hacon", "Escape")
	// A bare ESC followed at once by q reads as alt+q: let it stand alone.
	waitFor("overview again", func(s string) bool { return strings.Contains(s, "SERVICES") || strings.Contains(s, "SVC") })
	tmux("send-keys", "-t", "hacon", "q")
	deadline := time.Now().Add(10 * time.Second)
	for {
		if b, err := os.ReadFile(exitFile); err == nil {
			if code := strings.TrimSpace(string(b)); code != "0" {
				t.Fatalf("hacon demo exited %s", code)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("hacon did not exit on q; screen:\n%s", screen())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
