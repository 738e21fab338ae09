package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The real binary in a real terminal: `hacon demo` in tmux at 80x24, keys
// sent with send-keys, the screen read with capture-pane.
func TestTmuxSmoke(t *testing.T) {
	c := startTmuxConsole(t, "demo")
	c.waitFor("overview with 3 controllers and services", 15*time.Second, func() bool {
		s := c.screen()
		return strings.Contains(s, "keystone") && strings.Contains(s, "cinder-volume") &&
			(strings.Count(s, "controller-") >= 3 || strings.Count(s, "ctrl-") >= 3 || strings.Count(s, "c-") >= 3)
	})
	for i, line := range strings.Split(strings.TrimRight(c.screen(), "\n"), "\n") {
		if len([]rune(line)) > 80 {
			t.Errorf("line %d wider than 80: %q", i, line)
		}
	}
	c.keys("?")
	c.waitFor("help", 15*time.Second, func() bool {
		s := strings.ToLower(c.screen())
		return strings.Contains(s, "quit") && strings.Contains(s, "help")
	})
	// A bare ESC followed at once by q reads as alt+q: let it stand alone.
	c.keys("Escape")
	c.waitFor("overview again", 15*time.Second, func() bool {
		s := c.screen()
		return strings.Contains(s, "SERVICES") || strings.Contains(s, "SVC")
	})
	c.keys("q")
	exitFile := filepath.Join(c.dir, "exit")
	c.waitFor("hacon's exit on q", 10*time.Second, func() bool {
		_, err := os.Stat(exitFile)
		return err == nil
	})
	if b, _ := os.ReadFile(exitFile); strings.TrimSpace(string(b)) != "0" {
		t.Fatalf("hacon demo exited %s", b)
	}
}
