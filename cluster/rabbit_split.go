package cluster

import (
	"slices"
	"sort"
)

// rabbitSplitViews marks a RabbitMQ partition that is still going on.
// RabbitMQ lists `partitions` only once the sides meet again; while the
// network is cut, each side just counts the others as not running. Two
// nodes that both answer with running views sharing no node cannot see
// each other: each is told cut from the other's view, so the cell says
// partitioned and the alert names the sides, at the cut, not after it.
func rabbitSplitViews(st *Stateful) {
	if st.Kind != KindRabbitMQ {
		return
	}
	for i := range st.Nodes {
		x := st.Nodes[i].Rabbit
		if !answeredFresh(st.Nodes[i]) || len(x.Running) == 0 || len(x.Partitions) > 0 {
			continue
		}
		var cut []string
		for j := range st.Nodes {
			y := st.Nodes[j].Rabbit
			if i == j || !answeredFresh(st.Nodes[j]) || !disjoint(x.Running, y.Running) {
				continue
			}
			for _, n := range y.Running {
				if !slices.Contains(cut, n) {
					cut = append(cut, n)
				}
			}
		}
		if len(cut) == 0 {
			continue
		}
		sort.Strings(cut)
		own := *x
		own.Partitions = []RabbitPartition{{Node: st.Nodes[i].Node, CutFrom: cut}}
		st.Nodes[i].Rabbit = &own
		st.Nodes[i].Word, st.Nodes[i].OK = RabbitWord(&own)
		st.Nodes[i].Detail = rabbitDetail(&own)
	}
}

func answeredFresh(p PlaneNode) bool {
	return p.Rabbit != nil && p.Rabbit.Answered && !p.Stale
}

func disjoint(a, b []string) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	for _, n := range a {
		if slices.Contains(b, n) {
			return false
		}
	}
	return true
}
