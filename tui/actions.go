package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/hacon/hacon/actions"
	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/timeline"
	"github.com/hacon/hacon/views"
)

// resultFor is how long an action's result toast stays up: longer than
// other toasts, the operator may be looking at another terminal while it
// verifies. The timeline keeps it anyway.
const resultFor = 20 * time.Second

// inflight is an action executing, for the status line.
type inflight struct {
	label     string // palette form, ":move res node"
	ref       string // its handle in the timeline
	since     time.Time
	verifying bool // its result is in the audit log; it is being verified
}

type (
	planDoneMsg struct {
		line string
		p    *actions.Preview
		err  error
	}
	execDoneMsg struct {
		line string
		ref  string
		cl   string // the cluster it ran on, even when the executor refused
		out  actions.Outcome
		err  error
		at   time.Time
	}
	// resultWrittenMsg: an action's result line is durable; only its
	// verification is left.
	resultWrittenMsg struct{ ref string }
)

func isActionVerb(name string) bool {
	_, ok := actions.LookupVerb(name)
	return ok
}

// paletteAction handles an action verb typed in the palette (or pre-filled
// by an action key): refuse it in read-only mode, else parse it and plan
// it in a command. Nothing is planned, let alone run, in read-only mode.
func (m Model) paletteAction(words []string) (tea.Model, tea.Cmd) {
	line := ":" + strings.Join(words, " ")
	c := m.current()
	switch {
	case m.readOnly():
		return m.refuse(line)
	case m.opts.Actions == nil:
		return m.flash(line+": actions are not available in this console", true), nil
	case c == nil:
		return m.flash(line+": no cluster data yet", true), nil
	}
	req, err := actions.Parse(c.Name, words)
	if err != nil {
		return m.flash(err.Error(), true), nil
	}
	m.planning, m.toast = line, ""
	return m, planCmd(m.ctx, m.opts.Actions, line, req, m.snap)
}

// planCmd plans off the UI goroutine (cibadmin and crm_simulate take
// seconds). It plans against the snapshot the operator is looking at.
func planCmd(ctx context.Context, r ActionRunner, line string, req actions.Request, snap cluster.Snapshot) tea.Cmd {
	return func() tea.Msg {
		p, err := r.Plan(ctx, req, snap)
		return planDoneMsg{line: line, p: p, err: err}
	}
}

// onPlanned opens the preview dialog. A newer request supersedes one
// still planning (a hung crm_simulate must not block the palette), so a
// preview that is no longer awaited is dropped.
func (m Model) onPlanned(msg planDoneMsg) Model {
	if msg.line != m.planning {
		return m
	}
	m.planning = ""
	switch {
	case msg.err != nil:
		return m.flash("cannot plan "+msg.line+": "+msg.err.Error(), true)
	case msg.p == nil:
		return m.flash("cannot plan "+msg.line+": no preview", true)
	}
	if m.input != inputNone {
		// The operator moved on and is typing: a dialog popping up now
		// would take the next keystroke ("y" of "standby") as consent.
		return m.flash("preview of "+msg.line+" not shown because you were typing: run it again", true)
	}
	m.dlg = dialog{kind: dlgPreview, preview: msg.p, opened: m.opts.Clock(), answer: m.newAnswer()}
	return m
}

// runAction hands a confirmed preview to the executor in a command that
// closes over values only. The Flight counts it so that quitting waits,
// and the action enters the timeline at once: it is the cause of what
// follows.
func (m Model) runAction(p *actions.Preview, c actions.Confirmation) (tea.Model, tea.Cmd) {
	m.dlg = dialog{}
	if m.readOnly() { // unreachable: no dialog opens in read-only mode; kept as a second lock
		return m.refuse(p.Title)
	}
	m.actSeq++
	ref := fmt.Sprintf("a%d", m.actSeq)
	m.running = append(append([]inflight(nil), m.running...), inflight{label: p.Title, ref: ref, since: m.now})
	m.toast = ""
	m.opts.Flight.dispatch()
	written := make(chan struct{})
	m, logCmd := m.trackAction(p.Request.Cluster, m.actionOf(p.Request, p.Title, ref), false)
	return m, tea.Batch(logCmd, execCmd(m.ctx, m.opts.Actions, m.opts.Flight, m.opts.Clock, p, c, ref, written), awaitResult(ref, written))
}

func execCmd(ctx context.Context, r ActionRunner, fl *Flight, clock func() time.Time, p *actions.Preview, c actions.Confirmation, ref string, written chan struct{}) tea.Cmd {
	return func() tea.Msg {
		fl.start()
		once := false
		out, err := r.ExecuteNotify(ctx, p, c, func(actions.Outcome) { once = true; close(written) })
		if !once {
			close(written) // refused before anything ran: nothing to wait for
		}
		res := out.Summary()
		if err != nil {
			res = p.Title + " not run: " + err.Error()
		}
		fl.finish(res)
		return execDoneMsg{line: p.Title, ref: ref, cl: p.Request.Cluster, out: out, err: err, at: clock()}
	}
}

// awaitResult tells the console when an action's result is in the audit
// log, so that quitting no longer has to wait for it.
func awaitResult(ref string, written <-chan struct{}) tea.Cmd {
	return func() tea.Msg {
		<-written
		return resultWrittenMsg{ref: ref}
	}
}

// onResultWritten marks the action as verifying; an operator who asked to
// leave meanwhile leaves once no action is still running its commands.
func (m Model) onResultWritten(msg resultWrittenMsg) (tea.Model, tea.Cmd) {
	rs := append([]inflight(nil), m.running...)
	for i := range rs {
		if rs[i].ref == msg.ref {
			rs[i].verifying = true
		}
	}
	m.running = rs
	return m, m.leaveIfAsked()
}

// commandsRunning reports an action whose result is not yet in the audit
// log.
func (m Model) commandsRunning() bool {
	for _, r := range m.running {
		if !r.verifying {
			return true
		}
	}
	return false
}

// actionOf is a request as the timeline tells it.
func (m Model) actionOf(req actions.Request, title, ref string) timeline.Action {
	var c *cluster.Cluster
	if cc := m.snap.ClusterByName(req.Cluster); cc != nil {
		c = cc
	}
	return timeline.Action{Ref: ref, Time: m.now, Command: title, State: timeline.ActionRunning,
		Keys: timeline.ActionKeys(c, req.Node, req.Service, req.VIP, req.Resource)}
}

// trackAction puts an action into the session's incidents (finished: its
// outcome) and writes the change to the events log.
func (m Model) trackAction(clusterName string, a timeline.Action, finished bool) (Model, tea.Cmd) {
	t := m.incidents.Clone()
	var recs []timeline.Record
	if finished {
		recs = t.ActionFinished(clusterName, a, m.now)
	} else {
		recs = t.ActionStarted(clusterName, a, m.now)
	}
	m.incidents = t
	return m, appendLog(m.log, recs)
}

// onExecuted shows the result as a toast and records it in its incident
// and the events log. After a verified move it offers to clear the
// cli-prefer constraint the move left (the classic trap).
func (m Model) onExecuted(msg execDoneMsg) (tea.Model, tea.Cmd) {
	m.running = dropRunning(m.running, msg.ref)
	act := timeline.Action{Ref: msg.ref, Time: msg.at, Command: msg.line}
	if msg.err != nil {
		act.State, act.Result = timeline.ActionRefused, "not run: "+msg.err.Error()
		m = m.flashFor(msg.line+" not run: "+msg.err.Error(), true, resultFor)
		m, cmd := m.trackAction(msg.cl, act, true)
		return m, tea.Batch(cmd, m.leaveIfAsked())
	}
	out := msg.out
	m.last = &out
	act.ID, act.Operator, act.Verified, act.VerifyState = out.ActionID, out.Operator.String(), out.Verified, out.VerifyState
	act.DurationMS, act.State = out.Duration.Milliseconds(), timeline.ActionDone
	if !out.OK {
		act.State = timeline.ActionFailed
	}
	act.Result = strings.TrimPrefix(out.Summary(), msg.line+" ") + hostFailures(out)
	toast, bad := out.Summary(), !out.OK || !out.Verified
	if bad {
		toast += " · R: each host's result"
	}
	if res := out.Request.Resource; out.Verified && res != "" && (out.Request.Kind == actions.Move || out.Request.Kind == actions.MoveVIP) {
		if m.input == inputNone && m.dlg.kind == dlgNone && !m.opts.Wall {
			// Short: it shares the footer with the pre-filled palette.
			m = m.openPrompt(inputPalette, "clear "+res)
			toast = "✓ verified · enter: clear leftover cli-prefer"
		} else {
			toast += " · :clear " + res + " removes the cli-prefer constraint"
		}
	}
	m = m.flashFor(toast, bad, resultFor)
	m, cmd := m.trackAction(msg.cl, act, true)
	return m, tea.Batch(cmd, m.leaveIfAsked())
}

// leaveIfAsked quits when the operator asked to leave while commands ran
// and none is running any more.
func (m Model) leaveIfAsked() tea.Cmd {
	if m.quitPending && !m.commandsRunning() {
		return tea.Quit
	}
	return nil
}

// hostFailures lists the hosts whose command failed, so the timeline (and
// the events log, and the export) keep them after the toast is gone.
func hostFailures(o actions.Outcome) string {
	var b strings.Builder
	for _, s := range o.Steps {
		if !s.OK {
			fmt.Fprintf(&b, "; %s: %s", s.Host, firstLine(s.Error, "failed"))
		}
	}
	return b.String()
}

func dropRunning(rs []inflight, ref string) []inflight {
	out := make([]inflight, 0, len(rs))
	for _, r := range rs {
		if r.ref != ref {
			out = append(out, r)
		}
	}
	return out
}

// refuse records a refused action in the timeline (and the events log)
// and says so: read-only mode writes nothing else.
func (m Model) refuse(subject string) (tea.Model, tea.Cmd) {
	why := "read-only mode"
	if m.opts.Wall {
		why = "wall mode is read-only"
	}
	cl := ""
	if c := m.current(); c != nil {
		cl = c.Name
	}
	m = m.flash("read-only: "+subject+" changes the cluster and is refused", true)
	return m.recordAttempt(cl, subject, timeline.ActionRefused, "refused: "+why)
}

// recordAttempt records an action that did not run (refused, cancelled)
// in the timeline: the record shows what was tried, not only what ran.
func (m Model) recordAttempt(clusterName, command, state, result string) (tea.Model, tea.Cmd) {
	a := timeline.Action{Time: m.now, Command: command, State: state, Result: result}
	if words := strings.Fields(strings.TrimPrefix(command, ":")); len(words) > 0 {
		if req, err := actions.Parse(clusterName, words); err == nil {
			a.Keys = m.actionOf(req, command, "").Keys
		}
	}
	return m.trackAction(clusterName, a, true)
}

// actionStatus is the status line while an action is planned or runs.
func (m Model) actionStatus() string {
	switch {
	case len(m.running) > 0:
		r := m.running[0]
		s := "⟳ running " + r.label + " (commands)"
		if r.verifying {
			s = "⟳ verifying " + r.label + " (result logged)"
		}
		if d := m.now.Sub(r.since); d >= time.Second {
			s += " " + views.Age(d)
		}
		if n := len(m.running) - 1; n > 0 {
			s += fmt.Sprintf(" +%d more", n)
		}
		return s
	case m.planning != "":
		return "⟳ planning " + m.planning + " (querying the CIB, crm_simulate)"
	}
	return ""
}

// showResult opens the last action's result, host by host.
func (m Model) showResult() Model {
	if m.last == nil {
		return m.flash("no action has run in this session", false)
	}
	m.dlg = dialog{kind: dlgResult, result: *m.last}
	return m
}
