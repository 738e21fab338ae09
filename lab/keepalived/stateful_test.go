//go:build lab

package klab

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
)

// The lab's stateful plane: a real three-node MariaDB Galera cluster and a
// real three-node RabbitMQ cluster, one node per controller, which hacon
// asks through the same ssh prefix as keepalived (mysql and rabbitmqctl as
// an operator runs them). Each fault is made from the root namespace with
// nsenter, independent of hacon's path.

const (
	galeraInterval = 2 * time.Second // hacon.yaml's galera interval
	rabbitInterval = 5 * time.Second // and rabbitmq's
)

func plane(c *cluster.Cluster, service string) map[string]cluster.PlaneNode {
	out := map[string]cluster.PlaneNode{}
	if st := c.StatefulFor(service); st != nil {
		for _, n := range st.Nodes {
			out[n.Node] = n
		}
	}
	return out
}

func hasAlert(c *cluster.Cluster, part string) bool {
	for _, a := range c.Alerts {
		if strings.Contains(a.Message, part) {
			return true
		}
	}
	return false
}

// statefulHealthy: every Galera node Synced in a Primary Component of 3,
// every RabbitMQ node running with the three, no alarm or partition.
func statefulHealthy(c *cluster.Cluster) bool {
	g, r := plane(c, "galera"), plane(c, "rabbitmq")
	for _, n := range nodes {
		gn, rn := g[n], r[n]
		if gn.Word != cluster.PlaneSynced || gn.Stale || gn.Galera == nil || gn.Galera.ClusterSize != 3 {
			return false
		}
		if rn.Word != cluster.PlaneRunning || rn.Stale || rn.Rabbit == nil || len(rn.Rabbit.Running) != 3 {
			return false
		}
	}
	return true
}

func waitStatefulHealthy(t *testing.T, within time.Duration) {
	t.Helper()
	eventually(t, within, "Galera Synced ×3 and RabbitMQ running ×3", statefulHealthy)
}

func TestStatefulPlaneHealthy(t *testing.T) {
	// The nodes may still be joining after the power test's reboot.
	waitStatefulHealthy(t, 3*time.Minute)
	c := snapshot()
	if svc := c.Service("galera"); svc.Serving != 1 || svc.Expected != 1 {
		t.Errorf("galera row %d/%d, want 1/1 (A/P behind HAProxy's backups)", svc.Serving, svc.Expected)
	}
	if svc := c.Service("rabbitmq"); svc == nil || svc.Serving != 3 {
		t.Errorf("rabbitmq row %+v", svc)
	}
	uuids := map[string]bool{}
	for _, n := range plane(c, "galera") {
		uuids[n.Galera.StateUUID] = true
	}
	if len(uuids) != 1 {
		t.Errorf("state UUIDs %v, want one", uuids)
	}
}

// rabbitCtl runs rabbitmqctl on node as its operator would, waiting (a
// minute at most) while the node's rabbit app is restarting: a node that
// rebooted a moment ago may still be rejoining.
func rabbitCtl(t *testing.T, node string, args ...string) {
	t.Helper()
	pid, err := os.ReadFile(filepath.Join(state, node, "init.pid"))
	if err != nil {
		t.Fatal(err)
	}
	argv := append([]string{"-t", strings.TrimSpace(string(pid)), "--net", "--mount", "--uts", "rabbitmqctl"}, args...)
	deadline := time.Now().Add(time.Minute)
	for {
		out, err := exec.Command("nsenter", argv...).CombinedOutput()
		if err == nil {
			return
		}
		if time.Now().After(deadline) || !strings.Contains(string(out), "start_app") {
			t.Fatalf("rabbitmqctl %v on %s: %v: %s", args, node, err, out)
		}
		time.Sleep(time.Second)
	}
}

// rabbitRunningAlone: whether node's own RabbitMQ lists only itself
// running — the moment RabbitMQ (not hacon) knows of the cut.
func rabbitRunningAlone(ctx context.Context, initPID, node string) bool {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "nsenter", "-t", initPID, "--net", "--mount", "--uts",
		"rabbitmqctl", "-q", "cluster_status", "--formatter", "json")
	// The Erlang VM outlives a killed nsenter and holds the pipe: the
	// first call after a cut blocks ~60 s on the peers it cannot reach.
	cmd.WaitDelay = time.Second
	out, err := cmd.Output()
	if err != nil {
		return false
	}
	var st struct {
		Running []string `json:"running_nodes"`
	}
	return json.Unmarshal(out, &st) == nil && len(st.Running) == 1 && st.Running[0] == "rabbit@"+node
}

// watchRabbitAlone reports, on the returned channel, how long after start
// node's RabbitMQ first said it runs alone (or nothing, if ctx ends first).
func watchRabbitAlone(ctx context.Context, t *testing.T, node string, start time.Time) <-chan time.Duration {
	t.Helper()
	pid, err := os.ReadFile(filepath.Join(state, node, "init.pid"))
	if err != nil {
		t.Fatal(err)
	}
	seen := make(chan time.Duration, 1)
	go func() {
		defer close(seen)
		for ctx.Err() == nil {
			if rabbitRunningAlone(ctx, strings.TrimSpace(string(pid)), node) {
				seen <- time.Since(start)
				return
			}
		}
	}()
	return seen
}

func TestRabbitMemoryAlarm(t *testing.T) {
	waitStatefulHealthy(t, 3*time.Minute)
	rabbitCtl(t, "kctl-1", "set_vm_memory_high_watermark", "0.0001")
	start := time.Now()
	restored := false
	restore := func() {
		if !restored {
			restored = true
			rabbitCtl(t, "kctl-1", "set_vm_memory_high_watermark", "0.4")
		}
	}
	defer restore()
	eventually(t, 2*rabbitInterval+10*time.Second, "memory alarm shown", func(c *cluster.Cluster) bool {
		return hasAlert(c, "memory alarm on rabbit@kctl-1: publishers are blocked") && plane(c, "rabbitmq")["kctl-1"].Word == cluster.PlaneAlarm
	})
	record(t, "rabbitmq memory watermark lowered → hacon shows the alarm", time.Since(start))
	restore() // the watermark is back once rabbitmqctl returns
	start = time.Now()
	eventually(t, 2*rabbitInterval+10*time.Second, "memory alarm cleared", func(c *cluster.Cluster) bool {
		return !hasAlert(c, "memory alarm") && plane(c, "rabbitmq")["kctl-1"].Word == cluster.PlaneRunning
	})
	record(t, "rabbitmq watermark restored → hacon clears the alarm", time.Since(start))
}

func TestGaleraStoppedOnOneNode(t *testing.T) {
	waitStatefulHealthy(t, 3*time.Minute)
	inNode(t, "kctl-2", "sh", "-c", "kill $(cat /run/mysqld/mysqld.pid)")
	started := false
	startAgain := func() {
		if !started {
			started = true
			inNode(t, "kctl-2", "sh", "-c", "mariadbd --defaults-file=/etc/kolla/mariadb/galera.cnf </dev/null >>/var/lib/mysql/restart.out 2>&1 &")
		}
	}
	defer startAgain()
	d := eventually(t, 3*galeraInterval+15*time.Second, "kctl-2 down and the cluster size 2", func(c *cluster.Cluster) bool {
		g := plane(c, "galera")
		return g["kctl-2"].Word == cluster.PlaneDown && g["kctl-0"].Galera != nil && g["kctl-0"].Galera.ClusterSize == 2 &&
			hasAlert(c, "galera cluster size is 2")
	})
	record(t, "mariadb stopped on kctl-2 → hacon shows it down and size 2", d)
	if gs := plane(snapshot(), "galera")["kctl-2"].Galera; gs == nil || gs.Grastate == nil || gs.Grastate.UUID == "" {
		t.Errorf("kctl-2 down: grastate.dat not read: %+v", gs)
	}
	startAgain()
	start := time.Now()
	waitStatefulHealthy(t, 2*time.Minute)
	record(t, "mariadb started again on kctl-2 → hacon shows Synced ×3", time.Since(start))
}

// cut drops everything between node and the other controllers, in node's
// own network namespace; the host (hacon's side) still reaches it.
func cut(t *testing.T, node string, on bool) {
	t.Helper()
	var others []string
	for i, n := range nodes {
		if n != node {
			others = append(others, fmt.Sprintf("169.254.101.%d", i+1))
		}
	}
	if !on {
		_ = exec.Command("ip", "netns", "exec", node, "nft", "delete", "table", "inet", "hacon_cut").Run()
		return
	}
	set := strings.Join(others, ", ")
	rules := fmt.Sprintf(`table inet hacon_cut {
  chain in { type filter hook input priority -10; ip saddr { %s } drop; }
  chain out { type filter hook output priority -10; ip daddr { %s } drop; }
}`, set, set)
	cmd := exec.Command("ip", "netns", "exec", node, "nft", "-f", "-")
	cmd.Stdin = strings.NewReader(rules)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nft on %s: %v: %s", node, err, out)
	}
}

func TestCutOneNodeOff(t *testing.T) {
	waitStatefulHealthy(t, 3*time.Minute)
	start := time.Now()
	cut(t, "kctl-2", true)
	defer cut(t, "kctl-2", false)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	rabbitKnows := watchRabbitAlone(ctx, t, "kctl-2", start)
	var galeraSeen, rabbitSeen time.Duration
	eventually(t, 90*time.Second, "Galera non-Primary on kctl-2 and a RabbitMQ partition", func(c *cluster.Cluster) bool {
		if galeraSeen == 0 && plane(c, "galera")["kctl-2"].Word == "non-Primary" && hasAlert(c, "galera on kctl-2 is non-Primary") {
			galeraSeen = time.Since(start)
		}
		if rabbitSeen == 0 && hasAlert(c, "rabbitmq is partitioned") && plane(c, "rabbitmq")["kctl-2"].Word == cluster.PlanePartitioned {
			rabbitSeen = time.Since(start)
		}
		return galeraSeen > 0 && rabbitSeen > 0
	})
	record(t, "kctl-2 cut off → hacon shows Galera non-Primary there", galeraSeen)
	record(t, "kctl-2 cut off → hacon shows the RabbitMQ partition", rabbitSeen)
	// hacon cannot know before RabbitMQ does (net_ticktime): what is
	// hacon's is the time from RabbitMQ's own view to the screen.
	if knew, ok := <-rabbitKnows; ok {
		record(t, "kctl-2 cut off → its RabbitMQ lists itself alone (net_ticktime)", knew)
		record(t, "RabbitMQ alone → hacon shows the partition", max(rabbitSeen-knew, 0))
	}
	cancel()
	if c := snapshot(); !hasAlert(c, "{rabbit@kctl-0, rabbit@kctl-1} | {rabbit@kctl-2}") {
		t.Errorf("the partition's sides are not named: %+v", c.Alerts)
	}
	cut(t, "kctl-2", false)
	start = time.Now()
	waitStatefulHealthy(t, 3*time.Minute)
	if c := snapshot(); hasAlert(c, "partitioned") || hasAlert(c, "non-Primary") {
		t.Errorf("healed, alerts remain: %+v", c.Alerts)
	}
	record(t, "cut healed → hacon shows both clusters whole (RabbitMQ autoheal)", time.Since(start))
}
