package remote

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hacon/hacon/config"
)

func TestRunInputFeedsStdinAndNeverTheArgv(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p := Prefix{Command: []string{"env", "HOST={{.Name}}"}, Runner: ExecRunner{}}
	out, err := p.RunInput(ctx, config.Controller{Name: "c0"}, []string{"sh", "-c", `printf "%s:" "$HOST"; cat`}, []byte("secret query"))
	if err != nil || string(out.Stdout) != "c0:secret query" {
		t.Fatalf("out %q err %v", out.Stdout, err)
	}
	for _, a := range out.Argv {
		if a == "secret query" {
			t.Errorf("stdin leaked into argv %q", out.Argv)
		}
	}
	// Without input the command reads an empty stdin, not hacon's terminal.
	stdout, _, err := ExecRunner{}.Run(ctx, []string{"cat"})
	if err != nil || len(stdout) != 0 {
		t.Errorf("cat without input: %q %v", stdout, err)
	}
}

type plainRunner struct{ calls int }

func (r *plainRunner) Run(context.Context, []string) ([]byte, []byte, error) {
	r.calls++
	return nil, nil, nil
}

func TestRunInputRefusesARunnerWithoutInput(t *testing.T) {
	t.Parallel()
	r := &plainRunner{}
	_, err := Prefix{Runner: r}.RunInput(context.Background(), config.Controller{Name: "c0"}, []string{"mysql"}, []byte("q"))
	if !errors.Is(err, ErrNoInput) || !IsUnreachable(err) || r.calls != 0 {
		t.Errorf("err %v after %d calls", err, r.calls)
	}
}
