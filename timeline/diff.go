// Package timeline is what changed and when: Diff turns two snapshots
// into Events, and Log appends them to the events log. The console keeps
// the events of a session and views renders them; neither belongs to
// rendering, so they live here.
package timeline

import (
	"regexp"
	"time"

	"github.com/hacon/hacon/cluster"
)

// Event is one observed state change.
type Event struct {
	Time    time.Time `json:"time"`
	Cluster string    `json:"-"`       // the incident's
	Subject string    `json:"subject"` // node, service@node, VIP, source, or an alert's subject
	What    string    `json:"what"`    // pacemaker, power, role, haproxy, endpoint, node (a VIP's), source, alert <severity>, alert cleared
	From    string    `json:"from,omitempty"`
	To      string    `json:"to,omitempty"`
}

// String is the event in one line, as written to the events log.
func (e Event) String() string {
	return e.Time.UTC().Format(time.RFC3339) + " " + e.Cluster + " " + e.Subject + " " + e.What + ": " + orDash(e.From) + " → " + orDash(e.To)
}

// CellWords names what the console shows in one cluster's matrix cells:
// the Pacemaker role, HAProxy status and endpoint verdict of a service on a
// node, as words. Diff compares these words rather than the raw data, so
// an event is recorded exactly when the screen changes. The words belong to
// rendering: views.CellWords is the one implementation.
type CellWords func(c *cluster.Cluster) func(svc *cluster.Service, cell *cluster.Cell) (role, lb, ep string)

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Diff lists what changed between two snapshots, per cluster present in
// both: node state and power, each cell's role, LB status and endpoint
// verdict, VIP holders, source health, and alerts appearing or clearing.
// Only words are compared (never ages or latencies), so a steady cluster
// yields nothing however often it is polled.
func Diff(prev, next cluster.Snapshot, words CellWords) []Event {
	var out []Event
	for i := range next.Clusters {
		nc := &next.Clusters[i]
		pc := prev.ClusterByName(nc.Name)
		if pc == nil {
			continue
		}
		d := differ{t: next.Taken, cluster: nc.Name}
		d.nodes(pc, nc)
		d.services(pc, nc, words)
		d.vips(pc, nc)
		d.sources(pc, nc)
		d.alerts(pc, nc)
		out = append(out, d.out...)
	}
	return out
}

type differ struct {
	t       time.Time
	cluster string
	out     []Event
}

func (d *differ) add(subject, what, from, to string) {
	if from != to {
		d.out = append(d.out, Event{Time: d.t, Cluster: d.cluster, Subject: subject, What: what, From: from, To: to})
	}
}

func (d *differ) nodes(pc, nc *cluster.Cluster) {
	for _, n := range nc.Nodes {
		p := pc.Node(n.Name)
		if p == nil {
			continue
		}
		d.add(n.Name, "pacemaker", nodeWord(*p), nodeWord(n))
		if n.Controller {
			d.add(n.Name, "power", p.Power(), n.Power())
		}
	}
}

func nodeWord(n cluster.Node) string {
	if n.Stale {
		return "stale"
	}
	return n.PcmkState()
}

func (d *differ) services(pc, nc *cluster.Cluster, words CellWords) {
	pw, nw := words(pc), words(nc)
	for si := range nc.Services {
		ns := &nc.Services[si]
		ps := pc.Service(ns.Name)
		if ps == nil {
			continue
		}
		for ci := range ns.Cells {
			ncell := &ns.Cells[ci]
			pcell := cellFor(ps, ncell.Node, ci)
			if pcell == nil {
				continue
			}
			prole, plb, pep := pw(ps, pcell)
			nrole, nlb, nep := nw(ns, ncell)
			subject := ns.Name + "@" + ncell.Node
			d.add(subject, "role", prole, nrole)
			d.add(subject, "haproxy", plb, nlb)
			d.add(subject, "endpoint", pep, nep)
		}
	}
}

func (d *differ) vips(pc, nc *cluster.Cluster) {
	for _, v := range nc.VIPs {
		p := pc.VIPByName(v.Name)
		if p == nil {
			continue
		}
		d.add("VIP "+v.Name, "node", vipWord(*p), vipWord(v))
	}
}

func vipWord(v cluster.VIP) string {
	switch {
	case v.Stale:
		return "stale"
	case v.Node == "":
		return "stopped"
	}
	return v.Node
}

func (d *differ) sources(pc, nc *cluster.Cluster) {
	for _, s := range nc.Sources {
		p := pc.Source(s.Kind, s.Name)
		if p == nil || p.Error == "not polled yet" {
			continue // the first answer is not a change
		}
		from, to := sourceWord(*p), sourceWord(s)
		if from != to && to == "failing" {
			to = "failing (" + s.Error + ")"
		}
		if from != to {
			d.add(string(s.Kind)+"/"+s.Name, "source", from, to)
		}
	}
}

func sourceWord(s cluster.Source) string {
	switch {
	case s.Stale:
		return "stale"
	case s.OK, s.Error == "still waiting for the previous poll":
		return "ok"
	default:
		return "failing"
	}
}

// digits makes alert keys ignore numbers: "last answer 12s ago" must not
// look like a new alert every second.
var digits = regexp.MustCompile(`[0-9]+`)

func alertKey(a cluster.Alert) string {
	return a.Severity.String() + "|" + a.Subject + "|" + digits.ReplaceAllString(a.Message, "#")
}

func (d *differ) alerts(pc, nc *cluster.Cluster) {
	prev := map[string]bool{}
	for _, a := range pc.Alerts {
		prev[alertKey(a)] = true
	}
	next := map[string]bool{}
	for _, a := range nc.Alerts {
		k := alertKey(a)
		next[k] = true
		if !prev[k] {
			d.add(a.Subject, "alert "+a.Severity.String(), "", a.Message)
		}
	}
	for _, a := range pc.Alerts {
		if k := alertKey(a); !next[k] {
			next[k] = true // report a cleared alert once
			d.add(a.Subject, "alert cleared", a.Message, "cleared")
		}
	}
}

// cellFor finds a service's cell on a node; cells follow controller order,
// so the position is tried first.
func cellFor(svc *cluster.Service, node string, pos int) *cluster.Cell {
	if pos < len(svc.Cells) && svc.Cells[pos].Node == node {
		return &svc.Cells[pos]
	}
	for i := range svc.Cells {
		if svc.Cells[i].Node == node {
			return &svc.Cells[i]
		}
	}
	return nil
}
