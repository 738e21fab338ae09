package probes

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
)

func init() { Register(cluster.KindPacemaker, probePacemaker) }

// The Pacemaker CLI lines the probe runs after the configured prefix.
var (
	crmMonArgv       = []string{"crm_mon", "--one-shot", "--inactive", "--output-as=xml"}
	crmMonLegacyArgv = []string{"crm_mon", "--one-shot", "--inactive", "--as-xml"}
	cibConstraints   = []string{"cibadmin", "--query", "--scope", "constraints"}
	cibResources     = []string{"cibadmin", "--query", "--scope", "resources"}
)

const (
	// cibRefresh is how long the resources section (promoted-max, replicas)
	// is trusted: it changes only when an operator edits the configuration.
	cibRefresh = 60 * time.Second
	// cibRetry is how soon a failed resources query is tried again.
	cibRetry = 10 * time.Second
	// execCap bounds any one command when the caller gave no deadline.
	execCap = 30 * time.Second
)

// pcmkState is what the probe remembers per cluster between polls.
type pcmkState struct {
	legacy    bool // crm_mon rejected --output-as: Pacemaker < 2.0.3
	resources map[string]CIBResource
	next      time.Time       // when the resources section is due again
	asked     map[string]bool // promotable/bundle ids known at the last query

	// The constraints section changes only when the CIB does: it is read
	// again only when crm_mon's last_change moves (see constraintsFresh).
	lcSeen   string    // crm_mon's last_change as last seen
	lcSeenAt time.Time // when that value was first seen
	cons     []cluster.Constraint
	consFor  string    // the last_change the cached constraints belong to
	consAt   time.Time // when they were read
}

// ConstraintsMaxAge bounds how long cached constraints are trusted even
// when crm_mon's last_change has not moved.
const ConstraintsMaxAge = 30 * time.Second

// constraintsFresh reports whether the cached constraints still describe
// the CIB. last_change has a resolution of one second, so a cache read in
// the same second as the change it follows could miss a second change in
// that second: it is trusted only when read over a second after the value
// was first seen. Called with pcmkMu held.
func (s *pcmkState) constraintsFresh(lastChange string, now time.Time) bool {
	if lastChange != s.lcSeen {
		s.lcSeen, s.lcSeenAt = lastChange, now
	}
	return lastChange != "" && s.cons != nil && s.consFor == lastChange &&
		s.consAt.Sub(s.lcSeenAt) > 1100*time.Millisecond && now.Sub(s.consAt) < ConstraintsMaxAge
}

var (
	pcmkMu    sync.Mutex
	pcmkCache = map[string]*pcmkState{}
)

func pcmkStateFor(name string) *pcmkState {
	pcmkMu.Lock()
	defer pcmkMu.Unlock()
	s := pcmkCache[name]
	if s == nil {
		s = &pcmkState{}
		pcmkCache[name] = s
	}
	return s
}

// probePacemaker asks each controller in turn until one's crm_mon answers:
// the controller hacon was asking may be the one being fenced. Every
// attempt gets an equal share of the time left, so a hung ssh costs one
// share, not the whole poll.
func probePacemaker(ctx context.Context, t *Target) cluster.Result {
	if t.Cluster == nil || t.Deps == nil || t.Deps.Runner == nil {
		return cluster.Result{Err: "pacemaker probe: no cluster or command runner configured"}
	}
	var prefix []string
	if t.Cluster.Pacemaker != nil {
		prefix = t.Cluster.Pacemaker.Command
	}
	ctls := t.Cluster.Controllers
	if len(ctls) == 0 {
		ctls = []config.Controller{{}}
	}
	state := pcmkStateFor(t.Cluster.Name)
	var errs []string
	for i, c := range ctls {
		name := c.Name
		if name == "" {
			name = "local"
		}
		argv, err := config.ExpandArgs(prefix, c)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: command prefix: %v", name, err))
			continue
		}
		actx, cancel := shareOf(ctx, len(ctls)-i)
		st, err := runCrmMon(actx, t.Deps.Runner, argv, state)
		cancel()
		if err != nil {
			errs = append(errs, name+": "+err.Error())
			if ctx.Err() != nil && i < len(ctls)-1 {
				errs = append(errs, "no time left for "+names(ctls[i+1:]))
				break
			}
			continue
		}
		st.Via = c.Name
		if len(errs) > 0 {
			// The answer came, but not from the first choice: say why, or
			// a dead controller would hide behind a healthy source.
			st.Failover = errs
		}
		addCIB(ctx, t.Deps.Runner, argv, state, st)
		return cluster.Result{Pacemaker: st, Address: "crm_mon via " + name}
	}
	return cluster.Result{Err: "crm_mon failed on every controller: " + strings.Join(errs, "; ")}
}

func names(cs []config.Controller) string {
	ns := make([]string, len(cs))
	for i, c := range cs {
		ns[i] = c.Name
	}
	return strings.Join(ns, ", ")
}

// shareOf gives one of n remaining attempts its slice of ctx's deadline
// (or execCap when ctx has none).
func shareOf(ctx context.Context, n int) (context.Context, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	if !ok {
		return context.WithTimeout(ctx, execCap)
	}
	return context.WithTimeout(ctx, time.Until(dl)/time.Duration(max(n, 1)))
}

// runCrmMon runs crm_mon through one controller's prefix. A non-zero exit
// with a parseable status (crm_mon exits non-zero on, e.g., lost quorum in
// some versions) still counts; so does falling back to the 1.1 --as-xml
// form when --output-as is unknown.
func runCrmMon(ctx context.Context, run Runner, prefix []string, state *pcmkState) (*cluster.PacemakerStatus, error) {
	pcmkMu.Lock()
	legacy := state.legacy
	pcmkMu.Unlock()
	first, second := crmMonArgv, crmMonLegacyArgv
	if legacy {
		first, second = second, first
	}
	st, unknown, err := crmMonOnce(ctx, run, prefix, first)
	if !unknown || ctx.Err() != nil {
		return st, err
	}
	st, _, err2 := crmMonOnce(ctx, run, prefix, second)
	if err2 != nil {
		return nil, fmt.Errorf("%w; then %s: %w", err, strings.Join(second[1:], " "), err2)
	}
	pcmkMu.Lock()
	state.legacy = !legacy
	pcmkMu.Unlock()
	return st, nil
}

// crmMonOnce runs one form of crm_mon; unknown reports that crm_mon did not
// recognise the output option, so the other form is worth trying.
func crmMonOnce(ctx context.Context, run Runner, prefix, tool []string) (st *cluster.PacemakerStatus, unknown bool, err error) {
	argv := append(append(make([]string, 0, len(prefix)+len(tool)), prefix...), tool...)
	stdout, stderr, rerr := run.Run(ctx, argv)
	var perr error
	if len(bytes.TrimSpace(stdout)) > 0 {
		st, perr = ParseCrmMonContext(ctx, bytes.NewReader(stdout))
		if perr == nil {
			return st, false, nil
		}
	}
	switch {
	case rerr == nil && perr == nil:
		return nil, false, errors.New("crm_mon printed nothing")
	case rerr == nil:
		return nil, false, perr
	case perr != nil && optionUnknown(stdout, stderr):
		return nil, true, rerr
	case perr != nil:
		// The XML usually carries crm_mon's own reason (e.g. "cluster is
		// not available on this node") while stderr is empty.
		return nil, false, fmt.Errorf("%w (%v)", rerr, perr)
	}
	return nil, optionUnknown(stdout, stderr), rerr
}

// optionUnknown spots getopt's complaint about --output-as or --as-xml in
// either stream ("unrecognized option", "Unknown option", …).
func optionUnknown(stdout, stderr []byte) bool {
	s := strings.ToLower(string(stderr) + "\n" + string(stdout))
	if !strings.Contains(s, "output-as") && !strings.Contains(s, "as-xml") {
		return false
	}
	for _, w := range []string{"unrecognized", "unrecognised", "unknown", "invalid option", "not recognized"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// addCIB fills what crm_mon leaves out: cli-prefer constraints (every poll,
// they are what an operator's move leaves behind) and promoted-max and
// replicas (rarely). Failures here only add a warning: placement from
// crm_mon is still right.
func addCIB(ctx context.Context, run Runner, prefix []string, state *pcmkState, st *cluster.PacemakerStatus) {
	now := time.Now()
	pcmkMu.Lock()
	fresh := state.constraintsFresh(st.LastChange, now)
	cached := state.cons
	pcmkMu.Unlock()
	switch {
	case fresh:
		MergeConstraints(st, cached)
	default:
		if out, err := runTool(ctx, run, prefix, cibConstraints); err != nil {
			st.Warnings = append(st.Warnings, "cli-prefer constraints unknown: "+err.Error())
		} else if cons, err := ParseCIBConstraints(bytes.NewReader(out)); err != nil {
			st.Warnings = append(st.Warnings, "cli-prefer constraints unknown: "+err.Error())
		} else {
			MergeConstraints(st, cons)
			pcmkMu.Lock()
			state.cons, state.consFor, state.consAt = cons, st.LastChange, time.Now()
			if state.cons == nil {
				state.cons = []cluster.Constraint{}
			}
			pcmkMu.Unlock()
		}
	}

	pcmkMu.Lock()
	due := now.After(state.next) || state.resources == nil && state.next.IsZero()
	for _, r := range st.Resources {
		if (r.Kind == cluster.KindPromotable || r.Kind == cluster.KindBundle) && !state.asked[r.ID] {
			due = true // a new promotable or bundle: learn its promoted-max now
		}
	}
	pcmkMu.Unlock()
	if due {
		refreshResources(ctx, run, prefix, state, st, now)
	}
	pcmkMu.Lock()
	cib := state.resources
	pcmkMu.Unlock()
	if cib != nil {
		ApplyCIBResources(st, cib)
	}
}

func refreshResources(ctx context.Context, run Runner, prefix []string, state *pcmkState, st *cluster.PacemakerStatus, now time.Time) {
	asked := map[string]bool{}
	for _, r := range st.Resources {
		if r.Kind == cluster.KindPromotable || r.Kind == cluster.KindBundle {
			asked[r.ID] = true
		}
	}
	out, err := runTool(ctx, run, prefix, cibResources)
	var res map[string]CIBResource
	if err == nil {
		res, err = ParseCIBResources(bytes.NewReader(out))
	}
	pcmkMu.Lock()
	defer pcmkMu.Unlock()
	state.asked = asked
	if err != nil {
		state.next = now.Add(cibRetry)
		st.Warnings = append(st.Warnings, "promoted-max unknown (mode guessed from roles): "+err.Error())
		return
	}
	state.resources, state.next = res, now.Add(cibRefresh)
}

// runTool runs one CLI line through the prefix with its own timeout and
// names the tool in any error.
func runTool(ctx context.Context, run Runner, prefix, tool []string) ([]byte, error) {
	ctx, cancel := shareOf(ctx, 1)
	defer cancel()
	argv := append(append(make([]string, 0, len(prefix)+len(tool)), prefix...), tool...)
	out, _, err := run.Run(ctx, argv)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", tool[0], err)
	}
	return out, nil
}
