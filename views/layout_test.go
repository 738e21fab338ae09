package views

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/hacon/hacon/cluster"
	fixture "github.com/hacon/hacon/cluster/clustertest"
	"github.com/hacon/hacon/timeline"
)

// TestOverviewFitsEverySize renders every fixture at many sizes and checks
// the size contract, with and without styling.
func TestOverviewFitsEverySize(t *testing.T) {
	snaps := map[string]cluster.Snapshot{"healthy": fixture.Healthy(), "degraded": fixture.Degraded(), "fenced": fixture.Fenced(),
		"stale": fixture.StaleSource(), "large": fixture.Large(16, 100)}
	for name, snap := range snaps {
		c := &snap.Clusters[0]
		for _, w := range []int{40, 60, 80, 100, 132, 200, 300} {
			for _, h := range []int{10, 24, 50} {
				for _, st := range []Styles{NewStyles(ThemeMono, false), NewStyles(ThemeDark, false)} {
					out := Compose(st, w, h, Header(c, HeaderInfo{}, w), Overview(c, OverviewState{Row: 99, Col: 99}, w, h-2), Footer(FooterInfo{}, w))
					lines := strings.Split(out, "\n")
					if len(lines) != h {
						t.Errorf("%s %dx%d: %d lines", name, w, h, len(lines))
					}
					for i, l := range lines {
						if lw := ansi.StringWidth(l); lw > w {
							t.Errorf("%s %dx%d %s line %d: width %d: %q", name, w, h, st.Name, i, lw, ansi.Strip(l))
						}
					}
				}
			}
		}
	}
}

// TestOverview80x24ShowsEverything: at 80x24 the overview of 3 controllers
// and 12 services shows every service, every VIP with its node, every
// controller's fencing, with no cut word in the matrix.
func TestOverview80x24ShowsEverything(t *testing.T) {
	for name, snap := range map[string]cluster.Snapshot{"healthy": fixture.Healthy(), "degraded": fixture.Degraded()} {
		c := &snap.Clusters[0]
		lines := PlainLines(Overview(c, OverviewState{}, 80, 22))
		text := strings.Join(lines, "\n")
		for _, s := range c.Services {
			// In full, or by its known abbreviation (the issue allows
			// abbreviating; a cut word is checked below).
			short := abbrevName(s.Name, 12)
			if !strings.Contains(text, " "+s.Name+" ") && !strings.Contains(text, "▸"+s.Name+" ") && !strings.Contains(text, " "+short+" ") {
				t.Errorf("%s: service %s not shown in full nor as %q", name, s.Name, short)
			}
		}
		for _, v := range c.VIPs {
			if !strings.Contains(text, v.Name) || !strings.Contains(text, v.Address) || !strings.Contains(text, "→ "+v.Node) {
				t.Errorf("%s: VIP %s (%s on %s) not shown", name, v.Name, v.Address, v.Node)
			}
		}
		if n := strings.Count(text, "✓fence"); n != 3 {
			t.Errorf("%s: %d fence marks, want 3", name, n)
		}
		if strings.Contains(strings.Join(lines[:15], "\n"), "…") {
			t.Errorf("%s: a cut word in the matrix:\n%s", name, text)
		}
	}
}

func TestMatrixScrollsColumnsWhenNarrow(t *testing.T) {
	snap := fixture.Large(16, 100)
	c := &snap.Clusters[0]
	text := strings.Join(PlainLines(Overview(c, OverviewState{Col: 10}, 80, 22)), "\n")
	if strip := strings.Split(text, "\n")[0]; !strings.Contains(strip, "controller-10") || strings.Contains(strip, "controller-0 ") {
		t.Errorf("column cursor 10 should scroll controller-10 into view:\n%s", text)
	}
	if !strings.Contains(text, "◀ cols ") || !strings.Contains(text, "-11/16") {
		t.Errorf("no column range in the strip title:\n%s", text)
	}
}

func TestCellLevels(t *testing.T) {
	snap := fixture.Degraded()
	c := &snap.Clusters[0]
	svc := c.Service("keystone")
	v := resolveCell(svc, &svc.Cells[1], newIndex(c))
	if got := v.roleText(levelShort) + " " + v.lbText(levelShort) + " " + v.epText(levelShort); got != "▲Start ✖DOWN ✖fail" {
		t.Errorf("short cell %q", got)
	}
	ok := resolveCell(svc, &svc.Cells[0], newIndex(c))
	if got := ok.epText(levelFull); got != "✓ ok 8ms" {
		t.Errorf("full endpoint %q", got)
	}
	if got := ok.lbText(levelFullCheck); got != "● UP chk 1ms" {
		t.Errorf("full LB with check %q", got)
	}
	g := c.Service("galera")
	if b := resolveCell(g, &g.Cells[1], newIndex(c)); b.lbText(levelShort) != "●UP◆" {
		t.Errorf("backup server: %q", b.lbText(levelShort))
	}
}

// TestStaleNeverShowsOldValues: with Pacemaker stale, roles, node states,
// quorum and VIP holders read "stale", not their last values.
func TestStaleNeverShowsOldValues(t *testing.T) {
	snap := fixture.StaleSource()
	c := &snap.Clusters[0]
	text := strings.Join(PlainLines(append([]Line{Header(c, HeaderInfo{}, 80)}, Overview(c, OverviewState{}, 80, 22)...)), "\n")
	for _, bad := range []string{"Start", "●online", "→ controller", "✓ quorum", "DC controller-0"} {
		if strings.Contains(text, bad) {
			t.Errorf("stale overview shows %q:\n%s", bad, text)
		}
	}
	for _, want := range []string{"?stale", "? stale", "? quorum stale"} {
		if !strings.Contains(text, want) {
			t.Errorf("stale overview lacks %q", want)
		}
	}
}

func TestWordCutAndWrap(t *testing.T) {
	if got := wordCut("keystone: 2 of 3 instances serving", 20); got != "keystone: 2 of 3…" {
		t.Errorf("wordCut: %q", got)
	}
	l := Line{P("    haproxy    "), S(Crit, "✖ DOWN"), P(" · check L7TOUT in 2.0s · weight 1 · 0 sessions")}
	for _, w := range WrapLines([]Line{l}, 30) {
		if w.Width() > 30 {
			t.Errorf("wrapped line too wide: %q", w.Plain())
		}
	}
	if got := strings.Join(PlainLines(WrapLines([]Line{l}, 30)), "|"); !strings.Contains(got, "✖ DOWN") || !strings.Contains(got, "sessions") {
		t.Errorf("wrapping lost text: %q", got)
	}
}

func TestAbbrevName(t *testing.T) {
	for in, want := range map[string]string{"cinder-scheduler": "cinder-sched", "keystone": "keystone", "nova-conductor": "nova-cond"} {
		if got := abbrevName(in, 12); got != want {
			t.Errorf("abbrevName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMarkdownExport(t *testing.T) {
	// A fence by alice and the node's return, as the console tracks it.
	tr := timeline.NewTracker("t")
	at := func(sec int, snap cluster.Snapshot) cluster.Snapshot {
		snap.Taken = fixture.Taken.Add(time.Duration(sec) * time.Second)
		return snap
	}
	prev := at(0, fixture.Healthy())
	tr.Observe(prev, nil)
	c := fixture.HealthyCluster("overcloud")
	act := timeline.Action{Ref: "r", Command: ":fence controller-2", Operator: "alice (from 198.51.100.7:52000 on /dev/pts/3)", Keys: timeline.ActionKeys(&c, "controller-2", "", "", "")}
	tr.ActionStarted("overcloud", act, fixture.Taken.Add(time.Second))
	for _, step := range []struct {
		sec  int
		snap cluster.Snapshot
	}{{2, fixture.Fenced()}, {20, fixture.Healthy()}, {40, fixture.Healthy()}} {
		next := at(step.sec, step.snap)
		tr.Observe(next, timeline.Diff(prev, next, CellWords))
		prev = next
		if step.sec == 2 {
			act.State, act.Verified, act.DurationMS = timeline.ActionDone, true, 2100
			tr.ActionFinished("overcloud", act, next.Taken)
		}
	}
	snap := at(60, fixture.Healthy())
	md := Markdown(Report{Cluster: &snap.Clusters[0], Taken: snap.Taken, Incidents: tr.Incidents(), Version: "v1",
		Loc: time.FixedZone("CET", 3600), Loose: []timeline.Action{{Time: fixture.Taken, Command: ":standby controller-1", Operator: "bob", State: "refused", Result: "refused: read-only mode"}}})
	for _, want := range []string{
		"# Incident report: overcloud — 2026-03-14 03:05:05 UTC (04:05:05 CET local)",
		"1 incident(s), 0 still open",
		"- ✖ critical · 03:04:06Z (04:04:06 local) · lasted 19s · :fence controller-2 by alice (from 198.51.100.7:52000 on /dev/pts/3)",
		"| keystone | 2 of 3 | 18s |",
		"**action** :fence controller-2 by alice (from 198.51.100.7:52000 on /dev/pts/3): done, verified in 2.1s",
		"pacemaker ● online → ○ offline: controller-2",
		"### Actions outside any incident",
		":standby controller-1 by bob: refused: read-only mode",
		"## Current state", "**✓ OK**", "| controller-2 | ● online | ↑ on | ✓ fenceable |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("export lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "\x1b") {
		t.Error("escape codes in the export")
	}
	if got := ExportName("edge/dc 2", fixture.Taken); got != "hacon-edge_dc_2-20260314T030405Z.md" {
		t.Errorf("ExportName %q", got)
	}
}

func TestGlyphWidths(t *testing.T) {
	for _, r := range glyphSet {
		if w := ansi.StringWidth(string(r)); w != 1 {
			t.Errorf("glyph %q is %d cells wide", r, w)
		}
	}
	if textWidth("a✖b") != 3 || textWidth("日本") != 4 {
		t.Error("textWidth fast path disagrees with the width tables")
	}
}
