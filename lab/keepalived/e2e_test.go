//go:build lab

// Package klab runs hacon's end-to-end tests on the kolla-style keepalived
// lab (lab/keepalived/up): real keepalived, HAProxy, OpenSSH and ipmi_sim.
package klab

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hacon/hacon/actions"
	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/internal/app"
)

const (
	clusterName = "klab"
	vipName     = "internal"
	vipAddr     = "169.254.101.10"
	interval    = time.Second // hacon.yaml's interval
)

var nodes = []string{"kctl-0", "kctl-1", "kctl-2"}

var (
	hacon     *app.App
	state     string
	timingsMu sync.Mutex
	timings   []string
)

func record(t *testing.T, what string, d time.Duration) {
	t.Helper()
	t.Logf("TIMING %-60s %6.2fs", what, d.Seconds())
	timingsMu.Lock()
	timings = append(timings, fmt.Sprintf("%-60s %6.2fs", what, d.Seconds()))
	timingsMu.Unlock()
}

func TestMain(m *testing.M) {
	state = os.Getenv("HACON_KLAB_STATE")
	if state == "" {
		state, _ = filepath.Abs("state")
	}
	path := filepath.Join(state, "hacon.yaml")
	if _, err := os.Stat(path); err != nil || os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			fmt.Fprintf(os.Stderr, "keepalived lab e2e: no lab at %s (CI=true: it must run; make lab-test LAB=keepalived)\n", path)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "keepalived lab e2e: skipped: no lab at %s or not root\n", path)
		os.Exit(0)
	}
	a, err := app.New(app.Options{ConfigPath: path})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	hacon = a
	a.Start()
	code := m.Run()
	a.Executor.Wait()
	a.Close()
	timingsMu.Lock()
	fmt.Println("\nkeepalived lab e2e timings (fault or action → hacon shows it):")
	for _, l := range timings {
		fmt.Println("  " + l)
	}
	timingsMu.Unlock()
	os.Exit(code)
}

func snapshot() *cluster.Cluster {
	s := hacon.Sched.Snapshot()
	return s.ClusterByName(clusterName)
}

// eventually waits until ok holds for hacon's snapshot and returns how
// long that took.
func eventually(t *testing.T, within time.Duration, what string, ok func(c *cluster.Cluster) bool) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		if c := snapshot(); c != nil && ok(c) {
			return time.Since(start)
		}
		if time.Since(start) > within {
			c := snapshot()
			t.Fatalf("%s: not seen within %s; vip %+v; alerts %+v", what, within, c.VIPByName(vipName), c.Alerts)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// truth is where the VIP is by `ip -j addr` in each namespace, asked from
// the root namespace: independent of hacon's ssh path.
func truth(t *testing.T) []string {
	t.Helper()
	var on []string
	for _, n := range nodes {
		out, err := exec.Command("ip", "-n", n, "-j", "addr", "show").Output()
		if err != nil {
			continue // a powered-off node's namespace still exists; an error is no address
		}
		var links []struct {
			AddrInfo []struct{ Local string } `json:"addr_info"`
		}
		if json.Unmarshal(out, &links) != nil {
			t.Fatalf("ip -j addr in %s: %s", n, out)
		}
		for _, l := range links {
			for _, a := range l.AddrInfo {
				if a.Local == vipAddr {
					on = append(on, n)
				}
			}
		}
	}
	return on
}

// waitTruth waits until the VIP is on exactly one node other than not,
// and returns it and when it got there.
func waitTruth(t *testing.T, not string, within time.Duration) (string, time.Time) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if on := truth(t); len(on) == 1 && on[0] != not {
			return on[0], time.Now()
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the VIP did not move off %s within %s (on %v)", not, within, truth(t))
	return "", time.Time{}
}

func holder(c *cluster.Cluster) string {
	v := c.VIPByName(vipName)
	if v == nil || len(v.Holders) != 1 {
		return ""
	}
	return v.Holders[0]
}

// inNode runs a command as root inside a node's network and mount
// namespaces (what an operator's shell on the controller is).
func inNode(t *testing.T, node string, argv ...string) string {
	t.Helper()
	pid, err := os.ReadFile(filepath.Join(state, node, "init.pid"))
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"-t", strings.TrimSpace(string(pid)), "--net", "--mount", "--uts"}, argv...)
	out, err := exec.Command("nsenter", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s on %s: %v: %s", strings.Join(argv, " "), node, err, out)
	}
	return string(out)
}

func healthy(c *cluster.Cluster) bool {
	return holder(c) != "" && len(c.VRRP) == 3 && len(c.Masters("kolla_internal_vip_51")) == 1
}

func TestHolderAgreesWithIPAddrOnEveryNode(t *testing.T) {
	eventually(t, 30*time.Second, "a healthy snapshot", healthy)
	for i := 0; i < 3; i++ {
		c := snapshot()
		if got, want := c.VIPByName(vipName).Holders, truth(t); slices.Equal(got, want) {
			if c.VIPByName(vipName).Node != want[0] {
				t.Errorf("vips[].node %q, ip addr says %v", c.VIPByName(vipName).Node, want)
			}
			for _, x := range c.VRRP {
				if (x.State == cluster.VRRPMaster) != (x.Node == want[0]) {
					t.Errorf("%s says %s but the address is on %v", x.Node, x.State, want)
				}
			}
			return
		}
		time.Sleep(interval) // caught mid-poll: ask again
	}
	t.Fatalf("hacon says %v, ip addr says %v", snapshot().VIPByName(vipName).Holders, truth(t))
}

func TestKillHAProxyOnHolderMovesTheVIP(t *testing.T) {
	eventually(t, 30*time.Second, "a healthy snapshot", healthy)
	old := holder(snapshot())
	fault := time.Now()
	inNode(t, old, "sh", "-c", "kill $(cat /run/haproxy.pid)")
	defer inNode(t, old, "haproxy", "-D", "-f", "/etc/kolla/haproxy/haproxy.cfg", "-p", "/run/haproxy.pid")
	to, moved := waitTruth(t, old, 30*time.Second)
	eventually(t, 30*time.Second, "hacon shows the new holder", func(c *cluster.Cluster) bool { return holder(c) == to })
	shown := time.Now()
	record(t, "kill HAProxy on holder → VIP moved (keepalived)", moved.Sub(fault))
	record(t, "kill HAProxy on holder → hacon shows the new holder", time.Since(fault))
	record(t, "VIP moved → hacon shows the new holder", shown.Sub(moved))
	if shown.Sub(moved) > 2*interval+time.Second {
		t.Errorf("new holder shown %s after the move: more than two intervals (%s)", shown.Sub(moved).Round(time.Millisecond), 2*interval)
	}
	eventually(t, 20*time.Second, "the old holder in FAULT, naming check_alive", func(c *cluster.Cluster) bool {
		x := c.VRRPOn(old, "kolla_internal_vip_51")
		return x != nil && x.State == cluster.VRRPFault && slices.Contains(x.FailingChecks, "script check_alive")
	})
}

func TestVRRPDroppedIsSplitBrain(t *testing.T) {
	eventually(t, 30*time.Second, "a healthy snapshot (HAProxy back)", func(c *cluster.Cluster) bool {
		return healthy(c) && len(c.Alerts) == 0
	})
	nft := func(args ...string) {
		if out, err := exec.Command("nft", args...).CombinedOutput(); err != nil {
			t.Fatalf("nft %v: %v: %s", args, err, out)
		}
	}
	cut := time.Now()
	nft("add", "table", "bridge", "hacon_klab")
	nft("add", "chain", "bridge", "hacon_klab", "vrrpdrop", "{ type filter hook forward priority 0; }")
	nft("add", "rule", "bridge", "hacon_klab", "vrrpdrop", "ip", "protocol", "112", "drop")
	healed := false
	defer func() {
		if !healed {
			_ = exec.Command("nft", "delete", "table", "bridge", "hacon_klab").Run()
		}
	}()
	splitBrain := func(c *cluster.Cluster) bool {
		for _, a := range c.Alerts {
			if a.Severity == cluster.SevCritical && strings.Contains(a.Message, "split brain") {
				return true
			}
		}
		return false
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(truth(t)) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("VRRP dropped but the VIP is on %v only", truth(t))
		}
		time.Sleep(20 * time.Millisecond)
	}
	twoMasters := time.Now()
	eventually(t, 30*time.Second, "split brain raised", splitBrain)
	record(t, "VRRP dropped → VIP on two nodes (keepalived)", twoMasters.Sub(cut))
	record(t, "VRRP dropped → hacon raises split brain", time.Since(cut))
	record(t, "VIP on two nodes → hacon raises split brain", time.Since(twoMasters))
	if time.Since(twoMasters) > 2*interval+time.Second {
		t.Errorf("split brain raised %s after the second MASTER: more than two intervals", time.Since(twoMasters).Round(time.Millisecond))
	}
	heal := time.Now()
	nft("delete", "table", "bridge", "hacon_klab")
	healed = true
	eventually(t, 30*time.Second, "split brain cleared", func(c *cluster.Cluster) bool { return !splitBrain(c) && healthy(c) })
	record(t, "VRRP let through → hacon clears split brain", time.Since(heal))
}

func plan(t *testing.T, node string) (*actions.Preview, error) {
	req, err := actions.Parse(clusterName, []string{"vip", vipName, node})
	if err != nil {
		t.Fatal(err)
	}
	return hacon.Executor.Plan(context.Background(), req, hacon.Sched.Snapshot())
}

func TestVIPMoveWhereItCanAndRefusalWhereItCannot(t *testing.T) {
	eventually(t, 30*time.Second, "a healthy snapshot", func(c *cluster.Cluster) bool { return healthy(c) && len(c.Alerts) == 0 })
	c := snapshot()
	from := holder(c)
	// The next holder is the BACKUP with the highest priority; the other
	// BACKUP cannot get the address by a restart of the holder.
	var backups []cluster.VRRPNode
	for _, x := range c.VRRP {
		if x.Node != from {
			backups = append(backups, x)
		}
	}
	slices.SortFunc(backups, func(a, b cluster.VRRPNode) int { return b.EffectivePriority - a.EffectivePriority })
	next, other := backups[0].Node, backups[1].Node
	if _, err := plan(t, other); err == nil || !strings.Contains(err.Error(), next+" takes it") {
		t.Fatalf(":vip %s %s: want a refusal naming %s, got %v", vipName, other, next, err)
	} else {
		t.Logf("refused as expected: %v", err)
	}
	p, err := plan(t, next)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	out, err := hacon.Executor.Execute(context.Background(), p, actions.Confirmation{Confirmed: true})
	if err != nil || !out.OK || !out.Verified || !strings.Contains(out.Verify, "TCP to "+vipAddr+":5000 answers") {
		t.Fatalf(":vip %s %s: %+v, %v", vipName, next, out, err)
	}
	record(t, ":vip "+vipName+" "+next+" → verified (address + TCP through the VIP)", time.Since(start))
	if on := truth(t); !slices.Equal(on, []string{next}) {
		t.Errorf("ip addr says %v after a verified move to %s", on, next)
	}
	audit, _ := os.ReadFile(filepath.Join(state, "audit.log"))
	if !strings.Contains(string(audit), `"verified":true`) || !strings.Contains(string(audit), "kactl") {
		t.Errorf("audit log lacks the move:\n%s", audit)
	}
	// kolla's nopreempt: the old holder came back as BACKUP and stays so.
	eventually(t, 15*time.Second, from+" BACKUP again", func(c *cluster.Cluster) bool {
		x := c.VRRPOn(from, "kolla_internal_vip_51")
		return x != nil && x.State == cluster.VRRPBackup && holder(c) == next
	})
}

func TestBMCPowerOffOfTheHolder(t *testing.T) {
	eventually(t, 30*time.Second, "a healthy snapshot", healthy)
	old := holder(snapshot())
	idx := slices.Index(nodes, old)
	pass, err := os.ReadFile(filepath.Join(state, "bmc-password"))
	if err != nil {
		t.Fatal(err)
	}
	ipmi := func(action string) {
		cmd := exec.Command("ipmitool", "-I", "lanplus", "-C", "3", "-H", "169.254.101.254", "-p", fmt.Sprint(6240+idx),
			"-U", "admin", "-E", "chassis", "power", action)
		cmd.Env = append(os.Environ(), "IPMI_PASSWORD="+strings.TrimSpace(string(pass)))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("ipmitool power %s: %v: %s", action, err, out)
		}
	}
	fault := time.Now()
	ipmi("off")
	defer func() {
		ipmi("on")
		eventually(t, 60*time.Second, old+" back", func(c *cluster.Cluster) bool {
			n := c.Node(old)
			return n != nil && n.Keepalived != nil && len(c.VRRP) == 3
		})
	}()
	to, moved := waitTruth(t, old, 30*time.Second)
	eventually(t, 30*time.Second, "hacon shows the new holder", func(c *cluster.Cluster) bool { return holder(c) == to })
	shown := time.Now()
	record(t, "BMC power-off of holder → VIP moved (keepalived)", moved.Sub(fault))
	record(t, "BMC power-off of holder → hacon shows the new holder", shown.Sub(fault))
	record(t, "VIP moved → hacon shows the new holder (holder powered off)", shown.Sub(moved))
	eventually(t, 20*time.Second, "BMC reads off", func(c *cluster.Cluster) bool { return c.Node(old).Power() == cluster.PowerOff })
}
