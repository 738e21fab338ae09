package probes

import (
	"sort"
	"strings"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
)

// promInstance is one resource on one node as ha_cluster_exporter's
// ha_cluster_pacemaker_resources{resource,node,role,managed,status,…}
// series say: status is one of active, failed, blocked, orphaned,
// failure_ignored, each its own series.
type promInstance struct {
	resource, node, role string
	managed, active      bool
	failed, blocked      bool
}

// promTop is a top-level resource being assembled from its series.
type promTop struct {
	id, kind, agent string
	members         []string
	byKey           map[[2]string]*promInstance
	order           [][2]string
}

// pcmkResources turns the chosen instance's resource series into
// top-level resources: clones and groups from the clone and group labels.
// The exporter lists no bundles.
func (pc *promCluster) pcmkResources(pm *cluster.PacemakerStatus, series []promSample, inst string) (skipped int) {
	tops := map[string]*promTop{}
	var order []string
	for _, s := range series {
		if s.label("instance") != inst {
			continue
		}
		res, clone, group, node := s.label("resource"), s.label("clone"), s.label("group"), s.label("node")
		if config.NameProblem(res) != "" || (clone != "" && config.NameProblem(clone) != "") ||
			(group != "" && config.NameProblem(group) != "") || (node != "" && config.NameProblem(node) != "") {
			skipped++
			continue
		}
		id, kind := res, cluster.KindPrimitive
		switch {
		case clone != "":
			id, kind = clone, cluster.KindClone
		case group != "":
			id, kind = group, cluster.KindGroup
		}
		t := tops[id]
		if t == nil {
			t = &promTop{id: id, kind: kind, agent: strings.ReplaceAll(s.label("agent"), "::", ":"), byKey: map[[2]string]*promInstance{}}
			tops[id] = t
			order = append(order, id)
		}
		if group != "" && !contains(t.members, res) || clone != "" && group == "" && !contains(t.members, res) {
			t.members = append(t.members, res)
		}
		key := [2]string{res, node}
		in := t.byKey[key]
		if in == nil {
			in = &promInstance{resource: res, node: node, role: roleWord(s.label("role")), managed: s.label("managed") == "true"}
			t.byKey[key] = in
			t.order = append(t.order, key)
		}
		on := s.value == 1
		switch s.label("status") {
		case "active":
			in.active = in.active || on
		case "failed":
			in.failed = in.failed || on
		case "blocked":
			in.blocked = in.blocked || on
		}
	}
	sort.Strings(order)
	for _, id := range order {
		pm.Resources = append(pm.Resources, tops[id].resource())
	}
	return skipped
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (t *promTop) resource() cluster.Resource {
	r := cluster.Resource{ID: t.id, Kind: t.kind, Agent: t.agent, Managed: true, Members: t.members}
	grouped := t.kind == cluster.KindGroup || (t.kind == cluster.KindClone && len(t.members) > 1)
	if grouped {
		r.Instances = t.groupInstances()
	} else {
		r.Instances = t.primitiveInstances()
	}
	for _, k := range t.order {
		in := t.byKey[k]
		r.Managed = r.Managed && in.managed
		r.Failed = r.Failed || in.failed
		if in.role == cluster.RolePromoted || in.role == cluster.RoleUnpromoted {
			r.Kind = cluster.KindPromotable
		}
	}
	r.Unmanaged = !r.Managed
	r.Mode = DeriveMode(&r)
	return r
}

// primitiveInstances: one instance per node the resource is active on, or
// one Stopped instance when it is active nowhere.
func (t *promTop) primitiveInstances() []cluster.Instance {
	var out []cluster.Instance
	stopped := (*promInstance)(nil)
	for _, k := range t.order {
		in := t.byKey[k]
		if !in.active || in.node == "" {
			if stopped == nil || in.failed {
				stopped = in
			}
			continue
		}
		out = append(out, cluster.Instance{ID: in.resource, Node: in.node, Role: in.role, Failed: in.failed, Managed: in.managed, Blocked: in.blocked})
	}
	if len(out) == 0 && stopped != nil {
		out = append(out, cluster.Instance{ID: stopped.resource, Role: cluster.RoleStopped, Failed: stopped.failed, Managed: stopped.managed, Blocked: stopped.blocked})
	}
	return out
}

// groupInstances: as for crm_mon, a group serves on a node only when every
// member is active there; its role is the most active member's.
func (t *promTop) groupInstances() []cluster.Instance {
	byNode := map[string]*cluster.Instance{}
	count := map[string]int{}
	var nodes []string
	failed := false
	for _, k := range t.order {
		in := t.byKey[k]
		failed = failed || in.failed
		if !in.active || in.node == "" {
			continue
		}
		g := byNode[in.node]
		if g == nil {
			g = &cluster.Instance{ID: t.id, Node: in.node, Role: in.role, Managed: true}
			byNode[in.node] = g
			nodes = append(nodes, in.node)
		} else if roleRank(in.role) > roleRank(g.Role) {
			g.Role = in.role
		}
		count[in.node]++
		g.Failed = g.Failed || in.failed
		g.Blocked = g.Blocked || in.blocked
		g.Managed = g.Managed && in.managed
	}
	if len(nodes) == 0 {
		return []cluster.Instance{{ID: t.id, Role: cluster.RoleStopped, Failed: failed, Managed: true}}
	}
	out := make([]cluster.Instance, 0, len(nodes))
	for _, n := range nodes {
		g := byNode[n]
		if count[n] < len(t.members) {
			g.Role = cluster.RoleStopped
		}
		out = append(out, *g)
	}
	return out
}
