package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hacon/hacon/actions"
)

func (c *tmuxConsole) auditPath() string { return filepath.Join(c.dir, "state", "hacon", "audit.log") }

func (c *tmuxConsole) auditEntries() []actions.AuditEntry {
	c.t.Helper()
	b, _ := os.ReadFile(c.auditPath())
	var out []actions.AuditEntry
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if line == "" {
			continue
		}
		var e actions.AuditEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			c.t.Fatalf("audit line %q: %v", line, err)
		}
		out = append(out, e)
	}
	return out
}

func (c *tmuxConsole) exited() bool {
	_, err := os.Stat(filepath.Join(c.dir, "exit"))
	return err == nil
}

// startVerifyingForever starts a move that cannot be seen (its node has no
// power), so hacon verifies until the verify timeout (60s): the test acts
// while it verifies. It returns once the result line is written.
func startVerifyingForever(t *testing.T) *tmuxConsole {
	c := startTmuxConsole(t, "demo")
	c.openDemoOvercloud()
	c.keys(":poweroff controller-2", "Enter")
	c.waitFor("controller-2 off", 15*time.Second, func() bool { return strings.Contains(c.screen(), "offline") })
	c.keys(":move openstack-cinder-volume controller-2", "Enter")
	c.waitFor("the confirmation", 15*time.Second, func() bool { return strings.Contains(c.screen(), "CONFIRM") })
	time.Sleep(time.Second) // consent keys are ignored for a moment after a dialog opens
	c.keys("y")
	c.waitFor("the result line", 15*time.Second, func() bool { return strings.Join(c.auditPhases(), ",") == "intent,result" })
	return c
}

// A dropped session during a verification: the result line is already
// there, the verification is recorded as abandoned, hacon exits at once
// (not after the 60 s verify timeout), and the chain holds.
func TestSIGHUPDuringVerificationRecordsItAbandoned(t *testing.T) {
	c := startVerifyingForever(t)
	// The result line is written before the screen repaints: wait for it.
	c.waitFor("the footer saying the action verifies", 15*time.Second, func() bool {
		return strings.Contains(c.screen(), "⟳ verifying :move openstack-cinder-volume controller-2 (result logged)")
	})
	if err := syscall.Kill(c.pid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	// Exiting before the 60 s verify timeout is what "abandoned" on the
	// verify line below proves; the 30 s limit only ends a hung test.
	c.waitFor("hacon's exit", 30*time.Second, c.exited)
	ents := c.auditEntries()
	if len(ents) != 3 {
		t.Fatalf("audit log has %d lines, want intent, result, verify: %+v", len(ents), ents)
	}
	intent, result, verify := ents[0], ents[1], ents[2]
	if intent.Phase != "intent" || result.Phase != "result" || verify.Phase != "verify" ||
		intent.ActionID == "" || result.ActionID != intent.ActionID || verify.ActionID != intent.ActionID {
		t.Errorf("phases or action_id: %+v", ents)
	}
	if !result.OK || result.VerifyState != "pending" || len(result.Hosts) != 1 || result.Hosts[0].Exit == nil || *result.Hosts[0].Exit != 0 {
		t.Errorf("result line %+v", result)
	}
	if verify.Verified || verify.VerifyState != "abandoned" || !strings.Contains(verify.Verify, "abandoned") {
		t.Errorf("verify line %+v", verify)
	}
	op := intent.Operator
	if op.User == "" || !strings.HasPrefix(op.TTY, "/dev/pts/") {
		t.Errorf("operator %+v: want the real user and the tmux pane's terminal", op)
	}
	if out, err := exec.Command(c.bin, "audit", "verify", "--file", c.auditPath()).CombinedOutput(); err != nil || !strings.Contains(string(out), "3 lines, chain intact") {
		t.Errorf("audit verify on the untouched log: %v\n%s", err, out)
	}
	// Someone edits who did it: the chain breaks at the next line.
	b, _ := os.ReadFile(c.auditPath())
	edited := strings.Replace(string(b), `"user":"`+op.User+`"`, `"user":"nobody"`, 1)
	os.WriteFile(c.auditPath(), []byte(edited), 0o600)
	out, err := exec.Command(c.bin, "audit", "verify", "--file", c.auditPath()).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(out), "audit.log:2: chain broken") || !strings.Contains(string(out), "line 1 was changed") {
		t.Errorf("audit verify on an edited log: %v\n%s", err, out)
	}
}

// q while an action verifies says so; a second q leaves, and the
// verification is recorded as abandoned.
func TestQuitWhileVerifyingSaysSoThenLeaves(t *testing.T) {
	c := startVerifyingForever(t)
	c.keys("q")
	c.waitFor("the warning", 10*time.Second, func() bool {
		return strings.Contains(c.screen(), "q again leaves: result logged, verification abandoned")
	})
	if c.exited() {
		t.Fatal("the first q left while an action verified")
	}
	c.keys("q")
	c.waitFor("hacon's exit", 30*time.Second, c.exited)
	if got := strings.Join(c.auditPhases(), ","); got != "intent,result,verify" {
		t.Fatalf("phases %q", got)
	}
	if v := c.auditEntries()[2]; v.VerifyState != "abandoned" {
		t.Errorf("verify line %+v", v)
	}
	if code, _ := os.ReadFile(filepath.Join(c.dir, "exit")); strings.TrimSpace(string(code)) != "0" {
		t.Errorf("exit code %q", code)
	}
}
