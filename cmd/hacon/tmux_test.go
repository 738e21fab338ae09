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
	c.openDemoOvercloud()
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

// openDemoOvercloud waits for the demo's first screen, the fleet (the
// demo has two clusters), and opens demo-overcloud with :cluster.
func (c *tmuxConsole) openDemoOvercloud() {
	c.t.Helper()
	c.waitFor("the fleet", 20*time.Second, func() bool { return strings.Contains(c.screen(), "2 clusters:") })
	c.keys(":cluster demo-overcloud", "Enter")
	c.waitFor("demo-overcloud's overview", 20*time.Second, func() bool { return strings.Contains(c.screen(), "cinder-volume") })
}

// Issue 18: with more than one cluster the fleet is the first screen;
// enter opens the cluster under the cursor, esc comes back to the fleet,
// and esc on the fleet clears its filter.
func TestTmuxFleetEnterEsc(t *testing.T) {
	c := startTmuxConsole(t, "demo")
	fleet := func() bool {
		s := c.screen()
		return strings.Contains(s, "CLUSTER") && strings.Contains(s, "demo-kolla") && strings.Contains(s, "demo-overcl")
	}
	c.waitFor("the fleet with both demo clusters", 20*time.Second, fleet)
	for i, line := range strings.Split(strings.TrimRight(c.screen(), "\n"), "\n") {
		if len([]rune(line)) > 80 {
			t.Errorf("fleet line %d wider than 80: %q", i, line)
		}
	}
	c.keys("/", "overcloud", "Enter")
	c.waitFor("the fleet filtered to demo-overcloud", 15*time.Second, func() bool {
		s := c.screen()
		return strings.Contains(s, "1 cluster: ") && strings.Contains(s, "filter /overcloud")
	})
	overview := func() bool {
		s := c.screen()
		return strings.Contains(s, "cinder-volume") && strings.Contains(s, "controller-2") && !strings.Contains(s, "CLUSTER")
	}
	c.keys("Enter")
	c.waitFor("demo-overcloud's overview after enter", 15*time.Second, overview)
	c.keys("Escape")
	c.waitFor("the fleet again after esc", 15*time.Second, func() bool {
		s := c.screen()
		return strings.Contains(s, "CLUSTER") && strings.Contains(s, "filter /overcloud") && !strings.Contains(s, "cinder-volume")
	})
	c.keys("Enter")
	c.waitFor("the overview again", 15*time.Second, overview)
	c.keys("Escape")
	c.waitFor("the fleet", 15*time.Second, func() bool { return strings.Contains(c.screen(), "filter /overcloud") })
	c.keys("Escape")
	c.waitFor("the unfiltered fleet after a second esc", 15*time.Second, func() bool {
		return fleet() && !strings.Contains(c.screen(), "filter /")
	})
	c.keys("q")
	c.waitFor("hacon's exit on q", 10*time.Second, c.exited)
	if b, _ := os.ReadFile(filepath.Join(c.dir, "exit")); strings.TrimSpace(string(b)) != "0" {
		t.Fatalf("hacon demo exited %s", b)
	}
}
