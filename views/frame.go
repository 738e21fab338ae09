package views

import (
	"fmt"
	"strings"

	"github.com/hacon/hacon/cluster"
)

// HeaderInfo is what the header needs besides the cluster.
type HeaderInfo struct {
	Clusters []string // all cluster names, for the switcher
	Current  int
	Others   []OtherCluster // the clusters not on screen, for their verdict
	Screen   string         // "" on the overview, else the screen's name
	ReadOnly bool
	Wall     bool
	Env      Env // the cluster's environment, next to its name
}

type segment struct {
	line Line
	prio int // higher is dropped first when the width is short
}

// Header is the first line of every screen: cluster (and switcher),
// quorum, DC, nodes online, oldest data age, and the mode badge.
func Header(c *cluster.Cluster, hi HeaderInfo, w int) Line {
	var segs []segment
	name := Line{S(Title, c.Name)}
	if len(hi.Clusters) > 1 {
		name = Line{S(Dim, "◀ "), S(Title, c.Name), S(Dim, fmt.Sprintf(" %d/%d ▶", hi.Current+1, len(hi.Clusters)))}
	}
	segs = append(segs, segment{name, 0})
	if b := hi.Env.Badge(); b != nil {
		segs = append(segs, segment{b, 0}) // never dropped: production must not look like staging
	}
	if hi.Screen != "" {
		segs = append(segs, segment{Line{S(Heading, hi.Screen)}, 3})
	}
	pmStale := pacemakerStale(c)
	switch {
	case pmStale:
		segs = append(segs, segment{Line{S(Stale, "? quorum stale")}, 1})
	case !c.HasPacemaker:
		segs = append(segs, segment{Line{S(Dim, "- no pacemaker")}, 1})
	case c.Quorum:
		segs = append(segs, segment{Line{S(OK, "✓ quorum")}, 1})
	default:
		segs = append(segs, segment{Line{S(Crit, "✖ NO QUORUM")}, 0})
	}
	if c.DC != "" && !pmStale {
		segs = append(segs, segment{Line{S(Dim, "DC "), P(c.DC)}, 2})
	}
	online, ctrls := 0, 0
	for _, n := range c.Nodes {
		if n.Controller {
			ctrls++
			if n.PcmkState() == "online" && !n.Stale {
				online++
			}
		}
	}
	class := OK
	if online < ctrls {
		class = Crit
	}
	nodes := Line{S(class, fmt.Sprintf("%d/%d online", online, ctrls))}
	if pmStale {
		nodes = Line{S(Stale, fmt.Sprintf("?/%d online", ctrls))}
	}
	segs = append(segs, segment{nodes, 1})
	segs = append(segs, segment{headerAge(c), 1})
	for _, o := range hi.Others {
		segs = append(segs, segment{Line{S(Dim, o.Name+" "), S(verdictClass(o.Verdict), o.Verdict.Glyph+o.Verdict.Word)}, 1})
	}
	segs = append(segs, segment{Line{S(Dim, "? help")}, 4})
	var badge Line
	switch {
	case hi.Wall:
		badge = Line{S(Badge, " WALL · READ-ONLY ")}
	case hi.ReadOnly:
		badge = Line{S(Badge, " READ-ONLY ")}
	}
	return fitSegments(segs, badge, w)
}

// fitSegments joins segments with two spaces, dropping the least important
// ones until the line and the right-aligned badge fit in w.
func fitSegments(segs []segment, badge Line, w int) Line {
	for prio := 5; prio >= 0; prio-- {
		var l Line
		for _, s := range segs {
			if s.prio > prio {
				continue
			}
			if len(l) > 0 {
				l = append(l, P("  "))
			}
			l = append(l, s.line...)
		}
		if l.Width()+1+badge.Width() <= w || prio == 0 {
			if badge != nil {
				l = l.Pad(w - badge.Width()).Add(badge...)
			}
			return l
		}
	}
	return nil
}

// FooterInfo is the bottom line's state.
type FooterInfo struct {
	Prompt   string // ":" for the palette, "/" for the filter; "" otherwise
	Input    string
	Suggest  []string // palette completions
	Toast    string
	ToastBad bool
	Hints    []Hint
	Env      Env // the environment, right-aligned: the frame carries it top and bottom
}

// Hint is one key hint in the footer.
type Hint struct{ Key, Desc string }

// Footer renders the last line: an input prompt, a toast, or key hints,
// with the environment badge at its right end.
func Footer(fi FooterInfo, w int) Line {
	badge := fi.Env.Badge()
	if badge == nil {
		return footerLine(fi, w)
	}
	l := footerLine(fi, w-badge.Width()-1).Fit(w - badge.Width() - 1)
	return l.Pad(w - badge.Width()).Add(badge...)
}

func footerLine(fi FooterInfo, w int) Line {
	switch {
	case fi.Prompt != "":
		l := Line{S(Key, fi.Prompt), P(fi.Input), S(Cursor, "█")}
		if fi.Toast != "" {
			return append(l, S(Toast, "  "+fi.Toast+" "))
		}
		if len(fi.Suggest) > 0 {
			l = append(l, S(Dim, "  "+strings.Join(fi.Suggest, "  ")))
		}
		return l
	case fi.Toast != "":
		class := Toast
		if fi.ToastBad {
			class = Crit
		}
		return Line{S(class, " "+fi.Toast+" ")}
	}
	var l Line
	for _, h := range fi.Hints {
		add := Line{S(Key, h.Key), S(Dim, " "+h.Desc)}
		if len(l) > 0 {
			add = append(Line{P("  ")}, add...)
		}
		if l.Width()+add.Width() > w {
			break
		}
		l = append(l, add...)
	}
	return l
}

// Compose stacks header, body and footer into exactly h lines (fewer when
// h < 2) of at most w cells, styled.
func Compose(s Styles, w, h int, header Line, body []Line, footer Line) string {
	if h <= 0 || w <= 0 {
		return ""
	}
	lines := make([]Line, 0, h)
	lines = append(lines, header)
	for i := 0; i < h-2; i++ {
		var l Line
		if i < len(body) {
			l = body[i]
		}
		lines = append(lines, l)
	}
	if h >= 2 {
		lines = append(lines, footer)
	}
	return s.Render(lines, w)
}

// Window shows lines[off:off+h], clamping off, and replaces the last line
// with a "more" marker when lines are hidden below.
func Window(lines []Line, off, h int) []Line {
	if h <= 0 {
		return nil
	}
	off = ClampScroll(off, len(lines), h)
	end := min(len(lines), off+h)
	out := append([]Line(nil), lines[off:end]...)
	if end < len(lines) {
		out[len(out)-1] = Line{S(Dim, fmt.Sprintf("  ↓ %d more lines (j/↓, pgdn)", len(lines)-end+1))}
	}
	return out
}

// ClampScroll bounds a scroll offset for n lines in a window of h.
func ClampScroll(off, n, h int) int {
	return max(0, min(off, n-h))
}

func headerAge(c *cluster.Cluster) Line {
	age, stale, any, fresh := panelAge(c)
	switch {
	case !any:
		return Line{S(Dim, "no sources")}
	case stale:
		return Line{S(Stale, "?stale data "+Age(age))}
	default:
		return Line{S(Dim, "data "+freshAge(age, fresh))}
	}
}

// pacemakerStale reports whether the cluster's Pacemaker data is too old:
// quorum, DC and node states then must not read as current.
func pacemakerStale(c *cluster.Cluster) bool {
	for _, s := range c.Sources {
		if s.Kind == cluster.KindPacemaker && s.Stale {
			return true
		}
	}
	return false
}

// OtherCluster is a cluster not on screen and its overall verdict, so a
// problem elsewhere is never out of sight.
type OtherCluster struct {
	Name    string
	Verdict Mark
}

// Others lists the verdicts of every cluster but the current one.
func Others(snap *cluster.Snapshot, current int) []OtherCluster {
	var out []OtherCluster
	for i := range snap.Clusters {
		if i != current {
			m, _ := Overall(&snap.Clusters[i])
			out = append(out, OtherCluster{Name: snap.Clusters[i].Name, Verdict: m})
		}
	}
	return out
}

// verdictClass maps a banner class to its inline equivalent.
func verdictClass(m Mark) Class {
	switch m.Class {
	case BannerCrit:
		return Crit
	case BannerWarn:
		return Warn
	default:
		return OK
	}
}
