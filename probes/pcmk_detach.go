package probes

import (
	"strings"

	"github.com/hacon/hacon/cluster"
)

// detach gives every string of a parsed status its own memory. The light
// XML tree's strings are slices of the whole crm_mon output; a status is
// kept for a while (the scheduler's history holds 50 results per source),
// and one retained node name must not pin megabytes of node_history.
// Values repeat a lot (node names, agents, roles), so they are interned.
func detach(st *cluster.PacemakerStatus) {
	seen := map[string]string{}
	k := func(s *string) {
		if *s == "" {
			return
		}
		if v, ok := seen[*s]; ok {
			*s = v
			return
		}
		c := strings.Clone(*s)
		seen[c] = c
		*s = c
	}
	k(&st.Stack)
	k(&st.DC)
	k(&st.LastChange)
	for i := range st.Nodes {
		n := &st.Nodes[i]
		k(&n.Name)
		k(&n.ID)
		k(&n.Type)
	}
	for i := range st.Resources {
		r := &st.Resources[i]
		k(&r.ID)
		k(&r.Agent)
		k(&r.TargetRole)
		for j := range r.Members {
			k(&r.Members[j])
		}
		for j := range r.Instances {
			in := &r.Instances[j]
			k(&in.ID)
			k(&in.Node)
			k(&in.Role)
			k(&in.Claimed)
		}
	}
	for i := range st.Constraints {
		c := &st.Constraints[i]
		for _, s := range []*string{&c.ID, &c.Resource, &c.Node, &c.Role, &c.Score, &c.Expires} {
			k(s)
		}
	}
	for i := range st.Failures {
		f := &st.Failures[i]
		for _, s := range []*string{&f.OpKey, &f.Node, &f.Task, &f.ExitStatus, &f.ExitReason, &f.Interval, &f.LastChange, &f.Resource} {
			k(s)
		}
	}
	for i := range st.FenceHistory {
		f := &st.FenceHistory[i]
		for _, s := range []*string{&f.Target, &f.Action, &f.Status, &f.Delegate, &f.Client, &f.Origin, &f.Completed, &f.Reason} {
			k(s)
		}
	}
	if st.NodeAttributes != nil {
		attrs := make(map[string]map[string]string, len(st.NodeAttributes))
		for node, m := range st.NodeAttributes {
			k(&node)
			cm := make(map[string]string, len(m))
			for name, v := range m {
				k(&name)
				k(&v)
				cm[name] = v
			}
			attrs[node] = cm
		}
		st.NodeAttributes = attrs
	}
}
