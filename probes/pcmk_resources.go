package probes

import (
	"strings"

	"github.com/hacon/hacon/cluster"
)

// Resources arrive as elements under <resources>: resource (a primitive),
// group, clone and bundle, in document order, which crm_mon uses to list
// group members and clone instances.

// nodesOf lists the <node> children of a resource: where it runs.
func nodesOf(x *xel) []string {
	var out []string
	for _, k := range x.kids {
		if k.name == "node" {
			out = append(out, k.attr("name"))
		}
	}
	return out
}

// isManaged defaults to true: only an explicit managed="false" means
// Pacemaker has let go of the resource.
func isManaged(x *xel) bool {
	m := x.attr("managed")
	return m == "" || isTrue(m)
}

func isDisabled(x *xel) bool {
	return isTrue(x.attr("disabled")) || strings.EqualFold(x.attr("target_role"), "stopped")
}

func convertResource(x *xel) (cluster.Resource, bool) {
	r := cluster.Resource{
		ID: x.attr("id"), Managed: isManaged(x), Failed: isTrue(x.attr("failed")),
		Disabled: isDisabled(x), TargetRole: targetRole(x.attr("target_role")),
	}
	switch x.name {
	case "resource":
		r.Kind, r.Agent = cluster.KindPrimitive, x.attr("resource_agent")
		r.Instances = primitiveInstances(x, nil)
	case "group":
		r.Kind = cluster.KindGroup
		r.Members, r.Agent = groupMembers(x)
		r.Instances = groupInstances(x, nil)
		r.Failed = r.Failed || anyFailed(r.Instances)
	case "clone":
		convertClone(x, &r)
	case "bundle":
		convertBundle(x, &r)
	default:
		return r, false
	}
	// Pacemaker 1.1 writes ocf::heartbeat:IPaddr2; 2.x ocf:heartbeat:IPaddr2.
	r.Agent = strings.ReplaceAll(r.Agent, "::", ":")
	r.Mode = DeriveMode(&r)
	r.Unmanaged = !r.Managed
	return r, true
}

func targetRole(s string) string {
	if s == "" {
		return ""
	}
	return normRole(s)
}

// primitiveInstances gives one instance per node a primitive runs on (more
// than one only when it is multiply active), or one nodeless instance.
func primitiveInstances(x *xel, out []cluster.Instance) []cluster.Instance {
	base := cluster.Instance{
		ID: x.attr("id"), Role: normRole(x.attr("role")), Failed: isTrue(x.attr("failed")),
		Managed: isManaged(x), Blocked: isTrue(x.attr("blocked")),
	}
	nodes := nodesOf(x)
	if len(nodes) == 0 {
		return append(out, base)
	}
	for _, n := range nodes {
		in := base
		in.Node = n
		out = append(out, in)
	}
	return out
}

// roleRank orders roles by how much an instance is doing: among members
// that all run on a node, the group reports the most active one's role.
func roleRank(role string) int {
	switch role {
	case cluster.RolePromoted:
		return 5
	case cluster.RoleUnpromoted:
		return 4
	case cluster.RoleStarted:
		return 3
	case cluster.RoleStopped:
		return 0
	}
	return 1 // Starting, Stopping, Migrating: in transition
}

// groupInstances gives one instance per node the group's members run on
// (normally one), or one Stopped instance when no member runs.
func groupInstances(g *xel, out []cluster.Instance) []cluster.Instance {
	var (
		nodes    []string
		byNode   = map[string]*cluster.Instance{}
		managed  = isManaged(g)
		failed   bool // a failed member with no node taints every instance
		blocked  bool
		anyRole  = cluster.RoleStopped
		instance = g.attr("id")
	)
	members, perNode := 0, map[string]int{}
	for _, m := range g.kids {
		if m.name != "resource" {
			continue
		}
		members++
		for _, n := range nodesOf(m) {
			perNode[n]++
		}
		managed = managed && isManaged(m)
		blocked = blocked || isTrue(m.attr("blocked"))
		role := normRole(m.attr("role"))
		mnodes := nodesOf(m)
		if len(mnodes) == 0 {
			failed = failed || isTrue(m.attr("failed"))
			if roleRank(role) > roleRank(anyRole) {
				anyRole = role
			}
			continue
		}
		for _, n := range mnodes {
			in := byNode[n]
			if in == nil {
				in = &cluster.Instance{ID: instance, Node: n, Role: role}
				byNode[n] = in
				nodes = append(nodes, n)
			} else if roleRank(role) > roleRank(in.Role) {
				in.Role = role
			}
			in.Failed = in.Failed || isTrue(m.attr("failed"))
		}
	}
	if len(nodes) == 0 {
		return append(out, cluster.Instance{ID: instance, Role: anyRole, Failed: failed, Managed: managed, Blocked: blocked})
	}
	for _, n := range nodes {
		in := byNode[n]
		// A group serves only when every member runs: one stopped member
		// (the service behind its started IP, say) makes the group's
		// instance on that node Stopped, not Started.
		if perNode[n] < members {
			in.Role = cluster.RoleStopped
		}
		in.Failed = in.Failed || failed
		in.Managed, in.Blocked = managed, blocked
		out = append(out, *in)
	}
	return out
}

// groupMembers lists a group's primitives (clone suffixes stripped) and the
// agent of the first.
func groupMembers(g *xel) (ids []string, agent string) {
	for _, m := range g.kids {
		if m.name != "resource" {
			continue
		}
		if agent == "" {
			agent = m.attr("resource_agent")
		}
		ids = append(ids, baseID(m.attr("id")))
	}
	return ids, agent
}

func convertClone(x *xel, r *cluster.Resource) {
	r.Kind = cluster.KindClone
	if isTrue(x.attr("multi_state")) {
		r.Kind = cluster.KindPromotable
	}
	seen := map[string]bool{}
	for _, c := range x.kids {
		switch c.name {
		case "resource":
			if r.Agent == "" {
				r.Agent = c.attr("resource_agent")
			}
			if b := baseID(c.attr("id")); !seen[b] {
				seen[b] = true
				r.Members = append(r.Members, b)
			}
			r.Instances = primitiveInstances(c, r.Instances)
		case "group":
			ids, agent := groupMembers(c)
			if r.Agent == "" {
				r.Agent = agent
			}
			for _, b := range ids {
				if !seen[b] {
					seen[b] = true
					r.Members = append(r.Members, b)
				}
			}
			r.Instances = groupInstances(c, r.Instances)
		}
	}
	r.Failed = r.Failed || anyFailed(r.Instances)
}

// convertBundle turns each replica into one instance: placed on the node
// its container runs on, with the role of the resource inside (or of the
// container itself for a bundle with no primitive).
func convertBundle(x *xel, r *cluster.Resource) {
	r.Kind = cluster.KindBundle
	var innerAgent, containerAgent string
	for _, rep := range x.kids {
		if rep.name != "replica" {
			continue
		}
		r.Replicas++
		in := cluster.Instance{ID: x.attr("id") + "-" + rep.attr("id"), Managed: isManaged(x), Role: cluster.RoleStopped}
		var inner, container *xel
		for _, c := range rep.kids {
			if c.name != "resource" {
				continue
			}
			in.Failed = in.Failed || isTrue(c.attr("failed"))
			in.Blocked = in.Blocked || isTrue(c.attr("blocked"))
			in.Managed = in.Managed && isManaged(c)
			switch bundlePart(x, rep.attr("id"), c) {
			case partContainer:
				container = c
			case partInner:
				inner = c
			}
		}
		if container != nil {
			if cn := nodesOf(container); len(cn) > 0 {
				in.Node = cn[0]
			}
			in.Role = normRole(container.attr("role"))
			if containerAgent == "" {
				containerAgent = container.attr("resource_agent")
			}
		}
		// With no container running, the wrapped resource may still claim
		// its last role on a guest that is gone: it runs nowhere.
		if inner != nil && (container == nil || in.Node != "") {
			in.Role = normRole(inner.attr("role"))
		} else if inner != nil && normRole(inner.attr("role")) != cluster.RoleStopped {
			in.Claimed = normRole(inner.attr("role"))
		}
		if inner != nil {
			if innerAgent == "" {
				innerAgent = inner.attr("resource_agent")
			}
			if len(r.Members) == 0 {
				r.Members = []string{baseID(inner.attr("id"))}
			}
		}
		r.Instances = append(r.Instances, in)
	}
	r.Agent = innerAgent
	if r.Agent == "" {
		r.Agent = containerAgent
	}
	r.Failed = r.Failed || anyFailed(r.Instances)
}

const (
	partInner = iota
	partContainer
	partOther // the guest's ocf:pacemaker:remote connection, or its IP
)

// bundlePart tells a replica's resources apart by the ids Pacemaker gives
// them: <bundle>-<type>-<n> is the container, <bundle>-<n> the remote
// connection, <bundle>-ip-… the address; anything else is the primitive
// the bundle wraps.
func bundlePart(b *xel, replica string, c *xel) int {
	switch {
	case b.attr("type") != "" && c.attr("id") == b.attr("id")+"-"+b.attr("type")+"-"+replica:
		return partContainer
	case b.attr("type") == "" && isContainerAgent(c.attr("resource_agent")):
		return partContainer
	case c.attr("id") == b.attr("id")+"-"+replica, strings.HasSuffix(c.attr("resource_agent"), ":pacemaker:remote"),
		strings.HasPrefix(c.attr("id"), b.attr("id")+"-ip-"):
		return partOther
	}
	return partInner
}

func isContainerAgent(agent string) bool {
	return strings.HasSuffix(agent, ":heartbeat:docker") || strings.HasSuffix(agent, ":heartbeat:podman") ||
		strings.HasSuffix(agent, ":heartbeat:rkt")
}

func anyFailed(ins []cluster.Instance) bool {
	for _, in := range ins {
		if in.Failed {
			return true
		}
	}
	return false
}

// DeriveMode says whether a resource is meant to serve from one node or
// many: primitives and groups are active-passive, plain clones
// active-active; promotable clones and bundles follow promoted-max (1 means
// one writer: active-passive). When promoted-max is unknown (no CIB read
// yet) the number of promoted instances stands in, with Pacemaker's default
// of 1; a bundle without promotion is active-active with several replicas.
func DeriveMode(r *cluster.Resource) string {
	switch r.Kind {
	case cluster.KindClone:
		return cluster.ModeActiveActive
	case cluster.KindPromotable:
		return modeByPromoted(r)
	case cluster.KindBundle:
		if r.PromotedMax > 0 || hasPromotionRoles(r) {
			return modeByPromoted(r)
		}
		if max(r.Replicas, len(r.Instances)) > 1 {
			return cluster.ModeActiveActive
		}
		return cluster.ModeActivePassive
	}
	return cluster.ModeActivePassive
}

func modeByPromoted(r *cluster.Resource) string {
	pm := r.PromotedMax
	if pm <= 0 {
		for _, in := range r.Instances {
			if in.Role == cluster.RolePromoted {
				pm++
			}
		}
	}
	if pm > 1 {
		return cluster.ModeActiveActive
	}
	return cluster.ModeActivePassive
}

func hasPromotionRoles(r *cluster.Resource) bool {
	for _, in := range r.Instances {
		if in.Role == cluster.RolePromoted || in.Role == cluster.RoleUnpromoted {
			return true
		}
	}
	return false
}
