package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/hacon/hacon/views"
)

func matches(k tea.KeyPressMsg, b Binding) bool { return key.Matches(k, b.Binding) }

// onKey routes a key: ctrl-c first (it must always work), then an open
// prompt, then wall mode, then global keys, then the screen's own keys.
func (m Model) onKey(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if matches(k, m.keys.ForceQuit) {
		return m.forceQuit()
	}
	m.quitArmed = false
	switch {
	case m.dlg.kind != dlgNone:
		return m.dialogKey(k)
	case m.input != inputNone:
		return m.inputKey(k)
	case m.opts.Wall:
		return m.wallKey(k)
	}
	if b, ok := m.actionBinding(k); ok {
		return m.actionKey(b)
	}
	if mm, cmd, ok := m.globalKey(k); ok {
		return mm, cmd
	}
	switch m.screen {
	case scrOverview:
		return m.overviewKey(k), nil
	default:
		return m.scrollKey(k), nil
	}
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
		return m.flash("an action is running: ctrl+c again quits once it has finished", false), nil
	}
	return m, tea.Quit
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
		return m, tea.Quit, true
	case matches(k, km.Help):
		return m.toggle(scrHelp), nil, true
	case matches(k, km.Timeline):
		return m.toggle(scrTimeline), nil, true
	case matches(k, km.HAProxy):
		return m.toggle(scrHAProxy), nil, true
	case matches(k, km.Filter):
		m.input, m.text, m.screen = inputFilter, m.ov.Filter, scrOverview
		return m, nil, true
	case matches(k, km.Palette):
		m.input, m.text = inputPalette, ""
		return m, nil, true
	case matches(k, km.Export):
		mm, cmd := m.export()
		return mm, cmd, true
	case matches(k, km.Result):
		return m.showResult(), nil, true
	case matches(k, km.PrevCluster):
		return m.switchCluster(-1), nil, true
	case matches(k, km.NextCluster):
		return m.switchCluster(+1), nil, true
	case matches(k, km.Back) && m.screen == scrHelp:
		m.screen = m.helpFrom
		return m, nil, true
	case matches(k, km.Back) && m.screen != scrOverview:
		m.screen, m.scroll = scrOverview, 0
		return m, nil, true
	}
	return m, nil, false
}

// toggle opens a full screen, or closes it when it is already open.
func (m Model) toggle(s screen) Model {
	if m.screen == s {
		if s == scrHelp {
			m.screen = m.helpFrom
		} else {
			m.screen = scrOverview
		}
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

// export renders the Markdown now (it is pure) and writes it in a command.
func (m Model) export() (Model, tea.Cmd) {
	c := m.current()
	if c == nil {
		return m.flash("nothing to export yet", true), nil
	}
	md := views.Markdown(c, m.snap.Taken, m.events, m.opts.Version)
	name := views.ExportName(c.Name, m.now)
	return m.flash("exporting…", false), exportCmd(m.opts.ExportDir, name, md)
}

// wallKey: the wall is read-only and untouched; only quit and help work.
func (m Model) wallKey(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch {
	case matches(k, m.keys.Quit):
		return m, tea.Quit
	case matches(k, m.keys.Help):
		return m.toggle(scrHelp), nil
	case matches(k, m.keys.Back) && m.screen == scrHelp:
		m.screen = m.helpFrom
		return m, nil
	case m.screen == scrHelp && (matches(k, m.keys.Down) || matches(k, m.keys.Up) || matches(k, m.keys.PageDown) || matches(k, m.keys.PageUp)):
		return m.scrollKey(k), nil
	}
	if b, ok := m.actionBinding(k); ok {
		return m.actionKey(b) // refused and recorded
	}
	return m.flash("read-only: wall mode accepts only q and ?", true), nil
}
