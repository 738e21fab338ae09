package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/hacon/hacon/timeline"
)

// These drive Update and View directly with the real executor on the
// embedded demo: the real probes, crm_simulate stand-in, audit log and
// verification. Commands are run synchronously and their messages fed back.

func TestDemoMovePreviewConfirmResult(t *testing.T) {
	e := startDemo(t)
	m := palette(e.model(t, Options{}), "move openstack-cinder-volume controller-2")
	if m.dlg.kind != dlgPreview {
		t.Fatalf("no preview dialog; toast %q", m.toast)
	}
	s := plain(t, m)
	for _, want := range []string{"* Move openstack-cinder-volume ( controller-0 -> controller-2 )",
		"crm_resource --move --resource openstack-cinder-volume --node controller-2", "BLAST RADIUS", "y run it"} {
		if !strings.Contains(s, want) {
			t.Errorf("preview lacks %q:\n%s", want, s)
		}
	}
	if auditPhases(t, e.audit) != nil {
		t.Fatal("the audit log was written before confirmation")
	}
	m, cmd := sendCmd(m, keyMsg("y"))
	if cmd == nil || m.dlg.kind != dlgNone {
		t.Fatal("y did not start the action")
	}
	if s := plain(t, m); !strings.Contains(s, "⟳ running :move openstack-cinder-volume controller-2 (commands)") {
		t.Errorf("no running status in the footer:\n%s", s)
	}
	m = run(m, cmd)
	if !strings.Contains(m.toast, "verified") || m.toastBad {
		t.Fatalf("result toast %q (bad %v)", m.toast, m.toastBad)
	}
	if m.input != inputPalette || m.text() != "clear openstack-cinder-volume" || !strings.Contains(m.toast, "cli-prefer") {
		t.Errorf("no :clear offered after the verified move: input %v text %q toast %q", m.input, m.text(), m.toast)
	}
	got := auditPhases(t, e.audit)
	if len(got) != 3 || !strings.HasPrefix(got[0], "intent move") || !strings.HasPrefix(got[1], "result move") || !strings.HasPrefix(got[2], "verify move") {
		t.Errorf("audit log: %q", got)
	}
	acts := sessionActions(m)
	if len(acts) != 1 || acts[0].Command != ":move openstack-cinder-volume controller-2" || !acts[0].Verified || acts[0].State != timeline.ActionDone || acts[0].ID == "" || acts[0].Operator == "" {
		t.Errorf("timeline actions %+v", acts)
	}
	m = press(m, "esc", "t", "enter")
	if s := plain(t, m); !strings.Contains(s, ":move openstack-cinder-volume controller-2") || !strings.Contains(s, "done, verified in") {
		t.Errorf("timeline lacks the action:\n%s", s)
	}
	m = press(m, "R")
	if s := plain(t, m); m.dlg.kind != dlgResult || !strings.Contains(s, "STEPS (per host)") || !strings.Contains(s, "✓ ok  controller-0") {
		t.Errorf("result dialog:\n%s", s)
	}
}

func TestDemoFenceNeedsTypedName(t *testing.T) {
	e := startDemo(t)
	m := palette(e.model(t, Options{}), "fence controller-1")
	if m.dlg.kind != dlgPreview || m.dlg.preview.TypeToConfirm != "controller-1" {
		t.Fatalf("no typed-name preview; toast %q", m.toast)
	}
	if s := plain(t, m); !strings.Contains(s, "type controller-1 and enter to confirm") || !strings.Contains(s, "stonith_admin --reboot controller-1") {
		t.Errorf("fence preview:\n%s", s)
	}
	m, cmd := sendCmd(m, keyMsg("y"))
	if cmd != nil || m.dlg.kind != dlgPreview || !strings.Contains(plain(t, m), "y is not enough here: type controller-1") {
		t.Fatalf("y alone confirmed a fence or was not explained:\n%s", plain(t, m))
	}
	m = press(typeText(m, "controller-2"), "enter")
	if m.dlg.kind != dlgPreview || !strings.Contains(plain(t, m), "“controller-2” is not controller-1") {
		t.Fatalf("a wrong name was accepted or not explained:\n%s", plain(t, m))
	}
	if _, execs := e.rec.calls(); execs != 0 || auditPhases(t, e.audit) != nil {
		t.Fatal("the fence ran without the typed name")
	}
	m = typeText(m, "controller-1")
	m, cmd = sendCmd(m, keyMsg("enter"))
	if cmd == nil {
		t.Fatal("the typed name did not confirm")
	}
	m = run(m, cmd)
	if got := auditPhases(t, e.audit); len(got) != 3 || got[0] != "intent fence controller-1" || got[1] != "result fence controller-1" || got[2] != "verify fence controller-1" {
		t.Errorf("audit log: %q", got)
	}
	if !strings.Contains(m.toast, ":fence controller-1") {
		t.Errorf("toast %q", m.toast)
	}
	if c := e.rec.execs[0]; !c.Confirmed || c.TypedName != "controller-1" {
		t.Errorf("confirmation %+v", c)
	}
}

func TestDemoEscCancelsNothingAudited(t *testing.T) {
	e := startDemo(t)
	m := e.model(t, Options{})
	for _, line := range []string{"standby controller-2", "fence controller-2", "drain keystone controller-1"} {
		m = palette(m, line)
		if m.dlg.kind != dlgPreview {
			t.Fatalf("%s: no preview; toast %q", line, m.toast)
		}
		if line == "fence controller-2" {
			m = typeText(m, "controller-") // half typed
		}
		m, _ = sendCmd(m, keyMsg("esc")) // its command only appends the events log
		if m.dlg.kind != dlgNone || !strings.Contains(m.toast, "nothing was run") {
			t.Fatalf("%s: esc did not cancel (toast %q)", line, m.toast)
		}
		found := false
		for _, a := range sessionActions(m) {
			found = found || (a.State == timeline.ActionCancelled && a.Command == ":"+line)
		}
		if !found {
			t.Errorf("%s: the cancellation is not in the timeline: %+v", line, sessionActions(m))
		}
	}
	if _, execs := e.rec.calls(); execs != 0 || auditPhases(t, e.audit) != nil {
		t.Fatal("a cancelled action was executed or audited")
	}
}

// Read-only and wall mode refuse every action verb and key: nothing is
// planned or executed, nothing audited, and the refusal is in the timeline.
func TestDemoReadOnlyAndWallRefuse(t *testing.T) {
	e := startDemo(t)
	for _, opts := range []Options{{ReadOnly: true}, {Wall: true}} {
		m := e.model(t, opts)
		if !opts.Wall {
			for _, line := range []string{"move openstack-cinder-volume controller-2", "fence controller-1", "power controller-1 off",
				"vip public controller-1", "drain keystone controller-1", "clear openstack-cinder-volume", "cleanup galera-bundle"} {
				n := len(sessionActions(m))
				m = palette(m, line)
				acts := sessionActions(m)
				if !strings.Contains(plain(t, m), "read-only") || len(acts) != n+1 || acts[0].State != timeline.ActionRefused {
					t.Errorf("read-only %s: toast %q actions %d→%d", line, m.toast, n, len(acts))
				}
			}
		}
		for _, k := range m.keys.Acts() {
			n := len(sessionActions(m))
			m = press(m, k.Help().Key)
			if !strings.Contains(plain(t, m), "read-only") || len(sessionActions(m)) != n+1 || m.input != inputNone || m.dlg.kind != dlgNone {
				t.Errorf("%+v key %s not refused: toast %q", opts, k.Help().Key, m.toast)
			}
		}
		if m = press(m, "t", "enter"); !opts.Wall && !strings.Contains(plain(t, m), "refused: read-only mode") {
			t.Errorf("timeline lacks the refusals:\n%s", plain(t, m))
		}
	}
	if plans, execs := e.rec.calls(); plans != 0 || execs != 0 {
		t.Fatalf("read-only planned %d and executed %d actions", plans, execs)
	}
	if auditPhases(t, e.audit) != nil {
		t.Fatal("read-only wrote the audit log")
	}
}

// The same flow through the real bubbletea loop (teatest): plan and
// execute run as the program's commands, off the UI goroutine.
func TestDemoFlowTeatest(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	e := startDemo(t)
	m := New(Options{Source: e.sched, Actions: e.rec, EventsLog: "-", ExportDir: t.TempDir(), ConfirmDelay: noConfirmDelay})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	waitText(t, tm, "2 clusters") // the demo is a fleet: its screen first
	tm.Type(":cluster demo-overcloud")
	tm.Send(tea.KeyPressMsg(tea.Key{Code: tea.KeyEnter}))
	waitText(t, tm, "cinder-volume")
	tm.Type(":standby controller-2")
	tm.Send(tea.KeyPressMsg(tea.Key{Code: tea.KeyEnter}))
	waitText(t, tm, "y run it")
	tm.Type("y")
	waitText(t, tm, "verified")
	tm.Type("q")
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	if final.last == nil || !final.last.Verified {
		t.Fatalf("no verified result in the final model: %+v", final.last)
	}
	if got := auditPhases(t, e.audit); len(got) != 3 {
		t.Errorf("audit log: %q", got)
	}
}

// An action key takes the same path: v on a VIP pre-fills the palette,
// the operator adds the node, and the verified move offers :clear.
func TestDemoVIPKeyMove(t *testing.T) {
	e := startDemo(t)
	m := press(palette(e.model(t, Options{}), "cluster demo-overcloud"), "tab", "tab", "v")
	if m.input != inputPalette || m.text() != "vip public " {
		t.Fatalf("v pre-filled %q (toast %q)", m.text(), m.toast)
	}
	m = typeText(m, "controller-1")
	if m.text() != "vip public controller-1" {
		t.Fatalf("palette %q", m.text())
	}
	m, cmd := sendCmd(m, keyMsg("enter"))
	if m = run(m, cmd); m.dlg.kind != dlgPreview {
		t.Fatalf("no preview: %q", m.toast)
	}
	m, cmd = sendCmd(m, keyMsg("y"))
	m = run(m, cmd)
	if !strings.Contains(m.toast, "verified") || m.input != inputPalette || !strings.HasPrefix(m.text(), "clear ") {
		t.Errorf("toast %q palette %q", m.toast, m.text())
	}
}
