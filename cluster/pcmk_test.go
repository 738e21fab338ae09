package cluster

import (
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/config"
)

// osp is a TripleO-like state: controller-0 offline, its bundle replicas
// FAILED or stopped, a redis monitor failure recorded on a guest that runs
// again, one stonith device per controller.
func osp(now time.Time, cc config.Cluster, devices []FenceDevice) Cluster {
	ctl := []string{"controller-0", "controller-1", "controller-2"}
	pm := &PacemakerStatus{Via: "controller-1", DC: "controller-2", HasQuorum: true, StonithEnabled: true,
		Nodes: []PcmkNode{{Name: ctl[0], Type: "member"}, {Name: ctl[1], Online: true, Type: "member"}, {Name: ctl[2], Online: true, Type: "member"},
			{Name: "redis-bundle-2", Online: true, Type: "remote"}},
		Resources: []Resource{
			{ID: "galera-bundle", Kind: KindBundle, Mode: ModeActiveActive, Replicas: 3, Members: []string{"galera"}, Instances: []Instance{
				{ID: "galera-bundle-0", Role: RoleStopped, Claimed: RolePromoted, Failed: true},
				{ID: "galera-bundle-1", Node: ctl[1], Role: RolePromoted}, {ID: "galera-bundle-2", Node: ctl[2], Role: RolePromoted}}},
			{ID: "redis-bundle", Kind: KindBundle, Mode: ModeActivePassive, Replicas: 3, Members: []string{"redis"}, Instances: []Instance{
				{ID: "redis-bundle-0", Role: RoleStopped}, {ID: "redis-bundle-1", Node: ctl[1], Role: RolePromoted},
				{ID: "redis-bundle-2", Node: ctl[2], Role: RoleUnpromoted}}},
			{ID: "haproxy-bundle", Kind: KindBundle, Mode: ModeActiveActive, Replicas: 3, Instances: []Instance{
				{ID: "haproxy-bundle-0", Role: RoleStopped}, {ID: "haproxy-bundle-1", Node: ctl[2], Role: RoleStarted}, {ID: "haproxy-bundle-2", Node: ctl[1], Role: RoleStarted}}},
			{ID: "openstack-cinder-volume", Kind: KindPrimitive, Mode: ModeActivePassive, Agent: "systemd:openstack-cinder-volume", Instances: []Instance{{ID: "openstack-cinder-volume", Node: ctl[2], Role: RoleStarted}}},
			{ID: "ip-10.0.0.109", Kind: KindPrimitive, Agent: "ocf:heartbeat:IPaddr2", Instances: []Instance{{Node: ctl[1], Role: RoleStarted}}},
			{ID: "stonith-0", Kind: KindPrimitive, Agent: "stonith:fence_ipmilan", Instances: []Instance{{ID: "stonith-0", Node: ctl[2], Role: RoleStarted}}},
			{ID: "stonith-1", Kind: KindPrimitive, Agent: "stonith:fence_ipmilan", Instances: []Instance{{ID: "stonith-1", Node: ctl[2], Role: RoleStarted}}},
			{ID: "stonith-2", Kind: KindPrimitive, Agent: "stonith:fence_ipmilan", Instances: []Instance{{ID: "stonith-2", Role: RoleStopped}}},
		},
		Failures: []Failure{{OpKey: "redis_monitor_60000", Node: "redis-bundle-2", Task: "monitor", ExitStatus: "promoted", ExitReason: "none", ExitCode: 8,
			Interval: "60000", LastChange: "2017-09-11 15:31:34Z", Resource: "redis"}},
		FenceHistory: []FenceEvent{{Target: ctl[0], Action: "reboot", Status: "success", Completed: "2017-09-12 10:20:00Z"},
			{Target: ctl[0], Action: "reboot", Status: "failed", Completed: "2017-09-12 10:10:00Z"}},
	}
	if devices != nil {
		pm.Fencing = &FencingConfig{Devices: devices}
	}
	for _, n := range ctl {
		cc.Controllers = append(cc.Controllers, config.Controller{Name: n})
	}
	cc.Name = "oc"
	if cc.Pacemaker == nil {
		cc.Pacemaker = &config.Pacemaker{}
	}
	i := &inputs{in: Inputs{}, now: now}
	i.put(KindPacemaker, "pacemaker", Result{Pacemaker: pm})
	return Build(&config.Config{Interval: 2 * time.Second, Clusters: []config.Cluster{cc}}, i.in, now, 1).Clusters[0]
}

func ipmi(id, target string, started bool) FenceDevice {
	return FenceDevice{ID: id, Agent: "stonith:fence_ipmilan", Targets: []string{target}, HostCheck: HostCheckStatic, Started: started, Known: true}
}

func rowNames(c Cluster) []string {
	var out []string
	for _, s := range c.Services {
		out = append(out, s.Name+"="+s.Resource)
	}
	return out
}

func TestAutoRowsNameEveryResourceButStonithAndVIPs(t *testing.T) {
	c := osp(time.Now(), config.Cluster{}, nil)
	got := strings.Join(rowNames(c), " ")
	want := "galera=galera-bundle redis=redis-bundle haproxy=haproxy-bundle cinder-volume=openstack-cinder-volume"
	if got != want {
		t.Fatalf("rows %q, want %q", got, want)
	}
	g := c.Service("galera")
	if !g.Auto || g.Mode != ModeActiveActive || g.Serving != 2 || g.Expected != 3 || g.Cells[0].Role != RoleStopped || g.Cells[1].Role != RolePromoted {
		t.Errorf("galera row: %+v", g)
	}
	if r := c.Service("redis"); r.Mode != ModeActivePassive || r.Expected != 1 || r.Serving != 1 {
		t.Errorf("redis row: mode %s %d/%d", r.Mode, r.Serving, r.Expected)
	}
	for _, n := range c.Nodes {
		if n.Name == "redis-bundle-2" && n.Controller {
			t.Error("a guest node became a controller")
		}
	}
}

func TestConfiguredServicesKeepTheirNamesAndAutoRowsTurnOff(t *testing.T) {
	cc := config.Cluster{Services: []config.Service{{Name: "mysql", PacemakerResource: "galera"}, {Name: "haproxy"}}}
	c := osp(time.Now(), cc, nil)
	got := strings.Join(rowNames(c), " ")
	// galera maps through its member: no second row; the configured
	// "haproxy" name pushes haproxy-bundle's row to its id.
	want := "mysql=galera haproxy= redis=redis-bundle haproxy-bundle=haproxy-bundle cinder-volume=openstack-cinder-volume"
	if got != want {
		t.Fatalf("rows %q, want %q", got, want)
	}
	off := false
	cc.Pacemaker = &config.Pacemaker{AutoServices: &off}
	if got := strings.Join(rowNames(osp(time.Now(), cc, nil)), " "); got != "mysql=galera haproxy=" {
		t.Errorf("auto_services false: rows %q", got)
	}
	cc.Pacemaker = &config.Pacemaker{HideResources: []string{"redis-bundle"}}
	if got := strings.Join(rowNames(osp(time.Now(), cc, nil)), " "); strings.Contains(got, "redis") {
		t.Errorf("hidden redis-bundle still a row: %q", got)
	}
}

func alertText(c Cluster) string {
	var b strings.Builder
	for _, a := range c.Alerts {
		b.WriteString(a.Severity.String() + " " + a.Message + "\n")
	}
	return b.String()
}

func TestFailuresInWords(t *testing.T) {
	got := alertText(osp(time.Now(), config.Cluster{}, nil))
	for _, want := range []string{
		"warning haproxy-bundle: 2 of 3 running — replica 0 stopped: its controller-0 is offline\n",
		"warning galera-bundle: 2 of 3 running — replica 0 (galera, was Promoted) FAILED: its controller-0 is offline\n",
		"info earlier failure, redis-bundle (redis) runs again: 60s-interval monitor returned 'promoted' (rc 8, running promoted) at 2017-09-11 15:31:34Z on redis-bundle-2 (replica 2 on controller-2)\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("alerts lack %q:\n%s", want, got)
		}
	}
}

func TestPastMigrationThresholdAndUnmanagedAreNamed(t *testing.T) {
	c := Cluster{Name: "oc", HasPacemaker: true, Quorum: true, DC: "a", StonithEnabled: true,
		Nodes:     []Node{{Name: "a", Controller: true, Pacemaker: &PcmkNode{Name: "a", Online: true}}},
		Resources: []Resource{{ID: "svc", Kind: KindPrimitive, Unmanaged: true, Instances: []Instance{{ID: "svc", Role: RoleStopped}}}},
		Failures:  []Failure{{Resource: "svc", Node: "a", Task: "start", ExitStatus: "error", ExitCode: 1, FailCount: 1000000, MigrationThreshold: 3}},
	}
	got := alertText(Cluster{Alerts: Assess(&c)})
	for _, want := range []string{
		"warning svc cannot run on a: failed INFINITY times, past its migration-threshold of 3",
		"warning svc is unmanaged",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("alerts lack %q:\n%s", want, got)
		}
	}
}

func TestPacemakerFencingApartFromBMC(t *testing.T) {
	devs := []FenceDevice{ipmi("stonith-0", "controller-0", true), ipmi("stonith-1", "controller-1", true), ipmi("stonith-2", "controller-2", false)}
	c := osp(time.Now(), config.Cluster{}, devs)
	for _, tc := range []struct {
		node  string
		ready bool
	}{{"controller-0", true}, {"controller-1", true}, {"controller-2", false}} {
		n := c.Node(tc.node)
		if n.PacemakerFenceReady() != tc.ready || n.FenceReady() != tc.ready || n.BMC != nil {
			t.Errorf("%s: pacemaker ready %v, want %v (%+v)", tc.node, n.PacemakerFenceReady(), tc.ready, n.Fencing)
		}
	}
	f := c.Node("controller-0").Fencing
	if f.Last == nil || f.Last.Status != "success" || f.Failed == nil || f.Failed.Completed != "2017-09-12 10:10:00Z" {
		t.Errorf("fence history: last %+v failed %+v", f.Last, f.Failed)
	}
	got := alertText(c)
	for _, want := range []string{
		"warning controller-2 cannot be fenced by Pacemaker: its stonith device stonith-2 (stopped) is not running",
		"warning stonith device stonith-2 (stonith:fence_ipmilan, for controller-2) is stopped",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("alerts lack %q:\n%s", want, got)
		}
	}
	if c.Node("redis-bundle-2").Fencing != nil {
		t.Error("a guest node got Pacemaker fencing of its own")
	}
}

func TestFencingLevelsAndAskedDevices(t *testing.T) {
	f := &FencingConfig{
		Devices: []FenceDevice{ipmi("ipmi-a", "a", true), {ID: "xvm", HostCheck: HostCheckDynamic, Started: true, Known: true}},
		Levels:  []FenceLevel{{Index: 1, Pattern: "^b$", Devices: []string{"ipmi-a"}}},
	}
	if got := fencingFor("a", true, f, nil); !got.Ready || strings.Join(got.Devices, ",") != "ipmi-a,xvm" || got.Asked {
		t.Errorf("a: %+v", got)
	}
	// b's level names only ipmi-a, which does not target b.
	if got := fencingFor("b", true, f, nil); got.Ready || got.Level != 1 {
		t.Errorf("b: %+v", got)
	}
	if got := fencingFor("c", true, f, nil); !got.Ready || !got.Asked {
		t.Errorf("c (only a dynamic device): %+v", got)
	}
	if got := fencingFor("a", false, f, nil); got.Ready || got.Why != "stonith-enabled is off" {
		t.Errorf("stonith off: %+v", got)
	}
}

func TestAutoName(t *testing.T) {
	for id, want := range map[string]string{"galera-bundle": "galera", "openstack-cinder-volume": "cinder-volume", "haproxy-clone": "haproxy", "redis-master": "redis", "-bundle": "-bundle"} {
		if got := AutoName(id); got != want {
			t.Errorf("AutoName(%q) = %q, want %q", id, got, want)
		}
	}
}
