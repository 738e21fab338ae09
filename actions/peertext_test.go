package actions

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/hacon/hacon/remote"
)

// escRunner answers every command with terminal escapes, as a hostile or
// broken controller could; the second host fails with escapes in stderr.
type escRunner struct{}

func (escRunner) Run(ctx context.Context, argv []string) ([]byte, []byte, error) {
	const esc = "\x1b]0;pwned\x07\x1b[2J"
	if len(argv) > 1 && argv[1] == "c0" {
		stderr := "refused" + esc
		return nil, []byte(stderr), &remote.ExitError{Argv: argv, Code: 1, Stderr: stderr}
	}
	return []byte("moved" + esc), nil, nil
}

// Issue 11 #11: what a command printed reaches the result dialog, the
// audit log and the events log without its control characters.
func TestActionOutputIsCleanedOfControlCharacters(t *testing.T) {
	t.Parallel()
	e, _, audit, snap := unitSetup(t, false)
	e.runner, e.Runner = escRunner{}, escRunner{}
	req, _ := Parse("oc", []string{"move", "cinder-volume", "c1"})
	p, err := e.Plan(context.Background(), req, snap)
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Execute(context.Background(), p, Confirmation{Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{out.Error}
	for _, st := range out.Steps {
		texts = append(texts, st.Output, st.Error)
	}
	log, _ := os.ReadFile(audit)
	texts = append(texts, string(log))
	for _, s := range texts {
		if strings.ContainsAny(s, "\x1b\x07") {
			t.Errorf("control characters from a controller survived: %q", s)
		}
	}
}
