package actions

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/probes"
	"github.com/hacon/hacon/remote"
)

// PlaneKeepalived runs keepalived's service commands on one controller.
const PlaneKeepalived Plane = "keepalived"

// Step roles on the keepalived plane.
const (
	kaStop  = "stop"
	kaWait  = "wait"
	kaStart = "start"
)

// addressGoneTimeout bounds the wait for a stopped keepalived's address to
// leave the holder; addressGoneEvery is how often it is checked.
const (
	addressGoneTimeout = 30 * time.Second
	addressGoneEvery   = 500 * time.Millisecond
)

// ErrRefused wraps a :vip that cannot end where it was asked to.
var ErrRefused = errors.New("refused")

// planeFor is where a request's commands run: its verb's plane, except a
// keepalived VIP's move (keepalived's own service commands) and fencing a
// node of a cluster without Pacemaker (its BMC's power).
func planeFor(verb Verb, cc *config.Cluster, sc *cluster.Cluster, req Request) Plane {
	switch {
	case req.Kind == MoveVIP:
		if v := sc.VIPByName(req.VIP); v != nil && v.Instance != "" {
			return PlaneKeepalived
		}
	case req.Kind == Fence && cc.Pacemaker == nil:
		return PlaneBMC
	}
	return verb.Plane
}

// vrrpCandidate is one controller that could take a keepalived VIP.
type vrrpCandidate struct {
	node     string
	priority int
}

// planKeepalivedVIP plans a keepalived VIP move from the dumped VRRP state:
// who takes the address when the holder releases it (the highest effective
// priority among healthy BACKUPs) and whether the holder takes it back when
// its keepalived returns (preemption). A move that cannot end on the node
// asked for is refused, saying why and what would make it possible.
func (e *Executor) planKeepalivedVIP(cc *config.Cluster, sc *cluster.Cluster, p *Preview) error {
	req := p.Request
	v := sc.VIPByName(req.VIP)
	holder, err := soleHolder(v)
	if err != nil {
		return err
	}
	if holder == req.Node {
		return fmt.Errorf("%w: VIP %s is already on %s", ErrRefused, v.Name, holder)
	}
	views := map[string]cluster.VRRPView{}
	for _, x := range v.VRRP {
		views[x.Node] = x
	}
	if err := targetCanTake(v, views[req.Node]); err != nil {
		return err
	}
	if err := noUnknownRival(sc, v, holder, req.Node); err != nil {
		return err
	}
	winner, cands := nextHolder(v, holder)
	if err := winnerIsTarget(v, req.Node, winner, cands, views); err != nil {
		return err
	}
	hv := views[holder]
	if hv.Known && !hv.NoPreempt && hv.EffectivePriority > winner.priority {
		return fmt.Errorf("%w: %s preempts (no nopreempt) at priority %d, above %s's %d: it would take %s back as soon as its keepalived restarts. "+
			"To move it, lower %s's priority below %d or set nopreempt on %s, then retry",
			ErrRefused, holder, hv.EffectivePriority, req.Node, winner.priority, v.Address, holder, winner.priority, v.Instance)
	}
	return e.keepalivedSteps(cc, sc, p, v, holder, hv, winner)
}

func soleHolder(v *cluster.VIP) (string, error) {
	switch {
	case v.Stale:
		return "", fmt.Errorf("%w: no controller's addresses are known: where %s is cannot be told", ErrRefused, v.Address)
	case len(v.Holders) == 0:
		return "", fmt.Errorf("%w: no controller holds %s: there is nothing to release (fix the FAULT first)", ErrRefused, v.Address)
	case len(v.Holders) > 1:
		return "", fmt.Errorf("%w: %s is on %s at once (split brain): heal VRRP between the nodes first; stopping one keepalived would not say where it ends",
			ErrRefused, v.Address, strings.Join(v.Holders, " and "))
	}
	return v.Holders[0], nil
}

func targetCanTake(v *cluster.VIP, t cluster.VRRPView) error {
	switch {
	case !t.Known:
		return fmt.Errorf("%w: %s's keepalived state for %s is unknown (no dump): hacon cannot tell whether it would take %s",
			ErrRefused, t.Node, v.Instance, v.Address)
	case t.State == cluster.VRRPFault:
		why := "a tracked check is failing"
		if len(t.FailingChecks) > 0 {
			why = "failing: " + strings.Join(t.FailingChecks, ", ")
		}
		return fmt.Errorf("%w: %s is in FAULT for %s (%s): it cannot take %s until that check passes", ErrRefused, t.Node, v.Instance, why, v.Address)
	case t.State != cluster.VRRPBackup:
		return fmt.Errorf("%w: %s is %s for %s, not BACKUP: it would not take %s", ErrRefused, t.Node, t.State, v.Instance, v.Address)
	}
	return nil
}

// nextHolder is the healthy BACKUP with the highest effective priority:
// the one VRRP elects when the holder sends its priority-0 advert.
func nextHolder(v *cluster.VIP, holder string) (vrrpCandidate, []vrrpCandidate) {
	var cands []vrrpCandidate
	for _, x := range v.VRRP {
		if x.Node != holder && x.Known && x.State == cluster.VRRPBackup && x.EffectivePriority > 0 {
			cands = append(cands, vrrpCandidate{x.Node, x.EffectivePriority})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].priority > cands[j].priority })
	if len(cands) == 0 {
		return vrrpCandidate{}, nil
	}
	return cands[0], cands
}

func winnerIsTarget(v *cluster.VIP, target string, winner vrrpCandidate, cands []vrrpCandidate, views map[string]cluster.VRRPView) error {
	if winner.node == target {
		if len(cands) > 1 && cands[1].priority == winner.priority {
			return fmt.Errorf("%w: %s and %s both run at priority %d: VRRP breaks the tie by the higher IP address, so hacon cannot promise %s ends on %s. "+
				"Give %s a higher priority, or force FAULT on %s with a track_file (see README, \"Moving a keepalived VIP\")",
				ErrRefused, winner.node, cands[1].node, winner.priority, v.Address, target, target, cands[1].node)
		}
		return nil
	}
	t := views[target]
	return fmt.Errorf("%w: when the holder releases %s, %s takes it (priority %d, the highest healthy BACKUP), not %s (priority %d). "+
		"To move it to %s, first make %s unable to take it, e.g. force it into FAULT with a track_file (see README, \"Moving a keepalived VIP\"), or give %s a higher priority",
		ErrRefused, v.Address, winner.node, winner.priority, target, t.EffectivePriority, target, winner.node, target)
}

// keepalivedSteps are kolla-ansible's own handler: stop keepalived on the
// holder, wait for the address to leave, start it again.
func (e *Executor) keepalivedSteps(cc *config.Cluster, sc *cluster.Cluster, p *Preview, v *cluster.VIP, holder string, hv cluster.VRRPView, winner vrrpCandidate) error {
	c, ok := cc.Controller(holder)
	if !ok {
		return fmt.Errorf("holder %s is not a controller of %s", holder, cc.Name)
	}
	prefix := remote.Prefix{Command: cc.Command}
	for _, s := range []struct {
		role string
		argv []string
	}{{kaStop, cc.KeepalivedStop()}, {kaWait, []string{"ip", "-j", "addr", "show"}}, {kaStart, cc.KeepalivedStart()}} {
		full, err := prefix.Argv(c, s.argv)
		if err != nil {
			return err
		}
		shown := strings.Join(full, " ")
		if s.role == kaWait {
			shown = fmt.Sprintf("%s   (until %s leaves %s; every %s, up to %s)", shown, v.Address, holder, addressGoneEvery, addressGoneTimeout)
		}
		p.Steps = append(p.Steps, Step{Plane: PlaneKeepalived, Hosts: []string{holder}, Argv: s.argv, Shown: shown, Role: s.role, Address: v.Address})
	}
	comesBack := "comes back as BACKUP and does not take it back (nopreempt)"
	if !hv.NoPreempt {
		comesBack = fmt.Sprintf("comes back as BACKUP at priority %d, below %s's %d, so it does not take it back (preemption only wins from a higher priority)", hv.EffectivePriority, winner.node, winner.priority)
	}
	p.Blast = append(p.Blast,
		fmt.Sprintf("%s holds %s now (VRRP instance %s, priority %d)", holder, v.Address, v.Instance, hv.EffectivePriority),
		fmt.Sprintf("when keepalived stops on %s, %s takes the address: priority %d, the highest healthy BACKUP", holder, winner.node, winner.priority),
		fmt.Sprintf("%s %s", holder, comesBack))
	if others := sameInstance(sc, v); len(others) > 0 {
		p.Warnings = append(p.Warnings, "the other VIPs of "+v.Instance+" move with it: "+strings.Join(others, ", "))
	}
	p.Warnings = append(p.Warnings, "every VRRP instance of keepalived on "+holder+" fails over while it restarts")
	return nil
}

func sameInstance(sc *cluster.Cluster, v *cluster.VIP) []string {
	var out []string
	for _, o := range sc.VIPs {
		if o.Instance == v.Instance && o.Name != v.Name {
			out = append(out, o.Name+" "+o.Address)
		}
	}
	return out
}

// runKeepalivedStep runs one step on the holder. The wait polls the
// holder's addresses; its failure does not stop the start that follows
// (runKeepalivedSteps makes sure keepalived is never left stopped).
func (e *Executor) runKeepalivedStep(ctx context.Context, cc *config.Cluster, st Step) StepResult {
	c, _ := cc.Controller(st.Hosts[0])
	h := remote.Host{Transport: remote.Prefix{Command: cc.Command, Runner: e.runner}, Controller: c}
	if st.Role == kaWait {
		return e.waitAddressGone(ctx, h, st)
	}
	ctx, cancel := context.WithTimeout(ctx, e.ActionTimeout)
	defer cancel()
	out, err := h.Run(ctx, st.Argv)
	r := StepResult{Host: c.Name, Argv: out.Argv, OK: err == nil, Output: strings.TrimSpace(string(out.Stdout))}
	if r.Argv == nil {
		r.Argv = st.Argv
	}
	if err != nil {
		r.Error = err.Error()
	}
	return r
}

func (e *Executor) waitAddressGone(ctx context.Context, h remote.Host, st Step) StepResult {
	ctx, cancel := context.WithTimeout(ctx, addressGoneTimeout)
	defer cancel()
	r := StepResult{Host: h.Controller.Name, Argv: st.Argv}
	tick := time.NewTicker(addressGoneEvery)
	defer tick.Stop()
	last := "not checked yet"
	for {
		out, err := h.Run(ctx, st.Argv)
		if err == nil {
			addrs, perr := probes.ParseIPAddr(strings.NewReader(string(out.Stdout)))
			ka := cluster.KeepalivedStatus{Addresses: addrs}
			switch {
			case perr != nil:
				last = perr.Error()
			case !ka.HasAddress(st.Address):
				r.OK, r.Argv, r.Output = true, out.Argv, st.Address+" has left "+h.Controller.Name
				return r
			default:
				last = st.Address + " still on " + h.Controller.Name
			}
		} else {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			r.Error = fmt.Sprintf("not gone within %s: %s", addressGoneTimeout, last)
			return r
		case <-tick.C:
		}
	}
}

// tcpPort is the port to try through a VIP: the first service whose
// vip_endpoint names the VIP's address.
func tcpPort(cc *config.Cluster, address string) string {
	for _, s := range cc.Services {
		u, err := url.Parse(s.VIPEndpoint)
		if err != nil || u.Hostname() != address {
			continue
		}
		if p := u.Port(); p != "" {
			return p
		}
		if u.Scheme == "https" {
			return "443"
		}
		return "80"
	}
	return ""
}

// tcpThrough opens a TCP connection through the VIP: the address answers,
// wherever it now lives.
func tcpThrough(ctx context.Context, address, port string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", net.JoinHostPort(address, port))
	if err != nil {
		return err
	}
	return conn.Close()
}

// runKeepalived runs stop, wait, start on the holder. Whatever happens to
// the stop or the wait, the start runs: a move must never leave keepalived
// stopped on a controller.
func (e *Executor) runKeepalived(ctx context.Context, cc *config.Cluster, p *Preview, out Outcome) Outcome {
	var errs []string
	skipWait := false
	for _, st := range p.Steps {
		if st.Role == kaWait && skipWait {
			continue
		}
		r := e.runKeepalivedStep(ctx, cc, st)
		r.Output, r.Error = cluster.CleanText(r.Output), cluster.CleanText(r.Error)
		e.logStep(p.Request, st.Plane, r)
		out.Steps = append(out.Steps, r)
		if !r.OK {
			errs = append(errs, st.Role+" on "+r.Host+": "+r.Error)
			skipWait = st.Role == kaStop
		}
	}
	if len(errs) > 0 {
		out.OK, out.Error = false, strings.Join(errs, "; ")
	}
	return out
}

// keepalivedFenceBlast says which keepalived VIPs a fenced node holds and
// who would take them.
func keepalivedFenceBlast(sc *cluster.Cluster, p *Preview) {
	for i := range sc.VIPs {
		v := &sc.VIPs[i]
		if v.Instance == "" || len(v.Holders) != 1 || v.Holders[0] != p.Request.Node {
			continue
		}
		w, _ := nextHolder(v, p.Request.Node)
		next := "no healthy BACKUP would take it: it goes down"
		if w.node != "" {
			next = fmt.Sprintf("%s (priority %d) takes it", w.node, w.priority)
		}
		p.Blast = append(p.Blast, fmt.Sprintf("%s holds VIP %s (%s): %s", p.Request.Node, v.Name, v.Address, next))
	}
}

// keepalivedVIPVerified: the address is on the target and on no other
// controller.
func keepalivedVIPVerified(v *cluster.VIP, node string) (bool, string) {
	if v.Stale {
		return false, "VIP state unknown"
	}
	what := fmt.Sprintf("%s on %s", v.Address, strings.Join(v.Holders, " and "))
	if len(v.Holders) == 0 {
		what = v.Address + " on no controller"
	}
	return len(v.Holders) == 1 && v.Holders[0] == node, what
}

// fencedByPower verifies a fence of a node without Pacemaker: its BMC
// read off (or, for a reboot, the node dropped out once) and no keepalived
// VIP left on it.
func fencedByPower(c *cluster.Cluster, req Request, seen *progress) (bool, string) {
	n := c.Node(req.Node)
	if n == nil {
		return false, "node unknown"
	}
	if n.Power() == cluster.PowerOff || n.Keepalived == nil {
		seen.sawDown = true
	}
	var holds []string
	for _, v := range c.VIPs {
		for _, h := range v.Holders {
			if h == req.Node {
				holds = append(holds, v.Name)
			}
		}
	}
	what := fmt.Sprintf("%s power %s", n.Name, n.Power())
	if len(holds) > 0 {
		what += ", still holds VIP " + strings.Join(holds, ", ")
	} else {
		what += ", holds no VIP"
	}
	down := seen.sawDown
	if req.FenceOff {
		down = n.Power() == cluster.PowerOff
	}
	return down && len(holds) == 0, what
}

// throughVIP completes a keepalived VIP move's verification with a TCP
// connection through the address (when a service's vip_endpoint names a
// port on it).
func (e *Executor) throughVIP(ctx context.Context, req Request, c *cluster.Cluster, what string) (bool, string) {
	v := c.VIPByName(req.VIP)
	if req.Kind != MoveVIP || v == nil || v.Instance == "" {
		return true, what
	}
	cc, ok := e.cfg.ClusterByName(req.Cluster)
	if !ok {
		return true, what
	}
	port := tcpPort(cc, v.Address)
	if port == "" {
		return true, what + " (no vip_endpoint names a port on it: TCP not tried)"
	}
	if err := tcpThrough(ctx, v.Address, port); err != nil {
		return false, what + ", but TCP through it fails: " + err.Error()
	}
	return true, what + ", TCP to " + net.JoinHostPort(v.Address, port) + " answers"
}

// noUnknownRival refuses a plan when a controller whose VRRP state is
// unknown might take the address instead: only a node whose BMC reads
// power off is known to take nothing.
func noUnknownRival(sc *cluster.Cluster, v *cluster.VIP, holder, target string) error {
	for _, x := range v.VRRP {
		if x.Known || x.Node == holder || x.Node == target {
			continue
		}
		if n := sc.Node(x.Node); n != nil && n.Power() == cluster.PowerOff {
			continue
		}
		return fmt.Errorf("%w: %s's keepalived state is unknown (it did not answer): it might take %s instead of %s; retry when it answers, or power it off",
			ErrRefused, x.Node, v.Address, target)
	}
	return nil
}
