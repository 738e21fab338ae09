package tui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/hacon/hacon/actions"
	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/timeline"
	"github.com/hacon/hacon/views"
)

type inputMode int

const (
	inputNone inputMode = iota
	inputFilter
	inputTimelineFilter
	inputPalette
	inputFleetFilter
)

// toastFor is how long a toast stays up.
const toastFor = 6 * time.Second

// Model is the console's whole state. It is a value: Update returns a new
// one, and commands close over values taken from it, never over it.
type Model struct {
	opts   Options
	ctx    context.Context
	keys   KeyMap
	styles views.Styles
	log    *timeline.Log

	snap       cluster.Snapshot
	cluster    int
	w, h       int
	now        time.Time
	lastRotate time.Time
	// wallOrder is the wall's round after its fleet page: the clusters'
	// names in the fleet's order then (trouble first); wallNextAt is the
	// next one to show.
	wallOrder  []string
	wallNextAt int

	screen   screenID
	helpFrom screenID // where esc/? return from help
	ov       views.OverviewState
	fleet    views.FleetState // the fleet screen's cursor and filter
	detail   string           // service or node shown in a detail screen
	focus    string           // controller to list first in the service detail
	scroll   int
	// incidents are the session's timeline; Update clones the tracker
	// before changing it, so a Model stays a value.
	incidents *timeline.Tracker
	tl        timelineState

	input     inputMode
	editor    lineEditor // the open prompt's text
	toast     string
	toastBad  bool
	toastEnd  time.Time
	quitArmed bool

	dlg      dialog           // the open action dialog: preview/confirm or result
	planning string           // the action being planned, for the status line
	running  []inflight       // actions executing, for the status line
	last     *actions.Outcome // the last action's result, for R and :result
	actSeq   int              // numbers the session's actions (their timeline handle)
	// quitPending: the operator asked to leave while an action ran its
	// commands; the console leaves once every result is in the audit log.
	quitPending bool
}

// timelineState is the timeline screen's cursor, what is expanded and
// its filter.
type timelineState struct {
	cursor   int
	expanded map[string]bool // incident IDs; replaced, never changed in place
	filter   string
}

// Messages.
type (
	snapshotMsg struct{ snap cluster.Snapshot }
	tickMsg     struct {
		now  time.Time
		snap cluster.Snapshot
		ok   bool
	}
	commandDoneMsg struct {
		name, out string
		err       error
	}
	exportDoneMsg struct {
		path string
		err  error
	}
	logErrMsg       struct{ err error }
	sourceClosedMsg struct{}
)

// Init starts waiting for snapshots and the one-second age tick.
func (m Model) Init() tea.Cmd {
	if m.opts.Source == nil {
		return nil
	}
	return tea.Batch(waitSnapshot(m.opts.Source, m.snap), tick(m.opts.Source, m.tickEvery()))
}

// Update dispatches by message type; keys go through small per-mode and
// per-screen handlers.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		return m, nil
	case snapshotMsg:
		m, cmd := m.applySnapshot(msg.snap)
		return m, tea.Batch(cmd, waitSnapshot(m.opts.Source, m.snap))
	case tickMsg:
		return m.onTick(msg)
	case commandDoneMsg:
		return m.onCommandDone(msg), nil
	case planDoneMsg:
		return m.onPlanned(msg), nil
	case execDoneMsg:
		return m.onExecuted(msg)
	case resultWrittenMsg:
		return m.onResultWritten(msg)
	case exportDoneMsg:
		if msg.err != nil {
			return m.flash("export failed: "+msg.err.Error(), true), nil
		}
		return m.flash("exported to "+msg.path, false), nil
	case logErrMsg:
		return m.flash("events log: "+msg.err.Error(), true), nil
	case tea.KeyPressMsg:
		return m.onKey(msg)
	}
	return m, nil
}

// applySnapshot takes a newer snapshot, folds what changed into the
// session's incidents and appends their changes to the events log. Older
// snapshots (lower sequence) are dropped.
func (m Model) applySnapshot(s cluster.Snapshot) (Model, tea.Cmd) {
	if s.Sequence < m.snap.Sequence || (s.Sequence == m.snap.Sequence && len(m.snap.Clusters) > 0) {
		return m, nil
	}
	var evs []timeline.Event
	if len(m.snap.Clusters) > 0 {
		evs = timeline.Diff(m.snap, changedClusters(m.snap, s), views.CellWords)
	}
	t := m.incidents.Clone()
	recs := t.Observe(s, evs)
	m.incidents = t
	m.snap = s
	if m.cluster >= len(s.Clusters) {
		m.cluster = 0
	}
	return m, appendLog(m.log, recs)
}

// changedClusters is next without the clusters that are the same build as
// in prev (cluster.Cluster.Rev): a quiet fleet's clusters cost no diff.
func changedClusters(prev, next cluster.Snapshot) cluster.Snapshot {
	out := next
	out.Clusters = nil
	for i := range next.Clusters {
		nc := &next.Clusters[i]
		pc := (*cluster.Cluster)(nil)
		if i < len(prev.Clusters) && prev.Clusters[i].Name == nc.Name {
			pc = &prev.Clusters[i] // the usual case: the same clusters in the same order
		} else {
			pc = prev.ClusterByName(nc.Name)
		}
		if nc.Rev != 0 && pc != nil && pc.Rev == nc.Rev {
			continue
		}
		out.Clusters = append(out.Clusters, *nc)
	}
	return out
}

func (m Model) onTick(t tickMsg) (tea.Model, tea.Cmd) {
	m.now = t.now
	var cmd tea.Cmd
	if t.ok {
		m, cmd = m.applySnapshot(t.snap)
	}
	if m.toast != "" && !m.now.Before(m.toastEnd) {
		m.toast = ""
	}
	if m.opts.Wall && m.opts.Rotate > 0 && len(m.snap.Clusters) > 1 && m.now.Sub(m.lastRotate) >= m.opts.Rotate {
		m = m.wallNext()
		m.lastRotate = m.now
	}
	return m, tea.Batch(cmd, tick(m.opts.Source, m.tickEvery()))
}

func (m Model) onCommandDone(msg commandDoneMsg) Model {
	if msg.err != nil {
		return m.flash(":"+msg.name+" failed: "+msg.err.Error(), true)
	}
	return m.flash(":"+msg.name+": "+firstLine(msg.out, "done"), false)
}

func firstLine(s, dflt string) string {
	for i, r := range s {
		if r == '\n' {
			s = s[:i]
			break
		}
	}
	if s == "" {
		return dflt
	}
	return s
}

// flash shows a toast until toastFor has passed.
func (m Model) flash(text string, bad bool) Model { return m.flashFor(text, bad, toastFor) }

func (m Model) flashFor(text string, bad bool, d time.Duration) Model {
	m.toast, m.toastBad, m.toastEnd = text, bad, m.now.Add(d)
	return m
}

// tickEvery is how often ages and staleness are refreshed: every second
// for the wall's clock, every two otherwise (ages read "live" while fresh,
// so a finer tick would only wake an idle session for nothing).
func (m Model) tickEvery() time.Duration {
	if m.opts.Wall {
		return time.Second
	}
	return 2 * time.Second
}

func (m Model) readOnly() bool { return m.opts.ReadOnly || m.opts.Wall }

// current is the cluster on screen, or nil before any snapshot.
func (m Model) current() *cluster.Cluster {
	if m.cluster < len(m.snap.Clusters) {
		return &m.snap.Clusters[m.cluster]
	}
	return nil
}

func (m Model) clusterNames() []string {
	out := make([]string, len(m.snap.Clusters))
	for i, c := range m.snap.Clusters {
		out[i] = c.Name
	}
	return out
}
