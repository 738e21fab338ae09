package remote

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hacon/hacon/config"
)

// script answers argv = [ssh, <host>, tool...] per host and records each
// call with the time its context had left.
type script struct {
	mu     sync.Mutex
	calls  []string
	budget []time.Duration
	answer map[string]func(ctx context.Context) ([]byte, []byte, error)
}

func (s *script) Run(ctx context.Context, argv []string) ([]byte, []byte, error) {
	left := time.Duration(-1)
	if dl, ok := ctx.Deadline(); ok {
		left = time.Until(dl)
	}
	s.mu.Lock()
	s.calls = append(s.calls, strings.Join(argv, " "))
	s.budget = append(s.budget, left)
	s.mu.Unlock()
	if f := s.answer[argv[1]]; f != nil {
		return f(ctx)
	}
	return []byte("ok from " + argv[1]), nil, nil
}

func hangs(ctx context.Context) ([]byte, []byte, error) {
	<-ctx.Done()
	return nil, nil, fmt.Errorf("ssh: timed out: %w", ctx.Err())
}

func exits(code int, msg string) func(context.Context) ([]byte, []byte, error) {
	return func(context.Context) ([]byte, []byte, error) {
		return nil, []byte(msg), &ExitError{Argv: []string{"ssh"}, Code: code, Stderr: msg}
	}
}

var three = []config.Controller{{Name: "c0", Address: "192.0.2.10"}, {Name: "c1"}, {Name: "c2"}}

// run sends one tool line through Failover the way actions do.
func run(ctx context.Context, s *script, op Op, prefix ...string) (Answer, Output, error) {
	tr := Prefix{Command: prefix, Runner: s}
	if prefix == nil {
		tr.Command = []string{"ssh", "{{.Name}}"}
	}
	var out Output
	ans, err := Failover(ctx, three, op, func(ctx context.Context, c config.Controller) error {
		var err error
		out, err = tr.Run(ctx, c, []string{"stonith_admin", "--reboot", "n"})
		return err
	})
	return ans, out, err
}

// A hung controller costs a Read its share of the deadline, not all of it.
func TestReadSharesTheDeadline(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &script{answer: map[string]func(context.Context) ([]byte, []byte, error){"c0": hangs}}
		ctx, cancel := context.WithTimeout(context.Background(), 900*time.Millisecond)
		defer cancel()
		start := time.Now()
		ans, out, err := run(ctx, s, Read)
		if err != nil || ans.Host.Name != "c1" || string(out.Stdout) != "ok from c1" {
			t.Fatalf("answer %+v %q, err %v", ans, out.Stdout, err)
		}
		if took := time.Since(start); took != 300*time.Millisecond {
			t.Errorf("took %v; the hung c0 may cost a third of 900ms", took)
		}
		if s.budget[0] != 300*time.Millisecond || s.budget[1] != 300*time.Millisecond {
			t.Errorf("budgets %v, want 300ms each (a third, then half of the rest)", s.budget)
		}
		if len(ans.Failed) != 1 || !strings.HasPrefix(ans.Failed[0], "c0: ssh: timed out") {
			t.Errorf("Failed %q", ans.Failed)
		}
	})
}

// A Read moves on after any failure, the tool's own included, and names
// every controller when none answers.
func TestReadTriesEveryController(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) { readTriesEveryController(t) })
}

func readTriesEveryController(t *testing.T) {
	s := &script{answer: map[string]func(context.Context) ([]byte, []byte, error){
		"c0": exits(255, "ssh: connect to host c0 port 22: Connection refused"),
		"c1": exits(102, "crm_mon: Not connected"),
		"c2": exits(1, "Could not connect to the CIB"),
	}}
	_, _, err := run(context.Background(), s, Read)
	var none *NoAnswerError
	if !errors.As(err, &none) || len(none.Tried) != 3 || len(s.calls) != 3 {
		t.Fatalf("err %v after %d calls", err, len(s.calls))
	}
	want := "no controller answered: c0: ssh exited 255: ssh: connect to host c0 port 22: Connection refused; c1: ssh exited 102: crm_mon: Not connected; c2: ssh exited 1: Could not connect to the CIB"
	if err.Error() != want {
		t.Errorf("err\n%s\nwant\n%s", err, want)
	}
	for _, b := range s.budget {
		if b != DefaultTimeout {
			t.Errorf("budget without a deadline %v, want DefaultTimeout", b)
		}
	}
}

// When the caller's deadline is gone, the controllers not yet asked are
// named rather than silently skipped.
func TestReadNamesControllersLeftUnasked(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		s := &script{answer: map[string]func(context.Context) ([]byte, []byte, error){
			"c0": func(context.Context) ([]byte, []byte, error) {
				<-ctx.Done() // outlives its share: the whole deadline is spent
				return nil, nil, fmt.Errorf("ssh: timed out: %w", ctx.Err())
			},
		}}
		_, _, err := run(ctx, s, Read)
		if err == nil || !strings.HasSuffix(err.Error(), "; no time left for c1, c2") || len(s.calls) != 1 {
			t.Errorf("err %v after %q", err, s.calls)
		}
	})
}

// A change that timed out may still be under way (a fence in progress): it
// is never sent again through another controller.
func TestTimedOutChangeIsNotResent(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &script{answer: map[string]func(context.Context) ([]byte, []byte, error){"c0": hangs}}
		ctx, cancel := context.WithTimeout(context.Background(), 900*time.Millisecond)
		defer cancel()
		ans, out, err := run(ctx, s, Change)
		if len(s.calls) != 1 || !errors.Is(err, ErrOutcomeUnknown) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("calls %q, err %v", s.calls, err)
		}
		if !strings.HasPrefix(err.Error(), "on c0: ssh: timed out") || ans.Host.Name != "c0" || out.Argv[1] != "c0" {
			t.Errorf("err %v, answer %+v, argv %q", err, ans, out.Argv)
		}
		if s.budget[0] != 900*time.Millisecond {
			t.Errorf("a change got %v of 900ms; it gets all the time left", s.budget[0])
		}
	})
}

// A change moves on only when nothing could have run: ssh's own 255 or a
// prefix that cannot be expanded. A tool's refusal is final.
func TestChangeMovesOnOnlyWhenUnreached(t *testing.T) {
	t.Parallel()
	refused := exits(255, "ssh: connect to host c0 port 22: Connection refused")
	s := &script{answer: map[string]func(context.Context) ([]byte, []byte, error){"c0": refused}}
	ans, out, err := run(context.Background(), s, Change)
	if err != nil || ans.Host.Name != "c1" || strings.Join(out.Argv, " ") != "ssh c1 stonith_admin --reboot n" {
		t.Errorf("unreachable c0: answer %+v argv %q err %v", ans, out.Argv, err)
	}

	s = &script{answer: map[string]func(context.Context) ([]byte, []byte, error){"c0": exits(1, "stonith_admin: no such device")}}
	ans, _, err = run(context.Background(), s, Change)
	var ee *ExitError
	if len(s.calls) != 1 || !errors.As(err, &ee) || ee.Code != 1 || ans.Host.Name != "c0" ||
		err.Error() != "on c0: ssh exited 1: stonith_admin: no such device" {
		t.Errorf("tool refusal: calls %q, err %v", s.calls, err)
	}

	// Without a prefix, 255 is the tool's own status, not ssh's.
	s = &script{answer: map[string]func(context.Context) ([]byte, []byte, error){"--reboot": refused}}
	tr := Prefix{Runner: s}
	_, err = Failover(context.Background(), three, Change, func(ctx context.Context, c config.Controller) error {
		_, err := tr.Run(ctx, c, []string{"stonith_admin", "--reboot", "n"})
		return err
	})
	if len(s.calls) != 1 || err == nil || IsUnreachable(err) {
		t.Errorf("255 without a prefix: calls %q, err %v", s.calls, err)
	}

	// {{.Address}} is empty on c1: the prefix cannot be built, nothing ran.
	s = &script{answer: map[string]func(context.Context) ([]byte, []byte, error){"c0": refused}}
	ans, out, err = run(context.Background(), s, Change, "ssh", "{{.Name}}", "{{.Nope}}")
	var none *NoAnswerError
	if !errors.As(err, &none) || len(s.calls) != 0 || !strings.Contains(err.Error(), "c0: command prefix: ") {
		t.Errorf("bad prefix: calls %q, err %v, answer %+v %q", s.calls, err, ans, out.Argv)
	}
}

func TestPrefixExpandsEachController(t *testing.T) {
	t.Parallel()
	p := Prefix{Command: []string{"ssh", "heat-admin@{{.Address}}", "-o", "Name={{.Name}}", "sudo"}}
	got, err := p.Argv(three[0], []string{"crm_mon", "-1"})
	if err != nil || strings.Join(got, " ") != "ssh heat-admin@192.0.2.10 -o Name=c0 sudo crm_mon -1" {
		t.Errorf("%q %v", got, err)
	}
	if got, _ := (Prefix{}).Argv(three[0], []string{"crm_mon"}); strings.Join(got, " ") != "crm_mon" {
		t.Errorf("no prefix: %q", got)
	}
}

// Host.Run bounds a command whose caller gave no deadline.
func TestHostRunHasADefaultDeadline(t *testing.T) {
	t.Parallel()
	s := &script{}
	h := Host{Transport: Prefix{Command: []string{"ssh", "{{.Name}}"}, Runner: s}, Controller: three[2]}
	out, err := h.Run(context.Background(), []string{"cibadmin", "--query"})
	if err != nil || string(out.Stdout) != "ok from c2" || s.budget[0] <= 0 || s.budget[0] > DefaultTimeout {
		t.Errorf("out %q err %v budget %v", out.Stdout, err, s.budget)
	}
}
