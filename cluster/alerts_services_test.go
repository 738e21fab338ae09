package cluster_test

import (
	"testing"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/cluster/clustertest"
)

func TestAssessServices(t *testing.T) {
	t.Parallel()
	assess(t, []rule{
		{"stale placement", func(c *cluster.Cluster) { c.Service("keystone").Stale = true },
			[]want{warn("keystone", "keystone: Pacemaker data is stale")}},
		{"one instance down", func(c *cluster.Cluster) {
			for _, s := range clustertest.Servers(c, "keystone_public", "controller-1") {
				s.Status = "DOWN"
			}
		}, []want{warn("keystone", "keystone: 2 of 3 instances serving", "controller-1 DOWN in all HAProxies, Pacemaker says Started")}},
		{"no instance serving", func(c *cluster.Cluster) {
			for _, n := range clustertest.Controllers {
				e := clustertest.Endpoint(c, "keystone", n)
				e.OK, e.Error = false, "timeout after 5s"
			}
		}, []want{crit("keystone", "keystone: 0 of 3 instances serving", "controller-0 endpoint times out", "controller-2 endpoint times out")}},
		{"active/passive runs twice", func(c *cluster.Cluster) {
			r := c.Resource("openstack-cinder-volume")
			r.Instances = append(r.Instances, cluster.Instance{ID: r.ID, Node: "controller-1", Role: cluster.RoleStarted, Managed: true})
		}, []want{crit("cinder-volume", "cinder-volume is active/passive but runs on 2 controllers")}},
		{"HAProxies disagree", func(c *cluster.Cluster) {
			clustertest.Servers(c, "keystone_public", "controller-1")[0].Status = "MAINT"
		}, []want{warn("keystone", "HAProxies disagree about controller-1", "controller-0 says MAINT, controller-1 says UP, controller-2 says UP")}},
		{"certificate expires in 13 days", func(c *cluster.Cluster) {
			e := clustertest.Endpoint(c, "keystone", "controller-0")
			e.TLS, e.TLSDaysLeft = true, 13
		}, []want{warn("keystone", "keystone on controller-0: TLS certificate expires in 13 days")}},
		{"certificate expires in 14 days", func(c *cluster.Cluster) {
			e := clustertest.Endpoint(c, "keystone", "controller-0")
			e.TLS, e.TLSDaysLeft = true, 14
		}, nil},
		{"VIP endpoint failing", func(c *cluster.Cluster) {
			c.Service("keystone").VIP = &cluster.EndpointResult{Service: "keystone", Node: "vip", URL: "http://10.0.0.10:5000/", StatusCode: 503}
		}, []want{crit("keystone", "keystone through the VIP (http://10.0.0.10:5000/): HTTP 503")}},
	})
}

func TestAssessVIPs(t *testing.T) {
	t.Parallel()
	assess(t, []rule{
		{"resource missing", func(c *cluster.Cluster) { c.VIPByName("public").Resource = "ip-10.0.0.99" },
			[]want{warn("public", "VIP public: Pacemaker has no resource ip-10.0.0.99")}},
		{"running nowhere", func(c *cluster.Cluster) { c.VIPByName("public").Node = "" },
			[]want{crit("public", "VIP public (10.0.0.10) is not running anywhere")}},
		{"address conflict", func(c *cluster.Cluster) { c.VIPByName("public").Nodes = []string{"controller-0", "controller-1"} },
			[]want{crit("public", "VIP public (10.0.0.10) is active on controller-0 and controller-1 at once", "address conflict")}},
		{"failed operation", func(c *cluster.Cluster) { c.VIPByName("public").Failed = true },
			[]want{warn("public", "VIP public (10.0.0.10) has a failed operation on controller-0")}},
		{"stale says nothing", func(c *cluster.Cluster) {
			v := c.VIPByName("public")
			v.Stale, v.Node = true, ""
		}, nil},
	})
}

func TestAssessResources(t *testing.T) {
	t.Parallel()
	failed := cluster.Failure{Resource: "keystone-clone", OpKey: "keystone_monitor_60000", Node: "controller-1", Task: "monitor", ExitStatus: "not running", ExitCode: 7, FailCount: 2}
	assess(t, []rule{
		// An instance that runs again: the failure is history, told apart.
		{"earlier failure, told once", func(c *cluster.Cluster) { c.Failures = []cluster.Failure{failed, failed} },
			[]want{info("keystone-clone", "earlier failure, keystone-clone runs again", "rc 7, not running", "fail-count 2 on controller-1")}},
		{"current failure, told once", func(c *cluster.Cluster) {
			clustertest.Instance(c, "keystone-clone", "controller-1").Failed = true
			c.Failures = []cluster.Failure{failed, failed}
		}, []want{
			warn("keystone", "keystone: 2 of 3 instances serving", "controller-1 Pacemaker says FAILED"),
			warn("keystone-clone", "FAILED on controller-1: keystone-clone monitor returned 'not running' (rc 7, not running), fail-count 2 on controller-1"),
		}},
		{"blocked", func(c *cluster.Cluster) { clustertest.Instance(c, "keystone-clone", "controller-2").Blocked = true },
			[]want{crit("keystone-clone", "keystone-clone is blocked on controller-2", "needs manual cleanup")}},
	})
}

func TestAssessConstraints(t *testing.T) {
	t.Parallel()
	constraint := func(kind, resource, node string) func(c *cluster.Cluster) {
		return func(c *cluster.Cluster) {
			c.Constraints = []cluster.Constraint{{ID: kind + "-" + resource, Kind: kind, Resource: resource, Node: node, Score: "INFINITY"}}
		}
	}
	assess(t, []rule{
		{"left by a move", constraint("cli-prefer", "openstack-cinder-volume", "controller-1"),
			[]want{warn("openstack-cinder-volume", "openstack-cinder-volume has a cli-prefer constraint on controller-1", "(:clear openstack-cinder-volume)")}},
		{"left by a ban", constraint("cli-ban", "keystone-clone", "controller-2"),
			[]want{warn("keystone-clone", "keystone-clone is banned from controller-2 (cli-ban-keystone-clone)", "(:clear keystone-clone)")}},
		{"configured ban is no finding", constraint("ban", "keystone-clone", "controller-2"), nil},
	})
}

func TestAssessFencing(t *testing.T) {
	t.Parallel()
	fence := func(status, reason string) func(c *cluster.Cluster) {
		return func(c *cluster.Cluster) {
			c.FenceHistory = []cluster.FenceEvent{{Target: "controller-2", Action: "reboot", Status: status, Delegate: "controller-0", Reason: reason}}
		}
	}
	assess(t, []rule{
		{"failed", fence("failed", "timed out"), []want{warn("controller-2", "fencing controller-2 (reboot) failed: timed out")}},
		{"failed without a reason", fence("failed", ""), []want{warn("controller-2", "fencing controller-2 (reboot) failed")}},
		{"succeeded", fence("success", "peer lost"), nil},
	})
}
