package cluster

import (
	"fmt"
	"strings"
)

// keepalived says in words what is wrong with keepalived VIPs and VRRP:
// split brain, no holder, nodes in FAULT, a holder that black-holes
// traffic, backups that could not take over.
func (a *assessor) keepalived() {
	if !a.c.HasKeepalived {
		return
	}
	told := map[string]bool{} // instances whose split brain a VIP alert already names
	for i := range a.c.VIPs {
		if v := &a.c.VIPs[i]; v.Instance != "" && !v.Stale {
			if a.keepalivedVIP(v) {
				told[v.Instance] = true
			}
		}
	}
	for _, inst := range a.c.Instances() {
		if m := a.c.Masters(inst); len(m) > 1 && !told[inst] {
			a.add(SevCritical, inst, "split brain: VRRP instance %s is MASTER on %s at once (they do not hear each other's adverts)", inst, strings.Join(m, " and "))
		}
	}
	for _, x := range a.c.VRRP {
		a.vrrpNode(x)
	}
	for _, v := range a.c.VIPs {
		if v.Instance != "" && !v.Stale && len(a.c.VRRP) > 0 && !a.instanceKnown(v.Instance) {
			a.add(SevWarning, v.Name, "VIP %s: no controller's keepalived has a VRRP instance %s (check keepalived_instance)", v.Name, v.Instance)
		}
	}
}

// keepalivedVIP reports one keepalived VIP; it returns whether it raised a
// split brain.
func (a *assessor) keepalivedVIP(v *VIP) bool {
	switch len(v.Holders) {
	case 0:
		a.add(SevCritical, v.Name, "VIP %s (%s) is on no controller: nothing answers at that address%s", v.Name, v.Address, a.whyNoHolder(v))
		return false
	case 1:
		a.blackHole(v)
		return false
	}
	msg := fmt.Sprintf("split brain: VIP %s (%s) is on %s at once", v.Name, v.Address, strings.Join(v.Holders, " and "))
	if m := a.c.Masters(v.Instance); len(m) > 1 {
		msg += fmt.Sprintf("; VRRP instance %s is MASTER on %s (they do not hear each other's adverts)", v.Instance, strings.Join(m, " and "))
	}
	a.add(SevCritical, v.Name, "%s", msg)
	return true
}

func (a *assessor) whyNoHolder(v *VIP) string {
	var why []string
	for _, x := range v.VRRP {
		if x.Known && x.State != VRRPBackup {
			why = append(why, x.Node+" "+x.State)
		}
	}
	if len(why) == 0 {
		return ""
	}
	return " (" + strings.Join(why, ", ") + ")"
}

// blackHole: the holder answers for the VIP, so traffic to it goes to the
// holder's HAProxy; if that is down, or every API behind it fails there,
// the VIP takes traffic nobody serves.
func (a *assessor) blackHole(v *VIP) {
	holder := v.Holders[0]
	if s := a.c.Source(KindHAProxy, holder); s != nil && !s.OK && s.Error != "not polled yet" {
		a.add(SevCritical, v.Name, "VIP %s is on %s, whose HAProxy does not answer (%s): traffic to %s is black-holed", v.Name, holder, s.Error, v.Address)
		return
	}
	probed, failing := 0, []string{}
	for _, e := range a.c.Endpoints {
		if e.Node != holder {
			continue
		}
		probed++
		if !e.OK {
			failing = append(failing, e.Service)
		}
	}
	if probed > 0 && len(failing) == probed {
		a.add(SevCritical, v.Name, "VIP %s is on %s, where every API endpoint fails (%s): traffic to %s is black-holed", v.Name, holder, strings.Join(failing, ", "), v.Address)
	}
}

// vrrpNode warns about one instance on one node: FAULT (naming the
// failing checks), or a BACKUP a failing weighted check has pulled below
// its configured priority.
func (a *assessor) vrrpNode(x VRRPNode) {
	switch {
	case x.State == VRRPFault:
		why := "the failing check is not known (keepalived's data dump did not name one)"
		if len(x.FailingChecks) > 0 {
			why = "failing: " + strings.Join(x.FailingChecks, ", ")
		}
		a.add(SevWarning, x.Node, "%s is in FAULT for VRRP instance %s and cannot hold its VIPs: %s", x.Node, x.Name, why)
	case x.State == VRRPBackup && x.EffectivePriority < x.BasePriority:
		a.add(SevWarning, x.Node, "%s is BACKUP for %s at priority %d instead of %d (a weighted check is failing): it would not take over before the nodes above it%s",
			x.Node, x.Name, x.EffectivePriority, x.BasePriority, zeroPriority(x.EffectivePriority))
	}
}

func zeroPriority(p int) string {
	if p <= 0 {
		return ", and at 0 it never takes over"
	}
	return ""
}

func (a *assessor) instanceKnown(name string) bool {
	for _, x := range a.c.VRRP {
		if x.Name == name {
			return true
		}
	}
	return false
}
