package tui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/views"
)

// overviewScreen is the cluster at a glance: nodes, the service matrix,
// VIPs and alerts, with a cursor in the focused panel.
type overviewScreen struct{}

func (overviewScreen) title(Model) string { return "" }

func (overviewScreen) lines(m Model, w, h int) []views.Line {
	return views.Overview(m.current(), m.ov, w, h)
}

func (overviewScreen) keyMap(m Model) help.KeyMap {
	k := m.keys
	short := []Binding{k.Help, k.NextPanel, k.Enter, k.Filter, k.Palette, k.Timeline, k.HAProxy, k.Export, k.Quit}
	if len(m.snap.Clusters) > 1 {
		short = append([]Binding{short[0], k.NextCluster}, short[1:]...)
	}
	nav := []Binding{k.Up, k.Down, k.Left, k.Right, k.NextPanel, k.PrevPanel, k.Enter, k.Back, k.PageUp, k.PageDown, k.Top, k.Bottom}
	return keyHelp{short: hintBindings(short), full: [][]key.Binding{fullHelp(nav), fullHelp(k.All()), fullHelp(k.Acts())}}
}

func (overviewScreen) handleKey(m Model, k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	return m.consoleKey(k, overviewCursor, Model.overviewKey)
}

// overviewCursor is the cell, node, VIP or alert under the overview's
// cursor.
func overviewCursor(m Model, c *cluster.Cluster) target {
	var t target
	st := m.ov
	svcs, ctrls := views.Filtered(c, st.Filter)
	if st.Col < len(ctrls) {
		t.node = c.Nodes[ctrls[st.Col]].Name
	}
	switch st.Focus {
	case views.PanelServices:
		if st.Row < len(svcs) {
			t.svc = &c.Services[svcs[st.Row]]
		}
	case views.PanelVIPs:
		if st.VIP < len(c.VIPs) {
			return target{vip: &c.VIPs[st.VIP]}
		}
		t.node = ""
	case views.PanelAlerts:
		t.node = ""
		if st.Alert < len(c.Alerts) {
			t.svc = c.Service(c.Alerts[st.Alert].Subject)
			if n := c.Node(c.Alerts[st.Alert].Subject); n != nil {
				t.node = n.Name
			}
		}
	}
	return t
}

// scrollScreen is a full screen of content the model's offset scrolls:
// the service and node details, HAProxy, the timeline and help.
type scrollScreen struct {
	name    func(m Model) string
	content func(m Model, c *cluster.Cluster) []views.Line
	cursor  func(m Model, c *cluster.Cluster) target // nil: action keys have no target here
	back    func(m Model) Model                      // esc; nil: back to the overview
}

func (s scrollScreen) title(m Model) string { return s.name(m) }

func (s scrollScreen) lines(m Model, _, h int) []views.Line {
	return views.Window(m.screenLines(), m.scroll, h)
}

func (scrollScreen) keyMap(m Model) help.KeyMap {
	k := m.keys
	short := []Binding{k.Back, k.Down, k.PageDown, k.Help, k.Quit}
	scroll := []Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Back}
	return keyHelp{short: hintBindings(short), full: [][]key.Binding{fullHelp(scroll), fullHelp(k.All())}}
}

func (s scrollScreen) handleKey(m Model, k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	return m.consoleKey(k, s.cursor, func(m Model, k tea.KeyPressMsg) Model {
		if matches(k, m.keys.Back) {
			if s.back != nil {
				return s.back(m)
			}
			m.screen, m.scroll = scrOverview, 0
			return m
		}
		return m.scrollKey(k)
	})
}

func fixedTitle(name string) func(Model) string { return func(Model) string { return name } }
func serviceTitle(m Model) string               { return "service " + m.detail }
func nodeTitle(m Model) string                  { return "node " + m.detail }

func serviceLines(m Model, c *cluster.Cluster) []views.Line {
	return views.ServiceDetail(c, m.detail, m.focus, m.w)
}
func nodeLines(m Model, c *cluster.Cluster) []views.Line {
	var link *views.Link
	if m.opts.Links != nil {
		link = m.opts.Links(c.Name, m.detail)
	}
	return views.NodeDetailWithLink(c, m.detail, m.w, link, m.now)
}
func haproxyLines(m Model, c *cluster.Cluster) []views.Line { return views.HAProxy(c, m.w) }
func timelineLines(m Model, _ *cluster.Cluster) []views.Line {
	lines, _ := views.Timeline(m.visibleIncidents(), m.timelineView(), m.w)
	return lines
}
func helpLines(m Model, _ *cluster.Cluster) []views.Line { return views.Help(m.helpSections(), m.w) }

// The service detail's cursor is the service and its focused controller;
// the node detail's is the node.
func serviceCursor(m Model, c *cluster.Cluster) target {
	return target{svc: c.Service(m.detail), node: m.focus}
}
func nodeCursor(m Model, _ *cluster.Cluster) target { return target{node: m.detail} }

// wallScreen is the NOC wall: read-only and untouched, it draws the whole
// terminal and answers only quit and help.
type wallScreen struct{}

func (wallScreen) ownsTerminal()      {}
func (wallScreen) title(Model) string { return "" }

func (wallScreen) lines(m Model, w, h int) []views.Line {
	ws := views.WallState{Now: m.now, Clusters: m.clusterNames(), Current: m.cluster, Rotate: m.opts.Rotate, Toast: m.toast}
	if m.screen == scrFleet && m.hasFleet() {
		return views.WallFleet(&m.snap, ws, m.opts.Environments, w, h)
	}
	if c := m.current(); c != nil {
		ws.Env = m.opts.Environments[c.Name]
	}
	return views.Wall(m.current(), ws, w, h)
}

func (wallScreen) keyMap(m Model) help.KeyMap {
	k := m.keys
	return keyHelp{short: hintBindings([]Binding{k.Help, k.Quit}), full: [][]key.Binding{fullHelp([]Binding{k.Help, k.Quit, k.ForceQuit})}}
}

func (wallScreen) handleKey(m Model, k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	return m.wallKey(k, overviewCursor)
}

// wallHelpScreen is help opened on the wall: help's page under the wall's
// keys, plus scrolling.
type wallHelpScreen struct{}

func (wallHelpScreen) title(m Model) string                 { return screenFor(scrHelp).title(m) }
func (wallHelpScreen) lines(m Model, w, h int) []views.Line { return screenFor(scrHelp).lines(m, w, h) }
func (wallHelpScreen) keyMap(m Model) help.KeyMap           { return screenFor(scrHelp).keyMap(m) }

func (wallHelpScreen) handleKey(m Model, k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	km := m.keys
	switch {
	case matches(k, km.Back):
		return m.closeHelp(), nil
	case matches(k, km.Down) || matches(k, km.Up) || matches(k, km.PageDown) || matches(k, km.PageUp):
		return m.scrollKey(k), nil
	}
	return m.wallKey(k, nil)
}

// dialogScreen is the open action dialog: a preview to confirm or a result.
type dialogScreen struct{}

func (dialogScreen) title(m Model) string {
	if m.dlg.kind == dlgResult {
		return "action result"
	}
	return "confirm action"
}

func (dialogScreen) lines(m Model, _, h int) []views.Line {
	return m.dialogView().Render(m.dlg.scroll, h)
}

func (dialogScreen) keyMap(m Model) help.KeyMap {
	d := m.keys.Dialog
	return keyHelp{short: []key.Binding{d.Cancel, d.Scroll, d.Quit},
		full: [][]key.Binding{{d.Cancel, d.Confirm, d.Force, d.Submit, d.Erase, d.Clear}, {d.Up, d.Down, d.PageUp, d.PageDown}}}
}

func (dialogScreen) handleKey(m Model, k tea.KeyPressMsg) (tea.Model, tea.Cmd) { return m.dialogKey(k) }

// hintBindings are bindings as the footer names them: their keys with
// their one-word hint.
func hintBindings(bs []Binding) []key.Binding {
	out := make([]key.Binding, len(bs))
	for i, b := range bs {
		out[i] = key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(b.Help().Key, b.Hint))
	}
	return out
}

// fullHelp are the bindings with their full help.
func fullHelp(bs []Binding) []key.Binding {
	out := make([]key.Binding, len(bs))
	for i, b := range bs {
		out[i] = b.Binding
	}
	return out
}
