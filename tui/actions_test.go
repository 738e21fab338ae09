package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/actions"
	"github.com/hacon/hacon/cluster"
	fixture "github.com/hacon/hacon/cluster/clustertest"
	"github.com/hacon/hacon/views"
)

// movePreview is a fixed preview of an ordinary action.
func movePreview() *actions.Preview {
	req := actions.Request{Cluster: "overcloud", Kind: actions.Move, Resource: "openstack-cinder-volume", Node: "controller-2"}
	return &actions.Preview{
		Request: req, Title: ":" + req.String(),
		Steps: []actions.Step{{Plane: actions.PlanePacemaker, Hosts: []string{"controller-0", "controller-1", "controller-2"},
			Argv:  []string{"crm_resource", "--move", "--resource", "openstack-cinder-volume", "--node", "controller-2"},
			Shown: "ssh heat-admin@controller-0 sudo crm_resource --move --resource openstack-cinder-volume --node controller-2"}},
		Transition: []string{"* Move openstack-cinder-volume ( controller-0 -> controller-2 )"},
		Blast:      []string{"openstack-cinder-volume runs on controller-0 now; it will run on controller-2"},
		Warnings:   []string{"the move leaves a cli-prefer constraint; clear it once verified (:clear openstack-cinder-volume)"},
	}
}

// fencePreview asks every question: the typed name, the consequence and
// the force on stale data; it is long enough to scroll at 80x24.
func fencePreview() *actions.Preview {
	req := actions.Request{Cluster: "overcloud", Kind: actions.Fence, Node: "controller-0"}
	p := &actions.Preview{
		Request: req, Title: ":" + req.String(),
		Steps: []actions.Step{{Plane: actions.PlanePacemaker, Hosts: []string{"controller-1", "controller-2"},
			Argv: []string{"stonith_admin", "--reboot", "controller-0"}, Shown: "ssh heat-admin@controller-1 sudo stonith_admin --reboot controller-0"}},
		Transition: []string{"* Fence (reboot) controller-0 'peer is no longer part of the cluster'"},
		Blast: []string{"quorum after: 1 of 3 controllers online (NO QUORUM)", "VIP public (192.0.2.5) is on controller-0: it moves",
			"redis-bundle is Promoted on controller-0: a new promotion follows", "fence readiness: controller-0's BMC answers (gofish, power on)"},
		TypeToConfirm: "controller-0",
		Consequence:   "the cluster loses quorum: Pacemaker stops managing every resource",
		Stale:         "data is stale: pacemaker pacemaker (45s old)",
	}
	for _, svc := range []string{"keystone", "glance-api", "nova-api", "neutron-server", "cinder-api", "placement", "horizon"} {
		p.Transition = append(p.Transition, "* Stop "+svc+":0 ( controller-0 ) due to node availability")
	}
	return p
}

func fakeModel(t *testing.T, rec *recorder, opts Options, w, h int) Model {
	opts.Actions = rec
	return newModel(t, fixture.Healthy(), opts, w, h)
}

func TestEveryStageBeforeExecute(t *testing.T) {
	rec := &recorder{preview: fencePreview(), outcome: actions.Outcome{OK: true, Verified: true, Verify: "controller-0 offline"}}
	m := palette(fakeModel(t, rec, Options{}, 80, 24), "fence controller-0")
	if m.dlg.kind != dlgPreview {
		t.Fatalf("no dialog; toast %q", m.toast)
	}
	steps := []struct {
		keys  []string
		text  string
		stage views.DialogStage
		see   string
	}{
		{keys: []string{"y"}, stage: views.StageConfirm, see: "y is not enough here"},
		{keys: []string{"enter"}, stage: views.StageConfirm, see: "type controller-0, then enter: nothing was run"},
		{text: "controller-1", keys: []string{"enter"}, stage: views.StageConfirm, see: "“controller-1” is not controller-0"},
		{text: "controller-0", keys: []string{"enter"}, stage: views.StageConsequence, see: "type yes and enter to accept"},
		{text: "y", keys: []string{"enter"}, stage: views.StageConsequence, see: "is not yes"},
		{text: "yes", keys: []string{"enter"}, stage: views.StageForce, see: "f run it on stale data anyway"},
		{keys: []string{"y", "enter"}, stage: views.StageForce, see: "step 3/3"},
	}
	for i, st := range steps {
		m = press(typeText(m, st.text), st.keys...)
		if m.dlg.kind != dlgPreview || m.dlg.st.Stage != st.stage || !strings.Contains(plain(t, m), st.see) {
			t.Fatalf("step %d: stage %v, screen:\n%s", i, m.dlg.st.Stage, plain(t, m))
		}
		if _, execs := rec.calls(); execs != 0 {
			t.Fatalf("step %d: executed before every confirmation", i)
		}
	}
	m, cmd := sendCmd(m, keyMsg("f"))
	m = run(m, cmd)
	if _, execs := rec.calls(); execs != 1 {
		t.Fatal("f after every answer did not execute")
	}
	want := actions.Confirmation{Confirmed: true, TypedName: "controller-0", AcceptConsequence: true, Force: true}
	if rec.execs[0] != want {
		t.Errorf("confirmation %+v, want %+v", rec.execs[0], want)
	}
	if !strings.Contains(m.toast, ":fence controller-0 verified") {
		t.Errorf("toast %q", m.toast)
	}
}

func TestDialogCtrlCAndScroll(t *testing.T) {
	rec := &recorder{preview: fencePreview()}
	m := palette(fakeModel(t, rec, Options{}, 80, 24), "fence controller-0")
	m, cmd := sendCmd(m, keyMsg("ctrl+c"))
	if isQuit(cmd) || m.dlg.kind != dlgPreview || !strings.Contains(plain(t, m), "ctrl+c again") {
		t.Fatal("ctrl+c with the dialog open must ask for a second press")
	}
	if _, cmd = sendCmd(m, keyMsg("ctrl+c")); !isQuit(cmd) {
		t.Fatal("the second ctrl+c does not quit")
	}
	if !strings.Contains(plain(t, m), "more lines") {
		t.Fatalf("the long preview does not say it scrolls:\n%s", plain(t, m))
	}
	m = press(m, "pgdown", "pgdown", "pgdown")
	if s := plain(t, m); !strings.Contains(s, "CONSEQUENCE") || !strings.Contains(s, "type controller-0") {
		t.Errorf("scrolled to the end, the consequence and the prompt must show:\n%s", s)
	}
	m = press(m, "j") // typed, not scrolled: the name stage takes letters
	if m.dlg.st.Input != "j" {
		t.Errorf("typed input %q", m.dlg.st.Input)
	}
}

func TestActionKeysPrefillPalette(t *testing.T) {
	rec := &recorder{preview: movePreview()}
	m := fakeModel(t, rec, Options{}, 80, 24)
	cases := []struct {
		keys []string
		want string
	}{
		{[]string{"g", "j", "j", "j", "j", "j", "j", "j", "j", "l", "l", "m"}, "move openstack-cinder-volume controller-2"},
		{[]string{"g", "h", "d"}, "drain keystone controller-1"},
		{[]string{"M"}, "maint keystone controller-1"},
		{[]string{"r"}, "ready keystone controller-1"},
		{[]string{"b"}, "ban keystone-clone controller-1"},
		{[]string{"c"}, "clear keystone-clone"},
		{[]string{"s"}, "standby controller-1"},
		{[]string{"u"}, "unstandby controller-1"},
		{[]string{"F"}, "fence controller-1"},
		{[]string{"P"}, "power controller-1 "},
		{[]string{"tab", "tab", "v"}, "vip public "},
	}
	for _, c := range cases {
		m = press(m, c.keys...)
		if m.input != inputPalette || m.text() != c.want {
			t.Fatalf("%v: input %v text %q toast %q, want %q", c.keys, m.input, m.text(), m.toast, c.want)
		}
		m = press(m, "esc")
	}
	// v off the VIP panel says where to go instead of guessing.
	m = press(m, "shift+tab", "v")
	if m.input != inputNone || !strings.Contains(m.toast, "VIP") {
		t.Errorf("v on the wrong panel: input %v toast %q", m.input, m.toast)
	}
	if plans, _ := rec.calls(); plans != 0 {
		t.Error("an action key planned without enter")
	}
}

func TestPaletteCompletesActions(t *testing.T) {
	m := fakeModel(t, &recorder{}, Options{}, 80, 24)
	for _, c := range []struct{ typed, want string }{
		{"fen", "fence "},
		{"fence con", "fence controller-0 "},
		{"move openstack-ci", "move openstack-cinder-volume "},
		{"drain key", "drain keystone "},
		{"vip pu", "vip public "},
		{"power controller-1 c", "power controller-1 cycle "},
	} {
		m = typeText(press(m, ":"), c.typed)
		m = press(m, "tab")
		if m.text() != c.want {
			t.Errorf("%q + tab = %q, want %q", c.typed, m.text(), c.want)
		}
		m = press(m, "esc")
	}
	m = typeText(press(m, ":"), "standby ")
	if s := m.suggestions(); len(s) != 3 || s[0] != "controller-0" {
		t.Errorf("node suggestions %q", s)
	}
}

func TestResultFailureAndRefusalShown(t *testing.T) {
	out := actions.Outcome{Partial: true, Duration: 2 * time.Second, Error: "1 of 3 HAProxies failed",
		Steps: []actions.StepResult{{Host: "controller-0", OK: true}, {Host: "controller-1", Error: "dial unix /run/haproxy.sock: no such file"}}}
	rec := &recorder{preview: movePreview(), outcome: out}
	m := palette(fakeModel(t, rec, Options{}, 80, 24), "move openstack-cinder-volume controller-2")
	m, cmd := sendCmd(m, keyMsg("y"))
	m = run(m, cmd)
	if !m.toastBad || !strings.Contains(m.toast, "PARTIAL") || m.input != inputNone {
		t.Errorf("partial result: toast %q bad %v input %v", m.toast, m.toastBad, m.input)
	}
	if a := sessionActions(m)[0]; !strings.Contains(a.Result, "controller-1: dial unix") || a.State != "failed" {
		t.Errorf("the timeline lost the failing host: %+v", a)
	}
	m = press(m, "R")
	if s := plain(t, m); !strings.Contains(s, "✖ failed  controller-1") || !strings.Contains(s, "◐ RESULT") {
		t.Errorf("result dialog:\n%s", s)
	}
	// The executor's own refusal (busy target, audit log) is shown too.
	rec.inner = errRunner{err: errors.New("another action on this target is still running")}
	m = palette(press(m, "esc"), "move openstack-cinder-volume controller-2")
	m, cmd = sendCmd(m, keyMsg("y"))
	if m = run(m, cmd); !m.toastBad || !strings.Contains(m.toast, "not run: another action") {
		t.Errorf("executor refusal toast %q", m.toast)
	}
}

type errRunner struct {
	ActionRunner
	err error
}

func (e errRunner) Plan(ctx context.Context, req actions.Request, snap cluster.Snapshot) (*actions.Preview, error) {
	return movePreview(), nil
}

func (e errRunner) ExecuteNotify(context.Context, *actions.Preview, actions.Confirmation, func(actions.Outcome)) (actions.Outcome, error) {
	return actions.Outcome{}, e.err
}

func TestStalePlanDropped(t *testing.T) {
	rec := &recorder{preview: movePreview()}
	m := fakeModel(t, rec, Options{}, 80, 24)
	m, first := sendCmd(typeText(press(m, ":"), "fence controller-0"), keyMsg("enter"))
	m, second := sendCmd(typeText(press(m, ":"), "move openstack-cinder-volume controller-2"), keyMsg("enter"))
	if !strings.Contains(plain(t, m), "⟳ planning :move") {
		t.Errorf("no planning status:\n%s", plain(t, m))
	}
	m = run(m, first) // superseded: its preview must not open
	if m.dlg.kind != dlgNone {
		t.Fatal("a superseded preview opened")
	}
	if m = run(m, second); m.dlg.kind != dlgPreview || m.planning != "" {
		t.Fatal("the awaited preview did not open")
	}
}

func TestQuitWaitsForRunningAction(t *testing.T) {
	rec := &recorder{preview: movePreview(), outcome: actions.Outcome{OK: true, Verified: true}}
	m := palette(fakeModel(t, rec, Options{}, 80, 24), "move openstack-cinder-volume controller-2")
	m, cmd := sendCmd(m, keyMsg("y"))
	if !m.opts.Flight.Busy() {
		t.Fatal("a dispatched action is not counted in flight")
	}
	m, q := sendCmd(m, keyMsg("ctrl+c"))
	if isQuit(q) || !strings.Contains(m.toast, "action is running") {
		t.Fatalf("ctrl+c with an action running quit at once (toast %q)", m.toast)
	}
	m = run(m, cmd)
	if m.opts.Flight.Busy() || len(m.running) != 0 {
		t.Fatal("the finished action is still in flight")
	}
	m.opts.Flight.Wait(time.Second) // returns at once
}

func TestPreviewGolden(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	for name, p := range map[string]*actions.Preview{"move": movePreview(), "fence": fencePreview()} {
		for _, sz := range sizes {
			name := fmt.Sprintf("preview_%s_%dx%d_mono", name, sz[0], sz[1])
			t.Run(name, func(t *testing.T) {
				m := newModel(t, fixture.Healthy(), Options{Theme: "mono", Actions: &recorder{}}, sz[0], sz[1])
				m.planning = p.Title // as the palette leaves it
				m = send(m, planDoneMsg{line: p.Title, p: p})
				golden(t, name, rendered(t, m))
			})
		}
	}
}
