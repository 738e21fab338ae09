package views

import (
	"time"

	"github.com/hacon/hacon/cluster"
)

// The matrix's sub-columns are at least as wide as the widest common state
// of their plane, whatever the cells hold now. Otherwise one server going
// UP → DOWN widens a column and shifts every cell to its right: the whole
// matrix is redrawn (kilobytes over SSH for a one-word change) and cells
// jump under the operator's eyes.
var (
	floorRoles = []cluster.Cell{{Role: cluster.RoleStarted}, {Role: cluster.RolePromoted}, {Role: cluster.RoleUnpromoted},
		{Role: cluster.RoleStopped}, {Role: cluster.RoleStarted, Failed: true}, {Stale: true}}
	floorLB        = []string{"UP", "DOWN", "MAINT", "DRAIN", "MIXED", "NOLB"}
	floorEndpoints = []*cluster.EndpointResult{{OK: true}, {OK: true, Slow: true}, {}}
)

// floorWidths are the sub-column floors at one level, for the planes in use.
func floorWidths(level int, roles, lbs, eps, lat, planes bool) subWidths {
	var f subWidths
	if roles {
		for _, c := range floorRoles {
			v := cellView{role: RoleMark(c)}
			f.role = max(f.role, textWidth(v.roleText(level)))
		}
	}
	if lbs {
		for _, st := range floorLB {
			v := cellView{lb: LBMark(st, false)} // backup flags rarely change: no floor for ◆
			f.lb = max(f.lb, textWidth(v.lbText(level)))
		}
	}
	if eps {
		for _, e := range floorEndpoints {
			v := cellView{ep: EndpointMark(e, "", false)}
			if lat {
				v.lat = Latency(999 * time.Millisecond)
			}
			f.ep = max(f.ep, textWidth(v.epText(level)))
		}
	}
	if planes {
		f.ep = max(f.ep, planeFloor(level))
	}
	return f
}

// planesInUse says which planes any shown cell reports on.
func (m *matrix) planesInUse() (roles, lbs, eps, lat, planes bool) {
	for _, row := range m.cells {
		for k := range row {
			v := &row[k]
			roles = roles || v.role != markNone
			lbs = lbs || v.lb != markNone
			eps = eps || v.ep != markNone
			lat = lat || v.lat != ""
			planes = planes || v.plane
		}
	}
	return
}

func (s *subWidths) atLeast(f subWidths) {
	s.role, s.lb, s.ep = max(s.role, f.role), max(s.lb, f.lb), max(s.ep, f.ep)
}
