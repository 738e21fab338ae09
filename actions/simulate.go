package actions

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/probes"
)

// SimulateTimeout bounds the whole transition preview.
const SimulateTimeout = 15 * time.Second

// simulate predicts the transition: it copies the live CIB (cibadmin
// --query through the prefix) into a private temp file, applies the change
// to the copy with CIB_file=, and runs crm_simulate on it locally. It
// returns crm_simulate's Transition Summary lines, or why there are none.
func (e *Executor) simulate(ctx context.Context, cc *config.Cluster, hosts []config.Controller, req Request) ([]string, string) {
	if req.Kind == Cleanup {
		return nil, "no transition preview for cleanup (crm_resource --cleanup cannot run on a CIB copy)"
	}
	if _, isExec := e.local.(probes.ExecRunner); isExec {
		if _, err := exec.LookPath("crm_simulate"); err != nil {
			return nil, "crm_simulate is not installed on this host: no transition preview"
		}
	}
	ctx, cancel := context.WithTimeout(ctx, SimulateTimeout)
	defer cancel()
	cib, err := e.runPacemaker(ctx, cc, hosts, []string{"cibadmin", "--query"}, false)
	if err != nil {
		return nil, "cannot read the live CIB: " + err.Error()
	}
	dir, err := os.MkdirTemp("", "hacon-sim-")
	if err != nil {
		return nil, err.Error()
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "cib.xml")
	if err := os.WriteFile(file, cib.stdout, 0o600); err != nil {
		return nil, err.Error()
	}
	env := []string{"env", "CIB_file=" + file}
	simArgs := []string{"crm_simulate", "-x", file, "-S"}
	switch req.Kind {
	case Fence:
		simArgs = append(simArgs, "--node-fail", req.Node)
	default:
		if _, _, err := e.local.Run(ctx, append(env, pacemakerArgv(req)...)); err != nil {
			return nil, "applying the change to a CIB copy failed: " + err.Error()
		}
	}
	out, _, err := e.local.Run(ctx, simArgs)
	if err != nil {
		return nil, "crm_simulate failed: " + err.Error()
	}
	lines := TransitionSummary(out)
	if len(lines) == 0 {
		lines = []string{"(no resource changes)"}
	}
	return lines, ""
}

// TransitionSummary extracts the "Transition Summary:" lines of
// crm_simulate's text output, padding trimmed.
func TransitionSummary(out []byte) []string {
	var lines []string
	in := false
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "Transition Summary:"):
			in = true
		case in && strings.HasPrefix(strings.TrimSpace(l), "* "):
			lines = append(lines, strings.Join(strings.Fields(strings.TrimSpace(l)), " "))
		case in && strings.TrimSpace(l) != "":
			return lines // the next section began
		}
	}
	return lines
}

// ranResult is one Pacemaker command's outcome and where it ran.
type ranResult struct {
	host   string
	argv   []string
	stdout []byte
}

// runPacemaker runs a tool through the cluster's prefix, trying hosts in
// order until one answers — like the probe, so a fenced controller does not
// stop actions. An exit status from the tool itself is final: the next host
// would say the same. A command that changes the cluster (mutating) moves
// to the next host only when the transport failed before it could start
// (ssh's 255, a prefix that cannot run); a timeout leaves its outcome
// unknown — it may still be fencing — so it is never run a second time.
func (e *Executor) runPacemaker(ctx context.Context, cc *config.Cluster, hosts []config.Controller, argv []string, mutating bool) (ranResult, error) {
	var errs []string
	for i, h := range hosts {
		prefix, err := config.ExpandArgs(cc.Pacemaker.Command, h)
		if err != nil {
			return ranResult{}, err
		}
		full := append(append([]string{}, prefix...), argv...)
		budget := share(ctx, len(hosts)-i)
		if mutating {
			budget = remaining(ctx)
		}
		actx, cancel := context.WithTimeout(ctx, budget)
		out, _, err := e.runner.Run(actx, full)
		cancel()
		ran := ranResult{host: h.Name, argv: full, stdout: out}
		switch {
		case err == nil:
			return ran, nil
		case isToolError(err, prefix):
			return ran, fmt.Errorf("on %s: %w", orLocal(h.Name), err)
		case mutating && (errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil):
			return ran, fmt.Errorf("on %s: %v: outcome unknown, check the cluster before retrying", orLocal(h.Name), err)
		}
		errs = append(errs, fmt.Sprintf("%s: %v", orLocal(h.Name), err))
	}
	return ranResult{}, fmt.Errorf("no controller answered: %s", strings.Join(errs, "; "))
}

// remaining is the time left before ctx's deadline (30s without one).
func remaining(ctx context.Context) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		return max(time.Until(dl), 0)
	}
	return 30 * time.Second
}

func orLocal(s string) string {
	if s == "" {
		return "local"
	}
	return s
}

// isToolError tells a tool's own failure (crm_resource said no) from a
// transport failure (ssh could not reach the host, 255; a timeout): only
// the latter is worth trying on the next controller.
func isToolError(err error, prefix []string) bool {
	var ee *probes.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	return len(prefix) == 0 || ee.Code != 255
}

// share gives each remaining host an equal part of the time left, so one
// hung ssh does not use up the whole deadline.
func share(ctx context.Context, remaining int) time.Duration {
	dl, ok := ctx.Deadline()
	if !ok {
		return 30 * time.Second
	}
	left := time.Until(dl)
	if remaining > 1 {
		left /= time.Duration(remaining)
	}
	return max(left, 500*time.Millisecond)
}
