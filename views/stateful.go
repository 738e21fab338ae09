package views

import "github.com/hacon/hacon/cluster"

// Abbreviations are at most four cells, so a short cell ("✖nPri") is no
// wider than an endpoint's ("✖fail") and an 80-column matrix keeps its
// service names.
//
// PlaneMark is the stateful plane's own word for a cell (Galera's Synced,
// Donor/Desynced, non-Primary; RabbitMQ's running, partitioned, alarm). It
// takes the endpoint's place in the cell: Galera and RabbitMQ have no HTTP
// endpoint of their own.
func PlaneMark(p *cluster.PlaneNode) Mark {
	switch {
	case p.Stale:
		return markStale
	case p.Word == "":
		return Mark{"?", "unknown", "unkn", Stale}
	}
	switch p.Word {
	case cluster.PlaneSynced:
		return Mark{"✓", "Synced", "Sync", OK}
	case cluster.PlaneRunning:
		return Mark{"✓", "running", "run", OK}
	case cluster.PlaneDown:
		return Mark{"✖", "down", "", Crit}
	case "non-Primary":
		return Mark{"✖", "non-Primary", "nPri", Crit}
	case "Disconnected":
		return Mark{"✖", "Disconnected", "Disc", Crit}
	case cluster.PlaneNotReady:
		return Mark{"✖", "not ready", "nRdy", Crit}
	case cluster.PlanePartitioned:
		return Mark{"✖", "partitioned", "part", Crit}
	case cluster.PlaneAlarm:
		return Mark{"✖", "alarm", "alrm", Crit}
	case "Donor/Desynced":
		return Mark{"◐", "Donor", "Donr", Warn}
	}
	return Mark{"◐", shorten(p.Word, 14), shorten(p.Word, 4), Warn}
}

// floorPlanes are the plane words a stateful cell commonly shows: the
// sub-column is at least as wide as the widest, so a node going Synced →
// non-Primary does not shift the matrix.
var floorPlanes = []cluster.PlaneNode{{Word: cluster.PlaneSynced}, {Word: "non-Primary"}, {Word: "Donor/Desynced"},
	{Word: cluster.PlaneDown}, {Word: cluster.PlaneRunning}, {Word: cluster.PlanePartitioned}, {Word: cluster.PlaneAlarm}}

func planeFloor(level int) int {
	w := 0
	for i := range floorPlanes {
		v := cellView{ep: PlaneMark(&floorPlanes[i])}
		w = max(w, textWidth(v.epText(level)))
	}
	return w
}

// planeLine is the service detail's line for the stateful plane: its
// word, what else it said (size, seqno, alarms) and the source's age.
func planeLine(p *cluster.PlaneNode, mark Mark, ix *index) Line {
	kind, label := cluster.KindGalera, "    galera     "
	if p.Rabbit != nil {
		kind, label = cluster.KindRabbitMQ, "    rabbitmq   "
	}
	l := Line{S(Dim, label), mark.Span(false)}
	if p.Detail != "" {
		l = append(l, P(" "+p.Detail))
	}
	if p.Source != "" {
		l = append(l, S(Crit, " probe: "+p.Source))
	}
	if src := ix.source(kind, p.Node); src != nil {
		l = append(l, S(Dim, " · "+Age(src.Age)))
	}
	return l
}
