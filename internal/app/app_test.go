package app_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hacon/hacon/actions"
	"github.com/hacon/hacon/demo"
	"github.com/hacon/hacon/internal/app"
)

// logBuffer is a debug log the test reads while polls write it.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines returns the log lines whose message is msg.
func (b *logBuffer) lines(msg string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, l := range strings.Split(b.buf.String(), "\n") {
		if strings.Contains(l, "msg=\""+msg+"\"") {
			out = append(out, l)
		}
	}
	return out
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// A BMC that refuses hacon's password fails its poll: the debug log gets
// exactly one line, naming the source, and neither the BMC's password nor
// the wrong one hacon sent.
func TestPollFailureLogsOneLineWithoutSecrets(t *testing.T) {
	const right, wrong = "right-secret-4f1e", "wrong-secret-9c2a"
	t.Setenv(demo.PasswordEnv, right)
	t.Setenv("HACON_TEST_WRONG_BMC_PASSWORD", wrong)
	log := &logBuffer{}
	a, err := app.New(app.Options{Demo: true, Log: app.NewLogger(log)})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	a.Config.Clusters[0].Controllers[1].BMC.PasswordEnv = "HACON_TEST_WRONG_BMC_PASSWORD"

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	snap := a.Sched.PollOnce(ctx)
	failed := 0
	for _, s := range snap.Clusters[0].Sources {
		if !s.OK {
			failed++
		}
	}
	got := log.lines("poll failed")
	if failed != 1 || len(got) != 1 {
		t.Fatalf("%d failed sources, %d log lines, want 1 and 1:\n%s", failed, len(got), log)
	}
	if !strings.Contains(got[0], "source="+demo.ClusterName+"/bmc/controller-1") || !strings.Contains(got[0], "level=DEBUG") {
		t.Errorf("log line does not name the BMC source at debug level: %s", got[0])
	}
	for _, secret := range []string{right, wrong} {
		if strings.Contains(log.String(), secret) {
			t.Errorf("debug log contains a password:\n%s", log)
		}
	}
}

// An action logs one line per step: a drain runs on each of the three
// HAProxies.
func TestActionLogsOneLinePerStep(t *testing.T) {
	log := &logBuffer{}
	a, err := app.New(app.Options{Demo: true, Interval: 200 * time.Millisecond, Log: app.NewLogger(log),
		AuditLog: filepath.Join(t.TempDir(), "audit.log"), VerifyTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	a.Start()
	ctx := context.Background()
	a.Sched.PollOnce(ctx)
	req, err := actions.Parse(demo.ClusterName, []string{"drain", "keystone", "controller-1"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.Executor.Plan(ctx, req, a.Sched.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	out, err := a.Executor.Execute(ctx, p, actions.Confirmation{Confirmed: true})
	if err != nil || !out.OK {
		t.Fatalf("drain: %v %s", err, out.Summary())
	}
	steps := log.lines("action step")
	if len(steps) != len(out.Steps) || len(steps) != 3 {
		t.Fatalf("%d step lines for %d steps, want 3:\n%s", len(steps), len(out.Steps), log)
	}
	for _, l := range steps {
		if !strings.Contains(l, "plane=haproxy") || !strings.Contains(l, "ok=true") {
			t.Errorf("step line: %s", l)
		}
	}
}

func TestReadOnlyFromOptionsOrConfig(t *testing.T) {
	a, err := app.New(app.Options{Demo: true, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if !a.ReadOnly || !a.Executor.ReadOnly {
		t.Errorf("read-only option lost: app %t executor %t", a.ReadOnly, a.Executor.ReadOnly)
	}
}
