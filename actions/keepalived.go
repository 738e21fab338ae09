package actions

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
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
