package tui

import (
	tea "charm.land/bubbletea/v2"

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
	s := m.active()
	if _, ok := s.(fullScreen); ok {
		return m.styles.Render(s.lines(m, w, h), w)
	}
	env := m.opts.Environments[c.Name]
	hi := views.HeaderInfo{Clusters: m.clusterNames(), Current: m.cluster, Others: views.Others(&m.snap, m.cluster),
		Screen: s.title(m), ReadOnly: m.readOnly(), Wall: m.opts.Wall, Env: env}
	body := s.lines(m, w, m.bodyHeight())
	fi := views.FooterInfo{Toast: m.toast, ToastBad: m.toastBad, Hints: hintsOf(s.keyMap(m)), Env: env}
	if fi.Toast == "" {
		fi.Toast = m.actionStatus()
	}
	switch m.input {
	case inputFilter, inputTimelineFilter, inputFleetFilter:
		fi.Prompt, fi.Input = "/", m.text()
	case inputPalette:
		fi.Prompt, fi.Input, fi.Suggest = ":", m.text(), m.suggestions()
	}
	return views.Compose(m.styles, w, h, views.Header(c, hi, w), body, views.Footer(fi, w))
}

func (m Model) bodyHeight() int { return max(0, m.h-2) }

// screenLines is the full content of the current scrolling screen,
// wrapped to the width; nil on the overview.
func (m Model) screenLines() []views.Line {
	c := m.current()
	if c == nil {
		return nil
	}
	if m.screen == scrTimeline {
		return timelineLines(m, c)
	}
	s, ok := screenFor(m.screen).(scrollScreen)
	if !ok {
		return nil
	}
	return views.WrapLines(s.content(m, c), m.w)
}
