package timeline

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/hacon/hacon/cluster"
)

// DefaultCloseAfter is how long nothing related must be wrong before an
// incident closes: a flapping service stays one incident.
const DefaultCloseAfter = 15 * time.Second

// flushEvery is how often an open incident whose detail grew without a
// significant change still writes it to the events log.
const flushEvery = time.Minute

// MaxClosed bounds the closed incidents a session keeps in memory (the
// events log keeps them all).
const MaxClosed = 500

// Tracker turns events into incidents. It is not safe for concurrent use;
// the console keeps one per session and Clones it before each change, so
// its model stays a value.
type Tracker struct {
	CloseAfter time.Duration
	session    string
	seq        int
	open       []*Incident
	closed     []*Incident // never changed once closed, so clones share them
	// last: cluster → "subject|what" → the last state word that was not
	// "stale". A clone shares the inner maps and copies one only when it
	// first changes it (owned): at 200 clusters copying them all on every
	// snapshot was 5 % of hacon's CPU (issue 18).
	last   map[string]map[string]string
	owned  map[string]bool
	alerts map[string]map[string]alertNow // cluster → subject → its worst alert
}

type alertNow struct {
	severity string
	message  string
}

// NewTracker starts a session's incidents; session makes their IDs unique
// across consoles writing the same events log.
func NewTracker(session string) *Tracker {
	return &Tracker{CloseAfter: DefaultCloseAfter, session: session, last: map[string]map[string]string{},
		owned: map[string]bool{}, alerts: map[string]map[string]alertNow{}}
}

// Clone copies the tracker: the copy changes without changing t.
func (t *Tracker) Clone() *Tracker {
	c := *t
	c.open = make([]*Incident, len(t.open))
	for i, inc := range t.open {
		c.open[i] = inc.clone()
	}
	c.closed = slices.Clip(t.closed)
	c.last = maps.Clone(t.last)
	c.owned = map[string]bool{}
	c.alerts = make(map[string]map[string]alertNow, len(t.alerts))
	for k, v := range t.alerts {
		c.alerts[k] = v // replaced, never changed in place
	}
	return &c
}

// Incidents are the session's incidents, newest first.
func (t *Tracker) Incidents() []*Incident {
	out := make([]*Incident, 0, len(t.open)+len(t.closed))
	out = append(out, t.open...)
	out = append(out, t.closed...)
	slices.SortStableFunc(out, func(a, b *Incident) int { return b.Opened.Compare(a.Opened) })
	return out
}

// batch is what one observation changed, to be written.
type batch struct {
	significant map[*Incident]string // incident → its change (opened or updated)
	order       []*Incident
}

func (b *batch) mark(i *Incident, change string) {
	if b.significant == nil {
		b.significant = map[*Incident]string{}
	}
	if old, ok := b.significant[i]; ok {
		if old == ChangeOpened {
			return
		}
	} else {
		b.order = append(b.order, i)
	}
	b.significant[i] = change
}

// Observe takes a snapshot and the events Diff found since the previous
// one, and returns the incident changes to append to the events log.
func (t *Tracker) Observe(snap cluster.Snapshot, evs []Event) []Record {
	now := snap.Taken
	var b batch
	for ci := range snap.Clusters {
		c := &snap.Clusters[ci]
		var mine []Event
		for _, e := range evs {
			if e.Cluster == c.Name {
				mine = append(mine, e)
			}
		}
		t.observeCluster(c, now, mine, &b)
	}
	return t.records(now, &b)
}

func (t *Tracker) observeCluster(c *cluster.Cluster, now time.Time, evs []Event, b *batch) {
	// Trouble that relates to nothing open joins the incident this batch
	// already added trouble to: what went wrong at the same instant is
	// told as one story. Only when there is none does it open one.
	var story *Incident
	for _, e := range append(t.denoise(c, evs), t.alertEvents(c, now)...) {
		keys := eventKeys(c, e)
		sev := eventSeverity(e)
		inc := t.related(c.Name, keys)
		if inc == nil && sev != "" {
			if story == nil {
				story = t.openIncident(c.Name, now)
				b.mark(story, ChangeOpened)
			}
			inc = story
		}
		if sev != "" && story == nil {
			story = inc
		}
		if inc == nil {
			continue // a recovery or a neutral change that belongs to nothing open: dropped
		}
		inc.addEvent(e)
		inc.addKeys(keys)
		if sev == "" {
			continue
		}
		inc.lastProblem = now
		if inc.raise(sev) {
			b.mark(inc, ChangeUpdated)
		}
		if r := eventRank(e); r > inc.causeRank {
			inc.causeRank, inc.Title = r, describe(e)
			b.mark(inc, ChangeUpdated)
		}
	}
	for subject, a := range t.alerts[c.Name] {
		if inc := t.related(c.Name, subjectKeys(c, subject)); inc != nil {
			inc.lastProblem = now
			if inc.raise(a.severity) {
				b.mark(inc, ChangeUpdated)
			}
		}
	}
	for _, inc := range t.open {
		if inc.Cluster == c.Name && inc.updateImpact(c, now) {
			b.mark(inc, ChangeUpdated)
		}
	}
}

// denoise folds what only says data is old or came back unchanged, and
// tells a change seen through a stale gap from its last real state.
func (t *Tracker) denoise(c *cluster.Cluster, evs []Event) []Event {
	out := make([]Event, 0, len(evs))
	for _, e := range evs {
		if len(e.What) >= 5 && e.What[:5] == "alert" {
			continue // alerts are followed per subject (alertEvents)
		}
		k := e.Subject + "|" + e.What
		if staleWord(e.To) {
			if _, ok := t.last[e.Cluster][k]; !ok {
				t.setLast(e.Cluster, k, e.From)
			}
			t.fold(c, e)
			continue
		}
		if staleWord(e.From) {
			prev, ok := t.last[e.Cluster][k]
			if !ok || sameState(prev, e.To) {
				t.setLast(e.Cluster, k, e.To)
				t.fold(c, e)
				continue
			}
			e.From = prev
		}
		t.setLast(e.Cluster, k, e.To)
		out = append(out, e)
	}
	return out
}

// setLast records a cluster's last real state word for k, copying the
// cluster's map first if this tracker shares it with the one it was
// cloned from.
func (t *Tracker) setLast(cluster, k, word string) {
	if !t.owned[cluster] {
		t.last[cluster] = maps.Clone(t.last[cluster])
		if t.last[cluster] == nil {
			t.last[cluster] = map[string]string{}
		}
		t.owned[cluster] = true
	}
	t.last[cluster][k] = word
}

// fold counts a noise event in the incident it belongs to, if any.
func (t *Tracker) fold(c *cluster.Cluster, e Event) {
	if inc := t.related(c.Name, eventKeys(c, e)); inc != nil {
		inc.Folded++
		inc.folds++
	}
}

// alertEvents follow alerts per subject: raised when a subject gets its
// first warning or critical alert, cleared when its last one goes. A
// rewording in between ("2 of 3 serving; DOWN" → "…; endpoint fails") is
// not a change.
func (t *Tracker) alertEvents(c *cluster.Cluster, now time.Time) []Event {
	cur := map[string]alertNow{}
	for _, a := range c.Alerts {
		if a.Severity == cluster.SevInfo {
			continue
		}
		sev := a.Severity.String()
		if old, ok := cur[a.Subject]; !ok || sevRank(sev) > sevRank(old.severity) {
			cur[a.Subject] = alertNow{severity: sev, message: a.Message}
		}
	}
	prev := t.alerts[c.Name]
	var out []Event
	for _, subject := range sortedKeys(cur) {
		a := cur[subject]
		if p, ok := prev[subject]; !ok || sevRank(a.severity) > sevRank(p.severity) {
			out = append(out, Event{Time: now, Cluster: c.Name, Subject: subject, What: "alert " + a.severity, To: a.message})
		}
	}
	for _, subject := range sortedKeys(prev) {
		if _, ok := cur[subject]; !ok {
			out = append(out, Event{Time: now, Cluster: c.Name, Subject: subject, What: "alert cleared", From: prev[subject].message, To: "cleared"})
		}
	}
	t.alerts[c.Name] = cur
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// related is the open incident of a cluster an event with these keys
// belongs to: keys are tried in order (an event names its most telling key
// first: the node of a cell before its service), each against the open
// incidents oldest first. A cluster-wide key (quorum, Pacemaker's own
// data) belongs to the newest open incident of the cluster.
func (t *Tracker) related(clusterName string, keys []string) *Incident {
	var newest *Incident
	for _, k := range keys {
		for _, inc := range t.open {
			if inc.Cluster != clusterName {
				continue
			}
			newest = inc
			if inc.Keys[k] {
				return inc
			}
		}
	}
	if slices.Contains(keys, "cluster") {
		return newest
	}
	return nil
}

func (t *Tracker) openIncident(clusterName string, now time.Time) *Incident {
	t.seq++
	inc := &Incident{ID: fmt.Sprintf("%s-%s-%d", now.UTC().Format("20060102T150405Z"), t.session, t.seq),
		Cluster: clusterName, Opened: now, Keys: map[string]bool{}, lastProblem: now}
	t.open = append(t.open, inc)
	return inc
}

// updateImpact follows how long each of the incident's services is below
// full; it reports a service newly below full.
func (i *Incident) updateImpact(c *cluster.Cluster, now time.Time) bool {
	grew := false
	for _, name := range i.Services() {
		s := c.Service(name)
		if s == nil || s.Expected == 0 || s.Stale {
			continue
		}
		ix := slices.IndexFunc(i.Impact, func(im Impact) bool { return im.Service == name })
		below := s.Serving < s.Expected
		if ix < 0 {
			if !below {
				continue
			}
			i.Impact = append(i.Impact, Impact{Service: name, Worst: s.Serving, Expected: s.Expected})
			ix, grew = len(i.Impact)-1, true
		}
		im := &i.Impact[ix]
		switch {
		case below && im.belowSince.IsZero():
			im.belowSince = now
		case !below && !im.belowSince.IsZero():
			im.Below += now.Sub(im.belowSince)
			im.belowSince = time.Time{}
		}
		if below && s.Serving < im.Worst {
			im.Worst = s.Serving
		}
		im.Expected = s.Expected
	}
	return grew
}

// belowFor is how long a service has been below full, up to now.
func (im Impact) belowFor(now time.Time) time.Duration {
	if im.belowSince.IsZero() {
		return im.Below
	}
	return im.Below + now.Sub(im.belowSince)
}

// BelowFor is how long the service ran below full (until now if it still
// does).
func (im Impact) BelowFor(now time.Time) time.Duration { return im.belowFor(now) }
