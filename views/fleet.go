package views

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hacon/hacon/cluster"
)

// FleetState is the fleet screen's view state: the cursor (an index into
// FleetOrder's rows), the first row shown and the filter.
type FleetState struct {
	Cursor int
	Offset int
	Filter string
	Envs   map[string]Env // environment cues by cluster name
}

// FleetOrder is the clusters of a snapshot as the fleet screen lists
// them: trouble first (critical, degraded, stale), then by name; only
// those whose name or environment contains the filter. It returns indexes
// into snap.Clusters and their summaries.
func FleetOrder(snap *cluster.Snapshot, filter string, envs map[string]Env) ([]int, []cluster.Summary) {
	var idx []int
	var sums []cluster.Summary
	f := strings.ToLower(filter)
	for i := range snap.Clusters {
		c := &snap.Clusters[i]
		if f != "" && !strings.Contains(strings.ToLower(c.Name), f) && !strings.Contains(strings.ToLower(envs[c.Name].Word), f) {
			continue
		}
		idx = append(idx, i)
		sums = append(sums, cluster.Summarize(c))
	}
	sort.Stable(byTrouble{idx, sums})
	return idx, sums
}

type byTrouble struct {
	idx  []int
	sums []cluster.Summary
}

func (b byTrouble) Len() int { return len(b.idx) }
func (b byTrouble) Less(i, j int) bool {
	if ti, tj := b.sums[i].Trouble(), b.sums[j].Trouble(); ti != tj {
		return ti > tj
	}
	return b.sums[i].Name < b.sums[j].Name
}
func (b byTrouble) Swap(i, j int) {
	b.idx[i], b.idx[j] = b.idx[j], b.idx[i]
	b.sums[i], b.sums[j] = b.sums[j], b.sums[i]
}

// FleetRows is how many cluster rows the fleet screen shows in a body of
// h lines: all but the summary, the column titles and the position line.
func FleetRows(h int) int { return max(1, h-4) }

// Fleet is the fleet screen: one row per cluster, trouble first.
func Fleet(snap *cluster.Snapshot, st FleetState, w, h int) []Line {
	_, sums := FleetOrder(snap, st.Filter, st.Envs)
	wide := w >= 110
	var crit, degr int
	for _, s := range sums {
		switch {
		case s.Critical > 0:
			crit++
		case s.Warning > 0:
			degr++
		}
	}
	head := fmt.Sprintf(" %s: %d critical, %d degraded, %d ok", plural(len(sums), "cluster"), crit, degr, len(sums)-crit-degr)
	if st.Filter != "" {
		head += " · filter /" + st.Filter
	}
	out := []Line{{S(Heading, head)}}
	if wide {
		out = append(out, Line{S(Dim, fleetCols(wide, "VERDICT", "CLUSTER", "ENV", "QUORUM", "NODES", "SVC F/D/D", "VIPS", "AGE", "WORST ALERT", w))})
	} else {
		out = append(out, Line{S(Dim, fleetCols(wide, "STATE", "CLUSTER", "ENV", "QRM", "NODES", "SVC", "VIPS", "AGE", "WORST ALERT", w))})
	}
	rows := FleetRows(h)
	off := ClampScroll(st.Offset, len(sums), rows)
	for i := off; i < min(len(sums), off+rows); i++ {
		out = append(out, fleetRow(sums[i], st.Envs[sums[i].Name], wide, i == st.Cursor, w))
	}
	if len(sums) == 0 {
		out = append(out, Line{S(Dim, "  no cluster matches the filter (esc clears it)")})
	}
	pos := fmt.Sprintf("  clusters %d–%d of %d", min(off+1, len(sums)), min(len(sums), off+rows), len(sums))
	if off+rows < len(sums) {
		pos += " · ↓ more (j/↓, pgdn)"
	}
	return append(out, Line{}, Line{S(Dim, pos)})
}

// fleetWidths are the fixed columns: verdict, cluster, env, quorum,
// nodes, services, VIPs, age; the worst alert takes the rest.
func fleetWidths(wide bool) [8]int {
	if wide {
		return [8]int{12, 20, 12, 10, 7, 11, 6, 5}
	}
	return [8]int{7, 15, 5, 5, 6, 9, 5, 4}
}

func fleetCols(wide bool, v, name, env, q, nodes, svc, vips, age, alert string, w int) string {
	ws := fleetWidths(wide)
	var b strings.Builder
	b.WriteString("  ")
	for i, s := range []string{v, name, env, q, nodes, svc, vips, age} {
		b.WriteString(padRight(shorten(s, ws[i]-1), ws[i]))
	}
	b.WriteString(alert)
	return shorten(b.String(), w)
}

func fleetRow(s cluster.Summary, env Env, wide, cursor bool, w int) Line {
	m, _ := overallOf(s)
	ws := fleetWidths(wide)
	verdict := m.Short()
	if wide {
		verdict = m.Full()
	}
	quorum := "—"
	if s.HasPacemaker {
		quorum = "yes"
		if !s.Quorum {
			quorum = "NO"
		}
	}
	alert := "—"
	if s.WorstAlert != nil {
		alert = s.WorstAlert.Message
		if sub := s.WorstAlert.Subject; sub != "" && !strings.HasPrefix(alert, sub) {
			alert = sub + ": " + alert
		}
	}
	age := Age(s.DataAge)
	if s.Stale {
		age = "?" + age
	}
	mark := "  "
	if cursor {
		mark = "▸ "
	}
	nodes := fmt.Sprintf("%d/%d", s.NodesOnline, s.Nodes)
	if !s.HasPacemaker { // online is Pacemaker's word: unknown without it
		nodes = fmt.Sprintf("—/%d", s.Nodes)
	}
	cells := []string{s.Name, env.Word, quorum, nodes,
		fmt.Sprintf("%d/%d/%d", s.ServicesFull, s.ServicesDegraded, s.ServicesDown), fmt.Sprintf("%d/%d", s.VIPsHeld, s.VIPs), age}
	l := Line{P(mark), S(verdictClass(m), padRight(shorten(verdict, ws[0]-1), ws[0]))}
	for i, c := range cells {
		cls := Class(0)
		if i == 2 && quorum == "NO" || i == 6 && s.Stale {
			cls = Crit
		}
		l = append(l, S(cls, padRight(shorten(c, ws[i+1]-1), ws[i+1])))
	}
	rest := w - l.Width()
	if rest > 0 {
		l = append(l, S(alertClass(s), shorten(alert, rest)))
	}
	if cursor {
		for i := range l {
			l[i].Class = Cursor
		}
	}
	return l
}

func alertClass(s cluster.Summary) Class {
	switch {
	case s.Critical > 0:
		return Crit
	case s.Warning > 0:
		return Warn
	}
	return Dim
}

// overallOf is Overall's verdict for a summary.
func overallOf(s cluster.Summary) (Mark, string) {
	counts := fmt.Sprintf("%d critical, %d warning", s.Critical, s.Warning)
	switch {
	case s.Critical > 0:
		return Mark{"✖", "CRITICAL", "CRIT", BannerCrit}, counts
	case s.Warning > 0:
		return Mark{"▲", "DEGRADED", "DEGR", BannerWarn}, counts
	}
	return Mark{"✓", "OK", "", BannerOK}, counts
}
