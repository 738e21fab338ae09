package tui

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// PromptKeyMap is the keys of the filter and palette prompt.
type PromptKeyMap struct {
	Cancel, Submit, Complete key.Binding
	Erase, Clear             key.Binding // the line editor's own
}

// DialogKeyMap is the keys of the action dialog. Up and Down scroll at
// every stage; the console's j and k scroll too while nothing is typed.
type DialogKeyMap struct {
	Cancel, Confirm, Force     key.Binding
	Submit, Erase, Clear       key.Binding // a typed answer
	Up, Down, PageUp, PageDown key.Binding
	// Scroll and Quit are the footer's hints: both arrows, and ctrl+c
	// pressed twice.
	Scroll, Quit key.Binding
}

func keys(ks ...string) key.Binding { return key.NewBinding(key.WithKeys(ks...)) }

func defaultPromptKeys() PromptKeyMap {
	return PromptKeyMap{Cancel: keys("esc"), Submit: keys("enter"), Complete: keys("tab"),
		Erase: keys("backspace", "ctrl+h"), Clear: keys("ctrl+u")}
}

func defaultDialogKeys() DialogKeyMap {
	return DialogKeyMap{
		Cancel:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		Confirm: keys("y"), Force: keys("f"),
		Submit: keys("enter"), Erase: keys("backspace", "ctrl+h"), Clear: keys("ctrl+u"),
		Up: keys("up"), Down: keys("down"), PageUp: keys("pgup"), PageDown: keys("pgdown"),
		Scroll: key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑↓", "scroll")),
		Quit:   key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c ×2", "quit")),
	}
}

// lineEditor is a one-line editor: bubbles' textinput with only typing,
// erase and clear bound. The footer draws the text with a block cursor
// after it, so the cursor stays at the end: no key moves it.
type lineEditor struct{ ti textinput.Model }

func newLineEditor(erase, clear key.Binding) lineEditor {
	ti := textinput.New()
	ti.SetVirtualCursor(false) // the footer draws the cursor: no blink ticks
	ti.KeyMap = textinput.KeyMap{DeleteCharacterBackward: erase, DeleteBeforeCursor: clear}
	ti.Focus()
	return lineEditor{ti: ti}
}

// Value is the text typed so far.
func (e lineEditor) Value() string { return e.ti.Value() }

// withValue replaces the text, the cursor after it.
func (e lineEditor) withValue(s string) lineEditor {
	e.ti.SetValue(s)
	e.ti.CursorEnd()
	return e
}

// update edits the text with a key.
func (e lineEditor) update(k tea.KeyPressMsg) lineEditor {
	e.ti, _ = e.ti.Update(k) // no command: the virtual cursor is off
	// textinput appends in place: give this value its own array, so an
	// older copy of the model (the model is a value) can never see it.
	return e.withValue(e.ti.Value())
}
