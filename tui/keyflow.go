package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/timeline"
	"github.com/hacon/hacon/views"
)

func matches(k tea.KeyPressMsg, b Binding) bool { return key.Matches(k, b.Binding) }

// onKey routes a key: ctrl-c first (it must always work), then an open
// prompt (unless a dialog is up), then the active screen.
func (m Model) onKey(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if matches(k, m.keys.ForceQuit) {
		return m.forceQuit()
	}
	if !matches(k, m.keys.Quit) {
		m.quitArmed = false
	}
	if m.input != inputNone && m.dlg.kind == dlgNone {
		return m.inputKey(k)
	}
	return m.active().handleKey(m, k)
}

// forceQuit quits on ctrl-c, except that with a prompt or an action
// dialog open, or an action running, the first press only arms it: a stray
// ctrl-c must not lose a half-typed command or a confirmation, and the
// operator should know that quitting waits for a running action.
func (m Model) forceQuit() (tea.Model, tea.Cmd) {
	if m.quitArmed {
		return m, tea.Quit
	}
	m.quitArmed = true
	switch {
	case m.dlg.kind != dlgNone:
		return m.flash("press ctrl+c again to quit (esc cancels the dialog)", false), nil
	case m.input != inputNone:
		return m.flash("press ctrl+c again to quit (esc closes the prompt)", false), nil
	case len(m.running) > 0:
		return m.flash("an action is running: ctrl+c again closes the console; hacon still waits for its result", false), nil
	}
	return m, tea.Quit
}

// quit leaves the console (q, :q), except while an action runs: while its
// commands run, the console says so and leaves by itself once the result
// is in the audit log; while it verifies, a second q leaves and the
// verification is recorded as abandoned.
func (m Model) quit() (Model, tea.Cmd) {
	if len(m.running) == 0 {
		return m, tea.Quit
	}
	label := m.running[0].label
	if m.commandsRunning() {
		m.quitPending = true
		return m.flashFor("leaving once the result is logged: "+label+" runs its commands", false, resultFor), nil
	}
	if m.quitArmed {
		return m, tea.Quit
	}
	m.quitArmed = true
	return m.flashFor("q again leaves: result logged, verification abandoned of "+label, false, resultFor), nil
}

// allowed refuses a dangerous binding in read-only mode, visibly.
func (m Model) allowed(b Binding) (Model, bool) {
	if b.Dangerous && m.readOnly() {
		return m.flash("read-only: "+b.Help().Desc+" refused", true), false
	}
	return m, true
}

func (m Model) globalKey(k tea.KeyPressMsg) (Model, tea.Cmd, bool) {
	km := m.keys
	for _, b := range km.All() {
		if matches(k, b) {
			var ok bool
			if m, ok = m.allowed(b); !ok {
				return m, nil, true
			}
			break
		}
	}
	switch {
	case matches(k, km.Quit):
		mm, cmd := m.quit()
		return mm, cmd, true
	case matches(k, km.Help):
		return m.toggle(scrHelp), nil, true
	case matches(k, km.Timeline):
		return m.toggle(scrTimeline), nil, true
	case matches(k, km.HAProxy):
		return m.toggle(scrHAProxy), nil, true
	case matches(k, km.Filter):
		m = m.openPrompt(inputFilter, m.ov.Filter)
		m.screen = scrOverview
		return m, nil, true
	case matches(k, km.Palette):
		return m.openPrompt(inputPalette, ""), nil, true
	case matches(k, km.Export):
		mm, cmd := m.export()
		return mm, cmd, true
	case matches(k, km.Result):
		return m.showResult(), nil, true
	case matches(k, km.PrevCluster):
		return m.switchCluster(-1), nil, true
	case matches(k, km.NextCluster):
		return m.switchCluster(+1), nil, true
	}
	return m, nil, false
}

// toggle opens a full screen, or closes it when it is already open.
func (m Model) toggle(s screenID) Model {
	if m.screen == s {
		if s == scrHelp {
			return m.closeHelp()
		}
		m.screen = scrOverview
		return m
	}
	if s == scrHelp {
		m.helpFrom = m.screen
	}
	m.screen, m.scroll = s, 0
	return m
}

func (m Model) switchCluster(d int) Model {
	n := len(m.snap.Clusters)
	if n < 2 {
		return m.flash("only one cluster configured", false)
	}
	m.cluster = ((m.cluster+d)%n + n) % n
	m.ov = views.OverviewState{Focus: m.ov.Focus, Filter: m.ov.Filter}
	m.screen, m.scroll = scrOverview, 0
	return m
}

// export renders the incident report now (it is pure) and writes it in
// a command: the session's incidents of the cluster on screen, and its
// current state.
func (m Model) export() (Model, tea.Cmd) {
	c := m.current()
	if c == nil {
		return m.flash("nothing to export yet", true), nil
	}
	var incs []*timeline.Incident
	for _, inc := range m.incidents.Incidents() {
		if inc.Cluster == c.Name {
			incs = append(incs, inc)
		}
	}
	md := views.Markdown(views.Report{Cluster: c, Taken: m.snap.Taken, Incidents: incs, Version: m.opts.Version, From: "this session"})
	name := views.ExportName(c.Name, m.now)
	return m.flash("exporting…", false), exportCmd(m.opts.ExportDir, name, md)
}

// closeHelp returns to the screen help was opened from.
func (m Model) closeHelp() Model {
	m.screen = m.helpFrom
	return m
}

// wallKey: the wall is read-only and untouched; only quit and help work.
// Action keys are refused and recorded, naming the cursor's target.
func (m Model) wallKey(k tea.KeyPressMsg, cursor func(Model, *cluster.Cluster) target) (tea.Model, tea.Cmd) {
	switch {
	case matches(k, m.keys.Quit):
		return m, tea.Quit
	case matches(k, m.keys.Help):
		return m.toggle(scrHelp), nil
	}
	if b, ok := m.actionBinding(k); ok {
		return m.actionKey(b, m.targetOf(cursor))
	}
	return m.flash("read-only: wall mode accepts only q and ?", true), nil
}
