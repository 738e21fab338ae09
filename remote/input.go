package remote

import (
	"context"
	"errors"
	"fmt"

	"github.com/hacon/hacon/config"
)

// InputRunner is a Runner that can also feed a command's stdin. The stateful
// probes send the mysql client its query (and, when the password lives on
// hacon's host, an option file with it) this way: stdin never shows in a
// process list, in Output.Argv or in an error, and an ssh prefix carries it
// without a shell re-reading it.
type InputRunner interface {
	Runner
	RunInput(ctx context.Context, argv []string, stdin []byte) (stdout, stderr []byte, err error)
}

// RunInput implements InputRunner.
func (ExecRunner) RunInput(ctx context.Context, argv []string, stdin []byte) ([]byte, []byte, error) {
	return execRun(ctx, argv, stdin)
}

// ErrNoInput is returned when a runner cannot feed a command's stdin.
var ErrNoInput = errors.New("this command runner cannot send input on stdin")

// RunInput is Run with stdin; it fails with ErrNoInput (as unreachable:
// nothing ran) when the Runner is not an InputRunner.
func (p Prefix) RunInput(ctx context.Context, c config.Controller, tool []string, stdin []byte) (Output, error) {
	ir, ok := p.Runner.(InputRunner)
	if !ok {
		return Output{}, Unreachable(ErrNoInput)
	}
	argv, err := p.Argv(c, tool)
	if err != nil {
		return Output{}, Unreachable(fmt.Errorf("command prefix: %v", err))
	}
	stdout, stderr, err := ir.RunInput(ctx, argv, stdin)
	out := Output{Argv: argv, Stdout: stdout, Stderr: stderr}
	if err != nil && p.notStarted(ctx, err) {
		err = Unreachable(err)
	}
	return out, err
}
