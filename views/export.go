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

// Markdown is the current state of one cluster plus the timeline, for an
// incident ticket: plain words and glyphs, no escape codes.
func Markdown(c *cluster.Cluster, taken time.Time, events []timeline.Event, version string) string {
	var b strings.Builder
	m, counts := Overall(c)
	fmt.Fprintf(&b, "# hacon: %s — %s\n\n", c.Name, taken.UTC().Format("2006-01-02 15:04:05 UTC"))
	fmt.Fprintf(&b, "**%s %s** (%s) · quorum: %s · DC: %s", m.Glyph, m.Word, counts, yesNo(c.Quorum), firstOf(c.DC, "none"))
	if version != "" {
		fmt.Fprintf(&b, " · hacon %s", version)
	}
	b.WriteString("\n\n## Alerts\n\n")
	if len(c.Alerts) == 0 {
		b.WriteString("None.\n")
	}
	for _, a := range c.Alerts {
		sm := SevMark(a.Severity)
		fmt.Fprintf(&b, "- %s **%s** %s\n", sm.Glyph, sm.Word, mdEscape(a.Message))
	}
	b.WriteString("\n## Nodes\n\n| Node | Pacemaker | Power | Fencing | BMC |\n|---|---|---|---|---|\n")
	for _, n := range c.Nodes {
		bmc := "-"
		if n.BMC != nil {
			bmc = firstOf(n.BMC.Error, n.BMC.Provider, n.BMC.Driver)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", n.Name, NodeMark(n).Full(), PowerMark(n).Full(), FenceMark(n).Full(), mdEscape(bmc))
	}
	b.WriteString("\n## Services\n\n")
	var ctrls []string
	for _, n := range c.Nodes {
		if n.Controller {
			ctrls = append(ctrls, n.Name)
		}
	}
	fmt.Fprintf(&b, "| Service | HA | Serving | %s |\n|---|---|---|%s\n", strings.Join(ctrls, " | "), strings.Repeat("---|", len(ctrls)))
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
		fmt.Fprintf(&b, "| %s | %s | %d/%d | %s |\n", s.Name, modeBadge(s.Mode), s.Serving, s.Expected, strings.Join(cells, " | "))
	}
	b.WriteString("\n## VIPs\n\n| VIP | Address | Node |\n|---|---|---|\n")
	for _, v := range c.VIPs {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", v.Name, v.Address, vipHolder(v).Plain())
	}
	b.WriteString("\n## Sources\n\n| Source | State | Age | Error |\n|---|---|---|---|\n")
	for _, s := range c.Sources {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", sourceName(s), SourceMark(s).Full(), Age(s.Age), mdEscape(s.Error))
	}
	b.WriteString("\n## Timeline (newest first)\n\n")
	n := 0
	for _, e := range events {
		if e.Cluster != c.Name {
			continue
		}
		fmt.Fprintf(&b, "- %s %s %s: %s → %s\n", e.Time.UTC().Format("15:04:05"), e.Subject, e.What, mdEscape(firstOf(e.From, "-")), mdEscape(firstOf(e.To, "-")))
		n++
	}
	if n == 0 {
		b.WriteString("No change observed in this session.\n")
	}
	return b.String()
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", "\\|") }
