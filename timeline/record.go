package timeline

import (
	"slices"
	"time"
)

// Record is one line of the events log: one change of one incident, with
// the events since that incident's previous line, so the file read in
// order rebuilds every incident (ReadIncidents).
type Record struct {
	Time       time.Time  `json:"time"`
	Change     string     `json:"change"` // opened, updated, closed
	Incident   string     `json:"incident"`
	Cluster    string     `json:"cluster"`
	Severity   string     `json:"severity"`
	Title      string     `json:"title"`
	Opened     time.Time  `json:"opened"`
	Cleared    *time.Time `json:"cleared,omitempty"`
	Closed     *time.Time `json:"closed,omitempty"`
	DurationMS int64      `json:"duration_ms"`
	Nodes      []string   `json:"nodes"`
	Services   []string   `json:"services"`
	Impact     []Impact   `json:"impact,omitempty"`
	Actions    []Action   `json:"actions,omitempty"`
	Events     []Event    `json:"events"`           // since this incident's previous line
	Folded     int        `json:"folded,omitempty"` // noise folded since its previous line
}

// records closes what has been quiet long enough and writes a line for
// every incident that changed significantly, plus detail that waited too
// long.
func (t *Tracker) records(now time.Time, b *batch) []Record {
	var out []Record
	for _, inc := range b.order {
		if inc.Open() {
			out = append(out, inc.record(now, b.significant[inc]))
		}
	}
	keep := t.open[:0]
	for _, inc := range t.open {
		switch {
		case inc.lastProblem.Equal(now) || inc.running():
			inc.Cleared = time.Time{}
		case inc.Cleared.IsZero():
			inc.Cleared = now
		}
		if !inc.Cleared.IsZero() && now.Sub(inc.Cleared) >= t.CloseAfter {
			inc.Closed = now
			inc.closeImpact(inc.Cleared)
			out = append(out, inc.record(now, ChangeClosed))
			t.closed = append(t.closed, inc)
			continue
		}
		if _, done := b.significant[inc]; !done && inc.pending+inc.folds > 0 && now.Sub(inc.written) >= flushEvery {
			out = append(out, inc.record(now, ChangeUpdated))
		}
		keep = append(keep, inc)
	}
	t.open = keep
	if n := len(t.closed) - MaxClosed; n > 0 {
		t.closed = slices.Clone(t.closed[n:])
	}
	return out
}

func (i *Incident) running() bool {
	for _, a := range i.Actions {
		if a.State == ActionRunning {
			return true
		}
	}
	return false
}

func (i *Incident) closeImpact(at time.Time) {
	for k := range i.Impact {
		im := &i.Impact[k]
		if !im.belowSince.IsZero() {
			im.Below += max(0, at.Sub(im.belowSince))
			im.belowSince = time.Time{}
		}
		im.BelowMS = im.Below.Milliseconds()
	}
}

// record is the incident's line for a change, carrying the events not yet
// written.
func (i *Incident) record(now time.Time, change string) Record {
	r := Record{Time: now, Change: change, Incident: i.ID, Cluster: i.Cluster, Severity: i.Severity, Title: i.Title,
		Opened: i.Opened, DurationMS: i.Duration(now).Milliseconds(), Nodes: i.Nodes(), Services: i.Services(),
		Actions: slices.Clone(i.Actions), Folded: i.folds}
	if r.Nodes == nil {
		r.Nodes = []string{}
	}
	if r.Services == nil {
		r.Services = []string{}
	}
	for _, im := range i.Impact {
		im.BelowMS = im.belowFor(now).Milliseconds()
		r.Impact = append(r.Impact, im)
	}
	if !i.Cleared.IsZero() {
		c := i.Cleared
		r.Cleared = &c
	}
	if !i.Closed.IsZero() {
		c := i.Closed
		r.Closed = &c
	}
	r.Events = slices.Clone(i.Events[len(i.Events)-i.pending:])
	if r.Events == nil {
		r.Events = []Event{}
	}
	i.pending, i.folds, i.written = 0, 0, now
	return r
}

// ActionStarted puts an operator action into the incident it belongs to
// (sharing a node, service or VIP), or opens one for it: an action is a
// cause. It returns the lines to write.
func (t *Tracker) ActionStarted(clusterName string, a Action, now time.Time) []Record {
	if a.State == "" {
		a.State = ActionRunning
	}
	if a.Time.IsZero() {
		a.Time = now
	}
	var b batch
	inc := t.related(clusterName, a.Keys)
	if inc == nil {
		inc = t.openIncident(clusterName, now)
		inc.Severity, inc.causeRank = SevInfo, rankAction
		inc.Title = a.Command
		if a.Operator != "" {
			inc.Title += " by " + a.Operator
		}
		b.mark(inc, ChangeOpened)
	} else {
		b.mark(inc, ChangeUpdated)
	}
	inc.addKeys(a.Keys)
	inc.Actions = append(inc.Actions, a)
	inc.lastProblem = now
	return t.records(now, &b)
}

// ActionFinished records an action's outcome in its incident (found by
// Ref, or ID); an action nobody started here is started and finished.
func (t *Tracker) ActionFinished(clusterName string, a Action, now time.Time) []Record {
	for _, inc := range t.open {
		for k := range inc.Actions {
			old := &inc.Actions[k]
			if (a.Ref != "" && old.Ref == a.Ref) || (a.ID != "" && old.ID == a.ID) {
				a.Keys, a.Time = old.Keys, old.Time
				*old = a
				if inc.causeRank == rankAction && len(inc.Actions) == 1 && a.Operator != "" {
					inc.Title = a.Command + " by " + a.Operator
				}
				inc.lastProblem = now
				var b batch
				b.mark(inc, ChangeUpdated)
				return t.records(now, &b)
			}
		}
	}
	return t.ActionStarted(clusterName, a, now)
}
