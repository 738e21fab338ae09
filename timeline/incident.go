package timeline

import (
	"slices"
	"strings"
	"time"
)

// Severities of an incident, as written to the events log.
const (
	SevCritical = "critical"
	SevWarning  = "warning"
	SevInfo     = "info" // an operator action that harmed nothing (yet)
)

func sevRank(s string) int {
	switch s {
	case SevCritical:
		return 3
	case SevWarning:
		return 2
	case SevInfo:
		return 1
	}
	return 0
}

// Changes of an incident: one line of the events log each.
const (
	ChangeOpened  = "opened"
	ChangeUpdated = "updated"
	ChangeClosed  = "closed"
)

// maxIncidentEvents bounds the events one incident keeps in memory; later
// ones are counted, and the events log has them all.
const maxIncidentEvents = 400

// Incident is related changes of one cluster told as one story: opened by
// the first thing that went wrong (or an operator's action), closed when
// nothing related has been wrong for the tracker's CloseAfter.
type Incident struct {
	ID       string
	Cluster  string
	Severity string // the worst it has been
	Title    string // its cause, in words
	Opened   time.Time
	Cleared  time.Time // when nothing was wrong any more; zero while something is
	Closed   time.Time // zero while open
	Seen     time.Time // read back from the events log: the time of its last line
	Keys     map[string]bool
	Events   []Event // cause and consequences, oldest first
	Folded   int     // noise folded into it (stale data, data coming back, alert rewording)
	Actions  []Action
	Impact   []Impact

	causeRank   int
	lastProblem time.Time
	pending     int       // events not yet written to the events log
	folds       int       // folded since the last line written
	written     time.Time // when its last line was written
}

// Impact is how long a service of an incident ran below full.
type Impact struct {
	Service    string        `json:"service"`
	Worst      int           `json:"worst_serving"` // fewest instances serving seen
	Expected   int           `json:"expected"`
	Below      time.Duration `json:"-"`
	BelowMS    int64         `json:"below_full_ms"`
	belowSince time.Time
}

// Action is an operator action as the timeline tells it (from the console
// or the audit log).
type Action struct {
	ID          string    `json:"action_id,omitempty"` // the audit log's action_id
	Ref         string    `json:"-"`                   // the console's own handle before the ID is known
	Time        time.Time `json:"time"`
	Command     string    `json:"command"` // palette form, ":fence controller-2"
	Operator    string    `json:"operator,omitempty"`
	State       string    `json:"state"` // running, done, failed, refused
	Result      string    `json:"result,omitempty"`
	Verified    bool      `json:"verified"`
	VerifyState string    `json:"verify_state,omitempty"`
	DurationMS  int64     `json:"duration_ms"`
	Keys        []string  `json:"keys,omitempty"` // what it acts on: node:, svc:, vip:
}

// Action states.
const (
	ActionRunning   = "running"
	ActionDone      = "done"
	ActionFailed    = "failed"
	ActionRefused   = "refused"
	ActionCancelled = "cancelled" // previewed, then not confirmed
)

// Open reports whether the incident is still open.
func (i *Incident) Open() bool { return i.Closed.IsZero() }

// Duration is how long something was wrong: to when it cleared, or to now
// while it still is.
func (i *Incident) Duration(now time.Time) time.Duration {
	switch {
	case !i.Cleared.IsZero():
		return i.Cleared.Sub(i.Opened)
	case !i.Closed.IsZero():
		return i.Closed.Sub(i.Opened)
	}
	return max(0, now.Sub(i.Opened))
}

// Nodes are the nodes the incident touches, sorted.
func (i *Incident) Nodes() []string { return i.keysWith("node:") }

// Services are the services the incident touches, sorted.
func (i *Incident) Services() []string { return i.keysWith("svc:") }

func (i *Incident) keysWith(prefix string) []string {
	var out []string
	for k := range i.Keys {
		if strings.HasPrefix(k, prefix) {
			out = append(out, strings.TrimPrefix(k, prefix))
		}
	}
	slices.Sort(out)
	return out
}

// clone copies an open incident deeply enough that the copy can change
// without touching the original.
func (i *Incident) clone() *Incident {
	c := *i
	c.Keys = make(map[string]bool, len(i.Keys))
	for k := range i.Keys {
		c.Keys[k] = true
	}
	c.Events = slices.Clone(i.Events)
	c.Actions = slices.Clone(i.Actions)
	c.Impact = slices.Clone(i.Impact)
	return &c
}

func (i *Incident) addEvent(e Event) {
	if len(i.Events) >= maxIncidentEvents {
		i.Folded++
		i.folds++
		return
	}
	i.Events = append(i.Events, e)
	i.pending++
}

func (i *Incident) addKeys(keys []string) {
	for _, k := range keys {
		i.Keys[k] = true
	}
}

// raise lifts the severity; it reports whether it rose.
func (i *Incident) raise(sev string) bool {
	if sevRank(sev) > sevRank(i.Severity) {
		i.Severity = sev
		return true
	}
	return false
}

// Matches reports whether the incident passes a timeline filter: every
// term must match. A term is key:value (cluster:, node:, svc: or service:,
// sev: or severity:) or a bare word matching any of them or the title.
func (i *Incident) Matches(filter string) bool {
	for _, term := range strings.Fields(strings.ToLower(filter)) {
		if !i.matchesTerm(term) {
			return false
		}
	}
	return true
}

func (i *Incident) matchesTerm(term string) bool {
	field, value, ok := strings.Cut(term, ":")
	if !ok {
		field, value = "", term
	}
	has := func(list []string) bool {
		for _, s := range list {
			if strings.Contains(strings.ToLower(s), value) {
				return true
			}
		}
		return false
	}
	switch field {
	case "cluster":
		return strings.Contains(strings.ToLower(i.Cluster), value)
	case "node":
		return has(i.Nodes())
	case "svc", "service":
		return has(i.Services())
	case "sev", "severity":
		return strings.HasPrefix(i.Severity, value) || (value == "crit" && i.Severity == SevCritical) || (value == "warn" && i.Severity == SevWarning)
	case "":
		return has([]string{i.Cluster, i.Severity, i.Title}) || has(i.Nodes()) || has(i.Services())
	}
	return false
}
