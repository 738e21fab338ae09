package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/actions"
	"github.com/hacon/hacon/demo"
	"github.com/hacon/hacon/internal/testpeers/polleddemo"
)

// Every action runs end to end on the demo: the real executor, the real
// probes, the demo's Pacemaker simulator, HAProxy runtime API and Redfish BMCs.
func TestDemoActionsEndToEnd(t *testing.T) {
	a := polleddemo.Start(t, 200*time.Millisecond)
	ex, sched := a.Executor, a.Sched
	run := func(words string) (*actions.Preview, actions.Outcome) {
		t.Helper()
		req, err := actions.Parse(demo.ClusterName, strings.Fields(words))
		if err != nil {
			t.Fatal(err)
		}
		p, err := ex.Plan(context.Background(), req, sched.Snapshot())
		if err != nil {
			t.Fatalf("%s: %v", words, err)
		}
		out, err := ex.Execute(context.Background(), p, actions.Confirmation{Confirmed: true, TypedName: p.TypeToConfirm, AcceptConsequence: p.Consequence != ""})
		if err != nil {
			t.Fatalf("%s: %v", words, err)
		}
		if !out.OK || !out.Verified {
			t.Errorf("%s: %s", words, out.Summary())
		}
		t.Logf("%s", out.Summary())
		return p, out
	}

	p, _ := run("move openstack-cinder-volume controller-2")
	if !containsLine(p.Transition, "* Move openstack-cinder-volume ( controller-0 -> controller-2 )") {
		t.Errorf("demo preview transition: %q (%s)", p.Transition, p.TransitionErr)
	}
	run("clear openstack-cinder-volume")
	run("vip public controller-1")
	run("standby controller-2")
	run("unstandby controller-2")
	_, out := run("drain keystone controller-1")
	if len(out.Steps) != 3 {
		t.Errorf("drain ran on %d HAProxies, want 3", len(out.Steps))
	}
	run("ready keystone controller-1")
	p, _ = run("fence controller-2 off")
	if p.TypeToConfirm != "controller-2" {
		t.Errorf("fence needs the typed name, got %q", p.TypeToConfirm)
	}
	run("power controller-2 on")
}

func containsLine(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}
