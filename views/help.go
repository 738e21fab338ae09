package views

import "github.com/hacon/hacon/cluster"

// HelpEntry is one key or command in the help screen.
type HelpEntry struct {
	Key       string
	Desc      string
	Dangerous bool // changes the cluster
	Disabled  string
}

// HelpSection is a titled group of entries.
type HelpSection struct {
	Title   string
	Entries []HelpEntry
}

// Help renders the help screen from the program's key map and commands
// (so it cannot drift from what the keys do), followed by the legend of
// every glyph.
func Help(sections []HelpSection, w int) []Line {
	var out []Line
	for _, sec := range append(sections, Legend()...) {
		if len(out) > 0 {
			out = append(out, nil)
		}
		out = append(out, Line{S(Title, sec.Title)})
		kw := 0
		for _, e := range sec.Entries {
			kw = max(kw, textWidth(e.Key))
		}
		kw = min(kw, 22)
		for _, e := range sec.Entries {
			l := Line{P("  "), S(Key, padRight(e.Key, kw)), P("  "), P(e.Desc)}
			if e.Dangerous {
				l = append(l, S(Warn, "  ▲ changes the cluster"))
			}
			if e.Disabled != "" {
				l = append(l, S(Dim, "  ("+e.Disabled+")"))
			}
			out = append(out, l)
		}
	}
	return out
}

// Legend explains every glyph and word the console uses.
func Legend() []HelpSection {
	mk := func(title string, marks ...Mark) HelpSection {
		s := HelpSection{Title: title}
		for _, m := range marks {
			s.Entries = append(s.Entries, HelpEntry{Key: m.Glyph + " " + m.Word, Desc: legendText[m.Word]})
		}
		return s
	}
	node := func(p cluster.PcmkNode) Mark { return NodeMark(cluster.Node{Pacemaker: &p}) }
	role := func(c cluster.Cell) Mark { return RoleMark(c) }
	ep := func(e cluster.EndpointResult) Mark { return EndpointMark(&e, "", false) }
	return []HelpSection{
		mk("LEGEND · nodes", node(cluster.PcmkNode{Online: true}), node(cluster.PcmkNode{Online: true, Standby: true}),
			node(cluster.PcmkNode{Online: true, Maintenance: true}), node(cluster.PcmkNode{}), node(cluster.PcmkNode{Unclean: true}),
			Mark{"↑", "on", "", OK}, Mark{"↓", "off", "", Crit}, FenceMark(cluster.Node{BMC: &cluster.BMCStatus{FenceReady: true}}),
			FenceMark(cluster.Node{BMC: &cluster.BMCStatus{}}), StonithMark(cluster.Node{Fencing: &cluster.Fencing{Ready: true}}),
			StonithMark(cluster.Node{Fencing: &cluster.Fencing{}})),
		mk("LEGEND · cells: Pacemaker role, HAProxy status, endpoint", role(cluster.Cell{Role: cluster.RoleStarted}),
			role(cluster.Cell{Role: cluster.RolePromoted}), role(cluster.Cell{Role: cluster.RoleUnpromoted}),
			role(cluster.Cell{Role: cluster.RoleStopped}), role(cluster.Cell{Failed: true}),
			LBMark("UP", false), LBMark("DOWN", false), LBMark("MAINT", false), LBMark("DRAIN", false), LBMark("MIXED", false),
			Mark{BackupGlyph, "backup", "", Normal}, ep(cluster.EndpointResult{OK: true}), ep(cluster.EndpointResult{OK: true, Slow: true}),
			ep(cluster.EndpointResult{}), markStale, Mark{"·", "", "", Dim}),
		mk("LEGEND · stateful cells (galera, rabbitmq): the plane's own word", plane(cluster.PlaneSynced), plane("Donor/Desynced"),
			plane("non-Primary"), plane(cluster.PlaneRunning), plane(cluster.PlanePartitioned), plane(cluster.PlaneAlarm), plane(cluster.PlaneDown)),
	}
}

func plane(word string) Mark { return PlaneMark(&cluster.PlaneNode{Word: word}) }

var legendText = map[string]string{
	"online": "Pacemaker member, running resources", "standby": "online, runs no resources",
	"maintenance": "resources unmanaged on this node", "offline": "not in the cluster",
	"UNCLEAN": "lost without being fenced: recovery waits for fencing",
	"on":      "BMC reports power on", "off": "BMC reports power off",
	"fenceable": "hacon's BMC answers: hacon could power it off", "no fence": "hacon's BMC unreachable or absent",
	"stonith": "a started Pacemaker stonith device can fence it", "no stonith": "no Pacemaker stonith device can fence it",
	"Started": "running (clone or primitive)", "Promoted": "running as master/primary", "Unpromoted": "running as replica",
	"Stopped": "not running here", "FAILED": "a failed operation; needs cleanup",
	"UP": "HAProxy sends traffic", "DOWN": "health check failing: no traffic", "MAINT": "disabled by an operator",
	"DRAIN": "no new sessions", "MIXED": "the HAProxies disagree (H for details)", "backup": "HAProxy backup server",
	"ok": "endpoint answers", "slow": "endpoint answers above its slow threshold", "fail": "endpoint errors or times out",
	"stale":  "no fresh data for 3 intervals: old values are hidden",
	"Synced": "Galera: in the Primary Component and in sync", "Donor": "Galera: Donor/Desynced, feeding a joiner; may lag",
	"non-Primary": "Galera: left the Primary Component, refuses queries", "running": "RabbitMQ: answers, no partition, no alarm",
	"partitioned": "RabbitMQ: reports a network partition", "alarm": "RabbitMQ: memory/disk alarm, publishers blocked",
	"down": "the server does not answer",
	"":     "not configured for this plane",
}
