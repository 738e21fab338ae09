package views

import (
	"fmt"
	"strings"
	"time"

	"github.com/hacon/hacon/cluster"
)

// WallState is what the NOC wall needs besides the cluster.
type WallState struct {
	Now      time.Time
	Clusters []string
	Current  int
	Rotate   time.Duration
	Toast    string
	Env      Env // the cluster's environment: on the banner and the footer
}

// Drift moves the whole wall by up to two columns and one row, one step
// every few minutes, so a screen left on for days does not burn in.
func Drift(now time.Time) (dx, dy int) {
	s := now.Unix()
	return int((s / 180) % 3), int((s / 420) % 2)
}

// Wall renders the wall screen: a big overall status line with counts and
// a clock, the matrix and VIPs without a cursor, alerts, per-source ages.
// It fills exactly h lines of at most w cells.
func Wall(c *cluster.Cluster, ws WallState, w, h int) []Line {
	dx, dy := Drift(ws.Now)
	iw, ih := w-2, h-1 // room kept for the drift
	if iw < 20 || ih < 6 {
		dx, dy, iw, ih = 0, 0, w, h
	}
	var in []Line
	in = append(in, wallBanner(c, ws, iw, ih >= 30)...)
	srcs := wallSources(c, iw)
	foot := wallFooter(ws)
	bodyH := ih - len(in) - len(srcs) - 1
	// No cursor on a wall: when the services do not fit, the matrix pages
	// by itself every 10 seconds.
	in = append(in, Overview(c, OverviewState{NoCursor: true, AutoPage: ws.Now.Unix() / 10}, iw, bodyH)...)
	for len(in) < ih-len(srcs)-1 {
		in = append(in, nil)
	}
	in = append(in, srcs...)
	in = append(in, foot)
	return drifted(in, dx, dy, h)
}

// WallFleet is the wall's fleet page (more than one cluster): a row per
// cluster, trouble first, no cursor, under the wall's footer and drift.
func WallFleet(snap *cluster.Snapshot, ws WallState, envs map[string]Env, w, h int) []Line {
	dx, dy := Drift(ws.Now)
	iw, ih := w-2, h-1 // room kept for the drift
	if iw < 20 || ih < 6 {
		dx, dy, iw, ih = 0, 0, w, h
	}
	in := Fleet(snap, FleetState{Cursor: -1, Envs: envs}, iw, ih-1)
	for len(in) < ih-1 {
		in = append(in, nil)
	}
	ws.Env = Env{} // the page is every environment's
	return drifted(append(in, wallFooter(ws)), dx, dy, h)
}

// drifted moves the wall's lines dx columns right and dy rows down,
// keeping at most h lines.
func drifted(in []Line, dx, dy, h int) []Line {
	out := make([]Line, 0, h)
	for i := 0; i < dy; i++ {
		out = append(out, nil)
	}
	pad := P(spaces(dx))
	for _, l := range in {
		if len(out) >= h {
			break
		}
		if dx > 0 && len(l) > 0 {
			l = append(Line{pad}, l...)
		}
		out = append(out, l)
	}
	return out
}

func wallBanner(c *cluster.Cluster, ws WallState, w int, big bool) []Line {
	m, counts := Overall(c)
	name := c.Name
	if len(ws.Clusters) > 1 {
		name = fmt.Sprintf("%s (%d/%d)", c.Name, ws.Current+1, len(ws.Clusters))
	}
	if ws.Env.Word != "" {
		name += " · " + strings.ToUpper(ws.Env.Word)
	}
	clock := ws.Now.Local().Format("15:04:05")
	left := fmt.Sprintf(" %s %s   %s   %s", m.Glyph, spaced(m.Word), name, counts)
	if textWidth(left)+textWidth(clock)+2 > w {
		left = fmt.Sprintf(" %s %s  %s", m.Glyph, m.Word, name)
	}
	status := Line{S(m.Class, padRight(shorten(left, w-textWidth(clock)-2), w-textWidth(clock)-1)+clock+" ")}
	if !big {
		return []Line{status}
	}
	blank := Line{S(m.Class, spaces(w))}
	return []Line{blank, status, blank}
}

// spaced letter-spaces a word ("C R I T I C A L") so it reads from afar.
func spaced(word string) string {
	return strings.Join(strings.Split(word, ""), " ")
}

// wallSources is the per-source age line: every source with its age when
// that fits, else per kind a glyph per source and the oldest age.
func wallSources(c *cluster.Cluster, w int) []Line {
	if l := sourcesLine(c, false); l.Width() <= w {
		return []Line{l}
	}
	return []Line{sourcesLine(c, true).Fit(w)}
}

func sourcesLine(c *cluster.Cluster, compact bool) Line {
	l := Line{S(Heading, "SOURCES")}
	for _, k := range []cluster.SourceKind{cluster.KindPacemaker, cluster.KindHAProxy, cluster.KindBMC, cluster.KindEndpoint} {
		var parts Line
		ok, bad, oldest := 0, 0, time.Duration(0)
		for _, s := range c.Sources {
			if s.Kind != k {
				continue
			}
			m := SourceMark(s)
			oldest = max(oldest, s.Age)
			if m.Class == OK {
				ok++
			} else {
				bad++
			}
			switch {
			case k == cluster.KindEndpoint:
			case compact || k == cluster.KindPacemaker:
				parts = append(parts, S(m.Class, m.Glyph))
			default:
				parts = append(parts, P(" "+s.Name+" "), S(m.Class, m.Glyph+Age(s.Age)))
			}
		}
		if ok+bad == 0 {
			continue
		}
		l = append(l, S(Dim, "  "+string(k)+" "))
		if k == cluster.KindEndpoint {
			l = append(l, S(OK, fmt.Sprintf("✓%d", ok)))
			if bad > 0 {
				l = append(l, S(Crit, fmt.Sprintf(" ✖%d", bad)))
			}
			parts = nil
		}
		l = append(l, parts...)
		if compact || k == cluster.KindPacemaker || k == cluster.KindEndpoint {
			l = append(l, S(Dim, " "+Age(oldest)))
		}
	}
	return l
}

func wallFooter(ws WallState) Line {
	if ws.Toast != "" {
		return Line{S(Crit, " "+ws.Toast+" ")}
	}
	var l Line
	if b := ws.Env.Badge(); b != nil {
		l = append(b, S(Dim, " "))
	}
	l = append(l, S(Badge, " WALL · READ-ONLY "), S(Dim, "  "), S(Key, "q"), S(Dim, " quit  "), S(Key, "?"), S(Dim, " help"))
	if len(ws.Clusters) > 1 && ws.Rotate > 0 {
		l = append(l, S(Dim, fmt.Sprintf("  · rotating %d clusters every %s", len(ws.Clusters), ws.Rotate)))
	}
	return l
}
