package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/hacon/hacon/views"
)

// overviewKey moves the cursor in the focused panel or opens a detail.
func (m Model) overviewKey(k tea.KeyPressMsg) Model {
	c := m.current()
	if c == nil {
		return m
	}
	km := m.keys
	svcs, ctrls := views.Filtered(c, m.ov.Filter)
	st := &m.ov
	switch {
	case matches(k, km.NextPanel):
		st.Focus = (st.Focus + 1) % views.NumPanels
	case matches(k, km.PrevPanel):
		st.Focus = (st.Focus + views.NumPanels - 1) % views.NumPanels
	case matches(k, km.Back) && st.Filter == "" && m.hasFleet():
		m.screen = scrFleet
	case matches(k, km.Back):
		st.Filter, st.Row, st.Col = "", 0, 0
	case matches(k, km.Enter):
		return m.enter(svcs, ctrls)
	case matches(k, km.Left):
		st.Col = clamp(st.Col-1, len(ctrls))
	case matches(k, km.Right):
		st.Col = clamp(st.Col+1, len(ctrls))
	case matches(k, km.Up), matches(k, km.Down), matches(k, km.PageUp), matches(k, km.PageDown), matches(k, km.Top), matches(k, km.Bottom):
		m.moveVertical(k, len(svcs), len(c.VIPs), len(c.Alerts))
	}
	return m
}

func (m *Model) moveVertical(k tea.KeyPressMsg, nSvc, nVIP, nAlert int) {
	km := m.keys
	d := 0
	page := max(1, m.h-8)
	switch {
	case matches(k, km.Up):
		d = -1
	case matches(k, km.Down):
		d = 1
	case matches(k, km.PageUp):
		d = -page
	case matches(k, km.PageDown):
		d = page
	case matches(k, km.Top):
		d = -1 << 30
	case matches(k, km.Bottom):
		d = 1 << 30
	}
	st := &m.ov
	switch st.Focus {
	case views.PanelServices:
		st.Row = clamp(st.Row+d, nSvc)
	case views.PanelVIPs:
		st.VIP = clamp(st.VIP+d, nVIP)
	case views.PanelAlerts:
		st.Alert = clamp(st.Alert+d, nAlert)
	case views.PanelNodes:
		// The node strip is one row: up/down go to the services under it.
		st.Focus = views.PanelServices
	}
}

func clamp(v, n int) int {
	if n <= 0 {
		return 0
	}
	return max(0, min(v, n-1))
}

// enter opens the detail of whatever the cursor is on.
func (m Model) enter(svcs, ctrls []int) Model {
	c := m.current()
	st := m.ov
	node := ""
	if st.Col < len(ctrls) {
		node = c.Nodes[ctrls[st.Col]].Name
	}
	switch st.Focus {
	case views.PanelServices:
		if st.Row < len(svcs) {
			return m.open(scrService, c.Services[svcs[st.Row]].Name, node)
		}
	case views.PanelNodes:
		if node != "" {
			return m.open(scrNode, node, "")
		}
	case views.PanelVIPs:
		if st.VIP < len(c.VIPs) {
			if v := c.VIPs[st.VIP]; v.Node != "" {
				return m.open(scrNode, v.Node, "")
			}
			return m.flash("VIP "+c.VIPs[st.VIP].Name+" is not running anywhere", true)
		}
	case views.PanelAlerts:
		if st.Alert < len(c.Alerts) {
			subj := c.Alerts[st.Alert].Subject
			switch {
			case c.Service(subj) != nil:
				return m.open(scrService, subj, "")
			case c.Node(subj) != nil:
				return m.open(scrNode, subj, "")
			}
			return m.flash(c.Alerts[st.Alert].Message, false)
		}
	}
	return m
}

func (m Model) open(s screenID, name, focus string) Model {
	m.screen, m.detail, m.focus, m.scroll = s, name, focus, 0
	return m
}

// scrollKey scrolls a full screen; the bound comes from the content itself.
func (m Model) scrollKey(k tea.KeyPressMsg) Model {
	km := m.keys
	page := max(1, m.h-3)
	switch {
	case matches(k, km.Up):
		m.scroll--
	case matches(k, km.Down):
		m.scroll++
	case matches(k, km.PageUp):
		m.scroll -= page
	case matches(k, km.PageDown):
		m.scroll += page
	case matches(k, km.Top):
		m.scroll = 0
	case matches(k, km.Bottom):
		m.scroll = 1 << 30
	default:
		return m
	}
	m.scroll = views.ClampScroll(m.scroll, len(m.screenLines()), m.bodyHeight())
	return m
}
