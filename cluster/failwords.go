package cluster

import (
	"fmt"
	"strconv"
	"strings"
)

// Failures in words: a failed instance names its resource, replica, role,
// node (or guest and host) and why; a clone or bundle short of instances
// says which and why; failures of the past (the instance runs again) are
// told apart from current ones.

// ocfWords names OCF return codes as crm_mon does, with what they mean.
var ocfWords = map[int]string{
	0: "ok", 1: "generic error", 2: "invalid parameter", 3: "unimplemented feature",
	4: "insufficient privileges", 5: "not installed", 6: "not configured", 7: "not running",
	8: "running promoted", 9: "failed while promoted", 190: "degraded", 191: "degraded while promoted",
}

// RCWords words a return code: "rc 7, not running".
func RCWords(code int) string {
	if w, ok := ocfWords[code]; ok {
		return fmt.Sprintf("rc %d, %s", code, w)
	}
	return fmt.Sprintf("rc %d", code)
}

// FailureWords says what failed and why, as crm_mon's "Failed Resource
// Actions" does: "60s-interval monitor returned 'promoted' (rc 8, running
// promoted) at 2017-09-11 15:31:34Z".
func FailureWords(f Failure) string {
	if f.Task == "" {
		w := fmt.Sprintf("fail-count %d", f.FailCount)
		if f.LastChange != "" {
			w += ", last failure " + f.LastChange
		}
		return w
	}
	op := f.Task
	if ms, err := strconv.Atoi(f.Interval); err == nil && ms > 0 {
		op = fmt.Sprintf("%ds-interval %s", ms/1000, f.Task)
	}
	w := op + " returned '" + firstNonEmpty(f.ExitStatus, "error") + "' (" + RCWords(f.ExitCode) + ")"
	if r := f.ExitReason; r != "" && r != "none" {
		w += ": " + r
	}
	if f.LastChange != "" {
		w += " at " + f.LastChange
	}
	if f.FailCount > 0 {
		w += fmt.Sprintf(", fail-count %s", failCountWord(f.FailCount))
	}
	return w
}

func failCountWord(n int) string {
	if n >= 1000000 {
		return "INFINITY"
	}
	return strconv.Itoa(n)
}

// guest is what a bundle's guest node stands for.
type guest struct {
	bundle  string
	replica string
	host    string // the node its container runs on; "" when stopped
}

// guests maps each bundle replica's guest node (bundle-N) to its bundle.
func guests(c *Cluster) map[string]guest {
	out := map[string]guest{}
	for _, r := range c.Resources {
		if r.Kind != KindBundle {
			continue
		}
		for _, in := range r.Instances {
			out[in.ID] = guest{bundle: r.ID, replica: strings.TrimPrefix(in.ID, r.ID+"-"), host: in.Node}
		}
	}
	return out
}

// placeWords names where a failure happened: a node, or a guest with its
// replica and host.
func placeWords(node string, gs map[string]guest) string {
	g, ok := gs[node]
	if !ok {
		return node
	}
	if g.host == "" {
		return fmt.Sprintf("%s (replica %s, container stopped)", node, g.replica)
	}
	return fmt.Sprintf("%s (replica %s on %s)", node, g.replica, g.host)
}

// instanceLabel names an instance: "galera-bundle replica 0 (galera,
// Promoted)", "haproxy-clone instance on controller-1".
func instanceLabel(r *Resource, in Instance) string {
	what := r.ID
	switch r.Kind {
	case KindBundle:
		what += " replica " + strings.TrimPrefix(in.ID, r.ID+"-")
	case KindClone, KindPromotable:
		what += " instance " + in.ID
	}
	var inner []string
	if len(r.Members) == 1 && r.Members[0] != r.ID && r.Kind == KindBundle {
		inner = append(inner, r.Members[0])
	}
	switch {
	case in.Role != "" && in.Role != RoleStopped:
		inner = append(inner, in.Role)
	case in.Claimed != "":
		inner = append(inner, "was "+in.Claimed)
	}
	if len(inner) > 0 {
		what += " (" + strings.Join(inner, ", ") + ")"
	}
	return what
}

// missingHosts pairs a resource's instances that run nowhere with the
// controllers that run none of it, in order: a stopped replica 0 belongs,
// as far as crm_mon lets anyone tell, to the controller left without one.
func missingHosts(c *Cluster, r *Resource) map[string]string {
	busy := map[string]bool{}
	for _, in := range r.Instances {
		if in.Node != "" {
			busy[in.Node] = true
		}
	}
	var free []string
	for _, n := range c.Nodes {
		if n.Controller && !busy[n.Name] {
			free = append(free, n.Name)
		}
	}
	out := map[string]string{}
	for _, in := range r.Instances {
		if in.Node == "" && len(free) > 0 {
			out[in.ID], free = free[0], free[1:]
		}
	}
	return out
}

// hostTrouble says why a controller cannot run an instance, or "".
func hostTrouble(c *Cluster, node string) string {
	n := c.Node(node)
	if n == nil || n.Pacemaker == nil {
		return ""
	}
	switch st := n.Pacemaker.State(); st {
	case "online":
		return ""
	default:
		return "its " + node + " is " + st
	}
}
