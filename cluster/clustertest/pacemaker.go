package clustertest

import (
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
)

// PacemakerOnly is a TripleO (OSP 12) cluster as Pacemaker's scheduler
// regression suite records it (bundle-order-fencing, made live), polled
// with the smallest config: three controllers and a Pacemaker prefix. No
// services, no BMCs: every row is an auto row and fencing is Pacemaker's.
// It goes through cluster.Build, so auto rows, alerts and fencing are
// hacon's own.
func PacemakerOnly() cluster.Snapshot {
	ctl := []string{"controller-0", "controller-1", "controller-2"}
	cc := config.Cluster{Name: "overcloud", Pacemaker: &config.Pacemaker{Command: []string{"env", "CIB_file=live.xml"}}}
	for _, n := range ctl {
		cc.Controllers = append(cc.Controllers, config.Controller{Name: n})
	}
	cfg := &config.Config{Interval: 2 * time.Second, Clusters: []config.Cluster{cc}}
	pm := &cluster.PacemakerStatus{Via: ctl[0], DC: ctl[2], HasQuorum: true, StonithEnabled: true,
		Nodes: []cluster.PcmkNode{{Name: ctl[0], ID: "1", Type: "member"}, {Name: ctl[1], ID: "2", Type: "member", Online: true, ResourcesRunning: 10},
			{Name: ctl[2], ID: "3", Type: "member", Online: true, DC: true, ResourcesRunning: 14}},
		Resources: []cluster.Resource{
			bundle("rabbitmq-bundle", "rabbitmq", "ocf:heartbeat:rabbitmq-cluster", cluster.ModeActiveActive, cluster.RoleStarted, cluster.RoleStarted, cluster.RoleStarted),
			bundle("galera-bundle", "galera", "ocf:heartbeat:galera", cluster.ModeActiveActive, cluster.RolePromoted, cluster.RolePromoted, cluster.RolePromoted),
			bundle("redis-bundle", "redis", "ocf:heartbeat:redis", cluster.ModeActivePassive, cluster.RolePromoted, cluster.RolePromoted, cluster.RoleUnpromoted),
			vip("ip-192.168.24.7", ctl[2]), vip("ip-10.0.0.109", ctl[1]), vip("ip-172.17.1.14", ctl[2]),
			vip("ip-172.17.1.19", ctl[2]), vip("ip-172.17.3.19", ctl[2]), vip("ip-172.17.4.11", ctl[1]),
			{ID: "haproxy-bundle", Kind: cluster.KindBundle, Mode: cluster.ModeActiveActive, Agent: "ocf:heartbeat:docker", Replicas: 3, Managed: true, Instances: []cluster.Instance{
				{ID: "haproxy-bundle-0", Role: cluster.RoleStopped}, {ID: "haproxy-bundle-1", Node: ctl[2], Role: cluster.RoleStarted},
				{ID: "haproxy-bundle-2", Node: ctl[1], Role: cluster.RoleStarted}}},
			{ID: "openstack-cinder-volume", Kind: cluster.KindPrimitive, Mode: cluster.ModeActivePassive, Agent: "systemd:openstack-cinder-volume", Managed: true,
				Instances: []cluster.Instance{{ID: "openstack-cinder-volume", Node: ctl[2], Role: cluster.RoleStarted}}},
			stonith("stonith-fence_ipmilan-525400efba5c", ctl[2]), stonith("stonith-fence_ipmilan-5254003e8e97", ctl[1]),
			stonith("stonith-fence_ipmilan-5254000dcb3f", ctl[2]),
		},
		Failures: []cluster.Failure{{OpKey: "redis_monitor_60000", Node: "redis-bundle-2", Task: "monitor", ExitStatus: "promoted", ExitReason: "none",
			ExitCode: 8, Interval: "60000", LastChange: "2017-09-11 15:31:34Z", Resource: "redis"}},
		Fencing: &cluster.FencingConfig{Devices: []cluster.FenceDevice{
			ipmilan("stonith-fence_ipmilan-525400efba5c", ctl[0], ctl[2]), ipmilan("stonith-fence_ipmilan-5254003e8e97", ctl[2], ctl[1]),
			ipmilan("stonith-fence_ipmilan-5254000dcb3f", ctl[1], ctl[2])}},
	}
	for _, b := range []string{"galera-bundle", "rabbitmq-bundle", "redis-bundle"} {
		pm.Nodes = append(pm.Nodes, cluster.PcmkNode{Name: b + "-0", ID: b + "-0", Type: "remote"})
		for _, i := range []string{"1", "2"} {
			pm.Nodes = append(pm.Nodes, cluster.PcmkNode{Name: b + "-" + i, ID: b + "-" + i, Type: "remote", Online: true, ResourcesRunning: 1})
		}
	}
	id := cluster.SourceID{Cluster: cc.Name, Kind: cluster.KindPacemaker, Name: "pacemaker"}
	r := &cluster.Result{ID: id, Address: "crm_mon via controller-0", Started: Taken.Add(-time.Second), Duration: 180 * time.Millisecond, Pacemaker: pm}
	in := cluster.Inputs{id: {ID: id, Address: r.Address, Interval: 2 * time.Second, Latest: r, LastGood: r,
		LastSuccess: r.Started, LastAnswer: r.Started, Since: Taken.Add(-time.Minute)}}
	return cluster.Build(cfg, in, Taken, 1)
}

// bundle is a three-replica bundle whose replica 0 FAILED with its host
// controller-0; roles are those of replicas 0, 1 and 2.
func bundle(id, inner, agent, mode string, roles ...string) cluster.Resource {
	r := cluster.Resource{ID: id, Kind: cluster.KindBundle, Mode: mode, Agent: agent, Replicas: 3, Managed: true, Failed: true, Members: []string{inner},
		Instances: []cluster.Instance{{ID: id + "-0", Role: cluster.RoleStopped, Claimed: roles[0], Failed: true, Managed: true}}}
	for i, n := range []string{"controller-1", "controller-2"} {
		r.Instances = append(r.Instances, cluster.Instance{ID: id + "-" + string(rune('1'+i)), Node: n, Role: roles[i+1], Managed: true})
	}
	if mode == cluster.ModeActivePassive {
		r.PromotedMax = 1
	}
	return r
}

func vip(id, node string) cluster.Resource {
	return cluster.Resource{ID: id, Kind: cluster.KindPrimitive, Mode: cluster.ModeActivePassive, Agent: "ocf:heartbeat:IPaddr2", Managed: true,
		Instances: []cluster.Instance{{ID: id, Node: node, Role: cluster.RoleStarted, Managed: true}}}
}

func stonith(id, node string) cluster.Resource {
	return cluster.Resource{ID: id, Kind: cluster.KindPrimitive, Mode: cluster.ModeActivePassive, Agent: "stonith:fence_ipmilan", Managed: true,
		Instances: []cluster.Instance{{ID: id, Node: node, Role: cluster.RoleStarted, Managed: true}}}
}

func ipmilan(id, target, node string) cluster.FenceDevice {
	return cluster.FenceDevice{ID: id, Agent: "stonith:fence_ipmilan", Targets: []string{target}, HostCheck: cluster.HostCheckStatic,
		Started: true, Node: node, Known: true}
}
