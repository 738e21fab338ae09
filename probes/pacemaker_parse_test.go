package probes

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/hacon/hacon/cluster"
)

func parsePcmkFile(t *testing.T, name string) *cluster.PacemakerStatus {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "pcmk", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := ParseCrmMon(f)
	if err != nil {
		t.Fatalf("ParseCrmMon(%s): %v", name, err)
	}
	return st
}

// pcmkPlacements renders every instance as "resource instance@node role[ FAILED]".
func pcmkPlacements(st *cluster.PacemakerStatus) []string {
	var out []string
	for _, r := range st.Resources {
		for _, in := range r.Instances {
			s := r.ID + " " + in.ID + "@" + in.Node + " " + in.Role
			if in.Failed {
				s += " FAILED"
			}
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

func pcmkResource(t *testing.T, st *cluster.PacemakerStatus, id string) cluster.Resource {
	t.Helper()
	for _, r := range st.Resources {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("resource %s not parsed", id)
	return cluster.Resource{}
}

func TestParseCrmMonHealthy21(t *testing.T) {
	t.Parallel()
	st := parsePcmkFile(t, "crm_mon-2.1-healthy.xml")
	if st.DC != "controller-0" || !st.HasQuorum || !st.StonithEnabled || st.MaintenanceMode {
		t.Errorf("summary: dc=%q quorum=%v stonith=%v maint=%v", st.DC, st.HasQuorum, st.StonithEnabled, st.MaintenanceMode)
	}
	want := []string{
		"cinder-volume cinder-volume@controller-2 Started",
		"fence-controller-0 fence-controller-0@controller-0 Started",
		"fence-controller-1 fence-controller-1@controller-1 Started",
		"fence-controller-2 fence-controller-2@controller-2 Started",
		"galera-clone galera@controller-0 Promoted",
		"galera-clone galera@controller-1 Unpromoted",
		"galera-clone galera@controller-2 Unpromoted",
		"haproxy-clone haproxy@controller-0 Started",
		"haproxy-clone haproxy@controller-1 Started",
		"haproxy-clone haproxy@controller-2 Started",
		"ip-10.0.0.5 ip-10.0.0.5@controller-1 Started",
		"ip-192.168.24.10 ip-192.168.24.10@controller-0 Started",
		"mgmt-grp mgmt-grp@controller-1 Started",
		"rabbitmq-bundle rabbitmq-bundle-0@controller-0 Started",
		"rabbitmq-bundle rabbitmq-bundle-1@controller-2 Started",
		"rabbitmq-bundle rabbitmq-bundle-2@controller-1 Started",
		"redis-bundle redis-bundle-0@controller-0 Unpromoted",
		"redis-bundle redis-bundle-1@controller-2 Unpromoted",
		"redis-bundle redis-bundle-2@controller-1 Unpromoted",
	}
	if got := pcmkPlacements(st); !reflect.DeepEqual(got, want) {
		t.Errorf("placements:\n got %q\nwant %q", got, want)
	}
	kinds := map[string][3]string{
		"ip-10.0.0.5":     {cluster.KindPrimitive, cluster.ModeActivePassive, "ocf:heartbeat:IPaddr2"},
		"haproxy-clone":   {cluster.KindClone, cluster.ModeActiveActive, "systemd:haproxy"},
		"galera-clone":    {cluster.KindPromotable, cluster.ModeActivePassive, "ocf:pacemaker:Stateful"},
		"mgmt-grp":        {cluster.KindGroup, cluster.ModeActivePassive, "ocf:heartbeat:IPaddr2"},
		"rabbitmq-bundle": {cluster.KindBundle, cluster.ModeActiveActive, "ocf:pacemaker:Dummy"},
		"redis-bundle":    {cluster.KindBundle, cluster.ModeActivePassive, "ocf:pacemaker:Stateful"},
	}
	for id, w := range kinds {
		r := pcmkResource(t, st, id)
		if got := [3]string{r.Kind, r.Mode, r.Agent}; got != w {
			t.Errorf("%s: kind/mode/agent %v, want %v", id, got, w)
		}
	}
	if g := pcmkResource(t, st, "mgmt-grp"); !reflect.DeepEqual(g.Members, []string{"mgmt-ip", "mgmt-svc"}) {
		t.Errorf("group members %v", g.Members)
	}
	if b := pcmkResource(t, st, "rabbitmq-bundle"); b.Replicas != 3 || !reflect.DeepEqual(b.Members, []string{"rabbitmq"}) {
		t.Errorf("bundle replicas %d members %v", b.Replicas, b.Members)
	}
	var guests int
	for _, n := range st.Nodes {
		if n.Type == "remote" {
			guests++
		}
		if n.Name == "controller-0" && !n.DC {
			t.Errorf("controller-0 should be DC")
		}
	}
	if guests != 6 || len(st.Nodes) != 9 {
		t.Errorf("nodes: %d, %d guests; want 9 and 6", len(st.Nodes), guests)
	}
}

func TestParseCrmMonFaults21(t *testing.T) {
	t.Parallel()
	st := parsePcmkFile(t, "crm_mon-2.1-faults.xml")
	var c1 cluster.PcmkNode
	for _, n := range st.Nodes {
		if n.Name == "controller-1" {
			c1 = n
		}
	}
	if !c1.Standby || c1.State() != "standby" {
		t.Errorf("controller-1 should be standby: %+v", c1)
	}
	if len(st.Failures) != 1 {
		t.Fatalf("failures: %+v", st.Failures)
	}
	f := st.Failures[0]
	if f.Resource != "cinder-volume" || f.Node != "controller-2" || f.ExitCode != 7 || f.Task != "monitor" || f.FailCount != 1 || f.ExitReason != "Simulated action result" {
		t.Errorf("failure: %+v", f)
	}
	want := []cluster.Constraint{{ID: "cli-ban-haproxy-clone-on-controller-2", Kind: "cli-ban", Resource: "haproxy-clone", Node: "controller-2", Score: "-1000000"}}
	if !reflect.DeepEqual(st.Constraints, want) {
		t.Errorf("bans: %+v", st.Constraints)
	}
	b := pcmkResource(t, st, "rabbitmq-bundle")
	if in := b.Instances[2]; in.Node != "" || in.Role != cluster.RoleStopped {
		t.Errorf("stopped replica: %+v", in)
	}
	if h := pcmkResource(t, st, "haproxy-clone"); len(h.Instances) != 3 || h.Instances[1].Node != "" || h.Instances[1].Role != cluster.RoleStopped {
		t.Errorf("haproxy-clone instances: %+v", h.Instances)
	}
}

// The 1.1 --as-xml shape: <crm_mon> root, Master/Slave, ocf::provider:type.
func TestParseCrmMonLegacy11(t *testing.T) {
	t.Parallel()
	st := parsePcmkFile(t, "crm_mon-1.1.xml")
	want := []string{
		"galera-bundle galera-bundle-0@controller-0 Promoted",
		"galera-bundle galera-bundle-1@controller-1 Promoted",
		"galera-bundle galera-bundle-2@ Stopped",
		"haproxy-clone haproxy@ Stopped",
		"haproxy-clone haproxy@controller-0 Started",
		"haproxy-clone haproxy@controller-1 Started",
		"ip-192.168.24.10 ip-192.168.24.10@controller-1 Started",
		"openstack-cinder-volume openstack-cinder-volume@controller-0 Started",
		"redis-master redis@ Stopped",
		"redis-master redis@controller-0 Unpromoted FAILED",
		"redis-master redis@controller-1 Promoted",
		"stonith-fence_ipmilan-525400aa8f2b stonith-fence_ipmilan-525400aa8f2b@controller-1 Started",
	}
	if got := pcmkPlacements(st); !reflect.DeepEqual(got, want) {
		t.Errorf("placements:\n got %q\nwant %q", got, want)
	}
	if r := pcmkResource(t, st, "ip-192.168.24.10"); r.Agent != "ocf:heartbeat:IPaddr2" {
		t.Errorf("agent %q not normalised", r.Agent)
	}
	// Two promoted replicas without a CIB: the guess says active-active.
	if r := pcmkResource(t, st, "galera-bundle"); r.Mode != cluster.ModeActiveActive || r.Agent != "ocf:heartbeat:galera" {
		t.Errorf("galera-bundle: %s %s", r.Mode, r.Agent)
	}
	if r := pcmkResource(t, st, "redis-master"); r.Kind != cluster.KindPromotable || !r.Failed {
		t.Errorf("redis-master: kind %s failed %v", r.Kind, r.Failed)
	}
	if st.DC != "controller-1" || len(st.FenceHistory) != 1 || st.FenceHistory[0].Target != "controller-2" {
		t.Errorf("dc %q fence %+v", st.DC, st.FenceHistory)
	}
	if len(st.Failures) != 1 || st.Failures[0].Resource != "redis" || st.Failures[0].FailCount != 3 {
		t.Errorf("failures %+v", st.Failures)
	}
	if len(st.Constraints) != 1 || st.Constraints[0].Role != cluster.RolePromoted {
		t.Errorf("bans %+v", st.Constraints)
	}
	if st.NodeAttributes["controller-0"]["rmq-node-attr-last-known-rabbitmq"] != "rabbit@controller-0" {
		t.Errorf("node attributes %v", st.NodeAttributes)
	}
	for _, n := range st.Nodes {
		if n.Name == "controller-2" && n.State() != "UNCLEAN" {
			t.Errorf("controller-2 state %s", n.State())
		}
	}
}

// 2.0: Master/Slave under <pacemaker-result>, a promotable cloned group,
// a multiply-active primitive, maintenance, fence history.
func TestParseCrmMon20(t *testing.T) {
	t.Parallel()
	st := parsePcmkFile(t, "crm_mon-2.0.xml")
	want := []string{
		"app-grp app-grp@db-1 Stopped FAILED",
		"pgsql-clone pgsql-grp:0@db-1 Promoted",
		"pgsql-clone pgsql-grp:1@ Stopped FAILED",
		"split-brain split-brain@db-0 Started FAILED",
		"split-brain split-brain@db-1 Started FAILED",
		"web-vip web-vip@ Stopped",
	}
	if got := pcmkPlacements(st); !reflect.DeepEqual(got, want) {
		t.Errorf("placements:\n got %q\nwant %q", got, want)
	}
	pg := pcmkResource(t, st, "pgsql-clone")
	if pg.Kind != cluster.KindPromotable || pg.Managed || !reflect.DeepEqual(pg.Members, []string{"pgsql-ip", "pgsql"}) || pg.Agent != "ocf:heartbeat:IPaddr2" {
		t.Errorf("pgsql-clone: %+v", pg)
	}
	if !pg.Instances[1].Blocked || pg.Instances[0].Blocked {
		t.Errorf("blocked flags: %+v", pg.Instances)
	}
	if v := pcmkResource(t, st, "web-vip"); !v.Disabled || v.TargetRole != cluster.RoleStopped {
		t.Errorf("web-vip: %+v", v)
	}
	if st.HasQuorum || st.StonithEnabled || !st.MaintenanceMode {
		t.Errorf("summary %+v", st)
	}
	states := map[string]string{}
	for _, n := range st.Nodes {
		states[n.Name] = n.State() + "/" + n.Type
	}
	wantStates := map[string]string{"db-0": "standby/member", "db-1": "maintenance/member", "db-2": "offline/member", "quorum-ping": "standby/ping"}
	if !reflect.DeepEqual(states, wantStates) {
		t.Errorf("node states %v", states)
	}
	// crm_mon calls a joining node "pending" even when it is in standby.
	if s := (cluster.PcmkNode{Online: true, Standby: true, Pending: true}).State(); s != "pending" {
		t.Errorf("pending standby node: %s", s)
	}
	if len(st.FenceHistory) != 2 || st.FenceHistory[0].Status != "failed" || st.FenceHistory[0].Reason != "No such device" || st.FenceHistory[1].Status != "pending" {
		t.Errorf("fence history %+v", st.FenceHistory)
	}
	// A fail-count with no failed op left still shows.
	if len(st.Failures) != 1 || st.Failures[0].Resource != "app" || st.Failures[0].FailCount != 1000000 {
		t.Errorf("failures %+v", st.Failures)
	}
	if len(st.Constraints) != 1 || st.Constraints[0].Kind != "ban" {
		t.Errorf("constraints %+v", st.Constraints)
	}
}

func TestParseCrmMonErrors(t *testing.T) {
	t.Parallel()
	f, err := os.ReadFile(filepath.Join("testdata", "pcmk", "crm_mon-error.xml"))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		string(f):                      "status 102 Not connected: crm_mon: Error: cluster is not available",
		"":                             "empty output",
		"<cib/>":                       "unexpected root <cib>",
		"<pacemaker-result><summary>":  "crm_mon XML",
		"Could not connect to the CIB": "crm_mon XML",
	}
	for in, want := range cases {
		_, err := ParseCrmMon(strings.NewReader(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseCrmMon(%.30q) = %v; want error containing %q", in, err, want)
		}
	}
}

func TestPcmkOpKeyResource(t *testing.T) {
	t.Parallel()
	cases := []struct{ op, task, want string }{
		{"cinder-volume_monitor_60000", "monitor", "cinder-volume"},
		{"my_rsc_start_0", "start", "my_rsc"},
		{"vm_1_migrate_to_0", "migrate_to", "vm_1"},
		{"vm_1_migrate_from_0", "", "vm_1"},
		{"galera:2_promote_0", "promote", "galera"},
		{"dolly-dollies-0_monitor_0", "", "dolly-dollies-0"},
		{"nounderscore", "", "nounderscore"},
	}
	for _, c := range cases {
		if got := resourceOfOpKey(c.op, c.task); got != c.want {
			t.Errorf("resourceOfOpKey(%q,%q) = %q, want %q", c.op, c.task, got, c.want)
		}
	}
}
