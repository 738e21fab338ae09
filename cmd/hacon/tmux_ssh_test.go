package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/internal/testpeers"
)

// ssh's own questions never reach the operator's terminal: with a host key
// not in known_hosts and a prefix without BatchMode, `hacon status` and
// the console, both in a real terminal (tmux), show no prompt, never wait
// for an answer, and name the fix.
func TestTmuxSSHNeverPrompts(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tmux missing in CI")
		}
		t.Skip("tmux not installed")
	}
	s := testpeers.StartSSHD(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "hacon")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	empty := filepath.Join(dir, "known_hosts")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	prefix := s.Prefix()
	prefix[len(prefix)-2] = "UserKnownHostsFile=" + empty
	var cmd strings.Builder
	for _, w := range prefix {
		fmt.Fprintf(&cmd, "%q, ", w)
	}
	cfg := filepath.Join(dir, "hacon.yaml")
	yaml := fmt.Sprintf("interval: 1s\naudit_log: %s/audit.log\nevents_log: %s/events.log\nclusters:\n  - name: oc\n    controllers:\n"+
		"      - {name: controller-0, address: 127.0.0.1}\n    pacemaker:\n      command: [%s]\n", dir, dir, cmd.String())
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "tmux.sock")
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
	env := "XDG_RUNTIME_DIR= TMPDIR=" + dir + " XDG_STATE_HOME=" + dir + "/state NO_COLOR=1 "
	script := env + bin + " status --config " + cfg + " >" + dir + "/status.out 2>&1; echo $? >" + dir + "/status.rc; " +
		env + bin + " --config " + cfg + " 2>" + dir + "/err; sleep 30"
	tmux("new-session", "-d", "-x", "200", "-y", "40", "-s", "hacon", "sh", "-c", script)
	t.Cleanup(func() { exec.Command("tmux", "-S", sock, "kill-server").Run() })
	screen := func() string { return tmux("capture-pane", "-p", "-t", "hacon") }
	prompt := func(s string) bool {
		return strings.Contains(s, "authenticity") || strings.Contains(s, "yes/no") || strings.Contains(s, "assword")
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		sc := screen()
		if prompt(sc) {
			t.Fatalf("ssh prompted on the terminal:\n%s", sc)
		}
		if strings.Contains(sc, "host key not known") {
			break
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(dir, "err"))
			st, _ := os.ReadFile(filepath.Join(dir, "status.out"))
			t.Fatalf("the console never named the host-key problem; stderr %s\nstatus %s\nscreen:\n%s", b, st, sc)
		}
		time.Sleep(200 * time.Millisecond)
	}
	st, _ := os.ReadFile(filepath.Join(dir, "status.out"))
	rc, _ := os.ReadFile(filepath.Join(dir, "status.rc"))
	want := "controller-0: host key not known: run `ssh -F /dev/null -p "
	if !strings.Contains(string(st), want) || strings.TrimSpace(string(rc)) == "0" || prompt(string(st)) {
		t.Errorf("hacon status exited %s:\n%s", rc, st)
	}
	if n := s.Logins(t); n != 0 {
		t.Errorf("%d logins with an unknown host key", n)
	}
	tmux("send-keys", "-t", "hacon", "q")
}
