package tui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/hacon/hacon/timeline"
	"github.com/hacon/hacon/views"
)

// timelineScreen lists the session's incidents newest first: a cursor
// moves between them, enter expands one into its cause, actions, impact
// and events, and / filters by cluster, node, service or severity.
type timelineScreen struct{}

func (timelineScreen) title(Model) string { return "timeline" }

func (timelineScreen) lines(m Model, w, h int) []views.Line {
	lines, cur := views.Timeline(m.visibleIncidents(), m.timelineView(), w)
	off := m.scroll
	if off == 0 {
		off = max(0, cur-h+2) // keep the cursor's incident in sight
	}
	return views.Window(lines, off, h)
}

func (timelineScreen) keyMap(m Model) help.KeyMap {
	k := m.keys
	expand := hintAs(k.Enter, "expand")
	filter := hintAs(k.Filter, "filter")
	short := []Binding{k.Back, k.Down, expand, filter, k.Export, k.Help, k.Quit}
	nav := []Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, expand, filter, k.Back}
	return keyHelp{short: hintBindings(short), full: [][]key.Binding{fullHelp(nav), fullHelp(k.All())}}
}

// hintAs is a binding with another footer label and help text, for a
// screen where the key means something of its own.
func hintAs(b Binding, hint string) Binding {
	b.Hint = hint
	b.Binding.SetHelp(b.Help().Key, hint)
	return b
}

func (timelineScreen) handleKey(m Model, k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	km := m.keys
	switch {
	case matches(k, km.Filter):
		return m.openPrompt(inputTimelineFilter, m.tl.filter), nil
	case matches(k, km.Enter):
		return m.toggleIncident(), nil
	case matches(k, km.Back) && m.tl.filter != "":
		m.tl.filter, m.tl.cursor, m.scroll = "", 0, 0
		return m, nil
	case matches(k, km.Up), matches(k, km.Down), matches(k, km.Top), matches(k, km.Bottom):
		return m.moveIncidentCursor(k), nil
	}
	return m.consoleKey(k, nil, func(m Model, k tea.KeyPressMsg) Model {
		if matches(k, m.keys.Back) {
			m.screen, m.scroll = scrOverview, 0
			return m
		}
		return m.scrollKey(k)
	})
}

// visibleIncidents are the incidents the timeline's filter lets through,
// newest first.
func (m Model) visibleIncidents() []*timeline.Incident {
	return views.FilterIncidents(m.incidents.Incidents(), m.tl.filter)
}

func (m Model) timelineView() views.TimelineState {
	now := m.now
	if m.snap.Taken.After(now) {
		now = m.snap.Taken
	}
	return views.TimelineState{Cursor: m.tl.cursor, Expanded: m.tl.expanded, Filter: m.tl.filter, Now: now}
}

func (m Model) moveIncidentCursor(k tea.KeyPressMsg) Model {
	n := len(m.visibleIncidents())
	km := m.keys
	switch {
	case matches(k, km.Up):
		m.tl.cursor--
	case matches(k, km.Down):
		m.tl.cursor++
	case matches(k, km.Top):
		m.tl.cursor = 0
	case matches(k, km.Bottom):
		m.tl.cursor = n - 1
	}
	m.tl.cursor, m.scroll = clamp(m.tl.cursor, n), 0
	return m
}

// toggleIncident expands or folds the incident under the cursor.
func (m Model) toggleIncident() Model {
	incs := m.visibleIncidents()
	if m.tl.cursor >= len(incs) {
		return m
	}
	id := incs[m.tl.cursor].ID
	exp := make(map[string]bool, len(m.tl.expanded)+1)
	for k, v := range m.tl.expanded {
		exp[k] = v
	}
	exp[id] = !exp[id]
	m.tl.expanded = exp
	return m
}
