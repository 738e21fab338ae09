package tui

import (
	"testing"
	"time"

	"github.com/hacon/hacon/actions"
)

// noConfirmDelay lets flow tests answer dialogs at machine speed; the
// guard has its own test.
const noConfirmDelay = -1

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time          { return c.now }
func (c *fakeClock) Advance(d time.Duration) { c.now = c.now.Add(d) }

// A "y" arriving right after the preview opens — typed ahead for
// something else — must not confirm it; a palette still open when the plan
// arrives keeps the preview from opening at all.
func TestConfirmGuard(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	m := New(Options{EventsLog: "-", ConfirmDelay: 300 * time.Millisecond, Clock: clock.Now})
	p := &actions.Preview{Title: ":standby controller-1", Request: actions.Request{Kind: actions.Standby, Node: "controller-1"}}
	m.planning = "standby controller-1"
	m = m.onPlanned(planDoneMsg{line: "standby controller-1", p: p})
	if m.dlg.kind != dlgPreview {
		t.Fatal("preview not opened")
	}
	clock.Advance(299 * time.Millisecond)
	mm, _ := m.dialogKey(keyMsg("y"))
	if got := mm.(Model); got.dlg.conf.Confirmed {
		t.Error("a key right after the preview opened confirmed it")
	}
	clock.Advance(time.Millisecond)
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

// Without an option the guard is on: the default is not zero.
func TestConfirmGuardOnByDefault(t *testing.T) {
	if m := New(Options{EventsLog: "-"}); m.opts.ConfirmDelay != defaultConfirmDelay || m.opts.Clock == nil {
		t.Errorf("default delay %s", m.opts.ConfirmDelay)
	}
}
