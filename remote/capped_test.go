package remote

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// Issue 11 #6: a prefix that prints without end (600 MB grew hacon to
// 2.1 GB) is stopped at the cap; what is kept stays bounded.
func TestEndlessOutputIsCappedAndStopped(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for name, argv := range map[string][]string{
		"stdout": {"sh", "-c", "exec yes hacon"},
		"stderr": {"sh", "-c", "exec yes hacon >&2"},
	} {
		stdout, stderr, err := ExecRunner{}.Run(ctx, argv)
		if err == nil || !strings.Contains(err.Error(), "larger than") || !strings.Contains(err.Error(), "killed it") {
			t.Errorf("%s: err = %v, want the cap named", name, err)
		}
		if len(stdout) > MaxStdout || len(stderr) > MaxStderr {
			t.Errorf("%s: kept %d/%d bytes, caps %d/%d", name, len(stdout), len(stderr), MaxStdout, MaxStderr)
		}
	}
	if ctx.Err() != nil {
		t.Fatal("the endless command was not stopped by the cap (the test's own deadline ended it)")
	}
}

func TestCappedBufferKeepsExactlyTheCap(t *testing.T) {
	t.Parallel()
	calls := 0
	b := newCappedBuffer(10, func() { calls++ })
	b.Write([]byte("12345678"))
	b.Write([]byte("abcdef"))
	b.Write([]byte("more"))
	if got := string(b.Bytes()); got != "12345678ab" || calls != 1 || !b.overflowed() {
		t.Errorf("kept %q, overflow called %d times", got, calls)
	}
}

// io.Copy (what os/exec uses) goes through ReadFrom: the cap and the
// overflow call hold there too, and the whole input is consumed so the
// command never blocks on a full pipe.
func TestCappedBufferReadFromKeepsTheCap(t *testing.T) {
	t.Parallel()
	calls := 0
	b := newCappedBuffer(10<<10, func() { calls++ })
	src := strings.NewReader(strings.Repeat("x", 25<<10))
	n, err := io.Copy(b, src)
	if err != nil || n != 25<<10 || len(b.Bytes()) != 10<<10 || calls != 1 || !b.overflowed() {
		t.Errorf("copied %d (%v), kept %d, overflow called %d times", n, err, len(b.Bytes()), calls)
	}
}
