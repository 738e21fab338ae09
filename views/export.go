package views

import (
	"fmt"
	"strings"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/timeline"
)

// ExportName is the export file name for a cluster at a time:
// hacon-<cluster>-<UTC time>.md.
func ExportName(clusterName string, t time.Time) string {
	safe := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, clusterName)
	return "hacon-" + safe + "-" + t.UTC().Format("20060102T150405Z") + ".md"
}

// Report is what an incident report holds.
type Report struct {
	Cluster   *cluster.Cluster     // its current state (nil: not polled, say so)
	Taken     time.Time            // when that state was taken, and the report written
	Incidents []*timeline.Incident // the cluster's incidents, newest first
	Loose     []timeline.Action    // actions that belong to no incident, oldest first
	Version   string
	Loc       *time.Location // local time zone shown next to UTC; nil: time.Local
	From      string         // where the incidents come from ("this session", the log paths)
}

// Markdown is an incident report a person pastes into a ticket: summary,
// impact (which services, how long below full), the timeline of
// incidents and actions with their operators, and the current state.
// Times are UTC with the local time beside. Plain words and glyphs, no
// escape codes.
func Markdown(r Report) string {
	if r.Loc == nil {
		r.Loc = time.Local
	}
	var b strings.Builder
	name := "unknown cluster"
	if r.Cluster != nil {
		name = r.Cluster.Name
	}
	fmt.Fprintf(&b, "# Incident report: %s — %s\n\n", name, r.when(r.Taken))
	if r.Version != "" {
		fmt.Fprintf(&b, "hacon %s · ", r.Version)
	}
	fmt.Fprintf(&b, "incidents from %s\n\n", firstOf(r.From, "this session"))
	r.summary(&b)
	r.impact(&b)
	r.timeline(&b)
	b.WriteString("\n## Current state\n\n")
	if r.Cluster == nil {
		b.WriteString("Not known: the cluster was not polled.\n")
		return b.String()
	}
	stateMarkdown(&b, r.Cluster)
	return b.String()
}

// when is a time in UTC with the local time beside it (unless local is
// UTC).
func (r Report) when(t time.Time) string {
	s := t.UTC().Format("2006-01-02 15:04:05 UTC")
	if !r.localIsUTC(t) {
		s += " (" + t.In(r.Loc).Format("15:04:05 MST") + " local)"
	}
	return s
}

func (r Report) clock(t time.Time) string {
	s := t.UTC().Format("15:04:05Z")
	if !r.localIsUTC(t) {
		s += " (" + t.In(r.Loc).Format("15:04:05") + " local)"
	}
	return s
}

func (r Report) localIsUTC(t time.Time) bool {
	_, off := t.In(r.Loc).Zone()
	return off == 0
}

func (r Report) summary(b *strings.Builder) {
	b.WriteString("## Summary\n\n")
	if r.Cluster != nil {
		m, counts := Overall(r.Cluster)
		fmt.Fprintf(b, "Now: **%s %s** (%s) · quorum: %s · DC: %s\n\n", m.Glyph, m.Word, counts, yesNo(r.Cluster.Quorum), firstOf(r.Cluster.DC, "none"))
	}
	if len(r.Incidents) == 0 {
		b.WriteString("No incident recorded.\n")
		return
	}
	open := 0
	for _, inc := range r.Incidents {
		if inc.Open() {
			open++
		}
	}
	fmt.Fprintf(b, "%d incident(s), %d still open:\n\n", len(r.Incidents), open)
	for _, inc := range r.Incidents {
		m := IncidentMark(inc.Severity)
		state := "lasted " + r.duration(inc)
		if inc.Open() {
			state = "**open** for " + r.duration(inc)
		}
		fmt.Fprintf(b, "- %s %s · %s · %s · %s\n", m.Glyph, inc.Severity, r.clock(inc.Opened), state, mdEscape(inc.Title))
	}
}

// duration is how long an incident lasted; one rebuilt from the events
// log that was open at its last line says so.
func (r Report) duration(inc *timeline.Incident) string {
	if inc.Open() && !inc.Seen.IsZero() {
		return "at least " + Age(inc.Seen.Sub(inc.Opened)) + " (its last record: " + r.clock(inc.Seen) + ")"
	}
	return Age(inc.Duration(r.Taken))
}

func (r Report) impact(b *strings.Builder) {
	b.WriteString("\n## Impact\n\n")
	n := 0
	for _, inc := range r.Incidents {
		n += len(inc.Impact)
	}
	if n == 0 {
		b.WriteString("No service ran below full.\n")
		return
	}
	b.WriteString("| Service | Fewest serving | Below full for | Incident |\n|---|---|---|---|\n")
	for _, inc := range r.Incidents {
		for _, im := range inc.Impact {
			fmt.Fprintf(b, "| %s | %d of %d | %s | %s %s |\n", im.Service, im.Worst, im.Expected, Age(im.BelowFor(r.Taken)), r.clock(inc.Opened), mdEscape(inc.Title))
		}
	}
}

// timeline lists the incidents oldest first, each with its actions and
// grouped events, then the actions that belong to none.
func (r Report) timeline(b *strings.Builder) {
	b.WriteString("\n## Timeline (oldest first)\n")
	if len(r.Incidents) == 0 {
		b.WriteString("\nNo incident recorded.\n")
	}
	for i := len(r.Incidents) - 1; i >= 0; i-- {
		inc := r.Incidents[i]
		m := IncidentMark(inc.Severity)
		fmt.Fprintf(b, "\n### %s %s — %s\n\n", m.Glyph, mdEscape(inc.Title), inc.Severity)
		end := "still open"
		if !inc.Open() {
			end = "cleared " + r.clock(firstTime(inc.Cleared, inc.Closed))
		}
		fmt.Fprintf(b, "Opened %s, %s; %s. Nodes: %s. Services: %s.\n\n", r.when(inc.Opened), end, r.duration(inc),
			firstOf(strings.Join(inc.Nodes(), ", "), "none"), firstOf(strings.Join(inc.Services(), ", "), "none"))
		for _, a := range inc.Actions {
			fmt.Fprintf(b, "- %s **action** %s\n", r.clock(a.Time), mdEscape(ActionText(a)))
		}
		for _, g := range GroupEvents(inc.Events) {
			fmt.Fprintf(b, "- %s %s\n", r.clock(g.Time), mdEscape(g.Text()))
		}
		if inc.Folded > 0 {
			fmt.Fprintf(b, "- (%d changes folded: stale data, data coming back, alerts reworded)\n", inc.Folded)
		}
	}
	if len(r.Loose) == 0 {
		return
	}
	b.WriteString("\n### Actions outside any incident\n\n")
	for _, a := range r.Loose {
		fmt.Fprintf(b, "- %s %s\n", r.clock(a.Time), mdEscape(ActionText(a)))
	}
}

func firstTime(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

// stateMarkdown is the cluster's current state: alerts, nodes, services,
// VIPs and sources.
func stateMarkdown(b *strings.Builder, c *cluster.Cluster) {
	b.WriteString("### Alerts\n\n")
	if len(c.Alerts) == 0 {
		b.WriteString("None.\n")
	}
	for _, a := range c.Alerts {
		sm := SevMark(a.Severity)
		fmt.Fprintf(b, "- %s **%s** %s\n", sm.Glyph, sm.Word, mdEscape(a.Message))
	}
	b.WriteString("\n### Nodes\n\n| Node | Pacemaker | Power | Fencing | BMC |\n|---|---|---|---|---|\n")
	for _, n := range c.Nodes {
		bmc := "-"
		if n.BMC != nil {
			bmc = firstOf(n.BMC.Error, n.BMC.Provider, n.BMC.Driver)
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", n.Name, NodeMark(n).Full(), PowerMark(n).Full(), FenceMark(n).Full(), mdEscape(bmc))
	}
	b.WriteString("\n### Services\n\n")
	var ctrls []string
	for _, n := range c.Nodes {
		if n.Controller {
			ctrls = append(ctrls, n.Name)
		}
	}
	fmt.Fprintf(b, "| Service | HA | Serving | %s |\n|---|---|---|%s\n", strings.Join(ctrls, " | "), strings.Repeat("---|", len(ctrls)))
	ix := newIndex(c)
	for si := range c.Services {
		s := &c.Services[si]
		cells := make([]string, len(ctrls))
		for k, n := range ctrls {
			if cell := cellFor(s, n, k); cell != nil {
				v := resolveCell(s, cell, ix)
				cells[k] = v.roleText(levelFull) + " · " + v.lbText(levelFull) + " · " + v.epText(levelFull)
			}
		}
		fmt.Fprintf(b, "| %s | %s | %d/%d | %s |\n", s.Name, modeBadge(s.Mode), s.Serving, s.Expected, strings.Join(cells, " | "))
	}
	b.WriteString("\n### VIPs\n\n| VIP | Address | Node |\n|---|---|---|\n")
	for _, v := range c.VIPs {
		fmt.Fprintf(b, "| %s | %s | %s |\n", v.Name, v.Address, vipHolder(v).Plain())
	}
	b.WriteString("\n### Sources\n\n| Source | State | Age | Error |\n|---|---|---|---|\n")
	for _, s := range c.Sources {
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", sourceName(s), SourceMark(s).Full(), Age(s.Age), mdEscape(s.Error))
	}
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", "\\|") }
