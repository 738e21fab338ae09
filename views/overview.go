package views

import (
	"fmt"
	"time"

	"github.com/hacon/hacon/cluster"
)

// Panel is a focusable part of the overview.
type Panel int

// Overview panels, in tab order.
const (
	PanelServices Panel = iota
	PanelNodes
	PanelVIPs
	PanelAlerts
	NumPanels
)

func (p Panel) String() string {
	return [...]string{"services", "nodes", "VIPs", "alerts"}[p]
}

// OverviewState is the view state the overview needs from the program.
type OverviewState struct {
	Focus    Panel
	Row      int // service row, within the filtered services
	Col      int // controller column, within the filtered controllers
	VIP      int
	Alert    int
	Filter   string
	NoCursor bool  // wall mode: nothing is selectable
	AutoPage int64 // with NoCursor: which page of services to show when they do not fit
}

// Overview renders the overview body (between header and footer) in at
// most h lines of at most w cells.
func Overview(c *cluster.Cluster, st OverviewState, w, h int) []Line {
	if h <= 0 {
		return nil
	}
	ix := newIndex(c)
	svcs, ctrls := Filtered(c, st.Filter)
	m := newMatrix(c, ix, svcs, ctrls)
	m.layout(w, st.Col)
	m.tall = h >= 38
	stripN := stripLines
	if m.tall {
		stripN++
	}
	b := newBottom(c, st, w)
	rows := matrixRows(len(svcs), h-stripN, b)
	bottomH := h - stripN - rows

	out := make([]Line, 0, h)
	out = append(out, m.strip(stripLabels(c, st, m, rows), selColFor(st, PanelNodes, PanelServices))...)
	off := rowOffset(st, rows, len(svcs))
	for r := off; r < off+rows && r < len(svcs); r++ {
		cursor := !st.NoCursor && r == st.Row && st.Focus == PanelServices
		sel := -1
		if cursor {
			sel = st.Col
		}
		out = append(out, m.row(r, cursor, sel))
	}
	for len(out) < h-bottomH {
		out = append(out, nil)
	}
	out = append(out, b.render(bottomH)...)
	if len(out) > h {
		out = out[:h]
	}
	return out
}

// matrixRows shares the height between service rows and the bottom panels:
// all services when the panels still get what they want, otherwise the
// panels keep their minimum and the matrix scrolls.
func matrixRows(n, avail int, b *bottom) int {
	if avail <= 0 {
		return 0
	}
	if avail-n >= b.wanted() {
		return n
	}
	rows := max(min(n, 3), avail-b.minimum())
	return max(0, min(rows, n, avail))
}

// rowOffset is the first service row shown: following the cursor, or
// paging by itself on a wall.
func rowOffset(st OverviewState, rows, n int) int {
	if st.NoCursor && rows > 0 && rows < n {
		pages := (n + rows - 1) / rows
		return min(int(st.AutoPage%int64(pages))*rows, n-rows)
	}
	return scrollOffset(st.Row, rows, n)
}

// scrollOffset keeps the cursor inside a window of size rows.
func scrollOffset(cursor, rows, n int) int {
	if rows <= 0 || cursor < rows {
		return 0
	}
	return min(cursor-rows+1, max(0, n-rows))
}

func selColFor(st OverviewState, panels ...Panel) int {
	if st.NoCursor {
		return -1
	}
	for _, p := range panels {
		if st.Focus == p {
			return st.Col
		}
	}
	return -1
}

func stripLabels(c *cluster.Cluster, st OverviewState, m *matrix, rows int) []Line {
	nodes := fmt.Sprintf("NODES %d", len(m.ctrls))
	if m.visCols < len(m.ctrls) {
		nodes = fmt.Sprintf("NODES %d-%d/%d", m.colOff+1, m.colOff+m.visCols, len(m.ctrls))
	}
	svcs := fmt.Sprintf("SERVICES %d", len(m.svcs))
	if rows < len(m.svcs) {
		off := rowOffset(st, rows, len(m.svcs))
		svcs = fmt.Sprintf("SERVICES %d-%d/%d", off+1, off+rows, len(m.svcs))
	}
	labels := []Line{
		fitLabel(markerW+m.nameW+1+badgeW,
			Line{panelTitle(st, PanelNodes, nodes), ageSpan(c, cluster.KindPacemaker, cluster.KindBMC)},
			Line{panelTitle(st, PanelNodes, "NODES"), ageSpan(c, cluster.KindPacemaker, cluster.KindBMC)}),
		nil,
		fitLabel(markerW+m.nameW+1+badgeW,
			Line{panelTitle(st, PanelServices, svcs), ageSpan(c, cluster.KindPacemaker, cluster.KindHAProxy, cluster.KindEndpoint)},
			Line{panelTitle(st, PanelServices, "SERVICES"), ageSpan(c, cluster.KindPacemaker, cluster.KindHAProxy, cluster.KindEndpoint)},
			Line{panelTitle(st, PanelServices, "SVC"), ageSpan(c, cluster.KindPacemaker, cluster.KindHAProxy, cluster.KindEndpoint)}),
	}
	if guests := len(c.Nodes) - countControllers(c); guests > 0 {
		labels[1] = Line{S(Dim, fmt.Sprintf("+%d other nodes", guests))}
	}
	if st.Filter != "" {
		labels[1] = Line{S(Info, "/"+st.Filter)}
	}
	if m.visCols < len(m.ctrls) {
		labels[1] = Line{S(Info, fmt.Sprintf("◀ cols %d-%d/%d ▶", m.colOff+1, m.colOff+m.visCols, len(m.ctrls)))}
	}
	// The HA column heading sits above the badges when the title leaves room.
	head := markerW + m.nameW + 1
	if labels[2].Width() < head {
		labels[2] = labels[2].Pad(head).Add(S(Heading, "HA"))
		if m.serving {
			labels[2] = labels[2].Add(S(Heading, " serve"))
		}
	}
	return labels
}

func countControllers(c *cluster.Cluster) int {
	n := 0
	for i := range c.Nodes {
		if c.Nodes[i].Controller {
			n++
		}
	}
	return n
}

func panelTitle(st OverviewState, p Panel, text string) Span {
	if !st.NoCursor && st.Focus == p {
		return S(FocusTitle, "▸"+text)
	}
	return S(Title, text)
}

// ageSpan is " · 12s" for the oldest data among the given source kinds, or
// " · ?stale 2m" when any of them is stale.
func ageSpan(c *cluster.Cluster, kinds ...cluster.SourceKind) Span {
	age, stale, any, fresh := panelAge(c, kinds...)
	switch {
	case !any:
		return S(Dim, " · no sources")
	case stale:
		return S(Stale, " · ?stale "+Age(age))
	default:
		return S(Dim, " · "+freshAge(age, fresh))
	}
}

// freshAge is the age of data, or "live" while every source is within two
// of its poll intervals: a counter ticking every second would repaint the
// screen (and send bytes over SSH) when nothing has changed.
func freshAge(age time.Duration, fresh bool) string {
	if fresh {
		return "live"
	}
	return Age(age)
}

func panelAge(c *cluster.Cluster, kinds ...cluster.SourceKind) (age time.Duration, stale, any, fresh bool) {
	fresh = true
	for _, s := range c.Sources {
		if len(kinds) > 0 && !hasKind(kinds, s.Kind) {
			continue
		}
		any = true
		age = max(age, s.DataAge)
		stale = stale || s.Stale
		iv := s.Interval
		if iv <= 0 {
			iv = c.Interval
		}
		if iv <= 0 {
			iv = 2 * time.Second
		}
		fresh = fresh && s.DataAge <= 2*iv
	}
	return age, stale, any, fresh
}

func hasKind(kinds []cluster.SourceKind, k cluster.SourceKind) bool {
	for _, x := range kinds {
		if x == k {
			return true
		}
	}
	return false
}

// fitLabel returns the first candidate that fits in w (the last one cut).
func fitLabel(w int, candidates ...Line) Line {
	for _, c := range candidates {
		if c.Width() <= w {
			return c
		}
	}
	return candidates[len(candidates)-1].Fit(w)
}
