package cluster

import (
	"fmt"
	"strings"
)

// stateful merges the Galera and RabbitMQ sources into one plane per
// service and hangs each controller's word on that service's matrix cells
// (a row of its own when the inventory lists no such service).
func (m *merger) stateful() {
	if g := m.cc.Galera; g != nil {
		m.out.Stateful = append(m.out.Stateful, m.plane(KindGalera, g.ServiceName()))
	}
	if r := m.cc.RabbitMQ; r != nil {
		st := m.plane(KindRabbitMQ, r.ServiceName())
		rabbitSplitViews(&st)
		m.out.Stateful = append(m.out.Stateful, st)
	}
	for i := range m.out.Stateful {
		m.attachPlane(&m.out.Stateful[i])
	}
}

func (m *merger) plane(kind SourceKind, service string) Stateful {
	st := Stateful{Kind: kind, Service: service}
	for _, c := range m.cc.Controllers {
		pn := PlaneNode{Node: c.Name}
		src := m.in[SourceID{Cluster: m.cc.Name, Kind: kind, Name: c.Name}]
		if src != nil {
			if src.Latest != nil && !src.Latest.OK() {
				pn.Source = src.Latest.Err
			}
			if r := src.LastGood; r != nil {
				pn.Stale = src.Stale(m.now)
				fillPlaneNode(&pn, r)
			}
		}
		st.Nodes = append(st.Nodes, pn)
	}
	return st
}

func fillPlaneNode(pn *PlaneNode, r *Result) {
	switch {
	case r.Galera != nil:
		g := *r.Galera
		pn.Galera = &g
		pn.Word, pn.OK = GaleraWord(&g)
		pn.Detail = galeraDetail(&g)
	case r.RabbitMQ != nil:
		rb := *r.RabbitMQ
		pn.Rabbit = &rb
		pn.Word, pn.OK = RabbitWord(&rb)
		pn.Detail = rabbitDetail(&rb)
	}
}

func galeraDetail(g *GaleraStatus) string {
	if !g.Answered {
		d := g.Error
		if gs := g.Grastate; gs != nil {
			if gs.Error != "" {
				d += "; grastate.dat: " + gs.Error
			} else {
				d += fmt.Sprintf("; grastate.dat seqno %d, safe_to_bootstrap %d", gs.Seqno, b2i(gs.SafeToBootstrap))
			}
		}
		return d
	}
	if g.Via == "clustercheck" {
		return "clustercheck: " + g.LocalState
	}
	return fmt.Sprintf("%s, %s, size %d", firstNonEmpty(g.ClusterStatus, "?"), firstNonEmpty(g.LocalState, "?"), g.ClusterSize)
}

func rabbitDetail(r *RabbitStatus) string {
	if !r.Answered {
		return r.Error
	}
	var parts []string
	for _, a := range r.Alarms {
		parts = append(parts, a.Resource+" alarm on "+a.Node)
	}
	for _, p := range r.Partitions {
		parts = append(parts, p.Node+" cut from "+strings.Join(p.CutFrom, ", "))
	}
	parts = append(parts, fmt.Sprintf("%d running", len(r.Running)))
	return strings.Join(parts, "; ")
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// attachPlane points the cells of st's service at st's nodes and counts
// the service's serving cells again with the plane's say.
func (m *merger) attachPlane(st *Stateful) {
	svc := m.out.Service(st.Service)
	if svc == nil {
		m.out.Services = append(m.out.Services, Service{Name: st.Service, Mode: ModeActiveActive, Expected: len(m.cc.Controllers)})
		svc = &m.out.Services[len(m.out.Services)-1]
		for _, c := range m.cc.Controllers {
			svc.Cells = append(svc.Cells, Cell{Node: c.Name})
		}
	}
	for i := range st.Nodes {
		for k := range svc.Cells {
			if svc.Cells[k].Node == st.Nodes[i].Node {
				svc.Cells[k].Plane = &st.Nodes[i]
			}
		}
	}
	svc.Serving, svc.Known = 0, false
	for _, c := range svc.Cells {
		if c.Serving() && !(svc.Mode == ModeActivePassive && c.Role == RoleUnpromoted) {
			svc.Serving++
		}
		svc.Known = svc.Known || c.Known()
	}
	if backupServed(svc) {
		countActivePassive(svc) // the plane may have stopped the active one
	}
}
