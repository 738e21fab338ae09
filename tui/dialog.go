package tui

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/hacon/hacon/actions"
	"github.com/hacon/hacon/timeline"
	"github.com/hacon/hacon/views"
)

type dialogKind int

const (
	dlgNone dialogKind = iota
	dlgPreview
	dlgResult
)

// dialog is the open action dialog. It is a value like the model: every
// change makes a new one, and the preview it points to is never changed.
type dialog struct {
	kind    dialogKind
	preview *actions.Preview
	result  actions.Outcome
	st      views.DialogState    // st.Input mirrors answer, for the view
	answer  lineEditor           // the typed node name or "yes"
	conf    actions.Confirmation // what was answered so far
	scroll  int
	opened  time.Time // consent keys count only after Options.ConfirmDelay
}

// view is the dialog's content at width w.
func (m Model) dialogView() views.Dialog {
	if m.dlg.kind == dlgResult {
		return views.ResultDialog(outcomeView(m.dlg.result), m.w)
	}
	return views.PreviewDialog(previewView(m.dlg.preview), m.dlg.st, m.w)
}

// dialogKey answers the dialog. esc cancels at any stage: nothing runs
// and nothing is audited. Scrolling works at every stage.
func (m Model) dialogKey(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	dk := m.keys.Dialog
	if key.Matches(k, dk.Cancel) {
		if m.dlg.kind != dlgPreview {
			m.dlg = dialog{}
			return m, nil
		}
		title := m.dlg.preview.Title
		m = m.flash("cancelled "+title+": nothing was run", false)
		m.dlg = dialog{}
		// The incident record shows what was considered, not only what ran;
		// the audit log stays for actions that ran.
		cl := ""
		if c := m.current(); c != nil {
			cl = c.Name
		}
		return m.recordAttempt(cl, title, timeline.ActionCancelled, "cancelled: nothing was run")
	}
	if m.typing() {
		if mm, cmd, ok := m.typeKey(k); ok {
			return mm, cmd
		}
	}
	if mm, ok := m.dialogScroll(k); ok {
		return mm, nil
	}
	if m.dlg.kind != dlgPreview {
		return m, nil
	}
	if m.opts.Clock().Sub(m.dlg.opened) < m.opts.ConfirmDelay {
		return m.flash("read the preview first: keys are ignored for a moment after it opens", true), nil
	}
	switch m.dlg.st.Stage {
	case views.StageConfirm:
		if key.Matches(k, dk.Confirm) {
			m.dlg.conf.Confirmed = true
			return m.nextStage()
		}
	case views.StageForce:
		if key.Matches(k, dk.Force) {
			m.dlg.conf.Force = true
			return m.nextStage()
		}
	}
	return m, nil
}

// typing reports whether the stage wants typed text: the node name for
// fence and power off, "yes" for a named consequence.
func (m Model) typing() bool {
	if m.dlg.kind != dlgPreview {
		return false
	}
	st := m.dlg.st.Stage
	return st == views.StageConsequence || (st == views.StageConfirm && m.dlg.preview.TypeToConfirm != "")
}

// typeKey edits the typed answer; enter checks it. y alone never
// confirms a stage that asks for a typed name.
func (m Model) typeKey(k tea.KeyPressMsg) (Model, tea.Cmd, bool) {
	d, dk := &m.dlg, m.keys.Dialog
	want := "yes"
	if d.st.Stage == views.StageConfirm {
		want = d.preview.TypeToConfirm
	}
	switch {
	case key.Matches(k, dk.Submit):
		switch d.st.Input {
		case want:
		case "":
			d.st.Error = "type " + want + ", then enter: nothing was run"
			return m, nil, true
		default:
			d.st.Error = "“" + d.st.Input + "” is not " + want + ": nothing was run"
			d.setAnswer("")
			return m, nil, true
		}
		if d.st.Stage == views.StageConfirm {
			d.conf.Confirmed, d.conf.TypedName = true, d.st.Input
		} else {
			d.conf.AcceptConsequence = true
		}
		mm, cmd := m.nextStage()
		return mm.(Model), cmd, true
	case key.Matches(k, dk.Erase), key.Matches(k, dk.Clear):
		d.edit(k)
		return m, nil, true
	}
	if t := k.Key().Text; t == "y" && d.st.Input == "" && !strings.HasPrefix(want, "y") {
		// The reflex y of the other dialogs: say why it does nothing
		// rather than start a name with it.
		d.st.Error = "y is not enough here: type " + want + ", then enter"
		return m, nil, true
	}
	if t := k.Key().Text; t != "" && t != " " {
		d.edit(k)
		d.st.Error = ""
		return m, nil, true
	}
	return m, nil, false
}

// newAnswer is an empty answer editor bound to the dialog's keys.
func (m Model) newAnswer() lineEditor {
	return newLineEditor(m.keys.Dialog.Erase, m.keys.Dialog.Clear)
}

// edit applies a key to the typed answer.
func (d *dialog) edit(k tea.KeyPressMsg) {
	d.answer = d.answer.update(k)
	d.st.Input = d.answer.Value()
}

func (d *dialog) setAnswer(s string) {
	d.answer = d.answer.withValue(s)
	d.st.Input = s
}

// nextStage moves to the next question the preview raises, or runs the
// action when every one is answered.
func (m Model) nextStage() (tea.Model, tea.Cmd) {
	p, d := m.dlg.preview, &m.dlg
	d.st.Error, d.scroll = "", 0
	d.setAnswer("")
	switch {
	case d.st.Stage < views.StageConsequence && p.Consequence != "":
		d.st.Stage = views.StageConsequence
	case d.st.Stage < views.StageForce && p.Stale != "":
		d.st.Stage = views.StageForce
	default:
		return m.runAction(p, d.conf)
	}
	return m, nil
}

// dialogScroll scrolls a long preview; j/k only when nothing is typed.
func (m Model) dialogScroll(k tea.KeyPressMsg) (Model, bool) {
	km, dk := m.keys, m.keys.Dialog
	h := m.bodyHeight()
	page := max(1, h-4)
	s := m.dlg.scroll
	switch {
	case key.Matches(k, dk.Up) || (!m.typing() && matches(k, km.Up)):
		s--
	case key.Matches(k, dk.Down) || (!m.typing() && matches(k, km.Down)):
		s++
	case key.Matches(k, dk.PageUp):
		s -= page
	case key.Matches(k, dk.PageDown):
		s += page
	default:
		return m, false
	}
	m.dlg.scroll = max(0, min(s, m.dialogView().MaxScroll(h)))
	return m, true
}
