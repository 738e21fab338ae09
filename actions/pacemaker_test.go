package actions

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/probes"
	"github.com/hacon/hacon/remote"
)

func needPacemakerCLI(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"crm_simulate", "crm_mon", "crm_resource", "cibadmin"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s missing in CI (make test installs pacemaker-cli-utils)", tool)
			}
			t.Skipf("%s not installed", tool)
		}
	}
}

// cibCluster is a "cluster" made of a CIB file: crm_resource and friends
// change its configuration through CIB_file, and, as a DC would, Kick runs
// crm_simulate -S -O to carry out the resulting transition; the real
// Pacemaker probe reads it back with crm_mon.
type cibCluster struct {
	t     *testing.T
	file  string
	sched *probes.Scheduler
	mu    sync.Mutex
	snap  cluster.Snapshot
}

func (c *cibCluster) settle() {
	c.t.Helper()
	out, err := exec.Command("crm_simulate", "-x", c.file, "-S", "-O", c.file).CombinedOutput()
	if err != nil {
		c.t.Errorf("crm_simulate -S -O: %v\n%s", err, out)
	}
}

func (c *cibCluster) Kick(...cluster.SourceKind) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.settle()
	c.snap = c.sched.PollOnce(context.Background())
}

func (c *cibCluster) Snapshot() cluster.Snapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.snap
}

func cibSetup(t *testing.T) (*Executor, *cibCluster, string) {
	needPacemakerCLI(t)
	dir := t.TempDir()
	live := filepath.Join(dir, "live.xml")
	src, err := os.ReadFile("../probes/testdata/pcmk/cib-3node.xml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(live, src, 0o600); err != nil {
		t.Fatal(err)
	}
	// A generous interval (timeout 3.75s): crm_mon and cibadmin on a loaded
	// CI machine must not overrun the one poll the fixture takes.
	cfg := &config.Config{Interval: 5 * time.Second, Concurrency: 4, VerifyTimeout: 10 * time.Second, Clusters: []config.Cluster{{
		Name:        "oc",
		Controllers: []config.Controller{{Name: "controller-0"}, {Name: "controller-1"}, {Name: "controller-2"}},
		Pacemaker:   &config.Pacemaker{Command: []string{"env", "CIB_file=" + live}},
		VIPs:        []config.VIP{{Name: "public", Address: "192.168.24.10", PacemakerResource: "ip-192.168.24.10"}},
		Services:    []config.Service{{Name: "cinder-volume", PacemakerResource: "cinder-volume"}},
	}}}
	ts, err := probes.Targets(cfg, &probes.Deps{Runner: remote.ExecRunner{}, HTTP: probes.NewHTTPClients()})
	if err != nil {
		t.Fatal(err)
	}
	cc := &cibCluster{t: t, file: live, sched: probes.NewScheduler(cfg, ts)}
	cc.Kick() // make the CIB live: everything started
	audit := filepath.Join(dir, "audit.log")
	e := New(Options{Config: cfg, Audit: NewAuditLog(audit), Source: cc, Operator: Operator{User: "test"}, VerifyEvery: 50 * time.Millisecond})
	return e, cc, audit
}

func runAction(t *testing.T, e *Executor, src *cibCluster, words ...string) (*Preview, Outcome) {
	t.Helper()
	req, err := Parse("oc", words)
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.Plan(context.Background(), req, src.Snapshot())
	if err != nil {
		t.Fatalf("plan %v: %v", words, err)
	}
	out, err := e.Execute(context.Background(), p, Confirmation{Confirmed: true, TypedName: p.TypeToConfirm, AcceptConsequence: p.Consequence != ""})
	if err != nil {
		t.Fatalf("execute %v: %v", words, err)
	}
	return p, out
}

func TestMoveAndClearOnRealCIB(t *testing.T) {
	e, src, audit := cibSetup(t)
	c := src.cluster()
	if cv := c.Resource("cinder-volume"); cv == nil || cv.Instances[0].Node != "controller-2" {
		t.Fatalf("fixture: cinder-volume not on controller-2: %+v", cv)
	}
	p, out := runAction(t, e, src, "move", "cinder-volume", "controller-0")
	if want := "* Move cinder-volume ( controller-2 -> controller-0 )"; !contains(p.Transition, want) {
		t.Errorf("preview lacks crm_simulate's %q: %q (err %q)", want, p.Transition, p.TransitionErr)
	}
	if !strings.HasPrefix(p.Steps[0].Shown, "env CIB_file=") || !strings.HasSuffix(p.Steps[0].Shown, "crm_resource --move --resource cinder-volume --node controller-0") {
		t.Errorf("step shown as %q", p.Steps[0].Shown)
	}
	if !out.OK || !out.Verified {
		t.Fatalf("move: %s", out.Summary())
	}
	t.Logf("move verified in %s", out.Duration)
	c = src.cluster()
	found := false
	for _, k := range c.Constraints {
		found = found || (k.Kind == "cli-prefer" && k.Resource == "cinder-volume" && k.Node == "controller-0")
	}
	if !found {
		t.Errorf("cli-prefer constraint not seen by hacon: %+v", c.Constraints)
	}
	_, out = runAction(t, e, src, "clear", "cinder-volume")
	if !out.OK || !out.Verified {
		t.Fatalf("clear: %s", out.Summary())
	}
	b, _ := os.ReadFile(audit)
	if n := strings.Count(string(b), "\n"); n != 6 {
		t.Errorf("audit has %d lines, want intent+result+verify for two actions:\n%s", n, b)
	}
}

func TestVIPStandbyBanOnRealCIB(t *testing.T) {
	e, src, _ := cibSetup(t)
	_, out := runAction(t, e, src, "vip", "public", "controller-2")
	if !out.Verified {
		t.Errorf("vip: %s", out.Summary())
	}
	if v := src.cluster().VIPByName("public"); v.Node != "controller-2" {
		t.Errorf("VIP on %s", v.Node)
	}
	p, out := runAction(t, e, src, "standby", "controller-1")
	if !out.Verified {
		t.Errorf("standby: %s", out.Summary())
	}
	if len(p.Transition) == 0 || !strings.Contains(strings.Join(p.Transition, "\n"), "controller-1") {
		t.Errorf("standby preview shows no transition off controller-1: %q %q", p.Transition, p.TransitionErr)
	}
	for _, r := range src.cluster().Resources {
		for _, in := range r.Instances {
			if in.Node == "controller-1" && in.Role != cluster.RoleStopped && !strings.HasPrefix(r.ID, "fence") {
				t.Errorf("%s still %s on the standby node", r.ID, in.Role)
			}
		}
	}
	if _, out = runAction(t, e, src, "unstandby", "controller-1"); !out.Verified {
		t.Errorf("unstandby: %s", out.Summary())
	}
	if _, out = runAction(t, e, src, "ban", "cinder-volume", "controller-2"); !out.Verified {
		t.Errorf("ban: %s", out.Summary())
	}
	c := src.cluster()
	if in := c.Resource("cinder-volume").Instances; in[0].Node == "controller-2" {
		t.Errorf("banned resource still on controller-2")
	}
	if _, out = runAction(t, e, src, "clear", "cinder-volume"); !out.Verified {
		t.Errorf("clear after ban: %s", out.Summary())
	}
}

// stonith_admin needs a running fencer and --cleanup crashes on CIB files:
// those run in the lab; here their exact argv is checked.
func TestFenceAndCleanupArgv(t *testing.T) {
	e, src, _ := cibSetup(t)
	for words, want := range map[string]string{
		"fence controller-1":     "stonith_admin --reboot controller-1",
		"fence controller-1 off": "stonith_admin --fence controller-1",
		"cleanup cinder-volume":  "crm_resource --cleanup --resource cinder-volume",
	} {
		req, _ := Parse("oc", strings.Fields(words))
		p, err := e.Plan(context.Background(), req, src.Snapshot())
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(p.Steps[0].Argv, " "); got != want {
			t.Errorf("%s: argv %q, want %q", words, got, want)
		}
		if req.Kind == Fence {
			if contains(p.Steps[0].Hosts, "controller-1") {
				t.Errorf("fence would run on its own target: %v", p.Steps[0].Hosts)
			}
			if !containsPrefix(p.Transition, "* Fence (reboot) controller-1") {
				t.Errorf("fence preview: %q %q", p.Transition, p.TransitionErr)
			}
		}
	}
}

func contains(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}

func containsPrefix(xs []string, p string) bool {
	for _, s := range xs {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func (c *cibCluster) cluster() *cluster.Cluster {
	s := c.Snapshot()
	return s.ClusterByName("oc")
}
