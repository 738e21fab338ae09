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
	"github.com/hacon/hacon/remote"
)

// The Pacemaker CLI lines the probe runs after the configured prefix.
var (
	crmMonArgv       = []string{"crm_mon", "--one-shot", "--inactive", "--fence-history=2", "--output-as=xml"} // 2: successes too, for each node's last fencing
	crmMonLegacyArgv = []string{"crm_mon", "--one-shot", "--inactive", "--as-xml"}
	cibConstraints   = []string{"cibadmin", "--query", "--scope", "constraints"}
	cibResources     = []string{"cibadmin", "--query", "--scope", "resources"}
	cibFencing       = []string{"cibadmin", "--query", "--scope", "fencing-topology"}
)

const (
	// cibRefresh is how long the resources section (promoted-max, replicas)
	// is trusted: it changes only when an operator edits the configuration.
	cibRefresh = 60 * time.Second
	// cibRetry is how soon a failed resources query is tried again.
	cibRetry = 10 * time.Second
)

// pcmkState is what the probe remembers about one cluster between polls.
// Each Pacemaker target owns one, so two schedulers (or two tests) polling
// clusters of the same name never share what they learnt.
type pcmkState struct {
	now func() time.Time

	mu        sync.Mutex
	legacy    bool // crm_mon rejected --output-as: Pacemaker < 2.0.3
	resources map[string]CIBResource
	next      time.Time       // when the resources section is due again
	asked     map[string]bool // promotable/bundle ids known at the last query

	// Pacemaker's fencing configuration, read with the resources.
	devices       []cluster.FenceDevice
	levels        []cluster.FenceLevel
	levelsUnknown bool
	fencingRead   bool

	// The constraints section changes only when the CIB does: it is read
	// again only when crm_mon's last_change moves (see constraintsFresh).
	lcSeen   string    // crm_mon's last_change as last seen
	lcSeenAt time.Time // when that value was first seen
	cons     []cluster.Constraint
	consFor  string    // the last_change the cached constraints belong to
	consAt   time.Time // when they were read
}

// newPcmkState returns an empty cache reading time from now (time.Now
// when nil).
func newPcmkState(now func() time.Time) *pcmkState {
	if now == nil {
		now = time.Now
	}
	return &pcmkState{now: now}
}

// ConstraintsMaxAge bounds how long cached constraints are trusted even
// when crm_mon's last_change has not moved.
const ConstraintsMaxAge = 30 * time.Second

// constraintsFresh reports whether the cached constraints still describe
// the CIB. last_change has a resolution of one second, so a cache read in
// the same second as the change it follows could miss a second change in
// that second: it is trusted only when read over a second after the value
// was first seen. Called with s.mu held.
func (s *pcmkState) constraintsFresh(lastChange string, now time.Time) bool {
	if lastChange != s.lcSeen {
		s.lcSeen, s.lcSeenAt = lastChange, now
	}
	return lastChange != "" && s.cons != nil && s.consFor == lastChange &&
		s.consAt.Sub(s.lcSeenAt) > 1100*time.Millisecond && now.Sub(s.consAt) < ConstraintsMaxAge
}

// probePacemaker asks each controller in turn, by remote's Read policy,
// until one's crm_mon answers: the controller hacon was asking may be the
// one being fenced.
func probePacemaker(ctx context.Context, t *Target) cluster.Result {
	if t.Cluster == nil || t.Deps == nil || (t.Deps.Runner == nil && t.Deps.Transports == nil) {
		return cluster.Result{Err: "pacemaker probe: no cluster or command runner configured"}
	}
	transports := t.Deps.Transports
	if transports == nil {
		transports = remote.PrefixTransports{Runner: t.Deps.Runner}
	}
	tr := transports.For(t.Cluster)
	ctls := t.Cluster.Controllers
	if len(ctls) == 0 {
		ctls = []config.Controller{{}}
	}
	state := t.pacemaker
	if state == nil {
		// A target built by hand rather than by Targets keeps nothing
		// between polls: every poll asks everything afresh.
		state = newPcmkState(t.Deps.Now)
	}
	var st *cluster.PacemakerStatus
	ans, err := remote.Failover(ctx, ctls, remote.Read, func(ctx context.Context, c config.Controller) error {
		var err error
		st, err = runCrmMon(ctx, remote.Host{Transport: tr, Controller: c}, state)
		return err
	})
	if err != nil {
		var na *remote.NoAnswerError
		if errors.As(err, &na) {
			return cluster.Result{Err: "crm_mon failed on every controller: " + strings.Join(na.Tried, "; ")}
		}
		return cluster.Result{Err: err.Error()}
	}
	st.Via = ans.Host.Name
	if len(ans.Failed) > 0 {
		// The answer came, but not from the first choice: say why, or
		// a dead controller would hide behind a healthy source.
		st.Failover = ans.Failed
	}
	addCIB(ctx, remote.Host{Transport: tr, Controller: ans.Host}, state, st)
	return cluster.Result{Pacemaker: st, Address: "crm_mon via " + remote.HostName(ans.Host)}
}

// runCrmMon runs crm_mon through one controller's prefix. A non-zero exit
// with a parseable status (crm_mon exits non-zero on, e.g., lost quorum in
// some versions) still counts; so does falling back to the 1.1 --as-xml
// form when --output-as is unknown.
func runCrmMon(ctx context.Context, h remote.Host, state *pcmkState) (*cluster.PacemakerStatus, error) {
	state.mu.Lock()
	legacy := state.legacy
	state.mu.Unlock()
	first, second := crmMonArgv, crmMonLegacyArgv
	if legacy {
		first, second = second, first
	}
	st, unknown, err := crmMonOnce(ctx, h, first)
	if !unknown || ctx.Err() != nil {
		return st, err
	}
	st, _, err2 := crmMonOnce(ctx, h, second)
	if err2 != nil {
		return nil, fmt.Errorf("%w; then %s: %w", err, strings.Join(second[1:], " "), err2)
	}
	state.mu.Lock()
	state.legacy = !legacy
	state.mu.Unlock()
	return st, nil
}

// crmMonOnce runs one form of crm_mon; unknown reports that crm_mon did not
// recognise the output option, so the other form is worth trying.
func crmMonOnce(ctx context.Context, h remote.Host, tool []string) (st *cluster.PacemakerStatus, unknown bool, err error) {
	out, rerr := h.Run(ctx, tool)
	stdout, stderr := out.Stdout, out.Stderr
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
func addCIB(ctx context.Context, h remote.Host, state *pcmkState, st *cluster.PacemakerStatus) {
	now := state.now()
	state.mu.Lock()
	fresh := state.constraintsFresh(st.LastChange, now)
	cached := state.cons
	state.mu.Unlock()
	switch {
	case fresh:
		MergeConstraints(st, cached)
	default:
		if out, err := runTool(ctx, h, cibConstraints); err != nil {
			st.Warnings = append(st.Warnings, "cli-prefer constraints unknown: "+err.Error())
		} else if cons, err := ParseCIBConstraints(bytes.NewReader(out)); err != nil {
			st.Warnings = append(st.Warnings, "cli-prefer constraints unknown: "+err.Error())
		} else {
			MergeConstraints(st, cons)
			state.mu.Lock()
			state.cons, state.consFor, state.consAt = cons, st.LastChange, state.now()
			if state.cons == nil {
				state.cons = []cluster.Constraint{}
			}
			state.mu.Unlock()
		}
	}

	state.mu.Lock()
	due := now.After(state.next) || state.resources == nil && state.next.IsZero()
	for _, r := range st.Resources {
		if (r.Kind == cluster.KindPromotable || r.Kind == cluster.KindBundle) && !state.asked[r.ID] {
			due = true // a new promotable or bundle: learn its promoted-max now
		}
	}
	state.mu.Unlock()
	if due {
		refreshResources(ctx, h, state, st, now)
	}
	state.mu.Lock()
	cib := state.resources
	devices, levels, levelsUnknown, fencingRead := state.devices, state.levels, state.levelsUnknown, state.fencingRead
	state.mu.Unlock()
	if cib != nil {
		ApplyCIBResources(st, cib)
	}
	if fencingRead {
		ApplyFencing(st, devices, levels, levelsUnknown)
	}
}

func refreshResources(ctx context.Context, h remote.Host, state *pcmkState, st *cluster.PacemakerStatus, now time.Time) {
	asked := map[string]bool{}
	for _, r := range st.Resources {
		if r.Kind == cluster.KindPromotable || r.Kind == cluster.KindBundle {
			asked[r.ID] = true
		}
	}
	out, err := runTool(ctx, h, cibResources)
	var res map[string]CIBResource
	var devices []cluster.FenceDevice
	if err == nil {
		res, err = ParseCIBResources(bytes.NewReader(out))
	}
	if err == nil {
		devices, err = ParseCIBStonith(bytes.NewReader(out))
	}
	var levels []cluster.FenceLevel
	var lerr error
	if err == nil {
		levels, lerr = fencingLevels(ctx, h)
	}
	state.mu.Lock()
	defer state.mu.Unlock()
	state.asked = asked
	if err != nil {
		state.next = now.Add(cibRetry)
		st.Warnings = append(st.Warnings, "promoted-max unknown (mode guessed from roles), stonith devices too: "+err.Error())
		return
	}
	if lerr != nil {
		st.Warnings = append(st.Warnings, "fencing levels unknown: "+lerr.Error())
	}
	state.resources, state.next = res, now.Add(cibRefresh)
	state.devices, state.levels, state.levelsUnknown, state.fencingRead = devices, levels, lerr != nil, true
}

// fencingLevels reads the fencing topology; a CIB without one has no levels.
func fencingLevels(ctx context.Context, h remote.Host) ([]cluster.FenceLevel, error) {
	out, err := runTool(ctx, h, cibFencing)
	if noSection(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return ParseCIBFencingLevels(bytes.NewReader(out))
}

// runTool runs one CLI line on the host that answered and names the tool
// in any error.
func runTool(ctx context.Context, h remote.Host, tool []string) ([]byte, error) {
	out, err := h.Run(ctx, tool)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", tool[0], err)
	}
	return out.Stdout, nil
}
