package tui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/views"
)

// screenID names the full screens the console can be on. The action
// dialog and the wall are screens too, but they are drawn over whichever
// of these is current (see active), so they need no ID.
type screenID int

const (
	scrOverview screenID = iota
	scrService
	scrNode
	scrHAProxy
	scrTimeline
	scrHelp
	scrFleet // more than one cluster: the first screen
)

// screen is the contract every page of the console keeps, as soft-serve's
// components and k9s's views do: its title for the header, its body for a
// size, its keys as charm's help.KeyMap (the footer's hints are its
// ShortHelp, so they cannot drift from the keys it answers) and its
// handling of a key. Screens hold no state: the model is the one value
// Update changes, and a screen reads it and returns a new one.
type screen interface {
	title(m Model) string
	lines(m Model, w, h int) []views.Line
	keyMap(m Model) help.KeyMap
	handleKey(m Model, k tea.KeyPressMsg) (tea.Model, tea.Cmd)
}

// fullScreen is a screen that draws the whole terminal itself (the wall):
// the console puts no header or footer around it.
type fullScreen interface {
	screen
	ownsTerminal()
}

// active is the screen keys go to and the body shows: an open dialog, else
// the wall (unless its help is open), else the current full screen.
func (m Model) active() screen {
	switch {
	case m.dlg.kind != dlgNone:
		return dialogScreen{}
	case m.opts.Wall && m.screen == scrHelp:
		return wallHelpScreen{}
	case m.opts.Wall:
		return wallScreen{}
	}
	return screenFor(m.screen)
}

// screenFor is the implementation of a full screen.
func screenFor(id screenID) screen {
	switch id {
	case scrService:
		return scrollScreen{name: serviceTitle, content: serviceLines, cursor: serviceCursor}
	case scrNode:
		return scrollScreen{name: nodeTitle, content: nodeLines, cursor: nodeCursor}
	case scrHAProxy:
		return scrollScreen{name: fixedTitle("haproxy"), content: haproxyLines}
	case scrTimeline:
		return timelineScreen{}
	case scrHelp:
		return scrollScreen{name: fixedTitle("help"), content: helpLines, back: Model.closeHelp}
	case scrFleet:
		return fleetScreen{}
	}
	return overviewScreen{}
}

// keyHelp is a screen's keys as a help.KeyMap.
type keyHelp struct {
	short []key.Binding // the footer's hints, each with its one-word label
	full  [][]key.Binding
}

func (k keyHelp) ShortHelp() []key.Binding  { return k.short }
func (k keyHelp) FullHelp() [][]key.Binding { return k.full }

// hintsOf are the footer's hints: a key map's short help.
func hintsOf(km help.KeyMap) []views.Hint {
	short := km.ShortHelp()
	out := make([]views.Hint, len(short))
	for i, b := range short {
		out[i] = views.Hint{Key: b.Help().Key, Desc: b.Help().Desc}
	}
	return out
}

// target is what the cursor of a screen points at, for the action keys: a
// service and node (a matrix cell), a node, or a VIP.
type target struct {
	svc  *cluster.Service
	node string
	vip  *cluster.VIP
}

// consoleKey is how the normal screens route a key: an action key acts on
// the screen's cursor, then the global keys, then the screen's own.
func (m Model) consoleKey(k tea.KeyPressMsg, cursor func(Model, *cluster.Cluster) target, own func(Model, tea.KeyPressMsg) Model) (tea.Model, tea.Cmd) {
	if b, ok := m.actionBinding(k); ok {
		return m.actionKey(b, m.targetOf(cursor))
	}
	if mm, cmd, ok := m.globalKey(k); ok {
		return mm, cmd
	}
	return own(m, k), nil
}

// targetOf is what a screen's cursor points at now (nothing before the
// first snapshot, or on a screen without a cursor).
func (m Model) targetOf(cursor func(Model, *cluster.Cluster) target) target {
	if c := m.current(); c != nil && cursor != nil {
		return cursor(m, c)
	}
	return target{}
}
