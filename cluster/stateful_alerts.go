package cluster

import (
	"fmt"
	"sort"
	"strings"
)

// stateful turns the stateful plane into alerts: what Galera and RabbitMQ
// say of themselves, and where Pacemaker or HAProxy say otherwise.
func (a *assessor) stateful() {
	for i := range a.c.Stateful {
		st := &a.c.Stateful[i]
		told := a.crossPlane(st)
		switch st.Kind {
		case KindGalera:
			a.galera(st, told)
		case KindRabbitMQ:
			a.rabbit(st, told)
		}
	}
}

func planeName(k SourceKind) string {
	if k == KindGalera {
		return "Galera"
	}
	return "RabbitMQ"
}

// crossPlane reports nodes where Pacemaker runs the service, or HAProxy
// sends it traffic, while the plane says it does not answer or is unfit;
// it returns the nodes it spoke of so they are not told twice.
func (a *assessor) crossPlane(st *Stateful) map[string]bool {
	told := map[string]bool{}
	svc := a.c.Service(st.Service)
	if svc == nil {
		return told
	}
	for _, cell := range svc.Cells {
		p := cell.Plane
		if p == nil || !p.Known() || p.Stale || p.OK || cell.Stale {
			continue
		}
		switch {
		case p.Word == PlaneDown && !cell.Failed && (cell.Role == RoleStarted || cell.Role == RolePromoted):
			a.add(SevCritical, st.Service, "%s on %s: Pacemaker says %s but %s does not answer (%s): the planes disagree",
				st.Service, cell.Node, cell.Role, planeName(st.Kind), firstNonEmpty(p.Detail, "no answer"))
			told[cell.Node] = true
		case cell.LBStatus() == "UP" && !cell.Backup():
			a.add(SevWarning, st.Service, "%s on %s: HAProxy sends it traffic (UP) but %s says %s",
				st.Service, cell.Node, planeName(st.Kind), p.Word)
		}
	}
	return told
}

func freshNodes(st *Stateful) (fresh []PlaneNode) {
	for _, n := range st.Nodes {
		if n.Known() && !n.Stale {
			fresh = append(fresh, n)
		}
	}
	return fresh
}

func (a *assessor) galera(st *Stateful, told map[string]bool) {
	fresh := freshNodes(st)
	if len(fresh) == 0 {
		return
	}
	var down []PlaneNode
	byUUID := map[string][]string{}
	size := 0
	for _, n := range fresh {
		g := n.Galera
		switch {
		case !g.Answered:
			down = append(down, n)
		case n.Word == "non-Primary" || n.Word == "Disconnected":
			a.add(SevCritical, st.Service, "%s on %s is %s: it left the Primary Component and refuses queries until it rejoins", st.Service, n.Node, n.Word)
		case n.Word == PlaneNotReady:
			a.add(SevCritical, st.Service, "%s on %s is not ready (wsrep_ready OFF): it refuses queries", st.Service, n.Node)
		case n.Word == PlaneWsrepOff:
			a.add(SevWarning, st.Service, "%s on %s answers without wsrep status: Galera replication is off there", st.Service, n.Node)
		case !n.OK:
			a.add(SevWarning, st.Service, "%s on %s is %s, not Synced: it may lag or refuse writes until it catches up", st.Service, n.Node, n.Word)
		}
		if g.Answered && g.ClusterStatus == "Primary" {
			byUUID[g.StateUUID] = append(byUUID[g.StateUUID], n.Node)
			size = max(size, g.ClusterSize)
		}
	}
	if len(byUUID) > 1 {
		a.add(SevCritical, st.Service, "%s is split: Primary Components with different state UUIDs (%s): writes on one side are lost to the other", st.Service, uuidSides(byUUID))
	}
	if want := len(a.c.Controllers()); size > 0 && size < want {
		a.add(SevWarning, st.Service, "%s cluster size is %d, fewer than the %d controllers", st.Service, size, want)
	}
	if len(down) == len(st.Nodes) {
		a.add(SevCritical, st.Service, "%s is down on every controller: %s", st.Service, bootstrapAdvice(down, a.c.Service(st.Service)))
		return
	}
	for _, n := range down {
		if !told[n.Node] {
			a.add(SevWarning, st.Service, "%s on %s does not answer: %s", st.Service, n.Node, n.Detail)
		}
	}
}

func uuidSides(byUUID map[string][]string) string {
	var sides []string
	for uuid, nodes := range byUUID {
		sides = append(sides, strings.Join(nodes, ", ")+" on "+shortUUID(uuid))
	}
	sort.Strings(sides)
	return strings.Join(sides, "; ")
}

func shortUUID(u string) string {
	if len(u) > 8 {
		return u[:8] + "…"
	}
	return firstNonEmpty(u, "no UUID")
}

// bootstrapAdvice names the node a full restart must begin on — the one
// grastate.dat marks safe_to_bootstrap, else the highest seqno — and the
// command, which hacon never runs itself.
func bootstrapAdvice(down []PlaneNode, svc *Service) string {
	var best *PlaneNode
	var unread []string
	for i := range down {
		gs := down[i].Galera.Grastate
		if gs == nil || gs.Error != "" {
			unread = append(unread, down[i].Node)
			continue
		}
		if best == nil || betterBootstrap(gs, best.Galera.Grastate) {
			best = &down[i]
		}
	}
	caveat := ""
	if len(unread) > 0 {
		caveat = fmt.Sprintf(" (grastate.dat unread on %s: check it there before choosing)", strings.Join(unread, ", "))
	}
	if best == nil {
		return "no grastate.dat could be read" + caveat + "; find the node with the highest seqno before bootstrapping"
	}
	gs := best.Galera.Grastate
	if gs.Seqno < 0 && !gs.SafeToBootstrap {
		return "no grastate.dat holds a seqno (-1: the nodes crashed)" + caveat + "; run `galera_recovery` (mysqld --wsrep-recover) on each controller and bootstrap from the highest recovered position"
	}
	how := "on " + best.Node + " run `galera_new_cluster` (kolla-ansible: `kolla-ansible mariadb_recovery`)"
	if svc != nil && svc.Resource != "" {
		how = "`pcs resource cleanup " + svc.Resource + "` lets the resource agent bootstrap from it (by hand: `galera_new_cluster` on " + best.Node + ")"
	}
	first := ""
	if !gs.SafeToBootstrap {
		first = "first set safe_to_bootstrap: 1 in its grastate.dat, then "
	}
	return fmt.Sprintf("bootstrap from %s (grastate.dat seqno %d, safe_to_bootstrap %d)%s: %s%s; hacon does not run it",
		best.Node, gs.Seqno, b2i(gs.SafeToBootstrap), caveat, first, how)
}

func betterBootstrap(a, b *Grastate) bool {
	if a.SafeToBootstrap != b.SafeToBootstrap {
		return a.SafeToBootstrap
	}
	return a.Seqno > b.Seqno
}

func (a *assessor) rabbit(st *Stateful, told map[string]bool) {
	fresh := freshNodes(st)
	alarms := map[RabbitAlarm]bool{}
	running, partitioned := 0, false
	sides := map[string]bool{}
	var cuts []string
	for _, n := range fresh {
		r := n.Rabbit
		if !r.Answered {
			if !told[n.Node] {
				a.add(SevWarning, st.Service, "%s on %s does not answer: %s", st.Service, n.Node, n.Detail)
			}
			continue
		}
		running = max(running, len(r.Running))
		for _, al := range r.Alarms {
			alarms[al] = true
		}
		if len(r.Partitions) > 0 {
			partitioned = true
			for _, p := range r.Partitions {
				cuts = append(cuts, p.Node+" cannot see "+strings.Join(p.CutFrom, ", "))
			}
		}
		side := append([]string(nil), r.Running...)
		sort.Strings(side)
		sides[strings.Join(side, ", ")] = true
	}
	if partitioned {
		a.add(SevCritical, st.Service, "%s is partitioned: %s (%s): each side takes messages the other never sees; restart the minority side's nodes to heal",
			st.Service, sideWords(sides), strings.Join(dedupe(cuts), "; "))
	}
	var list []RabbitAlarm
	for al := range alarms {
		list = append(list, al)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Node+list[i].Resource < list[j].Node+list[j].Resource })
	for _, al := range list {
		a.add(SevCritical, st.Service, "%s: %s alarm on %s: publishers are blocked cluster-wide until it clears", st.Service, al.Resource, al.Node)
	}
	if want := len(a.c.Controllers()); !partitioned && running > 0 && running < want {
		a.add(SevWarning, st.Service, "%s runs on %d of %d controllers", st.Service, running, want)
	}
}

func sideWords(sides map[string]bool) string {
	var s []string
	for k := range sides {
		s = append(s, "{"+k+"}")
	}
	sort.Strings(s)
	if len(s) < 2 {
		return "sides not yet told apart"
	}
	return "sides " + strings.Join(s, " | ")
}

func dedupe(ss []string) []string {
	sort.Strings(ss)
	out := ss[:0]
	for i, s := range ss {
		if i == 0 || s != ss[i-1] {
			out = append(out, s)
		}
	}
	return out
}
