package views

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hacon/hacon/cluster"
)

// NodeDetail shows one node: Pacemaker state and attributes, the resources
// and VIPs it holds, its BMC (power, provider, error) and fencing history.
func NodeDetail(c *cluster.Cluster, name string, w int) []Line {
	return NodeDetailWithLink(c, name, w, nil, time.Time{})
}

// Link is hacon's way to a controller (the ssh connection its Pacemaker
// commands take), as the node detail shows it.
type Link struct {
	Via         string // "ssh"
	Reuse       string // who keeps the connection: hacon, prefix, ssh config, off
	ReuseWhy    string
	Up          bool
	Since       time.Time
	Reconnects  int
	LastError   string
	LastErrorAt time.Time
}

// NodeDetailWithLink is NodeDetail with a CONNECTION section for the way
// hacon reaches the node (nil: none shown); now dates its times.
func NodeDetailWithLink(c *cluster.Cluster, name string, w int, link *Link, now time.Time) []Line {
	n := c.Node(name)
	if n == nil {
		return []Line{{S(Warn, "▲ no node "+name+" in "+c.Name)}}
	}
	role := "guest/remote node"
	if n.Controller {
		role = "controller"
	}
	out := []Line{{S(Title, "NODE "+n.Name), P("  "), NodeMark(*n).Span(false), S(Dim, "  "+role), S(Dim, " · "+firstOf(n.Address, "no address")),
		ageSpan(c, cluster.KindPacemaker, cluster.KindBMC)}}
	out = append(out, nil, Line{S(Title, "PACEMAKER")})
	out = append(out, pacemakerLines(c, n)...)
	out = append(out, nil, Line{S(Title, "RESOURCES ON THIS NODE")})
	out = append(out, nodeResources(c, n)...)
	if c.HasKeepalived {
		out = append(out, nil, Line{S(Title, "KEEPALIVED (VRRP)"), ageSpan(c, cluster.KindKeepalived)})
		out = append(out, keepalivedLines(c, n)...)
	}
	out = append(out, nil, Line{S(Title, "BMC"), ageSpan(c, cluster.KindBMC)})
	out = append(out, bmcLines(n)...)
	if n.Fencing != nil {
		out = append(out, nil, Line{S(Title, "PACEMAKER FENCING"), ageSpan(c, cluster.KindPacemaker)})
		out = append(out, stonithLines(c, n)...)
	}
	out = append(out, nil, Line{S(Title, "FENCE HISTORY")})
	out = append(out, fenceLines(c, n.Name)...)
	if link != nil {
		out = append(out, nil, Line{S(Title, "CONNECTION")})
		out = append(out, linkLines(*link, now)...)
	}
	return out
}

func linkLines(l Link, now time.Time) []Line {
	state := Line{P("  " + l.Via + " "), S(OK, "● up")}
	if !l.Up {
		state = Line{P("  " + l.Via + " "), S(Crit, "✖ DOWN")}
	}
	if !l.Since.IsZero() {
		state = append(state, S(Dim, " for "+Age(now.Sub(l.Since))))
	}
	state = append(state, S(Dim, fmt.Sprintf(" · %d reconnects", l.Reconnects)))
	reuse := "  connection reuse: " + l.Reuse
	switch l.Reuse {
	case "hacon":
		reuse += " (one control master, every poll and action through it)"
	case "":
		reuse += "not decided yet"
	}
	out := []Line{state, {S(Dim, reuse)}}
	if l.ReuseWhy != "" {
		out = append(out, Line{S(Dim, "  "+cluster.CleanText(l.ReuseWhy))})
	}
	if l.LastError != "" {
		out = append(out, Line{S(Crit, "  ✖ last error "+Age(now.Sub(l.LastErrorAt))+" ago: "), P(cluster.CleanText(l.LastError))})
	}
	return out
}

func pacemakerLines(c *cluster.Cluster, n *cluster.Node) []Line {
	p := n.Pacemaker
	if n.Stale {
		return []Line{{P("  "), markStale.Span(false), S(Dim, " Pacemaker data too old to show")}}
	}
	if p == nil {
		return []Line{{S(Dim, "  not known to Pacemaker (or Pacemaker not polled)")}}
	}
	var flags []string
	for _, f := range []struct {
		on   bool
		word string
	}{{p.Standby, "standby"}, {p.StandbyOnFail, "standby-on-fail"}, {p.Maintenance, "maintenance"}, {p.Pending, "pending"},
		{p.Unclean, "UNCLEAN"}, {p.Shutdown, "shutting down"}, {p.DC, "DC"}} {
		if f.on {
			flags = append(flags, f.word)
		}
	}
	facts := fmt.Sprintf("  id %s · %s · %d resources running", firstOf(p.ID, "?"), firstOf(p.Type, "member"), p.ResourcesRunning)
	if len(flags) > 0 {
		facts += " · " + strings.Join(flags, ", ")
	}
	out := []Line{{P(facts)}}
	keys := make([]string, 0, len(n.Attributes))
	for k := range n.Attributes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, Line{S(Dim, "  attr "), P(k + " = " + n.Attributes[k])})
	}
	return out
}

func nodeResources(c *cluster.Cluster, n *cluster.Node) []Line {
	var out []Line
	if n.Stale {
		return []Line{{P("  "), markStale.Span(false)}}
	}
	for _, r := range c.Resources {
		for _, in := range r.Instances {
			if in.Node != n.Name {
				continue
			}
			m := RoleMark(cluster.Cell{Role: in.Role, Failed: in.Failed})
			l := Line{P("  "), m.Span(false), P("  " + r.ID), S(Dim, " ("+in.ID+", "+r.Kind+")")}
			if in.Blocked {
				l = append(l, S(Crit, " ✖ blocked"))
			}
			if !in.Managed {
				l = append(l, S(Warn, " ▲ unmanaged"))
			}
			out = append(out, l)
		}
	}
	for _, v := range c.VIPs {
		if v.Node == n.Name && !v.Stale {
			out = append(out, Line{P("  "), S(OK, "→ VIP"), P(" " + v.Name + " " + v.Address)})
		}
	}
	if len(out) == 0 {
		out = append(out, Line{S(Dim, "  none")})
	}
	return out
}

func bmcLines(n *cluster.Node) []Line {
	b := n.BMC
	if b == nil {
		if n.Fencing != nil {
			return []Line{{S(Dim, "  no BMC configured in hacon: hacon cannot power it off itself (Pacemaker's fencing below)")}}
		}
		return []Line{{P("  "), FenceMark(*n).Span(false), S(Dim, " no BMC configured: this node cannot be fenced by hacon's view")}}
	}
	l := Line{P("  power "), PowerMark(*n).Span(false), P("  "), FenceMark(*n).Span(false)}
	out := []Line{l}
	out = append(out, Line{S(Dim, "  driver "+firstOf(b.Driver, "?")+" · provider "+firstOf(b.Provider, "?")+" · address "+firstOf(b.Address, "?"))})
	facts := []string{"reachable " + yesNo(b.Reachable), "auth " + yesNo(b.AuthOK)}
	if b.RTT > 0 {
		facts = append(facts, "rtt "+Latency(b.RTT))
	}
	out = append(out, Line{S(Dim, "  "+strings.Join(facts, " · "))})
	if b.Error != "" {
		out = append(out, Line{S(Crit, "  ✖ error: "), P(b.Error)})
	}
	return out
}

// stonithLines shows what Pacemaker's own devices can do for the node:
// each device that may fence it, where it runs, the fencing level.
func stonithLines(c *cluster.Cluster, n *cluster.Node) []Line {
	f := n.Fencing
	l := Line{P("  "), StonithMark(*n).Span(false)}
	if !f.Ready {
		l = append(l, S(Crit, "  "+f.Why))
	}
	if f.Level > 0 {
		l = append(l, S(Dim, fmt.Sprintf("  · fencing level %d", f.Level)))
	}
	out := []Line{l}
	if c.Fencing == nil {
		return out
	}
	for _, d := range c.Fencing.Devices {
		if !d.CanTarget(n.Name) {
			continue
		}
		state := Mark{"✓", "started on " + d.Node, "", OK}
		switch {
		case d.Failed:
			state = Mark{"✖", "FAILED", "", Crit}
		case d.Disabled:
			state = Mark{"-", "disabled", "", Dim}
		case !d.Started:
			state = Mark{"✖", "stopped", "", Crit}
		}
		how := "targets " + strings.Join(d.Targets, ", ")
		if d.AsksDevice() || len(d.Targets) == 0 {
			how = "asked at fencing time (" + d.HostCheck + ")"
		}
		out = append(out, Line{P("  " + d.ID + " "), state.Span(false), S(Dim, "  "+d.Agent+" · "+how)})
	}
	return out
}

func fenceLines(c *cluster.Cluster, node string) []Line {
	var out []Line
	for _, f := range c.FenceHistory {
		if f.Target != node && f.Delegate != node && f.Origin != node {
			continue
		}
		m := Mark{"✓", f.Status, "", OK}
		switch f.Status {
		case "failed":
			m = Mark{"✖", "failed", "", Crit}
		case "pending":
			m = Mark{"…", "pending", "", Warn}
		}
		l := Line{P("  "), m.Span(false), P(fmt.Sprintf("  %s %s by %s", f.Action, f.Target, firstOf(f.Delegate, "?")))}
		if f.Completed != "" {
			l = append(l, S(Dim, " at "+f.Completed))
		}
		if f.Reason != "" {
			l = append(l, S(Dim, " ("+f.Reason+")"))
		}
		out = append(out, l)
	}
	if len(out) == 0 && len(c.NotAvailable) > 0 {
		out = append(out, noneOr(c))
	} else if len(out) == 0 {
		out = append(out, Line{S(Dim, "  none recorded")})
	}
	return out
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "NO"
}
