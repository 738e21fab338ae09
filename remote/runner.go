package remote

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Runner runs a command line (prefix + tool + args) and returns its output.
// The real one execs it; the demo answers the same argv from a simulator,
// so the Pacemaker probe and actions run the same parsing path either way.
type Runner interface {
	Run(ctx context.Context, argv []string) (stdout, stderr []byte, err error)
}

// ExitError is a command that ran and exited non-zero.
type ExitError struct {
	Argv   []string
	Code   int
	Stderr string
}

func (e *ExitError) Error() string {
	msg := strings.TrimSpace(e.Stderr)
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	if msg == "" {
		return fmt.Sprintf("%s exited %d", e.Argv[0], e.Code)
	}
	return fmt.Sprintf("%s exited %d: %s", e.Argv[0], e.Code, msg)
}

// ExecRunner runs commands for real, killing the whole process group when
// ctx ends so an ssh that hangs cannot outlive its timeout.
//
// Every command runs in a new session with stdin on /dev/null: it has no
// controlling terminal, so nothing it starts can open /dev/tty to ask a
// question over the console (ssh's host-key, passphrase and password
// prompts) or read the operator's keys.
type ExecRunner struct{}

// Run implements Runner.
func (ExecRunner) Run(ctx context.Context, argv []string) ([]byte, []byte, error) {
	return execRun(ctx, argv, nil)
}

func execRun(ctx context.Context, argv []string, stdin []byte) ([]byte, []byte, error) {
	if len(argv) == 0 {
		return nil, nil, errors.New("empty command")
	}
	// Output is capped as it is read: a prefix that prints without end is
	// stopped (its process group killed) rather than buffered.
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	out, errb := newCappedBuffer(MaxStdout, stop), newCappedBuffer(MaxStderr, stop)
	cmd := exec.CommandContext(runCtx, argv[0], argv[1:]...)
	// Setsid also makes the command a process group leader, the group
	// Cancel kills; and it has no controlling terminal, so ssh can never
	// prompt on the operator's screen.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Cancel = func() error {
		if cmd.Process != nil {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
		return nil
	}
	// A descendant that left the process group could hold the pipes open
	// forever: stop waiting for its output a second after the kill.
	cmd.WaitDelay = time.Second
	cmd.Stdout, cmd.Stderr = out, errb
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	err := cmd.Run()
	if over := overflowed(out, errb); over != "" {
		return out.Bytes(), errb.Bytes(), fmt.Errorf("%s: %s: stopped reading and killed it", argv[0], over)
	}
	if ctx.Err() != nil {
		return out.Bytes(), errb.Bytes(), fmt.Errorf("%s: timed out: %w", argv[0], ctx.Err())
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out.Bytes(), errb.Bytes(), &ExitError{Argv: argv, Code: ee.ExitCode(), Stderr: string(errb.Bytes())}
	}
	if err != nil {
		return out.Bytes(), errb.Bytes(), fmt.Errorf("%s: %w", argv[0], err)
	}
	return out.Bytes(), errb.Bytes(), nil
}
