package cluster

import (
	"slices"
	"sort"
)

// VRRPNode is one VRRP instance on one controller.
type VRRPNode struct {
	Node string
	VRRPInstance
}

// VRRPView is one controller's state for a VIP's instance, for the VIP
// panel: Known is false when its keepalived did not answer or gave no dump.
type VRRPView struct {
	Node              string
	Known             bool
	State             string
	BasePriority      int
	EffectivePriority int
	NoPreempt         bool
	FailingChecks     []string
}

// keepalived merges each controller's latest keepalived answer: addresses
// tell where each keepalived VIP is, dumps tell the VRRP view. A failed
// poll is no opinion: a dead holder's last answer would otherwise look like
// a second holder (a split brain that is not there).
func (m *merger) keepalived() {
	if !m.cc.UsesKeepalived() {
		return
	}
	o := m.out
	o.HasKeepalived = true
	status := map[string]*KeepalivedStatus{}
	for i := range o.Nodes {
		n := &o.Nodes[i]
		ka := m.latestKeepalived(n.Name)
		if ka == nil {
			continue
		}
		n.Keepalived, status[n.Name] = ka, ka
		if ka.DumpError != "" {
			o.Warnings = append(o.Warnings, "keepalived on "+n.Name+": "+ka.DumpError)
		}
		if ka.Warning != "" {
			o.Warnings = append(o.Warnings, "keepalived on "+n.Name+": "+ka.Warning)
		}
		for _, in := range ka.Instances {
			o.VRRP = append(o.VRRP, VRRPNode{Node: n.Name, VRRPInstance: in})
		}
	}
	// vips() lists the configured VIPs first, in config order.
	for i, cv := range m.cc.VIPs {
		if cv.KeepalivedInstance == "" || i >= len(o.VIPs) {
			continue
		}
		o.VIPs[i].Instance = cv.KeepalivedInstance
		m.keepalivedVIP(&o.VIPs[i], status)
	}
}

func (m *merger) keepalivedVIP(v *VIP, status map[string]*KeepalivedStatus) {
	known := 0
	for _, c := range m.cc.Controllers {
		ka := status[c.Name]
		view := VRRPView{Node: c.Name}
		if ka != nil {
			known++
			if ka.HasAddress(v.Address) {
				v.Holders = append(v.Holders, c.Name)
			}
			if in := ka.instance(v.Instance); in != nil {
				view.Known, view.State = true, in.State
				view.BasePriority, view.EffectivePriority, view.NoPreempt = in.BasePriority, in.EffectivePriority, in.NoPreempt
				view.FailingChecks = in.FailingChecks
			}
		}
		v.VRRP = append(v.VRRP, view)
	}
	v.Nodes = slices.Clone(v.Holders)
	if len(v.Holders) > 0 {
		v.Node, v.Role = v.Holders[0], VRRPMaster
	}
	// With no controller answering, where the address is is unknown.
	v.Stale = known == 0
}

// instance finds a VRRP instance by name in one node's dump.
func (s *KeepalivedStatus) instance(name string) *VRRPInstance {
	for i := range s.Instances {
		if s.Instances[i].Name == name {
			return &s.Instances[i]
		}
	}
	return nil
}

// Masters lists the controllers that say they are MASTER of an instance.
func (c *Cluster) Masters(instance string) []string {
	var out []string
	for _, x := range c.VRRP {
		if x.Name == instance && x.State == VRRPMaster {
			out = append(out, x.Node)
		}
	}
	sort.Strings(out)
	return out
}

// Instances lists the VRRP instance names known in the cluster, sorted.
func (c *Cluster) Instances() []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range c.VRRP {
		if !seen[x.Name] {
			seen[x.Name] = true
			out = append(out, x.Name)
		}
	}
	sort.Strings(out)
	return out
}

// VRRPOn finds an instance's state on one node.
func (c *Cluster) VRRPOn(node, instance string) *VRRPNode {
	for i := range c.VRRP {
		if c.VRRP[i].Node == node && c.VRRP[i].Name == instance {
			return &c.VRRP[i]
		}
	}
	return nil
}

// KeepalivedReport is one VRRP instance on one node in `status -o json`.
type KeepalivedReport struct {
	Node              string   `json:"node"`
	Instance          string   `json:"instance"`
	State             string   `json:"state"`
	BasePriority      int      `json:"base_priority"`
	EffectivePriority int      `json:"effective_priority"`
	Preempt           bool     `json:"preempt"`
	VRID              int      `json:"vrid"`
	FailingChecks     []string `json:"failing_checks,omitempty"`
}

func keepalivedReport(c *Cluster) []KeepalivedReport {
	out := []KeepalivedReport{}
	for _, x := range c.VRRP {
		out = append(out, KeepalivedReport{Node: x.Node, Instance: x.Name, State: x.State, BasePriority: x.BasePriority,
			EffectivePriority: x.EffectivePriority, Preempt: !x.NoPreempt, VRID: x.VRID, FailingChecks: x.FailingChecks})
	}
	return out
}

// latestKeepalived is a node's newest keepalived answer: its latest poll
// when that succeeded, the one before while a poll is still in flight
// (skipped), nothing when the latest failed or the source went silent.
func (m *merger) latestKeepalived(node string) *KeepalivedStatus {
	st := m.in[SourceID{m.cc.Name, KindKeepalived, node}]
	if st == nil || st.Latest == nil || st.Silent(m.now) {
		return nil
	}
	r := st.Latest
	if r.Skipped && st.LastGood != nil && !st.Stale(m.now) {
		r = st.LastGood
	}
	if !r.OK() {
		return nil
	}
	return r.Keepalived
}
