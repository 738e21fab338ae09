package actions

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/hacon/hacon/cluster"
)

// verify watches snapshots until the action's effect is seen or the verify
// timeout passes, and gives up at once when ctx ends (hacon is exiting):
// the state says which. It asks the scheduler to poll now rather than
// waiting a full interval.
func (e *Executor) verify(parent context.Context, req Request, since time.Time) (bool, string, string) {
	if e.Source == nil {
		return false, "no snapshots to verify against", VerifyNotSeen
	}
	if parent.Err() != nil {
		return false, "verification abandoned: hacon was ending before it began", VerifyAbandoned
	}
	ctx, cancel := context.WithTimeout(parent, e.VerifyTimeout)
	defer cancel()
	seen := &progress{}
	kinds := verifyKinds(req)
	e.Source.Kick(kinds...)
	lastKick, lastBMC := time.Now(), time.Now()
	tick := time.NewTicker(e.VerifyEvery)
	defer tick.Stop()
	last := "nothing seen yet"
	for {
		snap := e.Source.Snapshot()
		// Only a snapshot taken after the action began can verify it.
		if snap.Taken.After(since) {
			if c := snap.ClusterByName(req.Cluster); c != nil {
				ok, what := Verified(req, c, seen)
				if ok {
					ok, what = e.throughVIP(ctx, req, c, what)
				}
				if ok {
					return true, what, VerifySeen
				}
				last = what
			}
		}
		select {
		case <-ctx.Done():
			if parent.Err() != nil {
				return false, "verification abandoned (hacon was ending): " + last, VerifyAbandoned
			}
			return false, fmt.Sprintf("not seen within %s: %s", e.VerifyTimeout, last), VerifyNotSeen
		case <-tick.C:
			// Poll what the check reads, not everything, and not faster
			// than once a second; BMCs (few session slots, and a fence
			// agent may need one now) at most every three seconds.
			if time.Since(lastKick) < time.Second {
				continue
			}
			lastKick = time.Now()
			k := kinds
			if time.Since(lastBMC) < 3*time.Second {
				k = withoutBMC(kinds)
			} else {
				lastBMC = time.Now()
			}
			e.Source.Kick(k...)
		}
	}
}

// verifyKinds are the sources a request's verification reads.
func verifyKinds(r Request) []cluster.SourceKind {
	if v, ok := LookupVerb(string(r.Kind)); ok {
		return slices.Clone(v.Watches)
	}
	return []cluster.SourceKind{cluster.KindPacemaker}
}

func withoutBMC(kinds []cluster.SourceKind) []cluster.SourceKind {
	out := make([]cluster.SourceKind, 0, len(kinds))
	for _, k := range kinds {
		if k != cluster.KindBMC {
			out = append(out, k)
		}
	}
	if len(out) == 0 {
		return []cluster.SourceKind{cluster.KindPacemaker}
	}
	return out
}

// progress remembers states seen along the way (a reboot passes through
// offline before it comes back).
type progress struct {
	sawDown bool
}

// Verified reports whether a cluster shows the request's expected state,
// and what it shows.
func Verified(req Request, c *cluster.Cluster, seen *progress) (bool, string) {
	if seen == nil {
		seen = &progress{}
	}
	switch req.Kind {
	case Move:
		return runsOn(c, req.Resource, req.Node)
	case MoveVIP:
		v := c.VIPByName(req.VIP)
		if v == nil || v.Stale {
			return false, "VIP state unknown"
		}
		if v.Instance != "" {
			return keepalivedVIPVerified(v, req.Node)
		}
		return v.Node == req.Node, fmt.Sprintf("VIP %s on %s", req.VIP, orNone(v.Node))
	case Ban:
		ok, what := runsOn(c, req.Resource, req.Node)
		return !ok && !staleRes(c), what
	case Clear:
		for _, k := range c.Constraints {
			if k.Resource == req.Resource && (k.Kind == "cli-prefer" || k.Kind == "cli-ban") {
				return false, "constraint " + k.ID + " still present"
			}
		}
		return c.HasPacemaker, "no cli-prefer/cli-ban constraint left"
	case Cleanup:
		for _, f := range c.Failures {
			if f.Resource == req.Resource {
				return false, "failure on " + f.Node + " still recorded"
			}
		}
		return c.HasPacemaker, "no failure recorded"
	case Standby, Unstandby:
		n := c.Node(req.Node)
		if n == nil || n.Pacemaker == nil || n.Stale {
			return false, "node state unknown"
		}
		want := req.Kind == Standby
		return n.Pacemaker.Standby == want, req.Node + " is " + n.Pacemaker.State()
	case Drain, Maint, Ready:
		return serverState(c, req)
	case Fence:
		if !c.HasPacemaker {
			return fencedByPower(c, req, seen)
		}
		return fenced(c, req, seen)
	case Power:
		return powered(c, req, seen)
	}
	return false, "unknown action"
}

func orNone(s string) string {
	if s == "" {
		return "no node"
	}
	return s
}

func staleRes(c *cluster.Cluster) bool {
	s := c.Source(cluster.KindPacemaker, "pacemaker")
	return s == nil || s.Stale || !c.HasPacemaker
}

func runsOn(c *cluster.Cluster, id, node string) (bool, string) {
	res := c.Resource(id)
	if res == nil || staleRes(c) {
		return false, id + " state unknown"
	}
	where := ""
	for _, in := range res.Instances {
		if in.Node == "" {
			continue
		}
		where += " " + in.Node + "(" + in.Role + ")"
		if in.Node == node && !in.Failed && (in.Role == cluster.RoleStarted || in.Role == cluster.RolePromoted) {
			return true, id + " " + in.Role + " on " + node
		}
	}
	if where == "" {
		where = " nowhere"
	}
	return false, id + " runs on" + where
}

func serverState(c *cluster.Cluster, req Request) (bool, string) {
	svc := c.Service(req.Service)
	if svc == nil {
		return false, "service unknown"
	}
	want := map[Kind]string{Drain: "DRAIN", Maint: "MAINT", Ready: "UP"}[req.Kind]
	for _, cell := range svc.Cells {
		if cell.Node != req.Node {
			continue
		}
		if len(cell.LB) == 0 {
			return false, "no HAProxy reports the server"
		}
		for _, v := range cell.LB {
			st := cluster.BaseStatus(v.Server.Status)
			if st != want && !(req.Kind == Ready && (st == "no check" || st == "DOWN")) {
				return false, fmt.Sprintf("%s says %s", v.LB, v.Server.Status)
			}
		}
		return true, fmt.Sprintf("%s in all %d HAProxies", want, len(cell.LB))
	}
	return false, "no cell for " + req.Node
}

// fenced: the node went offline (and, for --fence, its BMC reads off). A
// reboot may already be back; having seen it down is enough.
func fenced(c *cluster.Cluster, req Request, seen *progress) (bool, string) {
	n := c.Node(req.Node)
	if n == nil || n.Pacemaker == nil || n.Stale {
		return seen.sawDown, "node state unknown"
	}
	if !n.Pacemaker.Online {
		seen.sawDown = true
	}
	if req.FenceOff {
		ok := !n.Pacemaker.Online && (n.BMC == nil || n.Power() == "off")
		return ok, fmt.Sprintf("%s %s, power %s", n.Name, n.PcmkState(), n.Power())
	}
	return seen.sawDown, fmt.Sprintf("%s %s, power %s", n.Name, n.PcmkState(), n.Power())
}

func powered(c *cluster.Cluster, req Request, seen *progress) (bool, string) {
	n := c.Node(req.Node)
	if n == nil {
		return false, "node unknown"
	}
	what := fmt.Sprintf("%s power %s, Pacemaker %s", n.Name, n.Power(), n.PcmkState())
	switch req.Power {
	case "off":
		return n.Power() == "off" && (n.Pacemaker == nil || !n.Pacemaker.Online), what
	case "on":
		return n.Power() == "on", what
	}
	// cycle: the BMC confirmed off→on itself; the snapshot shows it on.
	return n.Power() == "on", what
}
