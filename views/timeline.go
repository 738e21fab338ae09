package views

import (
	"fmt"
	"strings"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/timeline"
)

// TimelineState is the timeline screen's view state.
type TimelineState struct {
	Cursor   int             // index into the filtered incidents
	Expanded map[string]bool // incident IDs shown with their events
	Filter   string          // see timeline.Incident.Matches
	Now      time.Time
}

// FilterIncidents keeps the incidents a filter matches, in order.
func FilterIncidents(incs []*timeline.Incident, filter string) []*timeline.Incident {
	if strings.TrimSpace(filter) == "" {
		return incs
	}
	var out []*timeline.Incident
	for _, inc := range incs {
		if inc.Matches(filter) {
			out = append(out, inc)
		}
	}
	return out
}

// Timeline lists incidents newest first (incs must already be in that
// order and filtered), each on one line, an expanded one with its cause,
// actions, impact and events beneath. It returns the lines wrapped to w
// and the index of the cursor's line.
func Timeline(incs []*timeline.Incident, st TimelineState, w int) ([]Line, int) {
	open := 0
	for _, inc := range incs {
		if inc.Open() {
			open++
		}
	}
	head := Line{S(Title, fmt.Sprintf("TIMELINE %d incidents · %d open", len(incs), open)), S(Dim, " · newest first · enter expands · / filters")}
	if st.Filter != "" {
		head = append(head, S(Key, " /"+st.Filter))
	}
	out := []Line{head}
	if len(incs) == 0 {
		msg := "  nothing has gone wrong in this session"
		if st.Filter != "" {
			msg = "  no incident matches (cluster: node: svc: sev: or a word; esc clears)"
		}
		return append(out, Line{S(Dim, msg)}), 0
	}
	showCluster := multiClusterIncidents(incs)
	cursorLine := 0
	for i, inc := range incs {
		if i == st.Cursor {
			cursorLine = len(out)
		}
		out = append(out, incidentLine(inc, st, i == st.Cursor, showCluster).Fit(w)) // one line each: expanded, it shows everything
		if st.Expanded[inc.ID] {
			out = append(out, WrapLines(IncidentDetail(inc, st.Now, time.Local), w)...)
		}
	}
	return out, cursorLine
}

func multiClusterIncidents(incs []*timeline.Incident) bool {
	for _, inc := range incs {
		if inc.Cluster != incs[0].Cluster {
			return true
		}
	}
	return false
}

// IncidentMark is an incident's severity as a mark.
func IncidentMark(sev string) Mark {
	switch sev {
	case timeline.SevCritical:
		return SevMark(cluster.SevCritical)
	case timeline.SevWarning:
		return SevMark(cluster.SevWarning)
	}
	return SevMark(cluster.SevInfo)
}

func incidentLine(inc *timeline.Incident, st TimelineState, cursor, showCluster bool) Line {
	marker := P("  ")
	if cursor {
		marker = S(Cursor, "▸ ")
	}
	fold := "+"
	if st.Expanded[inc.ID] {
		fold = "−"
	}
	m := IncidentMark(inc.Severity)
	l := Line{marker, S(Dim, fold+" "), S(m.Class, padRight(m.Glyph+m.Word, 5)), P(" "), S(Dim, inc.Opened.Local().Format("15:04:05")), P(" ")}
	if inc.Open() {
		l = append(l, S(Crit, padRight("open "+Age(inc.Duration(st.Now)), 9)))
	} else {
		l = append(l, S(OK, padRight("✓ "+Age(inc.Duration(st.Now)), 9)))
	}
	l = append(l, P(" "))
	if showCluster {
		l = append(l, S(Dim, inc.Cluster+" "))
	}
	l = append(l, P(inc.Title))
	if s := incidentScope(inc); s != "" {
		l = append(l, S(Dim, " · "+s))
	}
	return l
}

// incidentScope counts what an incident touched: "1 node, 9 services,
// 2 below full".
func incidentScope(inc *timeline.Incident) string {
	var parts []string
	if n := len(inc.Nodes()); n > 0 {
		parts = append(parts, plural(n, "node"))
	}
	if n := len(inc.Services()); n > 0 {
		parts = append(parts, plural(n, "service"))
	}
	if n := len(inc.Impact); n > 0 {
		parts = append(parts, fmt.Sprintf("%d below full", n))
	}
	if n := len(inc.Actions); n > 0 {
		parts = append(parts, plural(n, "action"))
	}
	return strings.Join(parts, ", ")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// IncidentDetail is an expanded incident: when, its cause, the actions
// taken (who, what, result, verified, how long), its impact and its
// events grouped by instant and change.
func IncidentDetail(inc *timeline.Incident, now time.Time, loc *time.Location) []Line {
	const ind = "      "
	var out []Line
	when := inc.Opened.In(loc).Format("15:04:05") + " → "
	switch {
	case !inc.Cleared.IsZero():
		when += "cleared " + inc.Cleared.In(loc).Format("15:04:05")
	case !inc.Open():
		when += "closed " + inc.Closed.In(loc).Format("15:04:05")
	default:
		when += "still open"
	}
	out = append(out, Line{P(ind), S(Heading, "when    "), P(when + " (" + Age(inc.Duration(now)) + ")")})
	out = append(out, Line{P(ind), S(Heading, "cause   "), P(inc.Title)})
	for _, a := range inc.Actions {
		m := actionMark(a)
		out = append(out, Line{P(ind), S(Heading, "action  "), S(Dim, a.Time.In(loc).Format("15:04:05")+" "), S(m.Class, m.Glyph+" "), P(ActionText(a))})
	}
	if len(inc.Impact) > 0 {
		out = append(out, Line{P(ind), S(Heading, "impact  "), P(ImpactText(inc, now))})
	}
	for _, g := range GroupEvents(inc.Events) {
		out = append(out, append(Line{P(ind), S(Dim, g.Time.In(loc).Format("15:04:05")+" ")}, g.spans()...))
	}
	if inc.Folded > 0 {
		out = append(out, Line{P(ind), S(Dim, fmt.Sprintf("+ %d changes folded (stale data, data coming back, alerts reworded)", inc.Folded))})
	}
	return out
}

// actionMark is how an action ended, as a glyph.
func actionMark(a timeline.Action) Mark {
	switch {
	case a.State == timeline.ActionRunning:
		return Mark{"⟳", "running", "", Info}
	case a.Verified:
		return Mark{"✓", "verified", "", OK}
	case a.State == timeline.ActionDone:
		return Mark{"▲", "NOT verified", "", Warn}
	case a.State == timeline.ActionCancelled:
		return Mark{"·", "cancelled", "", Dim}
	}
	return Mark{"✖", a.State, "", Crit}
}

// ActionText is an action in one phrase: command, operator, state,
// verification and duration.
func ActionText(a timeline.Action) string {
	s := a.Command
	if a.Operator != "" {
		s += " by " + a.Operator
	}
	switch a.State {
	case timeline.ActionRunning:
		return s + ": running"
	case timeline.ActionRefused, timeline.ActionCancelled:
		return s + ": " + firstOf(a.Result, a.State)
	}
	s += ": " + a.State
	switch {
	case a.Verified:
		s += ", verified"
	case a.VerifyState == "abandoned":
		s += ", verification abandoned"
	case a.State == timeline.ActionDone:
		s += ", NOT verified"
	}
	if a.DurationMS > 0 {
		s += fmt.Sprintf(" in %s", (time.Duration(a.DurationMS) * time.Millisecond).Round(100*time.Millisecond))
	}
	return s
}

// ImpactText lists the services below full and for how long, services
// alike folded together: "2/3 for 16s: keystone, glance-api +7".
func ImpactText(inc *timeline.Incident, now time.Time) string {
	type shape struct {
		worst, expected int
		below           string
	}
	var order []shape
	names := map[shape][]string{}
	for _, im := range inc.Impact {
		k := shape{im.Worst, im.Expected, Age(im.BelowFor(now))}
		if _, ok := names[k]; !ok {
			order = append(order, k)
		}
		names[k] = append(names[k], im.Service)
	}
	parts := make([]string, 0, len(order))
	for _, k := range order {
		parts = append(parts, fmt.Sprintf("%d/%d for %s: %s", k.worst, k.expected, k.below, SubjectsText(names[k])))
	}
	return strings.Join(parts, " · ")
}

// EventGroup is events of one instant making the same change.
type EventGroup struct {
	Time     time.Time
	What     string
	From, To string
	Subjects []string
}

// GroupEvents folds the events of one second that make the same change
// (what, from, to) into one group, in the order each change first
// appeared; alerts of one second and severity make one group (its
// subjects; a lone alert keeps its message).
func GroupEvents(evs []timeline.Event) []EventGroup {
	var out []EventGroup
	second := 0 // where the current second's groups start in out
	for _, e := range evs {
		t := e.Time.Truncate(time.Second)
		if len(out) > 0 && !out[len(out)-1].Time.Equal(t) {
			second = len(out)
		}
		joined := false
		for i := second; i < len(out); i++ {
			if g := &out[i]; g.What == e.What && (strings.HasPrefix(e.What, "alert") || g.From == e.From && g.To == e.To) {
				g.Subjects = append(g.Subjects, e.Subject)
				joined = true
				break
			}
		}
		if !joined {
			out = append(out, EventGroup{Time: t, What: e.What, From: e.From, To: e.To, Subjects: []string{e.Subject}})
		}
	}
	return out
}

func (g EventGroup) spans() Line {
	subj := SubjectsText(g.Subjects)
	lone := len(g.Subjects) == 1
	switch {
	case g.What == "alert cleared" && lone:
		return Line{S(OK, "✓ cleared "), P(g.From)}
	case g.What == "alert cleared":
		return Line{S(OK, "✓ cleared "), P("alerts of " + subj)}
	case strings.HasPrefix(g.What, "alert ") && lone:
		m := alertEventMark(g.What)
		return Line{S(m.Class, m.Glyph+m.Word+" "), P(g.To)}
	case strings.HasPrefix(g.What, "alert "):
		m := alertEventMark(g.What)
		return Line{S(m.Class, m.Glyph+m.Word+" "), P("alerts on " + subj)}
	case g.What == "node": // a VIP moving
		return Line{P(subj + " moved " + firstOf(g.From, "nowhere")), S(Dim, " → "), P(firstOf(g.To, "nowhere"))}
	}
	return Line{P(g.What + " "), wordSpan(g.From), S(Dim, " → "), wordSpan(g.To), P(": " + subj)}
}

// Text is the group in plain words, for the Markdown export.
func (g EventGroup) Text() string { return g.spans().Plain() }

// SubjectsText names subjects shortly: "keystone, glance-api +7 on
// controller-2" when they are cells of one node.
func SubjectsText(subjects []string) string {
	node := ""
	names := make([]string, 0, len(subjects))
	for i, s := range subjects {
		svc, n, ok := strings.Cut(s, "@")
		if !ok || strings.Contains(s, "/") || (i > 0 && n != node) {
			node = ""
			names = subjects
			break
		}
		node = n
		names = append(names, svc)
	}
	const show = 3
	text := strings.Join(names[:min(show, len(names))], ", ")
	if len(names) > show {
		text += fmt.Sprintf(" +%d", len(names)-show)
	}
	if node != "" {
		text += " on " + node
	}
	return text
}

func alertEventMark(what string) Mark {
	switch what {
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
	return Mark{"→", word, "", Normal} // a node name
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
