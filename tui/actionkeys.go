package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/hacon/hacon/actions"
	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/views"
)

// actionBinding finds the action key pressed, if any.
func (m Model) actionBinding(k tea.KeyPressMsg) (Binding, bool) {
	for _, b := range m.keys.Acts() {
		if matches(k, b) {
			return b, true
		}
	}
	return Binding{}, false
}

// actionKey pre-fills the palette with the full command for the cursor's
// target; enter then plans it like a typed command (one path for both).
// In read-only mode it is refused and recorded before anything else.
func (m Model) actionKey(b Binding, t target) (tea.Model, tea.Cmd) {
	line, err := m.actionLine(b.Action, t)
	if m.readOnly() {
		if line == "" {
			line = b.Help().Key + " (" + string(b.Action) + ")"
		}
		return m.refuse(strings.TrimSpace(line))
	}
	switch {
	case m.opts.Actions == nil:
		return m.flash(string(b.Action)+": actions are not available in this console", true), nil
	case err != "":
		return m.flash(b.Help().Key+": "+err, true), nil
	}
	return m.openPrompt(inputPalette, strings.TrimPrefix(line, ":")), nil
}

// cursorWhere says where the cursor must be for an action key whose first
// argument is of this kind.
func cursorWhere(first actions.ArgKind) string {
	switch first {
	case actions.ArgResource, actions.ArgService:
		return "put the cursor on a service cell (service and node)"
	case actions.ArgVIP:
		return "put the cursor on a VIP (tab to the VIP panel)"
	}
	return "put the cursor on a node (node strip or a cell's column)"
}

// cursorHolds reports whether the cursor's target gives an argument kind.
func cursorHolds(k actions.ArgKind, svc *cluster.Service, node string, vip *cluster.VIP) bool {
	switch k {
	case actions.ArgResource, actions.ArgService:
		return svc != nil
	case actions.ArgVIP:
		return vip != nil
	case actions.ArgNode:
		return node != ""
	}
	return false
}

// actionLine is the palette command an action key pre-fills for the
// screen's cursor target, or why the cursor is not on a fitting one. The key fills the verb's first
// KeyFills arguments from the cursor; a trailing space leaves the cursor
// where the operator types the rest (a VIP's node, a power state).
func (m Model) actionLine(k actions.Kind, t target) (line, why string) {
	if m.current() == nil {
		return "", "no cluster data yet"
	}
	v, _ := actions.LookupVerb(string(k))
	filled := v.Args[:min(v.KeyFills, len(v.Args))]
	svc, node, vip := t.svc, t.node, t.vip
	for _, a := range filled { // where the cursor is, before what it holds
		if !cursorHolds(a.Kind, svc, node, vip) {
			return "", cursorWhere(filled[0].Kind)
		}
	}
	words := []string{string(k)}
	for _, a := range filled {
		switch a.Kind {
		case actions.ArgResource:
			if svc.Resource == "" {
				return "", svc.Name + " has no Pacemaker resource"
			}
			words = append(words, svc.Resource)
		case actions.ArgService:
			words = append(words, svc.Name)
		case actions.ArgVIP:
			words = append(words, vip.Name)
		case actions.ArgNode:
			words = append(words, node)
		}
	}
	if len(filled) < countRequired(v.Args) {
		words = append(words, "") // the operator types the rest
	}
	return ":" + strings.Join(words, " "), ""
}

func countRequired(args []actions.Arg) int {
	n := 0
	for _, a := range args {
		if !a.Optional {
			n++
		}
	}
	return n
}

// argCandidates are the names an action's argument can take, from the
// snapshot on screen.
func argCandidates(c *cluster.Cluster, verb string, idx int) []string {
	v, ok := actions.LookupVerb(verb)
	if c == nil || !ok || idx >= len(v.Args) {
		return nil
	}
	var out []string
	switch v.Args[idx].Kind {
	case actions.ArgResource:
		for _, r := range c.Resources {
			out = append(out, r.ID)
		}
	case actions.ArgNode:
		for _, n := range c.Nodes {
			if n.Controller {
				out = append(out, n.Name)
			}
		}
	case actions.ArgService:
		for _, s := range c.Services {
			if s.Backend != "" {
				out = append(out, s.Name)
			}
		}
	case actions.ArgVIP:
		for _, v := range c.VIPs {
			out = append(out, v.Name)
		}
	case actions.ArgPower:
		out = []string{"on", "off", "cycle"}
	case actions.ArgOff:
		out = []string{"off"}
	}
	return out
}

// actionHelp lists the action keys and verbs. In read-only mode (and
// without an executor) they are hidden behind one line saying why, as the
// issue asks of dangerous bindings.
func (m *Model) actionHelp() []views.HelpSection {
	keys := views.HelpSection{Title: "ACTION KEYS ▲ change the cluster (on the cursor's target; fill the palette)"}
	cmds := views.HelpSection{Title: "ACTION COMMANDS ▲ preview first; y or the typed node name confirms; esc cancels"}
	why := ""
	switch {
	case m.readOnly():
		why = "read-only: refused"
	case m.opts.Actions == nil:
		why = "no action executor"
	}
	if why != "" {
		var ks []string
		for _, b := range m.keys.Acts() {
			ks = append(ks, b.Help().Key)
		}
		return []views.HelpSection{{Title: "ACTIONS", Entries: []views.HelpEntry{
			{Key: strings.Join(ks, " "), Desc: "action keys on the cursor's target", Dangerous: true, Disabled: why},
			{Key: ":move :vip :fence …", Desc: "action commands", Dangerous: true, Disabled: why}}}}
	}
	for _, b := range m.keys.Acts() {
		keys.Entries = append(keys.Entries, views.HelpEntry{Key: b.Help().Key, Desc: b.Help().Desc})
	}
	for _, v := range actions.Verbs() {
		cmds.Entries = append(cmds.Entries, views.HelpEntry{Key: ":" + v.Usage(), Desc: v.Help})
	}
	return []views.HelpSection{keys, cmds}
}
