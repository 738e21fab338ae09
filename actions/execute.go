package actions

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/hacon/hacon/bmc"
	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/remote"
)

// Errors the executor refuses with.
var (
	ErrReadOnly     = errors.New("read-only mode: actions are disabled")
	ErrNotConfirmed = errors.New("not confirmed: nothing was run")
	ErrBusy         = errors.New("another action on this target is still running")
)

// PowerSetter is what the bmc package offers for direct power actions.
type PowerSetter interface {
	SetPower(ctx context.Context, clusterName string, c config.Controller, action string) (bmc.PowerResult, error)
}

// SnapshotSource gives the executor fresh snapshots to verify against.
type SnapshotSource interface {
	Snapshot() cluster.Snapshot
	Kick(kinds ...cluster.SourceKind)
}

// Options wire an Executor.
type Options struct {
	Config   *config.Config
	ReadOnly bool
	Runner   remote.Runner // Pacemaker commands through the prefix
	// Transports, when set, carries the Pacemaker commands instead of a
	// plain prefix on Runner: the probe's own connections, so an action
	// pays no new login.
	Transports    remote.Transports
	Local         remote.Runner // local crm_simulate for previews; default ExecRunner
	BMC           PowerSetter
	Audit         *AuditLog
	Source        SnapshotSource
	Operator      Operator
	ActionTimeout time.Duration // per command; default 60s
	VerifyTimeout time.Duration // default config verify_timeout
	VerifyEvery   time.Duration // default 250ms
	Log           *slog.Logger  // one debug line per step run; nil logs nothing
}

// Executor plans and runs actions. Every guard is enforced here, whatever
// the UI shows: read-only, confirmation, staleness, one action per target,
// and the audit log written before and after.
type Executor struct {
	Options
	cfg    *config.Config
	runner remote.Runner
	local  remote.Runner

	mu       sync.Mutex
	inflight map[string]bool
	wg       sync.WaitGroup
}

// New returns an Executor.
func New(o Options) *Executor {
	if o.Local == nil {
		o.Local = remote.ExecRunner{}
	}
	if o.Runner == nil {
		o.Runner = remote.ExecRunner{}
	}
	if o.ActionTimeout == 0 {
		o.ActionTimeout = 60 * time.Second
	}
	if o.VerifyTimeout == 0 {
		o.VerifyTimeout = o.Config.VerifyTimeout
	}
	if o.VerifyTimeout == 0 {
		o.VerifyTimeout = config.DefaultVerifyTimeout
	}
	if o.VerifyEvery == 0 {
		o.VerifyEvery = 250 * time.Millisecond
	}
	if o.Operator == (Operator{}) {
		o.Operator = CurrentOperator()
	}
	ro := o.ReadOnly || o.Config.ReadOnly
	o.ReadOnly = ro
	return &Executor{Options: o, cfg: o.Config, runner: o.Runner, local: o.Local, inflight: map[string]bool{}}
}

// Confirmation is what the operator said in the confirm dialog.
type Confirmation struct {
	Confirmed         bool   // y, or the typed name
	TypedName         string // for fence and power off
	AcceptConsequence bool   // the extra confirmation naming quorum loss or the last node
	Force             bool   // run despite stale data (a second confirmation)
}

// StepResult is one command's outcome on one host.
type StepResult struct {
	Host   string
	Argv   []string
	OK     bool
	Exit   *int // exit status when a process ran (Pacemaker commands)
	Error  string
	Output string
}

// Outcome is what an executed action did.
type Outcome struct {
	Request     Request
	ActionID    string   // shared by its intent, result and verify lines
	Operator    Operator // who ran it
	OK          bool     // every command succeeded
	Partial     bool     // some hosts succeeded, some failed
	Error       string
	Verified    bool
	Verify      string // what was (or was not) seen
	VerifyState string // seen, not_seen, abandoned, skipped; pending before verification
	Duration    time.Duration
	Steps       []StepResult
}

// Summary is a one-line description for toasts and the timeline.
func (o Outcome) Summary() string {
	state := "done"
	switch {
	case !o.OK && o.Partial:
		state = "PARTIAL"
	case !o.OK:
		state = "FAILED"
	case o.Verified:
		state = "verified"
	case o.VerifyState == VerifyAbandoned:
		state = "verification abandoned"
	case o.VerifyState == VerifyPending:
		state = "done, verifying"
	default:
		state = "NOT verified"
	}
	s := fmt.Sprintf(":%s %s in %s", o.Request.String(), state, o.Duration.Round(100*time.Millisecond))
	if o.Error != "" {
		s += ": " + o.Error
	} else if o.Verify != "" {
		s += ": " + o.Verify
	}
	return s
}

// Check applies every guard without running anything; Execute calls it.
func (e *Executor) Check(p *Preview, c Confirmation) error {
	switch {
	case e.ReadOnly:
		return ErrReadOnly
	case !c.Confirmed:
		return ErrNotConfirmed
	case p.TypeToConfirm != "" && c.TypedName != p.TypeToConfirm:
		return fmt.Errorf("type %q to confirm; nothing was run", p.TypeToConfirm)
	case p.Consequence != "" && !c.AcceptConsequence:
		return fmt.Errorf("needs explicit confirmation that %s; nothing was run", p.Consequence)
	case p.Stale != "" && !c.Force:
		return fmt.Errorf("%s; confirm again to force; nothing was run", p.Stale)
	}
	return e.checkDirect(p)
}

// Execute runs a planned, confirmed action, then verifies it, writing the
// intent, result and verify lines of the audit log. See ExecuteNotify.
func (e *Executor) Execute(ctx context.Context, p *Preview, c Confirmation) (Outcome, error) {
	return e.ExecuteNotify(ctx, p, c, nil)
}

// ExecuteNotify is Execute that calls resultWritten (when not nil) once the
// result line is durable, before verification starts: the console then
// lets the operator leave. The commands never stop when ctx ends (a
// dropped session must not abandon an action halfway); verification
// does, and is recorded as abandoned.
func (e *Executor) ExecuteNotify(ctx context.Context, p *Preview, c Confirmation, resultWritten func(Outcome)) (Outcome, error) {
	if err := e.Check(p, c); err != nil {
		return Outcome{Request: p.Request}, err
	}
	target := p.Request.Target()
	e.mu.Lock()
	if e.inflight[target] {
		e.mu.Unlock()
		return Outcome{Request: p.Request}, fmt.Errorf("%w: %s", ErrBusy, target)
	}
	e.inflight[target] = true
	e.wg.Add(1)
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		delete(e.inflight, target)
		e.mu.Unlock()
		e.wg.Done()
	}()

	entry := AuditEntry{Phase: PhaseIntent, ActionID: newActionID(), Operator: e.Operator, Cluster: p.Request.Cluster,
		Action: string(p.Request.Kind), Target: p.Request.String(), Commands: commandsOf(p), Forced: c.Force}
	if err := e.Audit.Write(entry); err != nil {
		return Outcome{Request: p.Request}, fmt.Errorf("cannot write the audit log, so the action was not run: %w", err)
	}
	start := time.Now()
	out := e.run(context.WithoutCancel(ctx), p)
	out.ActionID, out.Operator, out.Duration = entry.ActionID, e.Operator, time.Since(start)
	out.VerifyState = VerifyPending
	if !out.OK {
		out.VerifyState = VerifySkipped
	}
	if ran := ranCommands(out); len(ran) > 0 {
		entry.Commands = ran // what really ran, and where: the intent names the first choice
	}
	e.writeResult(entry, &out)
	if resultWritten != nil {
		resultWritten(out)
	}
	if out.OK {
		out.Verified, out.Verify, out.VerifyState = e.verify(ctx, p.Request, start)
	} else {
		out.Verify = "not verified: the commands failed"
	}
	out.Duration = time.Since(start)
	e.writeVerify(entry, &out)
	return out, nil
}

// writeResult records what the commands did, host by host, as soon as they
// have returned.
func (e *Executor) writeResult(entry AuditEntry, out *Outcome) {
	entry.Phase, entry.Time = PhaseResult, ""
	entry.OK, entry.Error, entry.DurationMS = out.OK, out.Error, out.Duration.Milliseconds()
	entry.VerifyState, entry.Hosts = out.VerifyState, hostResults(out.Steps)
	if err := e.Audit.Write(entry); err != nil {
		out.Error = strings.TrimPrefix(out.Error+"; ", "; ") + "audit result not written: " + err.Error()
	}
}

// writeVerify records what verification saw, or that it was abandoned.
func (e *Executor) writeVerify(entry AuditEntry, out *Outcome) {
	entry.Phase, entry.Time = PhaseVerify, ""
	entry.OK, entry.Error, entry.DurationMS = out.OK, out.Error, out.Duration.Milliseconds()
	entry.Verified, entry.VerifyState, entry.Verify = out.Verified, out.VerifyState, out.Verify
	if err := e.Audit.Write(entry); err != nil {
		out.Error = strings.TrimPrefix(out.Error+"; ", "; ") + "audit verification not written: " + err.Error()
	}
}

// hostResults summarises each step for the result line: never more than
// outputSummaryMax bytes of output, control characters removed.
func hostResults(steps []StepResult) []HostResult {
	out := make([]HostResult, 0, len(steps))
	for _, st := range steps {
		h := HostResult{Host: st.Host, OK: st.OK, Exit: st.Exit, Error: summarize(st.Error), Output: summarize(st.Output)}
		out = append(out, h)
	}
	return out
}

func summarize(s string) string {
	s = cluster.CleanText(strings.TrimSpace(s))
	if len(s) > outputSummaryMax {
		s = strings.ToValidUTF8(s[:outputSummaryMax], "") + "…"
	}
	return s
}

// newActionID names one execution in the audit log.
func newActionID() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return fmt.Sprintf("t%x", time.Now().UnixNano())
	}
	return hex.EncodeToString(b[:])
}

// Wait blocks until no action is in flight (the TUI calls it on quit).
func (e *Executor) Wait() { e.wg.Wait() }

// InFlight reports whether an action on the request's target is running.
func (e *Executor) InFlight(r Request) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.inflight[r.Target()]
}

func ranCommands(o Outcome) [][]string {
	var cmds [][]string
	for _, st := range o.Steps {
		if len(st.Argv) > 0 {
			cmds = append(cmds, append([]string{"@" + st.Host}, st.Argv...))
		}
	}
	return cmds
}

func commandsOf(p *Preview) [][]string {
	var cmds [][]string
	for _, s := range p.Steps {
		switch s.Plane {
		case PlaneHAProxy:
			for _, h := range s.Hosts {
				cmds = append(cmds, append([]string{"haproxy-runtime-api", h}, s.Argv...))
			}
		case PlaneBMC:
			cmds = append(cmds, append([]string{"bmc", s.Hosts[0]}, s.Argv...))
		case PlaneKeepalived:
			cmds = append(cmds, append([]string{"@" + s.Hosts[0]}, s.Argv...))
		default:
			cmds = append(cmds, strings.Fields(s.Shown))
		}
	}
	return cmds
}
