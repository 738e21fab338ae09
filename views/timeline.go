package views

import (
	"fmt"
	"strings"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/timeline"
)

// Timeline lists events newest first (events must already be in that
// order): time, cluster, subject, what, from → to.
func Timeline(events []timeline.Event, w int) []Line {
	out := []Line{{S(Title, fmt.Sprintf("TIMELINE %d events", len(events))), S(Dim, " · newest first · kept for this session and appended to the events log")}}
	if len(events) == 0 {
		return append(out, Line{S(Dim, "  no change observed yet")})
	}
	showCluster := multiCluster(events)
	for _, e := range events {
		l := Line{S(Dim, e.Time.Local().Format("15:04:05")), P("  ")}
		if showCluster {
			l = append(l, S(Dim, e.Cluster), P("  "))
		}
		if e.What == timeline.ActionEvent {
			l = append(l, actionSpans(e, showCluster)...)
		} else if strings.HasPrefix(e.What, "alert") {
			m := alertEventMark(e)
			l = append(l, S(m.Class, m.Glyph+" "+m.Word), P(" "+firstOf(e.To, e.From)))
			if e.What == "alert cleared" {
				l[len(l)-1] = P(" " + e.From)
			}
		} else {
			l = append(l, P(e.Subject+" "+e.What+"  "), wordSpan(e.From), S(Dim, " → "), wordSpan(e.To))
		}
		out = append(out, l)
	}
	return WrapLines(out, w)
}

func multiCluster(events []timeline.Event) bool {
	for _, e := range events {
		if e.Cluster != events[0].Cluster {
			return true
		}
	}
	return false
}

func alertEventMark(e timeline.Event) Mark {
	switch e.What {
	case "alert cleared":
		return Mark{"✓", "cleared", "", OK}
	case "alert critical":
		return SevMark(cluster.SevCritical)
	case "alert warning":
		return SevMark(cluster.SevWarning)
	}
	return SevMark(cluster.SevInfo)
}

// wordSpan gives a state word its glyph and class, so the timeline reads
// without colour like the rest of the console.
func wordSpan(word string) Span {
	m := wordMark(word)
	return S(m.Class, m.Full())
}

func wordMark(word string) Mark {
	switch {
	case word == "":
		return Mark{"·", "none", "", Dim}
	case word == "stale":
		return markStale
	case strings.HasPrefix(word, "failing"):
		return Mark{"✖", word, "", Crit}
	}
	for _, m := range knownMarks {
		if m.Word == word {
			return m
		}
	}
	return Mark{"→", word, "", Normal} // a node name (VIP holder)
}

// knownMarks are the marks whose words can appear in events.
var knownMarks = []Mark{
	NodeMark(cluster.Node{Pacemaker: &cluster.PcmkNode{Online: true}}),
	NodeMark(cluster.Node{Pacemaker: &cluster.PcmkNode{Online: true, Standby: true}}),
	NodeMark(cluster.Node{Pacemaker: &cluster.PcmkNode{Online: true, Maintenance: true}}),
	NodeMark(cluster.Node{Pacemaker: &cluster.PcmkNode{}}),
	NodeMark(cluster.Node{Pacemaker: &cluster.PcmkNode{Unclean: true}}),
	NodeMark(cluster.Node{Pacemaker: &cluster.PcmkNode{Online: true, Pending: true}}),
	{"↑", "on", "", OK}, {"↓", "off", "", Crit},
	RoleMark(cluster.Cell{Role: cluster.RoleStarted}), RoleMark(cluster.Cell{Role: cluster.RolePromoted}),
	RoleMark(cluster.Cell{Role: cluster.RoleUnpromoted}), RoleMark(cluster.Cell{Role: cluster.RoleStopped}),
	RoleMark(cluster.Cell{Failed: true}),
	LBMark("UP", false), LBMark("DOWN", false), LBMark("MAINT", false), LBMark("DRAIN", false),
	LBMark("NOLB", false), LBMark("MIXED", false), LBMark("no check", false),
	EndpointMark(&cluster.EndpointResult{OK: true}, "", false), EndpointMark(&cluster.EndpointResult{OK: true, Slow: true}, "", false),
	EndpointMark(&cluster.EndpointResult{}, "", false),
	{"✓", "ok", "", OK}, {"✖", "stopped", "", Crit}, {"?", "unknown", "", Dim},
}
