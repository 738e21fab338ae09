package views

import (
	"fmt"
	"strings"

	"github.com/hacon/hacon/cluster"
)

// bottom lays out the VIP, alert and (when there is room) source panels
// under the matrix: side by side when the width allows, stacked otherwise.
type bottom struct {
	c      *cluster.Cluster
	st     OverviewState
	w      int
	vip    vipCols
	side   bool // VIPs left, alerts right
	leftW  int
	perRow int // VIP entries per line when stacked
}

const sideGap = " │ "

func newBottom(c *cluster.Cluster, st OverviewState, w int) *bottom {
	b := &bottom{c: c, st: st, w: w, vip: measureVIPs(c)}
	e := b.vip.width()
	switch {
	case 2*e+2 <= w && w < 100:
		b.perRow = max(1, (w+2)/(e+2))
	case e+textWidth(sideGap)+34 <= w:
		b.side = true
		b.leftW = e
		if w >= 120 {
			b.leftW = max(e, min(64, w/3))
		}
	default:
		b.perRow = 1
	}
	return b
}

func (b *bottom) vipLines() int {
	n := max(1, len(b.c.VIPs))
	if b.side {
		return 1 + n
	}
	return 1 + (n+b.perRow-1)/b.perRow
}

func (b *bottom) alertLines() int { return 1 + max(1, len(b.c.Alerts)) }

func (b *bottom) wanted() int {
	if b.side {
		return max(b.vipLines(), b.alertLines())
	}
	return b.vipLines() + b.alertLines()
}

func (b *bottom) minimum() int {
	if b.side {
		return min(b.wanted(), max(b.vipLines(), 3))
	}
	return b.vipLines() + min(b.alertLines(), 3)
}

func (b *bottom) render(h int) []Line {
	if h <= 0 {
		return nil
	}
	if !b.side {
		vh := min(b.vipLines(), max(1, h-2))
		out := b.vips(b.w, vh)
		return append(out, b.alerts(b.w, h-len(out))...)
	}
	left := b.vips(b.leftW, h)
	if room := h - len(left) - 1; room >= 3 {
		left = append(left, nil)
		left = append(left, sourcesPanel(b.c, b.leftW, room)...)
	}
	right := b.alerts(b.w-b.leftW-textWidth(sideGap), h)
	out := make([]Line, h)
	for i := range out {
		var l, r Line
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		out[i] = l.Fit(b.leftW).Pad(b.leftW).Add(S(Dim, sideGap)).Add(r...)
	}
	return out
}

// vipCols are the column widths of the VIP entries.
type vipCols struct{ name, addr, holder int }

func (v vipCols) width() int { return markerW + v.name + 1 + v.addr + 1 + v.holder }

func measureVIPs(c *cluster.Cluster) vipCols {
	var v vipCols
	for _, x := range c.VIPs {
		v.name = max(v.name, textWidth(x.Name))
		if !strings.Contains(x.Name, x.Address) {
			v.addr = max(v.addr, textWidth(x.Address))
		}
		v.holder = max(v.holder, vipHolder(x).Width())
	}
	return v
}

// vipHolder says where a VIP is: "→ node", stopped or stale.
func vipHolder(v cluster.VIP) Line {
	switch {
	case v.Stale:
		return Line{markStale.Span(false)}
	case v.Instance != "":
		return keepalivedHolder(v)
	case v.Stale:
		return Line{markStale.Span(false)}
	case v.Node == "" && v.Resource == "":
		return Line{S(Dim, "- unknown")}
	case v.Node == "":
		return Line{S(Crit, "✖ stopped")}
	}
	l := Line{S(OK, "→ "+v.Node)}
	if v.Failed {
		l = append(l, S(Warn, " ✖ failed op"))
	}
	return l
}

func (b *bottom) vips(w, h int) []Line {
	title := Line{panelTitle(b.st, PanelVIPs, fmt.Sprintf("VIPS %d", len(b.c.VIPs))), ageSpan(b.c, cluster.KindPacemaker, cluster.KindKeepalived)}
	out := []Line{title}
	if len(b.c.VIPs) == 0 {
		return append(out, Line{S(Dim, " none configured or found")})
	}
	per := max(1, b.perRow)
	if b.side {
		per = 1
	}
	rows := max(0, h-1)
	off := scrollOffset(b.st.VIP/per, rows, (len(b.c.VIPs)+per-1)/per) * per
	cur := Line{}
	for i := off; i < len(b.c.VIPs) && len(out) < h; i++ {
		if len(cur) > 0 {
			cur = append(cur, P(spaces(2)))
		}
		cur = append(cur, b.vipEntry(i)...)
		if (i-off+1)%per == 0 || i == len(b.c.VIPs)-1 {
			out = append(out, cur)
			cur = Line{}
		}
	}
	return out
}

func (b *bottom) vipEntry(i int) Line {
	v := b.c.VIPs[i]
	marker := P(" ")
	if !b.st.NoCursor && b.st.Focus == PanelVIPs && b.st.VIP == i {
		marker = S(Cursor, "▸")
	}
	addr := v.Address
	if strings.Contains(v.Name, v.Address) {
		addr = ""
	}
	l := Line{marker, P(padRight(v.Name, b.vip.name)), P(" "), S(Dim, padRight(addr, b.vip.addr)), P(" ")}
	return append(l, vipHolder(v).Pad(b.vip.holder)...)
}

func (b *bottom) alerts(w, h int) []Line {
	if h <= 0 {
		return nil
	}
	crit := b.c.Counts().Critical
	head := fmt.Sprintf("ALERTS %d", len(b.c.Alerts))
	if crit > 0 {
		head += fmt.Sprintf(" (%d crit)", crit)
	}
	title := Line{panelTitle(b.st, PanelAlerts, head), ageSpan(b.c)}
	if len(b.c.Alerts) == 0 {
		return []Line{title, {S(OK, " ✓ no alerts: every check passes")}}
	}
	rows := h - 1
	body, starts := b.alertBody(w, true)
	if len(body) > rows && w < 60 {
		// Narrow and too many to wrap: one line each, cut at a word.
		body, starts = b.alertBody(w, false)
	}
	cursorLine := 0
	if !b.st.NoCursor && b.st.Focus == PanelAlerts && b.st.Alert < len(starts) {
		cursorLine = starts[b.st.Alert]
	}
	off := scrollOffset(cursorLine, rows, len(body))
	above, below := 0, 0
	for _, st := range starts {
		switch {
		case st < off:
			above++
		case st >= off+rows:
			below++
		}
	}
	if above > 0 {
		title = append(title, S(Dim, fmt.Sprintf(" · ↑%d", above)))
	}
	if below > 0 {
		title = append(title, S(Dim, fmt.Sprintf(" · ↓%d", below)))
	}
	out := []Line{title}
	for i := off; i < len(body) && len(out) < h; i++ {
		out = append(out, body[i])
	}
	return out
}

// alertBody renders every alert; starts holds each alert's first line.
func (b *bottom) alertBody(w int, wrap bool) (body []Line, starts []int) {
	for i, a := range b.c.Alerts {
		sel := !b.st.NoCursor && b.st.Focus == PanelAlerts && b.st.Alert == i
		starts = append(starts, len(body))
		body = append(body, alertLines(a, w, wrap, sel)...)
	}
	return body, starts
}

// alertLines renders one alert: wrapped when wide, else cut at a word.
func alertLines(a cluster.Alert, w int, wrap, sel bool) []Line {
	m := SevMark(a.Severity)
	marker := P(" ")
	if sel {
		marker = S(Cursor, "▸")
	}
	prefix := m.Glyph + m.Word + " "
	textW := w - 1 - textWidth(prefix)
	if textW < 8 {
		return []Line{{marker, S(m.Class, shorten(prefix+a.Message, w-1))}}
	}
	if !wrap {
		return []Line{{marker, S(m.Class, prefix), P(wordCut(a.Message, textW))}}
	}
	parts := wrapWords(a.Message, textW)
	out := make([]Line, len(parts))
	for i, p := range parts {
		if i == 0 {
			out[i] = Line{marker, S(m.Class, prefix), P(p)}
		} else {
			out[i] = Line{P(spaces(1 + textWidth(prefix))), P(p)}
		}
	}
	return out
}

// sourcesPanel lists every polled source with its health and data age.
func sourcesPanel(c *cluster.Cluster, w, h int) []Line {
	failing := 0
	for _, s := range c.Sources {
		if !s.OK {
			failing++
		}
	}
	title := Line{S(Title, fmt.Sprintf("SOURCES %d", len(c.Sources)))}
	if failing > 0 {
		title = append(title, S(Warn, fmt.Sprintf(" · %d not ok", failing)))
	}
	out := []Line{title}
	nameW := 0
	for _, s := range c.Sources {
		nameW = max(nameW, textWidth(sourceName(s)))
	}
	nameW = min(nameW, max(10, w/2))
	for i, s := range c.Sources {
		if len(out) == h-1 && i < len(c.Sources)-1 {
			out = append(out, Line{S(Dim, fmt.Sprintf(" … %d more", len(c.Sources)-i))})
			break
		}
		if len(out) >= h {
			break
		}
		out = append(out, sourceLine(s, nameW))
	}
	return out
}

func sourceName(s cluster.Source) string { return string(s.Kind) + "/" + s.Name }

func sourceLine(s cluster.Source, nameW int) Line {
	m := SourceMark(s)
	l := Line{P(" "), S(m.Class, padRight(m.Short(), 6)), P(" "), P(padRight(shorten(sourceName(s), nameW), nameW)), S(Dim, " "+padRight(Age(s.Age), 3))}
	if !s.OK && s.Error != "" {
		l = append(l, S(Dim, " "+s.Error))
	}
	return l
}
