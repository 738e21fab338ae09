package tui

import (
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/hacon/hacon/actions"
	"github.com/hacon/hacon/views"
)

// openPrompt opens the filter or the palette with text in it.
func (m Model) openPrompt(mode inputMode, text string) Model {
	pk := m.keys.Prompt
	m.input, m.editor = mode, newLineEditor(pk.Erase, pk.Clear).withValue(text)
	return m
}

// closePrompt closes the prompt, dropping its text.
func (m Model) closePrompt() Model {
	m.input, m.editor = inputNone, lineEditor{}
	return m
}

// text is the open prompt's text.
func (m Model) text() string { return m.editor.Value() }

// inputKey edits the open prompt (filter or palette). The filter applies
// as it is typed.
func (m Model) inputKey(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	pk := m.keys.Prompt
	switch {
	case key.Matches(k, pk.Cancel):
		switch m.input {
		case inputFilter:
			m.ov.Filter, m.ov.Row, m.ov.Col = "", 0, 0
		case inputTimelineFilter:
			m.tl.filter, m.tl.cursor = "", 0
		case inputFleetFilter:
			m.fleet = views.FleetState{}
		}
		return m.closePrompt(), nil
	case key.Matches(k, pk.Submit):
		if m.input == inputPalette {
			text := m.text()
			return m.closePrompt().execute(text)
		}
		m.input = inputNone
		return m, nil
	case key.Matches(k, pk.Complete):
		if s := m.suggestions(); m.input == inputPalette && len(s) > 0 {
			t := m.text()
			m.editor = m.editor.withValue(t[:strings.LastIndex(t, " ")+1] + s[0] + " ")
		}
	default:
		m.editor = m.editor.update(k)
	}
	switch m.input {
	case inputFilter:
		m.ov.Filter, m.ov.Row, m.ov.Col = m.text(), 0, 0
	case inputTimelineFilter:
		m.tl.filter, m.tl.cursor, m.scroll = m.text(), 0, 0
	case inputFleetFilter:
		m.fleet = views.FleetState{Filter: m.text()}
	}
	return m, nil
}

// commandNames are the built-in and registered palette commands, sorted.
func (m Model) commandNames() []string {
	names := append([]string(nil), builtinNames...)
	for n := range m.opts.Commands {
		names = append(names, n)
	}
	if m.opts.Actions != nil {
		for _, v := range actions.Verbs() {
			names = append(names, string(v.Kind))
		}
	}
	sort.Strings(names)
	return names
}

// suggestions complete the palette's word under the cursor: the command,
// then an action's arguments (resources, nodes, services, VIPs) from the
// snapshot on screen.
func (m Model) suggestions() []string {
	if m.input != inputPalette {
		return nil
	}
	text := m.text()
	words := strings.Fields(text)
	cur := text[strings.LastIndex(text, " ")+1:]
	cands := m.commandNames()
	if len(words) > 1 || (len(words) == 1 && cur == "") {
		idx := len(words) - 2
		if cur == "" {
			idx++
		}
		if m.opts.Actions == nil || !isActionVerb(words[0]) {
			return nil
		}
		cands = argCandidates(m.current(), words[0], idx)
	}
	var out []string
	for _, n := range cands {
		if strings.HasPrefix(n, cur) && n != cur {
			out = append(out, n)
		}
	}
	return out
}

// execute runs a palette line: built-ins first, then registered commands.
// A dangerous command in read-only mode is refused and never called.
func (m Model) execute(line string) (tea.Model, tea.Cmd) {
	f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), ":"))
	if len(f) == 0 {
		return m, nil
	}
	name, args := f[0], f[1:]
	switch name {
	case "q", "quit":
		return m.quit()
	case "help":
		return m.toggle(scrHelp), nil
	case "timeline":
		return m.open(scrTimeline, "", ""), nil
	case "haproxy":
		return m.open(scrHAProxy, "", ""), nil
	case "export":
		return m.export()
	case "cluster":
		return m.clusterCommand(args), nil
	case "result":
		return m.showResult(), nil
	}
	if isActionVerb(name) && (m.opts.Actions != nil || m.readOnly()) {
		return m.paletteAction(f)
	}
	c, ok := m.opts.Commands[name]
	if !ok {
		return m.flash("unknown command :"+name+" (? lists commands)", true), nil
	}
	if c.Dangerous && m.readOnly() {
		return m.flash("read-only: :"+name+" changes the cluster and is refused", true), nil
	}
	if c.Run == nil {
		return m.flash(":"+name+" has nothing to run", true), nil
	}
	return m.flash("running :"+strings.Join(f, " ")+" …", false), runCommand(m.ctx, name, c.Run, args)
}

func (m Model) clusterCommand(args []string) Model {
	names := m.clusterNames()
	if len(args) == 0 {
		return m.flash("clusters: "+strings.Join(names, ", "), false)
	}
	for i, n := range names {
		if n == args[0] {
			m = m.switchCluster(i - m.cluster)
			m = m.openCluster(i)
			return m.flash("cluster "+n, false)
		}
	}
	return m.flash("no cluster "+args[0]+" (have: "+strings.Join(names, ", ")+")", true)
}
