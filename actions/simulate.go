package actions

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/remote"
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
	if _, isExec := e.local.(remote.ExecRunner); isExec {
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
// order by remote's failover policy — the probe's, so a fenced controller
// stops neither. A mutating command is a remote.Change: it is never sent a
// second time once it may have run. On failure ran names the host that
// gave the final answer, or is empty when none answered.
func (e *Executor) runPacemaker(ctx context.Context, cc *config.Cluster, hosts []config.Controller, argv []string, mutating bool) (ranResult, error) {
	var transports remote.Transports = remote.PrefixTransports{Runner: e.runner}
	if e.Transports != nil {
		transports = e.Transports
	}
	tr := transports.For(cc)
	op := remote.Read
	if mutating {
		op = remote.Change
	}
	var ran ranResult
	_, err := remote.Failover(ctx, hosts, op, func(ctx context.Context, h config.Controller) error {
		out, err := tr.Run(ctx, h, argv)
		ran = ranResult{host: h.Name, argv: out.Argv, stdout: out.Stdout}
		return err
	})
	var none *remote.NoAnswerError
	if errors.As(err, &none) {
		ran = ranResult{}
	}
	return ran, err
}
