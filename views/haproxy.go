package views

import (
	"fmt"

	"github.com/hacon/hacon/cluster"
)

type lbRow struct {
	backend, server string
	views           []*cluster.LBServer // per LB column; nil when that LB lacks the row
	back            []*cluster.LBBackend
}

// HAProxy lists every backend and server as each load balancer sees it, one
// column per LB, marking rows where the LBs disagree (≠) or one lacks it.
func HAProxy(c *cluster.Cluster, w int) []Line {
	cols := lbColumns(c)
	rows := lbRows(c, cols)
	out := []Line{{S(Title, fmt.Sprintf("HAPROXY %d load balancers", len(c.LBs))), ageSpan(c, cluster.KindHAProxy),
		S(Dim, "  · ≠ marks servers the LBs disagree about")}}
	bw, sw := len("BACKEND"), len("SERVER")
	for _, r := range rows {
		bw, sw = max(bw, textWidth(r.backend)), max(sw, textWidth(r.server))
	}
	bw, sw = min(bw, 24), min(sw, 28)
	colW := 22
	if n := max(1, len(cols)); 2+bw+1+sw+n*(2+colW) > w {
		colW = max(8, (w-2-bw-1-sw)/n-2)
	}
	full := colW >= 16
	head := Line{P("  "), S(Heading, padRight("BACKEND", bw)), P(" "), S(Heading, padRight("SERVER", sw))}
	for _, col := range cols {
		head = append(head, P("  "), S(Heading, padRight(shortenLeft(col.name, colW), colW)))
	}
	out = append(out, head)
	// Columns of LBs whose data is missing say why once, under the heading.
	why := Line{P(spaces(2 + bw + 1 + sw))}
	anyWhy := false
	for _, col := range cols {
		why = append(why, P("  "))
		if col.lb == nil {
			why = append(why, Line{col.mark.Span(!full)}.Pad(colW)...)
			anyWhy = true
		} else {
			why = append(why, P(spaces(colW)))
		}
	}
	if anyWhy {
		out = append(out, why)
	}
	prev := ""
	for _, r := range rows {
		out = append(out, lbRowLine(r, cols, bw, sw, colW, full, r.backend == prev))
		prev = r.backend
	}
	if len(rows) == 0 {
		out = append(out, Line{S(Dim, "  no HAProxy data")})
	}
	return out
}

type lbCol struct {
	name string
	lb   *cluster.LoadBalancer
	mark Mark // why there is no data, when lb is nil
}

// lbColumns are the LBs with data plus the HAProxy sources without any, so
// a dead HAProxy is a visible column and not a silent absence.
func lbColumns(c *cluster.Cluster) []lbCol {
	var cols []lbCol
	seen := map[string]bool{}
	for i := range c.LBs {
		cols = append(cols, lbCol{name: c.LBs[i].Name, lb: &c.LBs[i]})
		seen[c.LBs[i].Name] = true
	}
	for _, s := range c.Sources {
		if s.Kind == cluster.KindHAProxy && !seen[s.Name] {
			cols = append(cols, lbCol{name: s.Name, mark: SourceMark(s)})
		}
	}
	return cols
}

func lbRows(c *cluster.Cluster, cols []lbCol) []*lbRow {
	var rows []*lbRow
	byKey := map[string]*lbRow{}
	get := func(backend, server string) *lbRow {
		k := backend + "\x00" + server
		if r := byKey[k]; r != nil {
			return r
		}
		r := &lbRow{backend: backend, server: server, views: make([]*cluster.LBServer, len(cols)), back: make([]*cluster.LBBackend, len(cols))}
		byKey[k] = r
		rows = append(rows, r)
		return r
	}
	for ci, col := range cols {
		if col.lb == nil {
			continue
		}
		for bi := range col.lb.Backends {
			b := &col.lb.Backends[bi]
			get(b.Name, "").back[ci] = b
		}
		for si := range col.lb.Servers {
			s := &col.lb.Servers[si]
			get(s.Backend, s.Server).views[ci] = s
		}
	}
	// Group servers under their backend, keeping first-seen order.
	order := map[string]int{}
	for i, r := range rows {
		if _, ok := order[r.backend]; !ok {
			order[r.backend] = i
		}
	}
	sorted := make([]*lbRow, 0, len(rows))
	for _, r := range rows {
		if r.server == "" {
			sorted = append(sorted, r)
			for _, s := range rows {
				if s.backend == r.backend && s.server != "" {
					sorted = append(sorted, s)
				}
			}
		}
	}
	for _, r := range rows {
		if _, ok := byKey[r.backend+"\x00"]; !ok {
			sorted = append(sorted, r)
		}
	}
	return sorted
}

func lbRowLine(r *lbRow, cols []lbCol, bw, sw, colW int, full, sameBackend bool) Line {
	statuses := map[string]bool{}
	missing := false
	for ci, col := range cols {
		if col.lb == nil {
			continue
		}
		switch {
		case r.server == "" && r.back[ci] != nil:
			statuses[cluster.BaseStatus(r.back[ci].Status)] = true
		case r.server != "" && r.views[ci] != nil:
			statuses[cluster.BaseStatus(r.views[ci].Status)] = true
		default:
			missing = true
		}
	}
	mark := P("  ")
	if len(statuses) > 1 || missing {
		mark = S(Warn, "≠ ")
	}
	backend := r.backend
	if sameBackend {
		backend = ""
	}
	server := r.server
	if server == "" {
		server = "(backend)"
	}
	l := Line{mark, P(padRight(shorten(backend, bw), bw)), P(" "), S(Dim, padRight(shorten(server, sw), sw))}
	for ci, col := range cols {
		l = append(l, P("  "))
		var cell Line
		switch {
		case col.lb == nil:
			cell = Line{S(Dim, "-")} // the heading's second line says why
		case r.server == "" && r.back[ci] != nil:
			b := r.back[ci]
			cell = Line{LBMark(cluster.BaseStatus(b.Status), false).Span(!full)}
			if full {
				cell = append(cell, S(Dim, fmt.Sprintf(" %d act %d bkp", b.Active, b.Backup)))
			}
		case r.server != "" && r.views[ci] != nil:
			cell = serverCell(r.views[ci], full)
		default:
			cell = Line{S(Warn, "∅ absent")}
		}
		l = append(l, cell.Fit(colW).Pad(colW)...)
	}
	return l
}

func serverCell(s *cluster.LBServer, full bool) Line {
	m := LBMark(cluster.BaseStatus(s.Status), false)
	l := Line{m.Span(!full)}
	if s.Backup {
		l = append(l, P(BackupGlyph))
	}
	if full {
		if s.CheckStatus != "" {
			l = append(l, S(Dim, " "+s.CheckStatus))
		}
		if s.CheckDuration > 0 {
			l = append(l, S(Dim, " "+Latency(s.CheckDuration)))
		}
	}
	return l
}
