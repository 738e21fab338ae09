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
	in = append(in, Overview(c, OverviewState{NoCursor: true}, iw, bodyH)...)
	for len(in) < ih-len(srcs)-1 {
		in = append(in, nil)
	}
	in = append(in, srcs...)
	in = append(in, foot)
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

// wallSources is the per-source age line(s), grouped by kind.
func wallSources(c *cluster.Cluster, w int) []Line {
	l := Line{S(Heading, "SOURCES")}
	kinds := []cluster.SourceKind{cluster.KindPacemaker, cluster.KindHAProxy, cluster.KindBMC}
	for _, k := range kinds {
		var parts Line
		for _, s := range c.Sources {
			if s.Kind != k {
				continue
			}
			m := SourceMark(s)
			name := s.Name
			if k == cluster.KindPacemaker {
				name = ""
			}
			parts = append(parts, P(" "), S(m.Class, m.Glyph+Age(s.Age)))
			if name != "" {
				parts = append(parts, S(Dim, "/"+name))
			}
		}
		if len(parts) > 0 {
			l = append(l, S(Dim, "  "+string(k)+":"))
			l = append(l, parts...)
		}
	}
	ok, bad, oldest := 0, 0, time.Duration(0)
	for _, s := range c.Sources {
		if s.Kind != cluster.KindEndpoint {
			continue
		}
		if s.OK {
			ok++
		} else {
			bad++
		}
		oldest = max(oldest, s.Age)
	}
	if ok+bad > 0 {
		l = append(l, S(Dim, "  endpoints:"), S(OK, fmt.Sprintf(" ✓%d", ok)))
		if bad > 0 {
			l = append(l, S(Crit, fmt.Sprintf(" ✖%d", bad)))
		}
		l = append(l, S(Dim, " oldest "+Age(oldest)))
	}
	if l.Width() <= w {
		return []Line{l}
	}
	// Too wide: split at the kind boundaries into two lines.
	var a, b Line
	for _, sp := range l {
		if a.Width()+textWidth(sp.Text) <= w && len(b) == 0 {
			a = append(a, sp)
		} else {
			b = append(b, sp)
		}
	}
	return []Line{a, b}
}

func wallFooter(ws WallState) Line {
	if ws.Toast != "" {
		return Line{S(Crit, " "+ws.Toast+" ")}
	}
	l := Line{S(Badge, " WALL · READ-ONLY "), S(Dim, "  "), S(Key, "q"), S(Dim, " quit  "), S(Key, "?"), S(Dim, " help")}
	if len(ws.Clusters) > 1 && ws.Rotate > 0 {
		l = append(l, S(Dim, fmt.Sprintf("  · rotating %d clusters every %s", len(ws.Clusters), ws.Rotate)))
	}
	return l
}
