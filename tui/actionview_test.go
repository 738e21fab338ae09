package tui

import (
	"reflect"
	"testing"
	"time"

	"github.com/hacon/hacon/actions"
)

// Every field of the dialogs' view-models must be filled from the
// executor's types: a field forgotten in the conversion would silently
// drop a warning or a host's error from the operator's screen.
func TestActionViewsCopyEveryField(t *testing.T) {
	p := &actions.Preview{
		Title: ":fence controller-1", Transition: []string{"* Stop x"}, TransitionErr: "no simulate",
		Blast: []string{"b"}, Warnings: []string{"w"}, TypeToConfirm: "controller-1", Consequence: "quorum", Stale: "old",
		Steps: []actions.Step{{Plane: actions.PlaneBMC, Hosts: []string{"h"}, Argv: []string{"a"}, Shown: "$ a"}},
	}
	o := actions.Outcome{
		Request: actions.Request{Kind: actions.Standby, Node: "controller-1"}, OK: true, Partial: true, Error: "e",
		Verified: true, Verify: "seen", Duration: time.Second,
		Steps: []actions.StepResult{{Host: "h", Argv: []string{"a"}, OK: true, Error: "e", Output: "o"}},
	}
	for name, v := range map[string]any{"preview": previewView(p), "step": previewView(p).Steps[0],
		"outcome": outcomeView(o), "host": outcomeView(o).Steps[0]} {
		rv := reflect.ValueOf(v)
		for i := range rv.NumField() {
			if rv.Field(i).IsZero() {
				t.Errorf("%s: field %s not converted", name, rv.Type().Field(i).Name)
			}
		}
	}
	if got := outcomeView(o).Title; got != ":standby controller-1" {
		t.Errorf("outcome title %q", got)
	}
}
