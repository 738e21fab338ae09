package probes

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/remote"
)

// fakePcmk answers argv = [ssh, <controller>, tool...] from a per-controller
// function and records every call.
type fakePcmk struct {
	mu    sync.Mutex
	calls []string
	// deadlines records, per call, how long the ctx had left when it came in.
	deadlines []time.Duration
	answer    func(ctx context.Context, ctl string, tool []string) ([]byte, []byte, error)
}

func (f *fakePcmk) Run(ctx context.Context, argv []string) ([]byte, []byte, error) {
	left := time.Duration(-1)
	if dl, ok := ctx.Deadline(); ok {
		left = time.Until(dl)
	}
	f.mu.Lock()
	f.calls = append(f.calls, strings.Join(argv[1:], " "))
	f.deadlines = append(f.deadlines, left)
	f.mu.Unlock()
	return f.answer(ctx, argv[1], argv[2:])
}

func (f *fakePcmk) callList() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// hang blocks like an ssh to a fenced host until the attempt's ctx ends.
func pcmkHang(ctx context.Context) ([]byte, []byte, error) {
	<-ctx.Done()
	return nil, nil, fmt.Errorf("ssh: timed out: %w", ctx.Err())
}

func pcmkTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "pcmk", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pcmkCIBAnswer serves cibadmin from the test CIB and crm_mon from monFile.
func pcmkCIBAnswer(t testing.TB, tool []string) ([]byte, []byte, error) {
	if tool[0] == "cibadmin" {
		return pcmkTestdata(t, "cib-3node.xml"), nil, nil
	}
	return nil, nil, fmt.Errorf("unexpected %v", tool)
}

func pcmkTarget(name string, run remote.Runner, ctls ...string) *Target {
	cc := &config.Cluster{Name: name, Pacemaker: &config.Pacemaker{Command: []string{"ssh", "{{.Name}}"}}}
	for _, c := range ctls {
		cc.Controllers = append(cc.Controllers, config.Controller{Name: c, Address: "192.0.2.1"})
	}
	return &Target{
		ID:      cluster.SourceID{Cluster: name, Kind: cluster.KindPacemaker, Name: "pacemaker"},
		Timeout: 900 * time.Millisecond,
		Cluster: cc,
		Deps:    &Deps{Runner: run},

		pacemaker: newPcmkState(nil),
	}
}

// The bubble's fake clock makes the shares exact: a hung controller costs
// precisely its third, whatever the load on the machine.
func TestPacemakerFallsBackToNextController(t *testing.T) {
	t.Parallel()
	synctest.Test(t, pacemakerFallsBackToNextController)
}

func pacemakerFallsBackToNextController(t *testing.T) {
	healthy := pcmkTestdata(t, "crm_mon-2.1-healthy.xml")
	f := &fakePcmk{answer: func(ctx context.Context, ctl string, tool []string) ([]byte, []byte, error) {
		switch {
		case ctl == "controller-0":
			return pcmkHang(ctx)
		case tool[0] == "crm_mon":
			return healthy, nil, nil
		}
		return pcmkCIBAnswer(t, tool)
	}}
	tg := pcmkTarget("fallback", f, "controller-0", "controller-1", "controller-2")
	start := time.Now()
	r := DefaultProbers().Poll(context.Background(), tg)
	if !r.OK() || r.Pacemaker == nil {
		t.Fatalf("poll failed: %s", r.Err)
	}
	if len(r.Pacemaker.Failover) != 1 || !strings.HasPrefix(r.Pacemaker.Failover[0], "controller-0: ") {
		t.Errorf("the failed first choice is not reported: %q", r.Pacemaker.Failover)
	}
	if r.Pacemaker.Via != "controller-1" {
		t.Errorf("Via = %q, want controller-1", r.Pacemaker.Via)
	}
	// controller-0 hung: it may only have cost its third of the timeout.
	if el := time.Since(start); el != 300*time.Millisecond {
		t.Errorf("poll took %v: the hung controller should cost its 300ms share", el)
	}
	if d := f.deadlines[0]; d != 300*time.Millisecond {
		t.Errorf("controller-0 got %v of 900ms; want a third", d)
	}
	calls := f.callList()
	if calls[0] != "controller-0 crm_mon --one-shot --inactive --fence-history=2 --output-as=xml" || calls[1] != "controller-1 crm_mon --one-shot --inactive --fence-history=2 --output-as=xml" {
		t.Errorf("calls %q", calls)
	}
	for _, c := range calls[2:] {
		if !strings.HasPrefix(c, "controller-1 cibadmin --query --scope ") {
			t.Errorf("CIB queried through another controller: %q", c)
		}
	}
}

func TestPacemakerAllControllersFailNamesEach(t *testing.T) {
	t.Parallel()
	synctest.Test(t, pacemakerAllControllersFailNamesEach)
}

func pacemakerAllControllersFailNamesEach(t *testing.T) {
	f := &fakePcmk{answer: func(ctx context.Context, ctl string, tool []string) ([]byte, []byte, error) {
		if ctl == "controller-0" {
			return nil, []byte("ssh: connect to host 192.0.2.1 port 22: Connection refused\n"),
				&remote.ExitError{Argv: []string{"ssh"}, Code: 255, Stderr: "ssh: connect to host 192.0.2.1 port 22: Connection refused"}
		}
		return pcmkHang(ctx)
	}}
	r := DefaultProbers().Poll(context.Background(), pcmkTarget("allfail", f, "controller-0", "controller-1"))
	if r.OK() {
		t.Fatal("poll succeeded with no controller answering")
	}
	for _, want := range []string{"controller-0: ssh exited 255: ssh: connect to host", "controller-1: ssh: timed out"} {
		if !strings.Contains(r.Err, want) {
			t.Errorf("Err %q lacks %q", r.Err, want)
		}
	}
	if r.Duration != 900*time.Millisecond {
		t.Errorf("poll took %v with a 900ms timeout", r.Duration)
	}
}

func TestPacemakerLegacyAsXMLFallback(t *testing.T) {
	t.Parallel()
	legacy := pcmkTestdata(t, "crm_mon-1.1.xml")
	f := &fakePcmk{answer: func(ctx context.Context, ctl string, tool []string) ([]byte, []byte, error) {
		if tool[0] != "crm_mon" {
			return []byte("<constraints/>"), nil, nil
		}
		if tool[len(tool)-1] == "--output-as=xml" {
			msg := "crm_mon: unrecognized option '--output-as=xml'\ncrm_mon - Provides a summary of cluster's current state.\n"
			return nil, []byte(msg), &remote.ExitError{Argv: []string{"ssh"}, Code: 64, Stderr: msg}
		}
		return legacy, nil, nil
	}}
	tg := pcmkTarget("legacy", f, "controller-0")
	for i := 0; i < 2; i++ {
		r := DefaultProbers().Poll(context.Background(), tg)
		if !r.OK() {
			t.Fatalf("poll %d: %s", i, r.Err)
		}
		if r := pcmkResource(t, r.Pacemaker, "redis-master"); r.Instances[0].Role != cluster.RolePromoted {
			t.Errorf("Master not mapped: %+v", r.Instances[0])
		}
	}
	var monCalls []string
	for _, c := range f.callList() {
		if strings.Contains(c, "crm_mon") {
			monCalls = append(monCalls, c)
		}
	}
	// First poll: --output-as refused, --as-xml works; the second poll
	// remembers and asks --as-xml straight away.
	want := []string{
		"controller-0 crm_mon --one-shot --inactive --fence-history=2 --output-as=xml",
		"controller-0 crm_mon --one-shot --inactive --as-xml",
		"controller-0 crm_mon --one-shot --inactive --as-xml",
	}
	if strings.Join(monCalls, "\n") != strings.Join(want, "\n") {
		t.Errorf("crm_mon calls:\n%s", strings.Join(monCalls, "\n"))
	}
}

// crm_mon may exit non-zero yet print a full status (e.g. without quorum);
// that is an answer, not a failure.
func TestPacemakerNonZeroExitWithXML(t *testing.T) {
	t.Parallel()
	noQuorum := strings.Replace(string(pcmkTestdata(t, "crm_mon-2.1-healthy.xml")), `with_quorum="true"`, `with_quorum="false"`, 1)
	f := &fakePcmk{answer: func(ctx context.Context, ctl string, tool []string) ([]byte, []byte, error) {
		if tool[0] == "crm_mon" {
			return []byte(noQuorum), nil, &remote.ExitError{Argv: []string{"ssh"}, Code: 106}
		}
		return pcmkCIBAnswer(t, tool)
	}}
	r := DefaultProbers().Poll(context.Background(), pcmkTarget("noquorum", f, "controller-0", "controller-1"))
	if !r.OK() || r.Pacemaker.HasQuorum || r.Pacemaker.Via != "controller-0" {
		t.Fatalf("err %q via %+v", r.Err, r.Pacemaker)
	}
}

// An error result from crm_mon (XML with no summary) is a failure that
// carries crm_mon's own reason, and the next controller is tried.
func TestPacemakerErrorXMLNamesReason(t *testing.T) {
	t.Parallel()
	errXML := pcmkTestdata(t, "crm_mon-error.xml")
	f := &fakePcmk{answer: func(ctx context.Context, ctl string, tool []string) ([]byte, []byte, error) {
		return errXML, nil, &remote.ExitError{Argv: []string{"ssh"}, Code: 102}
	}}
	r := DefaultProbers().Poll(context.Background(), pcmkTarget("errxml", f, "controller-0", "controller-1"))
	if r.OK() || !strings.Contains(r.Err, "controller-0: ssh exited 102 (crm_mon: status 102 Not connected") ||
		!strings.Contains(r.Err, "controller-1: ") {
		t.Errorf("Err = %q", r.Err)
	}
}

func TestPacemakerNoControllersRunsOnce(t *testing.T) {
	t.Parallel()
	healthy := pcmkTestdata(t, "crm_mon-2.1-healthy.xml")
	var argvs [][]string
	var mu sync.Mutex
	run := pcmkRunnerFunc(func(ctx context.Context, argv []string) ([]byte, []byte, error) {
		mu.Lock()
		argvs = append(argvs, argv)
		mu.Unlock()
		if argv[2] == "crm_mon" {
			return healthy, nil, nil
		}
		return pcmkTestdata(t, "cib-3node.xml"), nil, nil
	})
	tg := pcmkTarget("local", run)
	tg.Cluster.Pacemaker.Command = []string{"env", "CIB_file=/x/cib.xml"}
	r := DefaultProbers().Poll(context.Background(), tg)
	if !r.OK() || r.Pacemaker.Via != "" {
		t.Fatalf("err %q via %q", r.Err, r.Pacemaker.Via)
	}
	if got := strings.Join(argvs[0], " "); got != "env CIB_file=/x/cib.xml crm_mon --one-shot --inactive --fence-history=2 --output-as=xml" {
		t.Errorf("argv %q", got)
	}
}

type pcmkRunnerFunc func(ctx context.Context, argv []string) ([]byte, []byte, error)

func (f pcmkRunnerFunc) Run(ctx context.Context, argv []string) ([]byte, []byte, error) {
	return f(ctx, argv)
}

// What one Pacemaker target learnt (here: crm_mon wants --as-xml) belongs
// to it: another target of a cluster with the same name starts afresh, as
// a second scheduler or a second test would.
func TestPacemakerStateIsPerTarget(t *testing.T) {
	t.Parallel()
	legacy := pcmkTestdata(t, "crm_mon-1.1.xml")
	f := &fakePcmk{answer: func(ctx context.Context, ctl string, tool []string) ([]byte, []byte, error) {
		if tool[0] != "crm_mon" {
			return []byte("<constraints/>"), nil, nil
		}
		if tool[len(tool)-1] == "--output-as=xml" {
			msg := "crm_mon: unrecognized option '--output-as=xml'\n"
			return nil, []byte(msg), &remote.ExitError{Argv: []string{"ssh"}, Code: 64, Stderr: msg}
		}
		return legacy, nil, nil
	}}
	cfg := &config.Config{Clusters: []config.Cluster{{Name: "same", Controllers: []config.Controller{{Name: "controller-0"}},
		Pacemaker: &config.Pacemaker{Command: []string{"ssh", "{{.Name}}"}}}}}
	first, err := Targets(cfg, &Deps{Runner: f})
	if err != nil {
		t.Fatal(err)
	}
	second, _ := Targets(cfg, &Deps{Runner: f})
	probers := DefaultProbers()
	for _, tg := range []*Target{first[0], first[0], second[0]} {
		tg.Timeout = time.Second
		if r := probers.Poll(context.Background(), tg); !r.OK() {
			t.Fatal(r.Err)
		}
	}
	var forms []string
	for _, c := range f.callList() {
		if strings.Contains(c, "crm_mon") {
			forms = append(forms, c[strings.LastIndex(c, " ")+1:])
		}
	}
	want := "--output-as=xml --as-xml --as-xml --output-as=xml --as-xml"
	if got := strings.Join(forms, " "); got != want {
		t.Errorf("crm_mon forms %s, want %s", got, want)
	}
}
