package tui

import (
	"sort"

	"charm.land/bubbles/v2/key"

	"github.com/hacon/hacon/actions"
	"github.com/hacon/hacon/views"
)

// Binding is a key binding as data: its keys and help text (key.Binding),
// whether it changes the cluster, and whether the wall accepts it. Help and
// the footer are generated from these, and the dispatcher refuses
// Dangerous bindings in read-only mode, so neither can drift.
type Binding struct {
	key.Binding
	Hint      string // the footer's one-word label, where a screen hints it
	Dangerous bool
	Wall      bool         // accepted in wall mode (only quit and help)
	Action    actions.Kind // the palette verb an action key pre-fills; "" otherwise
}

// KeyMap is every key the console answers to.
type KeyMap struct {
	Up, Down, Left, Right    Binding
	NextPanel, PrevPanel     Binding
	Enter, Back              Binding
	PageUp, PageDown         Binding
	Top, Bottom              Binding
	Filter, Palette, Help    Binding
	Timeline, HAProxy        Binding
	Export                   Binding
	PrevCluster, NextCluster Binding
	Quit, ForceQuit          Binding
	Result                   Binding

	// Operator actions on the cursor's target, one per verb of the verb
	// table that has a key: each pre-fills the palette with the full
	// command (k9s style), so keys and typed commands share one path
	// through preview and confirmation.
	Actions []Binding

	Prompt PromptKeyMap // the filter and palette prompt
	Dialog DialogKeyMap // the action dialog
}

// actionBindings are the verb table's action keys, in its order.
func actionBindings() []Binding {
	var out []Binding
	for _, v := range actions.Verbs() {
		if v.Key == "" {
			continue
		}
		b := bind([]string{v.Key}, v.Key, v.KeyHelp)
		b.Dangerous, b.Action = true, v.Kind
		out = append(out, b)
	}
	return out
}

func bind(keys []string, helpKey, desc string) Binding {
	return Binding{Binding: key.NewBinding(key.WithKeys(keys...), key.WithHelp(helpKey, desc))}
}

// DefaultKeyMap is hacon's key map: arrows and hjkl, k9s-style palette.
func DefaultKeyMap() KeyMap {
	k := KeyMap{
		Up:          bind([]string{"up", "k"}, "↑/k", "up"),
		Down:        bind([]string{"down", "j"}, "↓/j", "down"),
		Left:        bind([]string{"left", "h"}, "←/h", "left (previous controller)"),
		Right:       bind([]string{"right", "l"}, "→/l", "right (next controller)"),
		NextPanel:   bind([]string{"tab"}, "tab", "next panel"),
		PrevPanel:   bind([]string{"shift+tab"}, "shift+tab", "previous panel"),
		Enter:       bind([]string{"enter"}, "enter", "details of the selection"),
		Back:        bind([]string{"esc"}, "esc", "back / clear filter"),
		PageUp:      bind([]string{"pgup", "ctrl+u"}, "pgup", "page up"),
		PageDown:    bind([]string{"pgdown", "ctrl+d", "space"}, "pgdn", "page down"),
		Top:         bind([]string{"home", "g"}, "g/home", "top"),
		Bottom:      bind([]string{"end", "G"}, "G/end", "bottom"),
		Filter:      bind([]string{"/"}, "/", "filter services and nodes"),
		Palette:     bind([]string{":"}, ":", "command palette"),
		Help:        bind([]string{"?"}, "?", "help"),
		Timeline:    bind([]string{"t"}, "t", "timeline of incidents"),
		HAProxy:     bind([]string{"H"}, "H", "HAProxy backends and servers"),
		Export:      bind([]string{"e"}, "e", "export an incident report (Markdown)"),
		PrevCluster: bind([]string{"["}, "[", "previous cluster"),
		NextCluster: bind([]string{"]"}, "]", "next cluster"),
		Quit:        bind([]string{"q"}, "q", "quit"),
		ForceQuit:   bind([]string{"ctrl+c"}, "ctrl+c", "quit (twice when a prompt or dialog is open)"),
		Result:      bind([]string{"R"}, "R", "result of the last action, host by host"),
		Actions:     actionBindings(),
		Prompt:      defaultPromptKeys(),
		Dialog:      defaultDialogKeys(),
	}
	k.Quit.Wall, k.ForceQuit.Wall, k.Help.Wall = true, true, true
	// The footer's one-word labels, for the screens that hint these keys.
	k.Help.Hint, k.NextCluster.Hint, k.NextPanel.Hint, k.Enter.Hint = "help", "cluster", "panel", "detail"
	k.Filter.Hint, k.Palette.Hint, k.Timeline.Hint, k.HAProxy.Hint = "filter", "cmd", "timeline", "haproxy"
	k.Export.Hint, k.Quit.Hint, k.Back.Hint, k.Down.Hint, k.PageDown.Hint = "export", "quit", "back", "scroll", "page"
	return k
}

// All lists the bindings in help order.
func (k KeyMap) All() []Binding {
	return []Binding{k.Up, k.Down, k.Left, k.Right, k.NextPanel, k.PrevPanel, k.Enter, k.Back,
		k.PageUp, k.PageDown, k.Top, k.Bottom, k.Filter, k.Palette, k.Help, k.Timeline, k.HAProxy,
		k.Export, k.PrevCluster, k.NextCluster, k.Result, k.Quit, k.ForceQuit}
}

// Acts lists the action bindings in help order.
func (k KeyMap) Acts() []Binding {
	return k.Actions
}

// builtins are the palette's own commands, with their help.
var builtins = []views.HelpEntry{
	{Key: ":q, :quit", Desc: "quit"},
	{Key: ":cluster NAME", Desc: "switch to a cluster (no name: list them)"},
	{Key: ":help", Desc: "this help"},
	{Key: ":timeline", Desc: "timeline of incidents"},
	{Key: ":haproxy", Desc: "HAProxy backends and servers"},
	{Key: ":export", Desc: "export an incident report (Markdown)"},
	{Key: ":result", Desc: "result of the last action, host by host"},
}

var builtinNames = []string{"q", "quit", "cluster", "help", "timeline", "haproxy", "export", "result"}

// helpSections generates the help screen's key and command sections.
func (m *Model) helpSections() []views.HelpSection {
	keys := views.HelpSection{Title: "KEYS"}
	for _, b := range m.keys.All() {
		e := views.HelpEntry{Key: b.Help().Key, Desc: b.Help().Desc, Dangerous: b.Dangerous}
		switch {
		case m.opts.Wall && !b.Wall:
			e.Disabled = "wall mode: refused"
		case b.Dangerous && m.readOnly():
			e.Disabled = "read-only: refused"
		}
		keys.Entries = append(keys.Entries, e)
	}
	cmds := views.HelpSection{Title: "COMMANDS (: palette, tab completes)"}
	cmds.Entries = append(cmds.Entries, builtins...)
	names := make([]string, 0, len(m.opts.Commands))
	for n := range m.opts.Commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c := m.opts.Commands[n]
		e := views.HelpEntry{Key: ":" + n, Desc: c.Help, Dangerous: c.Dangerous}
		if c.Dangerous && m.readOnly() {
			e.Disabled = "read-only: refused"
		}
		cmds.Entries = append(cmds.Entries, e)
	}
	return append(append([]views.HelpSection{keys}, m.actionHelp()...), cmds)
}
