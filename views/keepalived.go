package views

import (
	"fmt"
	"strings"

	"github.com/hacon/hacon/cluster"
)

// keepalivedHolder says where a keepalived VIP is, then each controller's
// VRRP state and effective priority in inventory order ("M1 B2 F3"): the
// letter is the state's initial (MASTER, BACKUP, FAULT, INIT, ? unknown).
func keepalivedHolder(v cluster.VIP) Line {
	var l Line
	switch len(v.Holders) {
	case 0:
		l = Line{S(Crit, "✖ no holder")}
	case 1:
		l = Line{S(OK, "→ "+v.Holders[0])}
	default:
		l = Line{S(Crit, "✖ SPLIT "+strings.Join(v.Holders, "+"))}
	}
	l = append(l, S(Dim, " vrrp"))
	for _, x := range v.VRRP {
		l = append(l, P(" "), vrrpShort(x))
	}
	return l
}

// vrrpShort is one controller's state letter and effective priority.
func vrrpShort(x cluster.VRRPView) Span {
	if !x.Known {
		return S(Dim, "?")
	}
	txt := fmt.Sprintf("%s%d", x.State[:1], x.EffectivePriority)
	switch {
	case x.State == cluster.VRRPFault:
		return S(Warn, txt)
	case x.State == cluster.VRRPMaster:
		return S(OK, txt)
	case x.EffectivePriority < x.BasePriority:
		return S(Warn, txt)
	}
	return S(Dim, txt)
}

// keepalivedLines is the node screen's KEEPALIVED section: whether its
// keepalived answered, each VRRP instance with state, priorities,
// preemption, last transition and failing checks, and the VIPs present.
func keepalivedLines(c *cluster.Cluster, n *cluster.Node) []Line {
	ka := n.Keepalived
	if ka == nil {
		why := "no answer from this controller"
		if s := c.Source(cluster.KindKeepalived, n.Name); s != nil && s.Error != "" {
			why = s.Error
		}
		return []Line{{P("  "), markStale.Span(false), S(Dim, " "+why)}}
	}
	var out []Line
	if !ka.DumpOK {
		out = append(out, Line{S(Warn, "  ▲ addresses only: "), P(ka.DumpError)})
	}
	for _, in := range ka.Instances {
		out = append(out, vrrpInstanceLines(in)...)
	}
	if ka.DumpOK && len(ka.Instances) == 0 {
		out = append(out, Line{S(Dim, "  keepalived runs no VRRP instance")})
	}
	for _, v := range c.VIPs {
		if v.Instance != "" && ka.HasAddress(v.Address) {
			out = append(out, Line{P("  "), S(OK, "→ VIP"), P(" " + v.Name + " " + v.Address + " is on this node")})
		}
	}
	return out
}

func vrrpInstanceLines(in cluster.VRRPInstance) []Line {
	mark := S(Dim, "○"+in.State)
	switch in.State {
	case cluster.VRRPMaster:
		mark = S(OK, "★"+in.State)
	case cluster.VRRPFault:
		mark = S(Warn, "▲"+in.State)
	}
	preempt := "preempt"
	if in.NoPreempt {
		preempt = "nopreempt"
	}
	facts := fmt.Sprintf("  vrid %d · %s · priority %d (base %d) · %s", in.VRID, firstOf(in.Interface, "?"), in.EffectivePriority, in.BasePriority, preempt)
	if !in.LastTransition.IsZero() {
		facts += " · since " + in.LastTransition.UTC().Format("Jan 2 15:04:05 UTC")
	}
	out := []Line{{P("  "), mark, P("  " + in.Name)}, {S(Dim, facts)}}
	if len(in.FailingChecks) > 0 {
		out = append(out, Line{S(Warn, "  ▲ failing: "), P(strings.Join(in.FailingChecks, ", "))})
	}
	return out
}

// vrrpNodeMark is a node's state on a cluster without Pacemaker: its
// worst VRRP state (FAULT, then MASTER, then BACKUP), or "addr" when only
// its addresses could be read.
func vrrpNodeMark(ka *cluster.KeepalivedStatus) Mark {
	if !ka.DumpOK {
		return Mark{"◌", "addr-only", "addr", Warn}
	}
	worst := ""
	for _, in := range ka.Instances {
		switch {
		case in.State == cluster.VRRPFault:
			worst = cluster.VRRPFault
		case in.State == cluster.VRRPMaster && worst != cluster.VRRPFault:
			worst = cluster.VRRPMaster
		case worst == "":
			worst = in.State
		}
	}
	switch worst {
	case cluster.VRRPFault:
		return Mark{"▲", "FAULT", "", Warn}
	case cluster.VRRPMaster:
		return Mark{"★", "MASTER", "MASTR", OK}
	case cluster.VRRPBackup:
		return Mark{"●", "BACKUP", "BACKP", OK}
	case "":
		return Mark{"○", "no-vrrp", "novr", Dim}
	}
	return Mark{"…", worst, "", Warn}
}
