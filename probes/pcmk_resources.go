package probes

import (
	"encoding/xml"
	"strings"

	"github.com/hacon/hacon/cluster"
)

type xResources struct {
	Items []xRsc `xml:",any"`
}

// xRsc is any element under <resources>: resource (a primitive), group,
// clone, bundle, or a bundle's replica. One union type keeps document
// order, which crm_mon uses to list group members and clone instances.
type xRsc struct {
	XMLName    xml.Name
	ID         string   `xml:"id,attr"`
	Agent      string   `xml:"resource_agent,attr"`
	Role       string   `xml:"role,attr"`
	TargetRole string   `xml:"target_role,attr"`
	Blocked    string   `xml:"blocked,attr"`
	Managed    string   `xml:"managed,attr"`
	Failed     string   `xml:"failed,attr"`
	Disabled   string   `xml:"disabled,attr"`
	MultiState string   `xml:"multi_state,attr"`
	Type       string   `xml:"type,attr"` // bundle: docker, podman, rkt
	Nodes      []xRNode `xml:"node"`
	Children   []xRsc   `xml:",any"`
}

type xRNode struct {
	Name string `xml:"name,attr"`
}

// managed defaults to true: only an explicit managed="false" means
// Pacemaker has let go of the resource.
func (x *xRsc) managed() bool { return x.Managed == "" || isTrue(x.Managed) }

func (x *xRsc) disabled() bool {
	return isTrue(x.Disabled) || strings.EqualFold(x.TargetRole, "stopped")
}

func convertResource(x *xRsc) (cluster.Resource, bool) {
	r := cluster.Resource{
		ID: x.ID, Managed: x.managed(), Failed: isTrue(x.Failed),
		Disabled: x.disabled(), TargetRole: targetRole(x.TargetRole),
	}
	switch x.XMLName.Local {
	case "resource":
		r.Kind, r.Agent = cluster.KindPrimitive, x.Agent
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
func primitiveInstances(x *xRsc, out []cluster.Instance) []cluster.Instance {
	base := cluster.Instance{
		ID: x.ID, Role: normRole(x.Role), Failed: isTrue(x.Failed),
		Managed: x.managed(), Blocked: isTrue(x.Blocked),
	}
	if len(x.Nodes) == 0 {
		return append(out, base)
	}
	for _, n := range x.Nodes {
		in := base
		in.Node = n.Name
		out = append(out, in)
	}
	return out
}

// roleRank orders roles by how much an instance is doing, so a group
// whose members disagree on a node reports its most active member's role.
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
func groupInstances(g *xRsc, out []cluster.Instance) []cluster.Instance {
	var (
		nodes    []string
		byNode   = map[string]*cluster.Instance{}
		managed  = g.managed()
		failed   bool // a failed member with no node taints every instance
		blocked  bool
		anyRole  = cluster.RoleStopped
		instance = g.ID
	)
	for i := range g.Children {
		m := &g.Children[i]
		if m.XMLName.Local != "resource" {
			continue
		}
		managed = managed && m.managed()
		blocked = blocked || isTrue(m.Blocked)
		role := normRole(m.Role)
		if len(m.Nodes) == 0 {
			failed = failed || isTrue(m.Failed)
			if roleRank(role) > roleRank(anyRole) {
				anyRole = role
			}
			continue
		}
		for _, n := range m.Nodes {
			in := byNode[n.Name]
			if in == nil {
				in = &cluster.Instance{ID: instance, Node: n.Name, Role: role}
				byNode[n.Name] = in
				nodes = append(nodes, n.Name)
			} else if roleRank(role) > roleRank(in.Role) {
				in.Role = role
			}
			in.Failed = in.Failed || isTrue(m.Failed)
		}
	}
	if len(nodes) == 0 {
		return append(out, cluster.Instance{ID: instance, Role: anyRole, Failed: failed, Managed: managed, Blocked: blocked})
	}
	for _, n := range nodes {
		in := byNode[n]
		in.Failed = in.Failed || failed
		in.Managed, in.Blocked = managed, blocked
		out = append(out, *in)
	}
	return out
}

// groupMembers lists a group's primitives (clone suffixes stripped) and the
// agent of the first.
func groupMembers(g *xRsc) (ids []string, agent string) {
	for i := range g.Children {
		m := &g.Children[i]
		if m.XMLName.Local != "resource" {
			continue
		}
		if agent == "" {
			agent = m.Agent
		}
		ids = append(ids, baseID(m.ID))
	}
	return ids, agent
}

func convertClone(x *xRsc, r *cluster.Resource) {
	r.Kind = cluster.KindClone
	if isTrue(x.MultiState) {
		r.Kind = cluster.KindPromotable
	}
	seen := map[string]bool{}
	for i := range x.Children {
		c := &x.Children[i]
		switch c.XMLName.Local {
		case "resource":
			if r.Agent == "" {
				r.Agent = c.Agent
			}
			if b := baseID(c.ID); !seen[b] {
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
func convertBundle(x *xRsc, r *cluster.Resource) {
	r.Kind = cluster.KindBundle
	var innerAgent, containerAgent string
	for i := range x.Children {
		rep := &x.Children[i]
		if rep.XMLName.Local != "replica" {
			continue
		}
		r.Replicas++
		in := cluster.Instance{ID: x.ID + "-" + rep.ID, Managed: x.managed(), Role: cluster.RoleStopped}
		var inner, container *xRsc
		for j := range rep.Children {
			c := &rep.Children[j]
			if c.XMLName.Local != "resource" {
				continue
			}
			in.Failed = in.Failed || isTrue(c.Failed)
			in.Blocked = in.Blocked || isTrue(c.Blocked)
			in.Managed = in.Managed && c.managed()
			switch bundlePart(x, rep.ID, c) {
			case partContainer:
				container = c
			case partInner:
				inner = c
			}
		}
		if container != nil {
			if len(container.Nodes) > 0 {
				in.Node = container.Nodes[0].Name
			}
			in.Role = normRole(container.Role)
			if containerAgent == "" {
				containerAgent = container.Agent
			}
		}
		// With no container running, the wrapped resource may still claim
		// its last role on a guest that is gone: it runs nowhere.
		if inner != nil && (container == nil || in.Node != "") {
			in.Role = normRole(inner.Role)
		}
		if inner != nil {
			if innerAgent == "" {
				innerAgent = inner.Agent
			}
			if len(r.Members) == 0 {
				r.Members = []string{baseID(inner.ID)}
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
func bundlePart(b *xRsc, replica string, c *xRsc) int {
	switch {
	case b.Type != "" && c.ID == b.ID+"-"+b.Type+"-"+replica:
		return partContainer
	case b.Type == "" && isContainerAgent(c.Agent):
		return partContainer
	case c.ID == b.ID+"-"+replica, strings.HasSuffix(c.Agent, ":pacemaker:remote"),
		strings.HasPrefix(c.ID, b.ID+"-ip-"):
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
