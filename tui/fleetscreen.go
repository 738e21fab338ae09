package tui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/hacon/hacon/views"
)

// fleetScreen is the first screen when more than one cluster is
// configured: one row per cluster, trouble first. enter opens the cluster
// under the cursor; esc on a cluster's overview comes back.
type fleetScreen struct{}

func (fleetScreen) title(Model) string { return "fleet" }

func (fleetScreen) lines(m Model, w, h int) []views.Line {
	return views.Fleet(&m.snap, m.fleetView(), w, h)
}

func (m Model) fleetView() views.FleetState {
	st := m.fleet
	st.Envs = m.opts.Environments
	return st
}

func (fleetScreen) keyMap(m Model) help.KeyMap {
	k := m.keys
	open := key.NewBinding(key.WithKeys(k.Enter.Keys()...), key.WithHelp(k.Enter.Help().Key, "open"))
	short := append([]key.Binding{open}, hintBindings([]Binding{k.Filter, k.Palette, k.Timeline, k.Help, k.Quit})...)
	nav := []Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Enter, k.Back, k.Filter}
	return keyHelp{short: short, full: [][]key.Binding{fullHelp(nav), fullHelp(k.All())}}
}

func (fleetScreen) handleKey(m Model, k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	km := m.keys
	if matches(k, km.Filter) {
		return m.openPrompt(inputFleetFilter, m.fleet.Filter), nil
	}
	if b, ok := m.actionBinding(k); ok {
		if m.readOnly() { // refused and recorded like on any screen
			return m.actionKey(b, target{})
		}
		return m.flash("open a cluster first (enter): actions act on a cluster's screen", true), nil
	}
	if mm, cmd, ok := m.globalKey(k); ok {
		return mm, cmd
	}
	return m.fleetKey(k), nil
}

// fleetKey moves the fleet's cursor, opens a cluster, clears the filter.
func (m Model) fleetKey(k tea.KeyPressMsg) Model {
	km := m.keys
	idx, _ := views.FleetOrder(&m.snap, m.fleet.Filter, m.opts.Environments)
	n, page := len(idx), views.FleetRows(m.bodyHeight())
	st := &m.fleet
	switch {
	case matches(k, km.Enter):
		if st.Cursor < n {
			return m.openCluster(idx[st.Cursor])
		}
	case matches(k, km.Back):
		st.Filter, st.Cursor, st.Offset = "", 0, 0
	case matches(k, km.Up):
		st.Cursor--
	case matches(k, km.Down):
		st.Cursor++
	case matches(k, km.PageUp):
		st.Cursor -= page
	case matches(k, km.PageDown):
		st.Cursor += page
	case matches(k, km.Top):
		st.Cursor = 0
	case matches(k, km.Bottom):
		st.Cursor = n - 1
	}
	st.Cursor = max(0, min(st.Cursor, n-1))
	// Keep the cursor on screen.
	st.Offset = min(st.Offset, st.Cursor)
	if st.Cursor >= st.Offset+page {
		st.Offset = st.Cursor - page + 1
	}
	return m
}

// openCluster shows cluster i's overview.
func (m Model) openCluster(i int) Model {
	m.cluster = i
	m.ov = views.OverviewState{Focus: m.ov.Focus}
	m.screen, m.scroll = scrOverview, 0
	return m
}

// fleetHome is the screen esc returns to from a cluster's overview: the
// fleet when there is one.
func (m Model) hasFleet() bool { return len(m.snap.Clusters) > 1 }

// wallNext is the wall's next page. A round is the fleet page, then every
// cluster in the order the fleet page listed them (trouble first: what is
// wrong is on the wall soonest), then the fleet page again.
func (m Model) wallNext() Model {
	if m.screen == scrFleet {
		_, sums := views.FleetOrder(&m.snap, "", m.opts.Environments)
		m.wallOrder = make([]string, len(sums))
		for i, s := range sums {
			m.wallOrder[i] = s.Name
		}
		m.wallNextAt = 0
	}
	for m.wallNextAt < len(m.wallOrder) {
		name := m.wallOrder[m.wallNextAt]
		m.wallNextAt++
		for i := range m.snap.Clusters {
			if m.snap.Clusters[i].Name == name { // gone since the fleet page: skipped
				return m.openCluster(i)
			}
		}
	}
	m.screen, m.wallOrder = scrFleet, nil
	return m
}
