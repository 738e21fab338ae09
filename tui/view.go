package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/views"
)

// View renders the screen. It only reads the model.
func (m Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
	if c := m.current(); c != nil {
		v.WindowTitle = "hacon · " + c.Name
	}
	return v
}

// Render is the screen as a string (View without the tea wrapper).
func (m Model) Render() string {
	w, h := m.w, m.h
	c := m.current()
	if c == nil {
		return m.styles.Render([]views.Line{{views.S(views.Warn, "▲ no cluster data yet (no clusters configured, or the first poll is running)")},
			{views.S(views.Dim, "q quits")}}, w)
	}
	if m.opts.Wall && m.screen != scrHelp {
		ws := views.WallState{Now: m.now, Clusters: m.clusterNames(), Current: m.cluster, Rotate: m.opts.Rotate, Toast: m.toast}
		return m.styles.Render(views.Wall(c, ws, w, h), w)
	}
	hi := views.HeaderInfo{Clusters: m.clusterNames(), Current: m.cluster, Others: views.Others(&m.snap, m.cluster),
		Screen: m.screenName(), ReadOnly: m.readOnly(), Wall: m.opts.Wall}
	var body []views.Line
	switch {
	case m.dlg.kind != dlgNone:
		body = m.dialogView().Render(m.dlg.scroll, m.bodyHeight())
	case m.screen == scrOverview:
		body = views.Overview(c, m.ov, w, m.bodyHeight())
	default:
		body = views.Window(m.screenLines(), m.scroll, m.bodyHeight())
	}
	fi := views.FooterInfo{Toast: m.toast, ToastBad: m.toastBad, Hints: m.hints()}
	if fi.Toast == "" {
		fi.Toast = m.actionStatus()
	}
	switch m.input {
	case inputFilter:
		fi.Prompt, fi.Input = "/", m.text
	case inputPalette:
		fi.Prompt, fi.Input, fi.Suggest = ":", m.text, m.suggestions()
	}
	return views.Compose(m.styles, w, h, views.Header(c, hi, w), body, views.Footer(fi, w))
}

func (m Model) bodyHeight() int { return max(0, m.h-2) }

// screenLines is the full content of a scrolling screen.
func (m Model) screenLines() []views.Line {
	c := m.current()
	if c == nil {
		return nil
	}
	return views.WrapLines(m.rawScreenLines(c), m.w)
}

func (m Model) rawScreenLines(c *cluster.Cluster) []views.Line {
	switch m.screen {
	case scrService:
		return views.ServiceDetail(c, m.detail, m.focus, m.w)
	case scrNode:
		return views.NodeDetail(c, m.detail, m.w)
	case scrHAProxy:
		return views.HAProxy(c, m.w)
	case scrTimeline:
		return views.Timeline(m.events, m.w)
	case scrHelp:
		return views.Help(m.helpSections(), m.w)
	}
	return nil
}

func (m Model) screenName() string {
	switch {
	case m.dlg.kind == dlgPreview:
		return "confirm action"
	case m.dlg.kind == dlgResult:
		return "action result"
	}
	switch m.screen {
	case scrService:
		return "service " + m.detail
	case scrNode:
		return "node " + m.detail
	case scrHAProxy:
		return "haproxy"
	case scrTimeline:
		return "timeline"
	case scrHelp:
		return "help"
	}
	return ""
}
