package tui

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/hacon/hacon/actions"
	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/internal/testpeers/polleddemo"
	"github.com/hacon/hacon/probes"
	"github.com/hacon/hacon/timeline"
)

// demoEnv is the embedded demo cluster polled by the real probes, with the
// real executor writing its audit log into the test's directory.
type demoEnv struct {
	sched *probes.Scheduler
	ex    *actions.Executor
	rec   *recorder // wraps ex, counting calls
	audit string
}

func startDemo(t *testing.T) *demoEnv {
	t.Helper()
	a := polleddemo.Start(t, 200*time.Millisecond)
	return &demoEnv{sched: a.Sched, ex: a.Executor, rec: &recorder{inner: a.Executor}, audit: a.Config.AuditLog}
}

// model is a console on the demo at 200x50 in mono, its actions going
// through the recorder to the real executor.
func (e *demoEnv) model(t *testing.T, opts Options) Model {
	opts.Source, opts.Actions, opts.Theme = e.sched, e.rec, "mono"
	return newModel(t, cluster.Snapshot{}, opts, 200, 50)
}

// auditPhases reads the audit log's phases ("intent", "result"), nil when
// the file does not exist.
func auditPhases(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var phases []string
	dec := json.NewDecoder(bytes.NewReader(b))
	for dec.More() {
		var e actions.AuditEntry
		if err := dec.Decode(&e); err != nil {
			t.Fatal(err)
		}
		phases = append(phases, e.Phase+" "+e.Target)
	}
	return phases
}

// recorder is an ActionRunner that counts calls and forwards them to
// inner (nil: Plan returns preview and Execute returns outcome).
type recorder struct {
	inner   ActionRunner
	preview *actions.Preview
	outcome actions.Outcome

	mu    sync.Mutex
	plans []actions.Request
	execs []actions.Confirmation
}

func (r *recorder) Plan(ctx context.Context, req actions.Request, snap cluster.Snapshot) (*actions.Preview, error) {
	r.mu.Lock()
	r.plans = append(r.plans, req)
	r.mu.Unlock()
	if r.inner != nil {
		return r.inner.Plan(ctx, req, snap)
	}
	return r.preview, nil
}

func (r *recorder) ExecuteNotify(ctx context.Context, p *actions.Preview, c actions.Confirmation, written func(actions.Outcome)) (actions.Outcome, error) {
	r.mu.Lock()
	r.execs = append(r.execs, c)
	r.mu.Unlock()
	if r.inner != nil {
		return r.inner.ExecuteNotify(ctx, p, c, written)
	}
	o := r.outcome
	o.Request = p.Request
	if written != nil {
		written(o)
	}
	return o, nil
}

// sessionActions are the actions in the session's incidents, the most
// recently started first.
func sessionActions(m Model) []timeline.Action {
	var out []timeline.Action
	for _, inc := range m.incidents.Incidents() {
		out = append(out, inc.Actions...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.After(out[j].Time) })
	return out
}

func (r *recorder) calls() (plans, execs int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.plans), len(r.execs)
}

// run executes a command synchronously as bubbletea would and feeds its
// messages (batches included) back into the model.
func run(m Model, cmd tea.Cmd) Model {
	if cmd == nil {
		return m
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			m = run(m, c)
		}
	default:
		var next tea.Cmd
		m, next = sendCmd(m, msg)
		m = run(m, next)
	}
	return m
}

// palette types a command line and presses enter, running what it starts.
func palette(m Model, line string) Model {
	m = typeText(press(m, ":"), line)
	m, cmd := sendCmd(m, keyMsg("enter"))
	return run(m, cmd)
}
