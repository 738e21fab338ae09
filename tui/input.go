package tui

import (
	"sort"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/hacon/hacon/actions"
)

// inputKey edits the open prompt (filter or palette).
func (m Model) inputKey(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch k.String() {
	case "esc":
		if m.input == inputFilter {
			m.ov.Filter, m.ov.Row, m.ov.Col = "", 0, 0
		}
		m.input, m.text = inputNone, ""
		return m, nil
	case "enter":
		if m.input == inputPalette {
			text := m.text
			m.input, m.text = inputNone, ""
			return m.execute(text)
		}
		m.input = inputNone
		return m, nil
	case "backspace", "ctrl+h":
		if r := []rune(m.text); len(r) > 0 {
			m.text = string(r[:len(r)-1])
		}
	case "ctrl+u":
		m.text = ""
	case "tab":
		if s := m.suggestions(); m.input == inputPalette && len(s) > 0 {
			m.text = m.text[:strings.LastIndex(m.text, " ")+1] + s[0] + " "
		}
	default:
		if t := k.Key().Text; t != "" {
			m.text += t
		}
	}
	if m.input == inputFilter {
		m.ov.Filter, m.ov.Row, m.ov.Col = m.text, 0, 0
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
	words := strings.Fields(m.text)
	cur := m.text[strings.LastIndex(m.text, " ")+1:]
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
		return m, tea.Quit
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
			m.cluster = i
			return m.flash("cluster "+n, false)
		}
	}
	return m.flash("no cluster "+args[0]+" (have: "+strings.Join(names, ", ")+")", true)
}
