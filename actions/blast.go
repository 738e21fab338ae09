package actions

import (
	"fmt"
	"strings"

	"github.com/hacon/hacon/cluster"
)

// takesNodeDown reports whether the action removes the node from service.
func takesNodeDown(r Request) bool {
	return r.Kind == Fence || r.Kind == Standby || (r.Kind == Power && r.Power != "on")
}

// blastRadius says, from the snapshot, what else the action touches.
func blastRadius(sc *cluster.Cluster, p *Preview) {
	r := p.Request
	switch {
	case takesNodeDown(r):
		nodeBlast(sc, p)
	case r.Kind == Drain || r.Kind == Maint:
		if svc := sc.Service(r.Service); svc != nil && lastServing(svc, r.Node) {
			p.Blast = append(p.Blast, fmt.Sprintf("%s loses its last serving instance: it goes down", svc.Name))
			p.Consequence = svc.Name + " will have no serving instance"
		}
	case r.Kind == Move || r.Kind == MoveVIP:
		if n := sc.Node(r.Node); n != nil && n.Pacemaker != nil && (!n.Pacemaker.Online || n.Pacemaker.Standby) {
			p.Warnings = append(p.Warnings, fmt.Sprintf("%s is %s: Pacemaker cannot run %s there, the move will not take effect (but leaves its constraint)", r.Node, n.PcmkState(), r.Resource))
			break
		}
		if res := sc.Resource(r.Resource); res != nil {
			from := []string{}
			for _, in := range res.Instances {
				if in.Node != "" && in.Node != r.Node {
					from = append(from, in.Node)
				}
			}
			if len(from) > 0 {
				p.Blast = append(p.Blast, fmt.Sprintf("%s runs on %s now; it will run on %s", r.Resource, strings.Join(from, ", "), r.Node))
			}
		}
	}
	if len(p.Blast) == 0 {
		p.Blast = append(p.Blast, "no other service, VIP or promoted role is affected")
	}
}

func nodeBlast(sc *cluster.Cluster, p *Preview) {
	target := p.Request.Node
	online, total := 0, 0
	targetOnline := false
	// Quorum counts every Pacemaker member — database or messaging nodes
	// that are not in the inventory vote too — but never remote or guest
	// nodes, which have no vote.
	for _, n := range sc.Nodes {
		member := n.Controller
		if n.Pacemaker != nil && n.Pacemaker.Type != "" {
			member = n.Pacemaker.Type == "member"
		}
		if !member {
			continue
		}
		total++
		if n.Pacemaker != nil && n.Pacemaker.Online {
			online++
			if n.Name == target {
				targetOnline = true
			}
		}
	}
	after := online
	if targetOnline && p.Request.Kind != Standby {
		after--
	}
	if total > 0 && p.Request.Kind != Standby {
		p.Blast = append(p.Blast, fmt.Sprintf("quorum after: %d of %d cluster members online (%s)", after, total, map[bool]string{true: "quorate", false: "NO QUORUM"}[after*2 > total]))
		if targetOnline && after*2 <= total {
			p.Consequence = "the cluster loses quorum: Pacemaker stops managing every resource"
		}
	}
	if targetOnline && online == 1 {
		p.Consequence = target + " is the last online node: the whole control plane goes down"
	}
	for _, svc := range sc.Services {
		if lastServing(&svc, target) {
			p.Blast = append(p.Blast, fmt.Sprintf("%s loses its last serving instance", svc.Name))
		}
	}
	for _, v := range sc.VIPs {
		if v.Node == target {
			p.Blast = append(p.Blast, fmt.Sprintf("VIP %s (%s) is on %s: it moves", v.Name, v.Address, target))
		}
	}
	for _, res := range sc.Resources {
		for _, in := range res.Instances {
			if in.Node == target && in.Role == cluster.RolePromoted {
				p.Blast = append(p.Blast, fmt.Sprintf("%s is Promoted on %s: a new promotion follows", res.ID, target))
			}
		}
	}
	if n := sc.Node(target); n != nil && p.Request.Kind != Standby {
		switch {
		case n.BMC == nil:
			p.Blast = append(p.Blast, "fence readiness: no BMC configured for "+target)
		case n.BMC.FenceReady:
			p.Blast = append(p.Blast, fmt.Sprintf("fence readiness: %s's BMC answers (%s, power %s)", target, n.BMC.Provider, n.Power()))
		default:
			p.Blast = append(p.Blast, fmt.Sprintf("fence readiness: %s's BMC does NOT answer: %s", target, n.BMC.Error))
		}
	}
}

// lastServing reports whether node holds the only serving cell of svc.
func lastServing(svc *cluster.Service, node string) bool {
	serving, onNode := 0, false
	for _, c := range svc.Cells {
		if c.Serving() {
			serving++
			if c.Node == node {
				onNode = true
			}
		}
	}
	return serving == 1 && onNode
}

// staleness names the stale sources an action depends on, or "".
func staleness(sc *cluster.Cluster, r Request) string {
	kinds := []cluster.SourceKind{cluster.KindPacemaker}
	if v, ok := LookupVerb(string(r.Kind)); ok {
		kinds = []cluster.SourceKind{v.Reads}
	}
	var stale []string
	for _, s := range sc.Sources {
		for _, k := range kinds {
			if s.Kind == k && s.Stale && (k != cluster.KindBMC || s.Name == r.Node) {
				stale = append(stale, fmt.Sprintf("%s %s (%s old)", s.Kind, s.Name, s.Age.Round(1e9)))
			}
		}
	}
	if len(stale) == 0 {
		return ""
	}
	return "data is stale: " + strings.Join(stale, ", ")
}
