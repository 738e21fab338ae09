package cluster

import (
	"fmt"
	"slices"
	"strings"
)

// resources names every failed instance, every clone or bundle short of
// instances, every blocked or unmanaged resource and every failure record:
// current ones (the instance is failed now, or past its migration
// threshold) apart from earlier ones (it runs again).
func (a *assessor) resources() {
	gs := guests(a.c)
	told := map[string]bool{} // resource@node of failure records already told
	ctls := map[string]bool{}
	for _, n := range a.c.Nodes {
		if n.Controller {
			ctls[n.Name] = true
		}
	}
	for i := range a.c.Resources {
		r := &a.c.Resources[i]
		hosts := missingHosts(a.c, r)
		short := a.shortOfInstances(r, hosts, ctls, gs, told)
		for _, in := range r.Instances {
			if in.Failed && !(short && in.Node == "") { // a FAILED replica running nowhere is told with the count
				a.failedInstance(r, in, hosts[in.ID], gs, told)
			}
			if in.Blocked {
				a.add(SevCritical, r.ID, "%s is blocked on %s: needs manual cleanup", r.ID, firstNonEmpty(in.Node, "its node"))
			}
		}
		if r.Unmanaged && !a.c.MaintenanceMode && !a.onMaintenanceNode(r) {
			a.add(SevWarning, r.ID, "%s is unmanaged: Pacemaker will not start, stop or recover it", r.ID)
		}
	}
	for _, f := range a.c.Failures {
		key := a.topID(f.Resource) + "@" + f.Node
		if told[key] {
			continue
		}
		told[key] = true
		a.failureRecord(f, gs)
	}
}

// topID is the top-level resource a member belongs to.
func (a *assessor) topID(id string) string {
	if r := a.c.Resource(id); r != nil {
		return r.ID
	}
	return id
}

func (a *assessor) onMaintenanceNode(r *Resource) bool {
	for _, in := range r.Instances {
		if n := a.c.Node(in.Node); n != nil && n.Pacemaker != nil && n.Pacemaker.Maintenance {
			return true
		}
	}
	return false
}

// failedInstance tells one FAILED instance: what, where and why.
func (a *assessor) failedInstance(r *Resource, in Instance, host string, gs map[string]guest, told map[string]bool) {
	where := "on " + firstNonEmpty(in.Node, host, "no node")
	if in.Node == "" && host != "" {
		where = "(its host " + host + ")"
	}
	a.add(SevWarning, r.ID, "%s FAILED %s: %s", instanceLabel(r, in), where, strings.Join(a.failedWhy(r, in, host, gs, told), "; "))
}

// failedWhy gathers why an instance failed: its host's state and the
// failed operations recorded for it.
func (a *assessor) failedWhy(r *Resource, in Instance, host string, gs map[string]guest, told map[string]bool) []string {
	var why []string
	if t := hostTrouble(a.c, firstNonEmpty(in.Node, host)); t != "" {
		why = append(why, t)
	}
	for _, f := range a.c.Failures {
		if a.topID(f.Resource) != r.ID || !a.failureOn(f, in, host, gs) {
			continue
		}
		told[r.ID+"@"+f.Node] = true
		w := f.Resource + " " + FailureWords(f) + " on " + placeWords(f.Node, gs)
		if !slices.Contains(why, w) { // crm_mon may list one failure twice (op and history)
			why = append(why, w)
		}
	}
	if len(why) == 0 {
		why = append(why, "crm_mon gives no failed operation")
	}
	return why
}

// failureOn reports whether a failure record belongs to an instance: on
// its node, or on the guest of its replica.
func (a *assessor) failureOn(f Failure, in Instance, host string, gs map[string]guest) bool {
	if f.Node == in.ID {
		return true // the replica's guest
	}
	if g, ok := gs[f.Node]; ok {
		return g.host != "" && g.host == in.Node
	}
	return f.Node == firstNonEmpty(in.Node, host)
}

// failureRecord tells a failed operation whose instance is not FAILED now:
// past its migration threshold it still keeps the resource off the node;
// otherwise it is an earlier failure, kept apart as information.
func (a *assessor) failureRecord(f Failure, gs map[string]guest) {
	name := firstNonEmpty(f.Resource, f.OpKey)
	if top := a.topID(f.Resource); top != "" && top != f.Resource {
		name = top + " (" + f.Resource + ")"
	}
	place := placeWords(f.Node, gs)
	if f.PastThreshold() {
		a.add(SevWarning, a.topID(f.Resource), "%s cannot run on %s: failed %s times, past its migration-threshold of %d, until its fail-count is cleaned up (%s)",
			name, place, failCountWord(f.FailCount), f.MigrationThreshold, FailureWords(f))
		return
	}
	if !a.runsOn(a.topID(f.Resource), f.Node, gs) {
		a.add(SevWarning, a.topID(f.Resource), "%s failed on %s: %s", name, place, FailureWords(f))
		return
	}
	a.add(SevInfo, a.topID(f.Resource), "earlier failure, %s runs again: %s on %s", name, FailureWords(f), place)
}

// configured reports whether a configured service maps the resource.
func (a *assessor) configured(id string) bool {
	for _, s := range a.c.Services {
		if !s.Auto && s.Resource != "" && a.topID(s.Resource) == id {
			return true
		}
	}
	return false
}

// runsOn reports whether a resource has a healthy instance on a node, or on
// the host of the guest named.
func (a *assessor) runsOn(id, node string, gs map[string]guest) bool {
	r := a.c.Resource(id)
	if r == nil {
		return false
	}
	if g, ok := gs[node]; ok && g.bundle == id {
		for _, in := range r.Instances {
			if in.ID == node && in.Node != "" && !in.Failed && in.Role != RoleStopped {
				return true
			}
		}
		return false
	}
	for _, in := range r.Instances {
		if in.Node == node && !in.Failed && in.Role != RoleStopped {
			return true
		}
	}
	return false
}

// shortOfInstances tells a clone or bundle running fewer instances on the
// controllers than it should: "haproxy-bundle: 2 of 3 running — replica 0
// stopped: its controller-0 is offline".
func (a *assessor) shortOfInstances(r *Resource, hosts map[string]string, ctls map[string]bool, gs map[string]guest, told map[string]bool) bool {
	if (r.Kind != KindBundle && r.Kind != KindClone && r.Kind != KindPromotable) || !AutoRowFor(*r) || a.configured(r.ID) {
		return false // a configured service's own alert counts its instances
	}
	expected := ExpectedOn(r, ctls)
	running := 0
	var missing []string
	for _, in := range r.Instances {
		if in.Node != "" && ctls[in.Node] && !in.Failed && in.Role != RoleStopped {
			running++
			continue
		}
		if in.Node != "" && !ctls[in.Node] {
			continue
		}
		host := firstNonEmpty(in.Node, hosts[in.ID])
		missing = append(missing, a.missingWords(r, in, host, gs, told))
	}
	if running >= expected {
		return false
	}
	sev := SevWarning
	if running == 0 {
		sev = SevCritical
	}
	a.add(sev, r.ID, "%s: %d of %d running%s", r.ID, running, expected, prefixJoin(" — ", missing))
	return true
}

// missingWords says why one instance does not run: "replica 0 stopped:
// its controller-0 is offline", with the failed operations of a FAILED one.
func (a *assessor) missingWords(r *Resource, in Instance, host string, gs map[string]guest, told map[string]bool) string {
	if in.Failed {
		label := strings.TrimPrefix(instanceLabel(r, in), r.ID+" ")
		return label + " FAILED: " + strings.Join(a.failedWhy(r, in, host, gs, told), "; ")
	}
	m := instanceName(r, in) + " stopped"
	if t := hostTrouble(a.c, host); t != "" {
		m += ": " + t
	} else if host != "" && in.Node == "" {
		m += " (" + host + " runs none)"
	}
	return m
}

func instanceName(r *Resource, in Instance) string {
	if r.Kind == KindBundle {
		return "replica " + strings.TrimPrefix(in.ID, r.ID+"-")
	}
	if in.Node != "" {
		return "instance on " + in.Node
	}
	return "instance " + in.ID
}

// pacemakerFencing tells nodes Pacemaker cannot fence and stonith devices
// that do not run.
func (a *assessor) pacemakerFencing() {
	f := a.c.Fencing
	if f == nil || !a.c.StonithEnabled {
		return
	}
	for _, n := range a.c.Nodes {
		if n.Fencing == nil || n.Fencing.Ready || n.Stale {
			continue
		}
		sev := SevWarning
		if n.Pacemaker != nil && n.Pacemaker.Unclean {
			sev = SevCritical
		}
		also := ""
		if n.BMC != nil && n.BMC.FenceReady {
			also = " (hacon's own BMC access could still power it off)"
		}
		if n.Controller || (n.Pacemaker != nil && n.Pacemaker.Type != "remote") {
			a.add(sev, n.Name, "%s cannot be fenced by Pacemaker: %s%s", n.Name, n.Fencing.Why, also)
		}
	}
	for _, d := range f.Devices {
		if d.Usable() || d.Disabled {
			continue
		}
		a.add(SevWarning, d.ID, "stonith device %s (%s%s) is %s: it fences nobody", d.ID, d.Agent, targetsWords(d), deviceState(d))
	}
}

func targetsWords(d FenceDevice) string {
	if len(d.Targets) == 0 {
		return ""
	}
	return fmt.Sprintf(", for %s", strings.Join(d.Targets, ", "))
}
