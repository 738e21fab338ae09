package views

import (
	"time"

	"github.com/hacon/hacon/cluster"
)

// index answers "is this source stale or failing" without scanning the
// source list for every cell.
type index struct {
	sources map[cluster.SourceKind]map[string]*cluster.Source
	lbStale bool // some HAProxy source is stale: missing LB rows mean "unknown"
}

func newIndex(c *cluster.Cluster) *index {
	ix := &index{sources: map[cluster.SourceKind]map[string]*cluster.Source{}}
	for i := range c.Sources {
		s := &c.Sources[i]
		m := ix.sources[s.Kind]
		if m == nil {
			m = map[string]*cluster.Source{}
			ix.sources[s.Kind] = m
		}
		m[s.Name] = s
		if s.Kind == cluster.KindHAProxy && s.Stale {
			ix.lbStale = true
		}
	}
	return ix
}

func (ix *index) source(kind cluster.SourceKind, name string) *cluster.Source {
	return ix.sources[kind][name]
}

// endpointState returns the error of a failing endpoint source (its last
// good answer is old news) and whether the source is stale.
func (ix *index) endpointState(service, node string) (failing string, stale bool) {
	s := ix.source(cluster.KindEndpoint, service+"@"+node)
	if s == nil {
		return "", false
	}
	if !s.OK && !s.Stale && s.Error != "" && s.Error != "not polled yet" && s.Error != "still waiting for the previous poll" {
		return s.Error, false
	}
	return "", s.Stale
}

// cellView is one matrix cell resolved to what it shows.
type cellView struct {
	role, lb, ep Mark
	backup       bool
	lat          string // endpoint latency
	chk          string // slowest LB health check
	err          string // endpoint error, for details
	plane        bool   // ep shows the stateful plane's word
}

func resolveCell(svc *cluster.Service, cell *cluster.Cell, ix *index) cellView {
	v := cellView{role: RoleMark(*cell)}
	v.lb = LBMark(cell.LBStatus(), svc.Backend != "" && ix.lbStale)
	if svc.Backend == "" {
		v.lb = markNone
	}
	v.backup = cell.Backup()
	var chk time.Duration
	for _, l := range cell.LB {
		chk = max(chk, l.Server.CheckDuration)
	}
	v.chk = Latency(chk)
	failing, stale := ix.endpointState(svc.Name, cell.Node)
	v.ep = EndpointMark(cell.Endpoint, failing, stale)
	switch {
	case failing != "":
		v.err = failing
	case cell.Endpoint != nil && v.ep.Word != "stale":
		v.lat = Latency(cell.Endpoint.Latency)
		v.err = cell.Endpoint.Error
	}
	if p := cell.Plane; p != nil {
		v.ep, v.lat, v.err, v.plane = PlaneMark(p), "", firstOf(p.Detail, p.Source), true
	}
	return v
}

// Cell detail levels, widest first. The matrix picks the widest level at
// which every visible column fits.
const (
	levelShort     = iota // ▲Start ●UP ✓ok
	levelShortLat         // ▲Start ●UP ✓ok 12ms
	levelFull             // ▲ Started  ● UP  ✓ ok 12ms
	levelFullCheck        // ▲ Started  ● UP chk 2ms  ✓ ok 12ms
	numLevels
)

func (v *cellView) roleText(level int) string {
	if level >= levelFull {
		return v.role.Full()
	}
	return v.role.Short()
}

func (v *cellView) lbText(level int) string {
	s := v.lb.Short()
	if level >= levelFull {
		s = v.lb.Full()
	}
	if v.backup {
		if level >= levelFull {
			s += " "
		}
		s += BackupGlyph
	}
	if level >= levelFullCheck && v.chk != "" {
		s += " chk " + v.chk
	}
	return s
}

func (v *cellView) epText(level int) string {
	s := v.ep.Short()
	if level >= levelFull {
		s = v.ep.Full()
	}
	if level >= levelShortLat && v.lat != "" {
		s += " " + v.lat
	}
	return s
}

// subWidths are the widths of a cell's three parts at one level.
type subWidths struct{ role, lb, ep int }

func (s subWidths) total() int { return s.role + 1 + s.lb + 1 + s.ep }

func (s *subWidths) grow(v *cellView, level int) {
	s.role = max(s.role, textWidth(v.roleText(level)))
	s.lb = max(s.lb, textWidth(v.lbText(level)))
	s.ep = max(s.ep, textWidth(v.epText(level)))
}

// spans renders the cell padded to its sub-column widths.
func (v *cellView) spans(level int, w subWidths, sel bool) Line {
	var flag Class
	if sel {
		flag = Selected
	}
	role, lb, ep := v.roleText(level), v.lbText(level), v.epText(level)
	return Line{
		S(v.role.Class|flag, role), S(flag, spaces(w.role-textWidth(role)+1)),
		S(v.lb.Class|flag, lb), S(flag, spaces(w.lb-textWidth(lb)+1)),
		S(v.ep.Class|flag, ep), S(flag, spaces(w.ep-textWidth(ep))),
	}
}

const spaceRun = "                                                                                "

func spaces(n int) string {
	if n <= 0 {
		return ""
	}
	if n <= len(spaceRun) {
		return spaceRun[:n]
	}
	s := spaceRun
	for len(s) < n {
		s += spaceRun
	}
	return s[:n]
}

// CellWords names what each cell of c shows, in full words: the timeline
// records a change exactly when one of them changes (timeline.CellWords).
func CellWords(c *cluster.Cluster) func(svc *cluster.Service, cell *cluster.Cell) (role, lb, ep string) {
	ix := newIndex(c)
	return func(svc *cluster.Service, cell *cluster.Cell) (role, lb, ep string) {
		v := resolveCell(svc, cell, ix)
		return v.role.Word, v.lb.Word, v.ep.Word
	}
}
