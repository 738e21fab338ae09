package views

import (
	"fmt"
	"strings"

	"github.com/hacon/hacon/cluster"
)

// matrix is the service matrix with the node strip as its column header:
// one column per controller, so a node's state sits above its cells.
type matrix struct {
	c       *cluster.Cluster
	ix      *index
	svcs    []int // services shown (filtered), by index into c.Services
	ctrls   []int // controllers shown (filtered), by index into c.Nodes
	cells   [][]cellView
	level   int
	sub     subWidths
	colW    int
	nameW   int
	serving bool
	gap     int // spaces between columns
	colOff  int
	visCols int
	tall    bool // room for a fourth strip line (BMC detail)
}

const (
	badgeW     = 3 // A/A, A/P
	servingW   = 6 // "?12/12"
	minNameW   = 10
	maxNameW   = 28
	colGap     = 2
	markerW    = 1
	stripLines = 3
)

func newMatrix(c *cluster.Cluster, ix *index, svcs, ctrls []int) *matrix {
	m := &matrix{c: c, ix: ix, svcs: svcs, ctrls: ctrls}
	m.cells = make([][]cellView, len(svcs))
	for r, si := range svcs {
		svc := &c.Services[si]
		row := make([]cellView, len(ctrls))
		for k, ni := range ctrls {
			if cell := cellFor(svc, c.Nodes[ni].Name, k); cell != nil {
				row[k] = resolveCell(svc, cell, ix)
			} else {
				row[k] = cellView{role: markNone, lb: markNone, ep: markNone}
			}
		}
		m.cells[r] = row
	}
	return m
}

// cellFor finds a service's cell on a node; cells follow controller order,
// so the position is tried first.
func cellFor(svc *cluster.Service, node string, pos int) *cluster.Cell {
	if pos < len(svc.Cells) && svc.Cells[pos].Node == node {
		return &svc.Cells[pos]
	}
	for i := range svc.Cells {
		if svc.Cells[i].Node == node {
			return &svc.Cells[i]
		}
	}
	return nil
}

func (m *matrix) fixedW(nameW int, serving bool) int {
	w := markerW + nameW + 1 + badgeW
	if serving {
		w += 1 + servingW
	}
	return w
}

// layout picks the detail level, gaps, name width and visible columns for
// width w: the widest level at which every column fits, then narrower gaps,
// then abbreviated names, and only then horizontal scrolling (never
// wrapping).
func (m *matrix) layout(w, colCursor int) {
	name := 0
	for _, si := range m.svcs {
		name = max(name, textWidth(m.c.Services[si].Name))
	}
	name = min(max(name, minNameW), maxNameW)
	n := len(m.ctrls)
	var subs [numLevels]subWidths
	for _, row := range m.cells {
		for k := range row {
			for l := 0; l < numLevels; l++ {
				subs[l].grow(&row[k], l)
			}
		}
	}
	roles, lbs, eps, lat, planes := m.planesInUse()
	for l := 0; l < numLevels; l++ {
		subs[l].atLeast(floorWidths(l, roles, lbs, eps, lat, planes))
	}
	for l := numLevels - 1; l >= 0; l-- {
		serving := l >= levelFull
		colW := max(subs[l].total(), m.stripW(l))
		if m.fixedW(name, serving)+n*(colGap+colW) <= w {
			m.set(l, subs[l], colW, name, serving, colGap, 0, n)
			return
		}
	}
	colW := max(subs[levelShort].total(), m.stripW(levelShort))
	for gap := colGap; gap >= 1; gap-- {
		if room := w - m.fixedW(0, false) - n*(gap+colW); room >= name {
			m.set(levelShort, subs[levelShort], colW, name, false, gap, 0, n)
			return
		}
	}
	if room := w - m.fixedW(0, false) - n*(1+colW); room >= minNameW {
		m.set(levelShort, subs[levelShort], colW, room, false, 1, 0, n)
		return
	}
	nameW := min(name, minNameW+4)
	vis := max(1, (w-m.fixedW(nameW, false))/(colGap+colW))
	off := 0
	if colCursor >= vis {
		off = colCursor - vis + 1
	}
	m.set(levelShort, subs[levelShort], colW, nameW, false, colGap, min(off, max(0, n-vis)), min(vis, n))
}

func (m *matrix) set(level int, sub subWidths, colW, nameW int, serving bool, gap, off, vis int) {
	m.level, m.sub, m.colW, m.nameW, m.serving = level, sub, colW, nameW, serving
	m.gap, m.colOff, m.visCols = gap, off, vis
}

// abbreviations shorten the words of service names that are long and
// common, so a narrow matrix shows "cinder-sched" rather than a cut name.
var abbreviations = []struct{ long, short string }{
	{"scheduler", "sched"}, {"conductor", "cond"}, {"controller", "ctrl"}, {"metadata", "meta"},
	{"notification", "notif"}, {"volume", "vol"}, {"server", "srv"}, {"backup", "bkp"},
	{"compute", "cmp"}, {"manager", "mgr"}, {"openstack-", ""},
}

// abbrevName fits a service name into w cells: known abbreviations first,
// a trailing "…" only when they are not enough.
func abbrevName(name string, w int) string {
	if textWidth(name) <= w {
		return name
	}
	for _, a := range abbreviations {
		name = strings.ReplaceAll(name, a.long, a.short)
		if textWidth(name) <= w {
			return name
		}
	}
	return shorten(name, w)
}

func (m *matrix) short() bool { return m.level < levelFull }

// stripW is the width the node strip needs at a level (names may shrink).
func (m *matrix) stripW(level int) int {
	w := 0
	for _, ni := range m.ctrls {
		n := m.c.Nodes[ni]
		st, pf := m.stripState(n, level < levelFull), m.stripPower(n, level < levelFull)
		w = max(w, min(textWidth(n.Name), 12), st.Width(), pf.Width())
	}
	return w
}

func (m *matrix) stripState(n cluster.Node, short bool) Line {
	l := Line{NodeMark(n).Span(short)}
	if m.c.DC == n.Name && !n.Stale {
		l = append(l, S(Dim, " DC"))
	}
	return l
}

func (m *matrix) stripPower(n cluster.Node, short bool) Line {
	sep := "  "
	if short {
		sep = " "
	}
	l := Line{PowerMark(n).Span(short)}
	if n.BMC != nil || n.Fencing == nil {
		l = append(l, P(sep), FenceMark(n).Span(short))
	}
	if n.Fencing != nil { // Pacemaker's own fencing, shown apart from hacon's BMC
		l = append(l, P(sep), StonithMark(n).Span(short))
	}
	return l
}

func (m *matrix) stripDetail(n cluster.Node) Line {
	if n.BMC == nil && n.Fencing != nil && len(n.Fencing.Devices) > 0 {
		return Line{S(Dim, "no BMC in hacon · fenced by "+strings.Join(n.Fencing.Devices, ", "))}
	}
	if n.BMC == nil {
		return Line{S(Dim, "no BMC configured")}
	}
	if n.BMC.Error != "" {
		return Line{S(Crit, "bmc: "+n.BMC.Error)}
	}
	l := Line{S(Dim, "bmc "+firstOf(n.BMC.Provider, n.BMC.Driver))}
	if n.BMC.RTT > 0 {
		l = append(l, S(Dim, " "+Latency(n.BMC.RTT)))
	}
	if n.Pacemaker != nil {
		l = append(l, S(Dim, fmt.Sprintf(" · %d res", n.Pacemaker.ResourcesRunning)))
	}
	return l
}

// strip renders the node strip lines; labels go in the left margin.
func (m *matrix) strip(labels []Line, selCol int) []Line {
	n := stripLines
	if m.tall {
		n++
	}
	out := make([]Line, n)
	left := m.fixedW(m.nameW, m.serving)
	for i := range out {
		var lab Line
		if i < len(labels) {
			lab = labels[i]
		}
		out[i] = lab.Fit(left).Pad(left)
	}
	for k := m.colOff; k < m.colOff+m.visCols; k++ {
		nd := m.c.Nodes[m.ctrls[k]]
		nameClass := Heading
		name := shortenLeft(nd.Name, m.colW)
		if k == selCol {
			nameClass = Cursor | Selected
			name = shortenLeft("▾"+nd.Name, m.colW)
		}
		cols := []Line{{S(nameClass, name)}, m.stripState(nd, m.short()), m.stripPower(nd, m.short())}
		if m.tall {
			cols = append(cols, m.stripDetail(nd))
		}
		for i := range out {
			out[i] = append(out[i], P(spaces(m.gap)))
			out[i] = append(out[i], cols[i].Fit(m.colW).Pad(m.colW)...)
		}
	}
	return out
}

// row renders one service row; cursor is true for the row under the
// cursor and selCol the column of the selected cell (-1 for none).
func (m *matrix) row(r int, cursor bool, selCol int) Line {
	svc := &m.c.Services[m.svcs[r]]
	l := make(Line, 0, 6+6*m.visCols)
	if cursor {
		l = append(l, S(Cursor, "▸"))
	} else {
		l = append(l, P(" "))
	}
	nameClass := Normal
	switch {
	case svc.Expected > 0 && svc.Serving == 0:
		nameClass = Crit
	case svc.Serving < svc.Expected:
		nameClass = Warn
	}
	l = append(l, S(nameClass, padRight(abbrevName(svc.Name, m.nameW), m.nameW)), P(" "), S(Dim, modeBadge(svc.Mode)))
	if m.serving {
		l = append(l, P(" "), servingSpan(svc))
	}
	for k := m.colOff; k < m.colOff+m.visCols; k++ {
		l = append(l, P(spaces(m.gap)))
		cell := m.cells[r][k]
		l = append(l, cell.spans(m.level, m.sub, cursor && k == selCol)...)
		if pad := m.colW - m.sub.total(); pad > 0 {
			l = append(l, P(spaces(pad)))
		}
	}
	return l
}

func servingSpan(svc *cluster.Service) Span {
	class := OK
	switch {
	case svc.Stale:
		class = Stale
	case svc.Expected > 0 && svc.Serving == 0:
		class = Crit
	case svc.Serving < svc.Expected:
		class = Warn
	}
	text := fmt.Sprintf("%d/%d", svc.Serving, svc.Expected)
	if svc.Stale {
		text = "?" + text // counted from stale roles
	}
	return S(class, padRight(text, servingW))
}

// modeBadge is the A/A or A/P badge of a service.
func modeBadge(mode string) string {
	if mode == cluster.ModeActivePassive {
		return "A/P"
	}
	return "A/A"
}

// Filtered returns the services and controllers a filter shows, as indices
// into c.Services and c.Nodes. A filter that matches no service keeps every
// service (it was meant for nodes), and the same for nodes, so "/ctrl-1"
// shows one column and "/nova" the nova rows.
func Filtered(c *cluster.Cluster, filter string) (svcs, ctrls []int) {
	f := strings.ToLower(filter)
	var allS, allC []int
	for i := range c.Services {
		allS = append(allS, i)
		if f != "" && strings.Contains(strings.ToLower(c.Services[i].Name), f) {
			svcs = append(svcs, i)
		}
	}
	for i := range c.Nodes {
		if !c.Nodes[i].Controller {
			continue
		}
		allC = append(allC, i)
		if f != "" && strings.Contains(strings.ToLower(c.Nodes[i].Name), f) {
			ctrls = append(ctrls, i)
		}
	}
	if len(svcs) == 0 {
		svcs = allS
	}
	if len(ctrls) == 0 {
		ctrls = allC
	}
	return svcs, ctrls
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
