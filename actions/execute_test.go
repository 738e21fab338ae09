package actions

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/remote"
)

// countingRunner records every command; it is a unit-test double for our
// own logic only (the real CLI is exercised in pacemaker_test.go).
type countingRunner struct {
	calls atomic.Int32
	argv  [][]string
}

func (r *countingRunner) Run(ctx context.Context, argv []string) ([]byte, []byte, error) {
	r.calls.Add(1)
	r.argv = append(r.argv, argv)
	return nil, nil, nil
}

type staticSource struct{ snap cluster.Snapshot }

func (s *staticSource) Snapshot() cluster.Snapshot { s.snap.Taken = time.Now(); return s.snap }
func (s *staticSource) Kick(...cluster.SourceKind) {}

func unitSetup(t *testing.T, readOnly bool) (*Executor, *countingRunner, string, cluster.Snapshot) {
	t.Helper()
	cfg := &config.Config{VerifyTimeout: 300 * time.Millisecond, Clusters: []config.Cluster{{
		Name:        "oc",
		Controllers: []config.Controller{{Name: "c0"}, {Name: "c1"}, {Name: "c2"}},
		Pacemaker:   &config.Pacemaker{Command: []string{"ssh", "{{.Name}}"}},
	}}}
	snap := cluster.Snapshot{Taken: time.Now(), Clusters: []cluster.Cluster{{
		Name: "oc", HasPacemaker: true, Quorum: true,
		Nodes: []cluster.Node{
			{Name: "c0", Controller: true, Pacemaker: &cluster.PcmkNode{Name: "c0", Online: true}},
			{Name: "c1", Controller: true, Pacemaker: &cluster.PcmkNode{Name: "c1", Online: true}},
			{Name: "c2", Controller: true, Pacemaker: &cluster.PcmkNode{Name: "c2", Online: true}},
		},
		Resources: []cluster.Resource{{ID: "cinder-volume", Kind: cluster.KindPrimitive, Instances: []cluster.Instance{{Node: "c0", Role: cluster.RoleStarted}}}},
		Sources:   []cluster.Source{{Kind: cluster.KindPacemaker, Name: "pacemaker", OK: true}},
	}}}
	audit := filepath.Join(t.TempDir(), "state", "audit.log")
	r := &countingRunner{}
	e := New(Options{Config: cfg, ReadOnly: readOnly, Runner: r, Local: r, Audit: NewAuditLog(audit), Source: &staticSource{snap}, Operator: Operator{User: "op"}})
	return e, r, audit, snap
}

func TestReadOnlyExecutorRefusesEverything(t *testing.T) {
	t.Parallel()
	e, r, audit, snap := unitSetup(t, true)
	for _, words := range [][]string{{"move", "cinder-volume", "c1"}, {"fence", "c1"}, {"standby", "c2"}, {"clear", "cinder-volume"}} {
		req, err := Parse("oc", words)
		if err != nil {
			t.Fatal(err)
		}
		p, err := e.Plan(context.Background(), req, snap)
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.Execute(context.Background(), p, Confirmation{Confirmed: true, TypedName: "c1", AcceptConsequence: true, Force: true})
		if !errors.Is(err, ErrReadOnly) {
			t.Errorf("%v: executor ran in read-only mode: %v", words, err)
		}
	}
	// Planning may read (cibadmin --query for the preview) but nothing that changes.
	for _, a := range r.argv {
		s := strings.Join(a, " ")
		if strings.Contains(s, "--move") || strings.Contains(s, "stonith_admin") || strings.Contains(s, "--update") {
			if !strings.Contains(s, "CIB_file=") {
				t.Errorf("read-only mode ran a live change: %s", s)
			}
		}
	}
	if _, err := os.Stat(audit); !os.IsNotExist(err) {
		t.Errorf("refused actions must not be audited as run: %v", err)
	}
	// read_only in the config file is enforced the same way.
	cfgRO, _, _, _ := unitSetup(t, false)
	cfgRO.cfg.ReadOnly = true
	if e2 := New(cfgRO.Options); !e2.ReadOnly {
		t.Error("read_only: true in config not enforced")
	}
}

func TestConfirmationGuards(t *testing.T) {
	t.Parallel()
	e, r, audit, snap := unitSetup(t, false)
	req, _ := Parse("oc", []string{"fence", "c1"})
	p, err := e.Plan(context.Background(), req, snap)
	if err != nil {
		t.Fatal(err)
	}
	if p.TypeToConfirm != "c1" {
		t.Fatalf("fence must need the typed name, got %q", p.TypeToConfirm)
	}
	before := r.calls.Load()
	for _, c := range []Confirmation{{}, {Confirmed: true}, {Confirmed: true, TypedName: "c2"}} {
		if _, err := e.Execute(context.Background(), p, c); err == nil {
			t.Errorf("ran with confirmation %+v", c)
		}
	}
	if r.calls.Load() != before {
		t.Error("a command ran without confirmation")
	}
	if _, err := os.Stat(audit); !os.IsNotExist(err) {
		t.Error("cancelled actions must leave no audit line")
	}
	// Stale data needs force.
	snap.Clusters[0].Sources[0].Stale = true
	req, _ = Parse("oc", []string{"standby", "c2"})
	p, _ = e.Plan(context.Background(), req, snap)
	if p.Stale == "" {
		t.Fatal("stale pacemaker data not flagged")
	}
	if _, err := e.Execute(context.Background(), p, Confirmation{Confirmed: true}); err == nil || !strings.Contains(err.Error(), "stale") {
		t.Errorf("stale action ran without force: %v", err)
	}
}

func TestQuorumLossNeedsExtraConfirmation(t *testing.T) {
	t.Parallel()
	e, _, _, snap := unitSetup(t, false)
	snap.Clusters[0].Nodes[1].Pacemaker.Online = false
	req, _ := Parse("oc", []string{"fence", "c2"})
	p, err := e.Plan(context.Background(), req, snap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Consequence, "quorum") {
		t.Fatalf("fencing one of two online nodes of three must name quorum loss, got %q", p.Consequence)
	}
	if _, err := e.Execute(context.Background(), p, Confirmation{Confirmed: true, TypedName: "c2"}); err == nil {
		t.Error("ran without accepting the consequence")
	}
}

// The result line is written as soon as the commands return (at 0 in the
// bubble); the static snapshot never shows the move, so the verify line
// follows once the whole verify timeout has passed: exactly 300ms.
func TestAuditIntentResultVerify(t *testing.T) {
	t.Setenv("SSH_CONNECTION", "198.51.100.7 52000 10.0.0.1 22")
	synctest.Test(t, auditIntentResultVerify)
}

func auditIntentResultVerify(t *testing.T) {
	e, r, audit, snap := unitSetup(t, false)
	e.Operator = CurrentOperator()
	req, _ := Parse("oc", []string{"move", "cinder-volume", "c1"})
	p, err := e.Plan(context.Background(), req, snap)
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Execute(context.Background(), p, Confirmation{Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	if !out.OK || out.Verified {
		t.Errorf("outcome %+v (the static snapshot never shows the move)", out)
	}
	last := r.argv[len(r.argv)-1]
	if strings.Join(last, " ") != "ssh c0 crm_resource --move --resource cinder-volume --node c1" {
		t.Errorf("ran %v", last)
	}
	f, err := os.Open(audit)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	if st.Mode().Perm() != 0o600 {
		t.Errorf("audit log mode %o", st.Mode().Perm())
	}
	var phases []string
	ids := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var ent AuditEntry
		if err := json.Unmarshal(sc.Bytes(), &ent); err != nil {
			t.Fatalf("bad audit line %q: %v", sc.Text(), err)
		}
		phases = append(phases, ent.Phase)
		ids[ent.ActionID] = true
		if ent.Operator.Client != "198.51.100.7:52000" || ent.Cluster != "oc" || ent.Action != "move" || len(ent.Commands) != 1 {
			t.Errorf("audit entry %+v", ent)
		}
		switch ent.Phase {
		case PhaseResult:
			if !ent.OK || ent.Verified || ent.DurationMS != 0 || ent.VerifyState != VerifyPending ||
				len(ent.Hosts) != 1 || ent.Hosts[0].Host != "c0" || ent.Hosts[0].Exit == nil || *ent.Hosts[0].Exit != 0 {
				t.Errorf("result entry %+v", ent)
			}
		case PhaseVerify:
			if !ent.OK || ent.Verified || ent.DurationMS != 300 || ent.VerifyState != VerifyNotSeen || !strings.Contains(ent.Verify, "not seen within") {
				t.Errorf("verify entry %+v", ent)
			}
		}
	}
	if strings.Join(phases, ",") != "intent,result,verify" {
		t.Errorf("phases %v", phases)
	}
	if len(ids) != 1 || ids[""] {
		t.Errorf("the three lines must share one action_id, got %v", ids)
	}
}

// Ending hacon (ctx cancelled: SIGHUP, SIGTERM, quit) during verification
// stops the verification at once, never the commands: the result is
// written, then the verify line says abandoned.
func TestVerificationAbandonedWhenHaconEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, r, audit, snap := unitSetup(t, false)
		e.VerifyTimeout = time.Hour
		req, _ := Parse("oc", []string{"move", "cinder-volume", "c1"})
		p, err := e.Plan(context.Background(), req, snap)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		written := make(chan Outcome, 1)
		done := make(chan Outcome, 1)
		go func() {
			out, _ := e.ExecuteNotify(ctx, p, Confirmation{Confirmed: true}, func(o Outcome) { written <- o })
			done <- out
		}()
		o := <-written
		if o.VerifyState != VerifyPending || !o.OK {
			t.Fatalf("outcome when the result was written: %+v", o)
		}
		if got := auditPhaseList(t, audit); got != "intent,result" {
			t.Fatalf("when resultWritten is called the log holds %q", got)
		}
		time.Sleep(10 * time.Second)
		cancel()
		out := <-done
		if out.VerifyState != VerifyAbandoned || out.Verified || r.calls.Load() == 0 {
			t.Errorf("outcome %+v", out)
		}
		if got := auditPhaseList(t, audit); got != "intent,result,verify" {
			t.Fatalf("phases %q", got)
		}
		b, _ := os.ReadFile(audit)
		if !strings.Contains(string(b), `"verify_state":"abandoned"`) {
			t.Errorf("verify line does not say abandoned:\n%s", b)
		}
	})
}

// A failed command has nothing to verify: the verify line says skipped.
func TestFailedCommandSkipsVerification(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, _, audit, snap := unitSetup(t, false)
		e.runner = failingRunner{}
		req, _ := Parse("oc", []string{"standby", "c2"})
		p, err := e.Plan(context.Background(), req, snap)
		if err != nil {
			t.Fatal(err)
		}
		out, err := e.Execute(context.Background(), p, Confirmation{Confirmed: true})
		if err != nil || out.OK || out.VerifyState != VerifySkipped {
			t.Fatalf("outcome %+v, %v", out, err)
		}
		b, _ := os.ReadFile(audit)
		if !strings.Contains(string(b), `"verify_state":"skipped"`) || !strings.Contains(string(b), `"exit":3`) {
			t.Errorf("audit log:\n%s", b)
		}
	})
}

type failingRunner struct{}

func (failingRunner) Run(_ context.Context, argv []string) ([]byte, []byte, error) {
	return nil, []byte("boom"), &remote.ExitError{Argv: argv, Code: 3, Stderr: "boom"}
}

func auditPhaseList(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var phases []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var ent AuditEntry
		if err := json.Unmarshal([]byte(line), &ent); err != nil {
			t.Fatalf("bad audit line %q: %v", line, err)
		}
		phases = append(phases, ent.Phase)
	}
	return strings.Join(phases, ",")
}

func TestUnwritableAuditLogStopsTheAction(t *testing.T) {
	t.Parallel()
	e, r, _, snap := unitSetup(t, false)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "file"), nil, 0o600)
	e.Audit = NewAuditLog(filepath.Join(dir, "file", "audit.log")) // a file where a dir should be
	req, _ := Parse("oc", []string{"standby", "c2"})
	p, _ := e.Plan(context.Background(), req, snap)
	before := r.calls.Load()
	if _, err := e.Execute(context.Background(), p, Confirmation{Confirmed: true}); err == nil || !strings.Contains(err.Error(), "audit") {
		t.Fatalf("ran without an audit log: %v", err)
	}
	if r.calls.Load() != before {
		t.Error("command ran although the intent could not be audited")
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	good := map[string]Request{
		"move cinder-volume c2":      {Cluster: "oc", Kind: Move, Resource: "cinder-volume", Node: "c2"},
		"move cinder-volume c2 PT5M": {Cluster: "oc", Kind: Move, Resource: "cinder-volume", Node: "c2", Lifetime: "PT5M"},
		"vip public c1":              {Cluster: "oc", Kind: MoveVIP, VIP: "public", Node: "c1"},
		"drain keystone c1":          {Cluster: "oc", Kind: Drain, Service: "keystone", Node: "c1"},
		"fence c1":                   {Cluster: "oc", Kind: Fence, Node: "c1"},
		"fence c1 off":               {Cluster: "oc", Kind: Fence, Node: "c1", FenceOff: true},
		"power c1 cycle":             {Cluster: "oc", Kind: Power, Node: "c1", Power: "cycle"},
		"clear cinder-volume":        {Cluster: "oc", Kind: Clear, Resource: "cinder-volume"},
	}
	for in, want := range good {
		got, err := Parse("oc", strings.Fields(in))
		if err != nil || got != want {
			t.Errorf("%q → %+v, %v", in, got, err)
		}
	}
	for _, in := range []string{"move x", "power c1 explode", "frobnicate c1", "standby", "drain keystone",
		"move r n PT10M;reboot", "move r;reboot n", "fence $(reboot)", "move r n 10m"} {
		if _, err := Parse("oc", strings.Fields(in)); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

func TestTransitionSummary(t *testing.T) {
	t.Parallel()
	out := []byte(`Current cluster status:
  * Node List:
    * Online: [ controller-0 controller-1 ]

Transition Summary:
  * Move       cinder-vol  ( controller-1 -> controller-0 )
  * Stop       haproxy:1   ( controller-1 )  due to node availability

Executing Cluster Transition:
  * Resource action: cinder-vol stop on controller-1
`)
	got := TransitionSummary(out)
	want := []string{"* Move cinder-vol ( controller-1 -> controller-0 )", "* Stop haproxy:1 ( controller-1 ) due to node availability"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q", got)
	}
}

// blockingRunner holds every command until released.
type blockingRunner struct {
	started chan struct{}
	release chan struct{}
}

func (b *blockingRunner) Run(ctx context.Context, argv []string) ([]byte, []byte, error) {
	if len(argv) > 2 && argv[2] == "crm_resource" && argv[3] == "--move" {
		b.started <- struct{}{}
		<-b.release
	}
	return nil, nil, nil
}

func TestOneActionPerTarget(t *testing.T) {
	t.Parallel()
	e, _, _, snap := unitSetup(t, false)
	br := &blockingRunner{started: make(chan struct{}, 1), release: make(chan struct{})}
	e.runner = br
	req, _ := Parse("oc", []string{"move", "cinder-volume", "c1"})
	p, err := e.Plan(context.Background(), req, snap)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := e.Execute(context.Background(), p, Confirmation{Confirmed: true})
		done <- err
	}()
	<-br.started
	if !e.InFlight(req) {
		t.Error("InFlight false while the move runs")
	}
	if _, err := e.Execute(context.Background(), p, Confirmation{Confirmed: true}); !errors.Is(err, ErrBusy) {
		t.Errorf("second action on the same target: %v, want ErrBusy", err)
	}
	// Another target is not blocked.
	other, _ := Parse("oc", []string{"standby", "c2"})
	op, _ := e.Plan(context.Background(), other, snap)
	if _, err := e.Execute(context.Background(), op, Confirmation{Confirmed: true}); err != nil {
		t.Errorf("an action on another target was refused: %v", err)
	}
	close(br.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	e.Wait()
	if e.InFlight(req) {
		t.Error("still in flight after it finished")
	}
}

// slowRunner times out every mutating command: its outcome is unknown.
type slowRunner struct{ calls [][]string }

func (s *slowRunner) Run(ctx context.Context, argv []string) ([]byte, []byte, error) {
	s.calls = append(s.calls, argv)
	if strings.Contains(strings.Join(argv, " "), "stonith_admin") {
		<-ctx.Done()
		return nil, nil, fmt.Errorf("%s: timed out: %w", argv[0], ctx.Err())
	}
	return nil, nil, nil
}

// A fence that times out on the first controller may still be under way:
// it must not be sent again through the next one.
func TestTimedOutActionIsNotRepeatedElsewhere(t *testing.T) {
	t.Parallel()
	synctest.Test(t, timedOutActionIsNotRepeatedElsewhere)
}

func timedOutActionIsNotRepeatedElsewhere(t *testing.T) {
	e, _, _, snap := unitSetup(t, false)
	sr := &slowRunner{}
	e.runner, e.ActionTimeout = sr, 200*time.Millisecond
	req, _ := Parse("oc", []string{"fence", "c0"})
	p, err := e.Plan(context.Background(), req, snap)
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Execute(context.Background(), p, Confirmation{Confirmed: true, TypedName: "c0"})
	if err != nil {
		t.Fatal(err)
	}
	fences := 0
	for _, c := range sr.calls {
		if strings.Contains(strings.Join(c, " "), "stonith_admin") {
			fences++
		}
	}
	if fences != 1 || out.OK || !strings.Contains(out.Error, "outcome unknown") || !strings.Contains(out.Error, "on c1") {
		t.Errorf("fences sent %d, outcome %s", fences, out.Summary())
	}
}

// Members outside the inventory vote: fencing one of three online
// controllers when two database members are offline loses quorum.
func TestQuorumCountsEveryMember(t *testing.T) {
	t.Parallel()
	e, _, _, snap := unitSetup(t, false)
	c := &snap.Clusters[0]
	for _, n := range []string{"db-0", "db-1"} {
		c.Nodes = append(c.Nodes, cluster.Node{Name: n, Pacemaker: &cluster.PcmkNode{Name: n, Type: "member"}})
	}
	c.Nodes = append(c.Nodes, cluster.Node{Name: "galera-bundle-0", Pacemaker: &cluster.PcmkNode{Name: "galera-bundle-0", Type: "remote", Online: true}})
	req, _ := Parse("oc", []string{"fence", "c0"})
	p, err := e.Plan(context.Background(), req, snap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Consequence, "quorum") || !strings.Contains(strings.Join(p.Blast, "\n"), "2 of 5") {
		t.Errorf("consequence %q, blast %q", p.Consequence, p.Blast)
	}
}

// In production a fence or power-off asks for the cluster's name as well
// as the node's; the executor enforces it, not only the dialog.
func TestProductionFenceNeedsTheClusterName(t *testing.T) {
	t.Parallel()
	e, r, _, snap := unitSetup(t, false)
	e.cfg.Clusters[0].Environment = "production"
	req, _ := Parse("oc", []string{"fence", "c1"})
	p, err := e.Plan(context.Background(), req, snap)
	if err != nil {
		t.Fatal(err)
	}
	if p.TypeToConfirm != "oc/c1" {
		t.Fatalf("type to confirm %q, want oc/c1", p.TypeToConfirm)
	}
	before := r.calls.Load()
	if _, err := e.Execute(context.Background(), p, Confirmation{Confirmed: true, TypedName: "c1", AcceptConsequence: true}); err == nil || !strings.Contains(err.Error(), `"oc/c1"`) {
		t.Fatalf("the node's name alone fenced a production node: %v", err)
	}
	if r.calls.Load() != before {
		t.Fatal("a command ran")
	}
	e.cfg.Clusters[0].Environment = "staging"
	if p, _ = e.Plan(context.Background(), req, snap); p.TypeToConfirm != "c1" {
		t.Errorf("staging asks for %q, want the node name alone", p.TypeToConfirm)
	}
}
