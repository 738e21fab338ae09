package tui

import (
	"testing"
	"time"

	"github.com/hacon/hacon/actions"
)

// Flow tests answer dialogs at machine speed; the guard has its own test.
func init() { confirmDelay = 0 }

// A "y" arriving right after the preview opens — typed ahead for
// something else — must not confirm it; a palette still open when the plan
// arrives keeps the preview from opening at all.
func TestConfirmGuard(t *testing.T) {
	confirmDelay = 300 * time.Millisecond
	defer func() { confirmDelay = 0 }()
	m := New(Options{EventsLog: "-"})
	p := &actions.Preview{Title: ":standby controller-1", Request: actions.Request{Kind: actions.Standby, Node: "controller-1"}}
	m.planning = "standby controller-1"
	m = m.onPlanned(planDoneMsg{line: "standby controller-1", p: p})
	if m.dlg.kind != dlgPreview {
		t.Fatal("preview not opened")
	}
	mm, _ := m.dialogKey(keyMsg("y"))
	if got := mm.(Model); got.dlg.conf.Confirmed {
		t.Error("a key right after the preview opened confirmed it")
	}
	m.dlg.opened = time.Now().Add(-time.Second)
	mm, _ = m.dialogKey(keyMsg("y"))
	if got := mm.(Model); got.dlg.kind == dlgPreview && !got.dlg.conf.Confirmed {
		t.Error("y after the guard did not confirm")
	}

	m2 := New(Options{EventsLog: "-"})
	m2.input = inputPalette
	m2.planning = "move r n"
	m2 = m2.onPlanned(planDoneMsg{line: "move r n", p: p})
	if m2.dlg.kind == dlgPreview {
		t.Error("a preview opened while the operator was typing in the palette")
	}
}
