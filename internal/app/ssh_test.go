package app_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/internal/app"
	"github.com/hacon/hacon/internal/testpeers"
)

// A console polling Pacemaker through ssh logs in once per controller:
// every poll (crm_mon, cibadmin) after the first rides the same
// connection. Twenty polls at 250 ms stand for the 20 s at 1 s:
// what is counted is logins per poll, not time.
func TestPollingOverSSHLogsInOncePerController(t *testing.T) {
	if _, err := exec.LookPath("crm_mon"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("crm_mon missing in CI: apt-get install -y pacemaker-cli-utils")
		}
		t.Skip("crm_mon not installed")
	}
	s := testpeers.StartSSHD(t, "127.0.0.1", "127.0.0.2", "127.0.0.3")
	cib, err := filepath.Abs("../../probes/testdata/pcmk/cib-3node.xml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var b strings.Builder
	fmt.Fprintf(&b, "interval: 1s\ntimeout: 3s\naudit_log: %s/audit.log\nevents_log: %s/events.log\nclusters:\n  - name: oc\n    controllers:\n", dir, dir)
	for i := range 3 {
		fmt.Fprintf(&b, "      - {name: controller-%d, address: 127.0.0.%d}\n", i, i+1)
	}
	b.WriteString("    pacemaker:\n      command: [")
	for _, w := range append(s.Prefix(), "env", "CIB_file="+cib) {
		fmt.Fprintf(&b, "%q, ", w)
	}
	b.WriteString("]\n")
	path := filepath.Join(dir, "hacon.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	sockDir, err := os.MkdirTemp("", "hm")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(sockDir)
	a, err := app.New(app.Options{ConfigPath: path, Interval: 250 * time.Millisecond, SocketDir: sockDir})
	if err != nil {
		t.Fatal(err)
	}
	a.Start()
	defer a.Close()
	const polls = 20
	deadline := time.Now().Add(90 * time.Second)
	for {
		l, _ := a.SSH.Link("oc", "controller-0")
		if l.Commands >= polls {
			break
		}
		if time.Now().After(deadline) {
			snap := a.Sched.Snapshot()
			t.Fatalf("only %d commands through controller-0's link: %+v; sources %+v", l.Commands, l, snap.ClusterByName("oc").Sources)
		}
		time.Sleep(100 * time.Millisecond)
	}
	snap := a.Sched.Snapshot()
	c := snap.ClusterByName("oc")
	if c == nil || !c.HasPacemaker || c.PacemakerVia != "controller-0" || c.DC != "controller-0" {
		t.Fatalf("Pacemaker through ssh: %+v", c)
	}
	if n := s.Logins(t); n > 3 || n < 1 {
		t.Errorf("%d logins for %d commands; want at most one per controller", n, polls)
	}
	a.Close()
	if ents, _ := os.ReadDir(sockDir); len(ents) != 0 {
		t.Errorf("control sockets left after Close: %v", ents)
	}
}
