package views

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hacon/hacon/cluster"
)

// ServiceDetail lists every plane's raw view of one service, per instance:
// Pacemaker role and instance, each HAProxy's server row with its check,
// the endpoint probe, failures and constraints. focus names the controller
// whose instance comes first ("" keeps inventory order).
func ServiceDetail(c *cluster.Cluster, name, focus string, w int) []Line {
	svc := c.Service(name)
	if svc == nil {
		return []Line{{S(Warn, "▲ no service "+name+" in "+c.Name)}}
	}
	ix := newIndex(c)
	serving := servingSpan(svc)
	serving.Text = strings.TrimSpace(serving.Text) + " serving"
	out := []Line{{S(Title, "SERVICE "+svc.Name), P("  "), S(Dim, modeBadge(svc.Mode)+" "+svc.Mode), P("  "), serving,
		ageSpan(c, cluster.KindPacemaker, cluster.KindHAProxy, cluster.KindEndpoint)}}
	res := c.Resource(svc.Resource)
	var facts []string
	switch {
	case svc.Resource == "":
		facts = append(facts, "not managed by Pacemaker")
	case res == nil:
		facts = append(facts, "resource "+svc.Resource+" (not found in Pacemaker)")
	default:
		facts = append(facts, fmt.Sprintf("resource %s (%s, %s)", res.ID, res.Kind, firstOf(res.Agent, "agent unknown")))
		if !res.Managed {
			facts = append(facts, "UNMANAGED")
		}
		if svc.Auto {
			facts = append(facts, "auto row: no configured service maps it")
		}
		if res.TargetRole != "" {
			facts = append(facts, "target-role "+res.TargetRole)
		}
	}
	if svc.Backend != "" {
		facts = append(facts, "backend "+svc.Backend)
	} else {
		facts = append(facts, "not behind HAProxy")
	}
	out = append(out, Line{P("  " + strings.Join(facts, " · "))})
	if svc.VIP != nil {
		m := EndpointMark(svc.VIP, "", false)
		l := Line{P("  through the VIP: "), m.Span(false)}
		l = append(l, endpointFacts(svc.VIP)...)
		out = append(out, l)
	}
	cells := orderCells(svc.Cells, focus)
	for _, cell := range cells {
		out = append(out, nil)
		out = append(out, instanceLines(c, svc, cell, ix, w)...)
	}
	out = append(out, nil, Line{S(Title, "CONSTRAINTS")})
	out = append(out, constraintLines(c, svc.Resource)...)
	return out
}

func orderCells(cells []cluster.Cell, focus string) []*cluster.Cell {
	out := make([]*cluster.Cell, 0, len(cells))
	for i := range cells {
		if cells[i].Node == focus {
			out = append(out, &cells[i])
		}
	}
	for i := range cells {
		if cells[i].Node != focus {
			out = append(out, &cells[i])
		}
	}
	return out
}

func instanceLines(c *cluster.Cluster, svc *cluster.Service, cell *cluster.Cell, ix *index, w int) []Line {
	v := resolveCell(svc, cell, ix)
	head := Line{S(Heading, "▪ "+cell.Node), P("  ")}
	var sw subWidths
	sw.grow(&v, levelFull)
	head = append(head, v.spans(levelFull, sw, false)...)
	out := []Line{head}
	// Pacemaker
	pl := Line{S(Dim, "    pacemaker  "), v.role.Span(false)}
	if cell.InstanceID != "" {
		pl = append(pl, S(Dim, "  instance "+cell.InstanceID))
	}
	if svc.Resource == "" {
		pl = append(pl, S(Dim, " (no resource)"))
	}
	out = append(out, pl)
	// HAProxy, one line per load balancer
	if svc.Backend != "" {
		if len(cell.LB) == 0 {
			out = append(out, Line{S(Dim, "    haproxy    "), LBMark("", ix.lbStale).Span(false), S(Dim, " no LB lists this server")})
		}
		for i, lb := range cell.LB {
			lead := "    haproxy    "
			if i > 0 {
				lead = spaces(15)
			}
			out = append(out, lbServerLine(lead, lb, cell.LBAgree, w >= 100))
		}
	}
	// The stateful plane's own word, or the endpoint probe
	if cell.Plane != nil {
		out = append(out, planeLine(cell.Plane, v.ep, ix))
	} else {
		out = append(out, endpointLine(svc, cell, v.ep, ix))
	}
	// Failures recorded by Pacemaker for this resource on this node
	for _, f := range c.Failures {
		if f.Node == cell.Node && sameResource(c, f.Resource, svc.Resource) {
			out = append(out, Line{S(Dim, "    failure    "), S(Warn, fmt.Sprintf("▲ %s %s: %s", f.Task, firstOf(f.Interval, ""), firstOf(f.ExitReason, f.ExitStatus))),
				S(Dim, fmt.Sprintf(" · fail-count %d · %s", f.FailCount, f.LastChange))})
		}
	}
	return out
}

func lbServerLine(lead string, lb cluster.LBView, agree, wide bool) Line {
	s := lb.Server
	m := LBMark(cluster.BaseStatus(s.Status), false)
	l := Line{S(Dim, lead+"via "), P(padRight(lb.LB, 13)), m.Span(false)}
	if s.Backup {
		l = append(l, P(" "+BackupGlyph+" backup"))
	}
	if !agree {
		l = append(l, S(Warn, " ≠ LBs disagree"))
	}
	var facts []string
	if check := strings.TrimSpace(s.CheckStatus + " " + s.CheckCode); check != "" {
		facts = append(facts, strings.TrimSpace(check+" "+Latency(s.CheckDuration)))
	}
	if wide {
		facts = append(facts, fmt.Sprintf("weight %d", s.Weight), fmt.Sprintf("%d sessions", s.Sessions))
	}
	if s.LastChange > 0 {
		facts = append(facts, "for "+Age(s.LastChange))
	}
	return append(l, S(Dim, " · "+strings.Join(facts, " · ")))
}

func endpointFacts(e *cluster.EndpointResult) Line {
	var parts []string
	if e.StatusCode > 0 {
		parts = append(parts, fmt.Sprintf("HTTP %d", e.StatusCode))
	}
	if e.Latency > 0 {
		parts = append(parts, "in "+Latency(e.Latency))
	}
	if e.Error != "" {
		parts = append(parts, e.Error)
	}
	if e.Version != "" {
		parts = append(parts, "version "+e.Version)
	}
	if e.TLS {
		parts = append(parts, fmt.Sprintf("TLS %d days left", e.TLSDaysLeft))
	}
	l := Line{P(" " + strings.Join(parts, " · "))}
	if e.URL != "" {
		l = append(l, S(Dim, "  "+e.URL))
	}
	return l
}

func constraintLines(c *cluster.Cluster, resource string) []Line {
	var out []Line
	cons := append([]cluster.Constraint(nil), c.Constraints...)
	sort.SliceStable(cons, func(i, j int) bool { return cons[i].ID < cons[j].ID })
	for _, k := range cons {
		if !sameResource(c, k.Resource, resource) {
			continue
		}
		l := Line{P("  "), S(Warn, "▲ "+k.Kind), P(fmt.Sprintf(" %s on %s", k.Resource, k.Node)), S(Dim, " ("+k.ID+")")}
		if k.Score != "" {
			l = append(l, S(Dim, " score "+k.Score))
		}
		if k.Role != "" {
			l = append(l, S(Dim, " role "+k.Role))
		}
		if k.Expires != "" {
			l = append(l, S(Dim, " expires "+k.Expires))
		} else {
			l = append(l, S(Dim, " · permanent"))
		}
		out = append(out, l)
	}
	if len(out) == 0 {
		out = append(out, noneOr(c))
	}
	return out
}

// noneOr is "none" for a cluster whose Pacemaker is read directly, and
// says plainly that it is unknown for one read from Prometheus.
func noneOr(c *cluster.Cluster) Line {
	if len(c.NotAvailable) > 0 {
		return Line{S(Warn, "  not available from Prometheus")}
	}
	return Line{S(Dim, "  none")}
}

// sameResource matches a resource id with a service's resource, including
// its members (a failure is recorded against keystone:0, not the clone).
func sameResource(c *cluster.Cluster, id, resource string) bool {
	if id == "" || resource == "" {
		return false
	}
	if id == resource {
		return true
	}
	r := c.Resource(resource)
	return r != nil && c.Resource(id) == r
}

func endpointLine(svc *cluster.Service, cell *cluster.Cell, mark Mark, ix *index) Line {
	failing, stale := ix.endpointState(svc.Name, cell.Node)
	el := Line{S(Dim, "    endpoint   "), mark.Span(false)}
	switch {
	case failing != "":
		el = append(el, P(" "+failing))
	case cell.Endpoint != nil && !stale:
		el = append(el, endpointFacts(cell.Endpoint)...)
	}
	src := ix.source(cluster.KindEndpoint, svc.Name+"@"+cell.Node)
	switch {
	case src != nil:
		el = append(el, S(Dim, " · "+Age(src.Age)))
	case cell.Endpoint == nil:
		el = append(el, S(Dim, " not probed"))
	}
	return el
}
