package cluster

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Assess turns a merged cluster into plain-language findings, most severe
// first. Each message says what is wrong and, where it can, why it matters.
func Assess(c *Cluster) []Alert {
	a := &assessor{c: c}
	a.sources()
	a.cluster()
	a.nodes()
	a.services()
	a.vips()
	a.keepalived()
	a.resources()
	a.constraints()
	a.fencing()
	a.pacemakerFencing()
	a.stateful()
	sort.SliceStable(a.out, func(i, j int) bool { return a.out[i].Severity < a.out[j].Severity })
	return a.out
}

type assessor struct {
	c   *Cluster
	out []Alert
}

func (a *assessor) add(sev Severity, subject, format string, args ...any) {
	a.out = append(a.out, Alert{Severity: sev, Subject: subject, Message: fmt.Sprintf(format, args...)})
}

func (a *assessor) sources() {
	for _, s := range a.c.Sources {
		if s.OK || s.Error == "not polled yet" || s.Kind == KindEndpoint {
			continue // endpoint failures are told per service, with context
		}
		what := sourceWords(s)
		sev := SevWarning
		if s.Kind == KindPacemaker && s.Stale {
			sev = SevCritical
		}
		age := "never answered"
		if !s.LastSuccess.IsZero() {
			age = "last answer " + s.Age.Round(time.Second).String() + " ago"
		}
		a.add(sev, s.Name, "%s failing: %s (%s)", what, s.Error, age)
	}
}

func sourceWords(s Source) string {
	switch s.Kind {
	case KindPacemaker:
		return "Pacemaker status"
	case KindHAProxy:
		return "HAProxy on " + s.Name
	case KindBMC:
		return "BMC of " + s.Name
	case KindGalera:
		return "Galera probe on " + s.Name
	case KindRabbitMQ:
		return "RabbitMQ probe on " + s.Name
	case KindKeepalived:
		return "keepalived status of " + s.Name
	default:
		return "endpoint " + s.Name
	}
}

func (a *assessor) cluster() {
	for _, w := range a.c.Warnings {
		a.add(SevInfo, a.c.Name, "%s", w)
	}
	if !a.c.HasPacemaker {
		return
	}
	if len(a.c.PacemakerFailed) > 0 {
		a.add(SevWarning, a.c.Name, "Pacemaker status came via %s: %s", a.c.PacemakerVia, strings.Join(a.c.PacemakerFailed, "; "))
	}
	if !a.c.Quorum {
		a.add(SevCritical, a.c.Name, "cluster has no quorum: Pacemaker will not start or move resources")
	}
	if a.c.DC == "" {
		a.add(SevWarning, a.c.Name, "no designated controller (DC) elected")
	}
	if a.c.MaintenanceMode {
		a.add(SevWarning, a.c.Name, "cluster is in maintenance mode: Pacemaker manages nothing")
	}
	if !a.c.StonithEnabled {
		a.add(SevWarning, a.c.Name, "fencing (stonith-enabled) is off: a hung node cannot be recovered safely")
	}
}

func (a *assessor) nodes() {
	for _, n := range a.c.Nodes {
		fenceable := n.FenceReady()
		bmcWhy := "its BMC is not configured"
		if n.BMC != nil && !n.BMC.FenceReady {
			bmcWhy = "its BMC is unreachable (" + firstNonEmpty(n.BMC.Error, "no answer") + ")"
		}
		if n.Fencing != nil {
			bmcWhy = "Pacemaker cannot fence it (" + n.Fencing.Why + ") and " + bmcWhy
		}
		if n.Pacemaker != nil && !n.Stale {
			switch n.Pacemaker.State() {
			case "UNCLEAN":
				if n.Controller && !fenceable {
					a.add(SevCritical, n.Name, "%s UNCLEAN and %s: fencing cannot succeed, recovery is blocked", n.Name, bmcWhy)
				} else {
					a.add(SevCritical, n.Name, "%s UNCLEAN: waiting to be fenced", n.Name)
				}
			case "offline":
				if n.Controller {
					msg := fmt.Sprintf("%s offline in Pacemaker", n.Name)
					if n.Power() == PowerOff {
						msg += " (BMC says power off)"
					}
					a.add(SevCritical, n.Name, "%s", msg)
				}
			case "standby":
				a.add(SevWarning, n.Name, "%s in standby: runs no resources", n.Name)
			case "maintenance":
				a.add(SevWarning, n.Name, "%s in maintenance: its resources are unmanaged", n.Name)
			}
			if n.Pacemaker.Online && n.Power() == PowerOff {
				a.add(SevCritical, n.Name, "%s: Pacemaker says online but its BMC says power off", n.Name)
			}
		}
		if n.Controller && n.BMC != nil && !n.BMC.FenceReady && (n.Pacemaker == nil || n.Pacemaker.State() != "UNCLEAN") {
			if n.PacemakerFenceReady() {
				a.add(SevInfo, n.Name, "%s: hacon's own BMC view fails (%s); Pacemaker can still fence it", n.Name, firstNonEmpty(n.BMC.Error, "no answer"))
			} else {
				a.add(SevWarning, n.Name, "%s cannot be fenced: %s", n.Name, bmcWhy)
			}
		}
	}
}

func (a *assessor) services() {
	for _, s := range a.c.Services {
		if s.Stale {
			a.add(SevWarning, s.Name, "%s: Pacemaker data is stale, placement may be out of date", s.Name)
		}
		if !s.Known {
			continue // its sources' own alerts say why nothing is known
		}
		if s.Serving < s.Expected && !s.Auto { // an auto row's resource says it (shortOfInstances)
			sev := SevWarning
			if s.Serving == 0 {
				sev = SevCritical
			}
			var why []string
			for _, c := range s.Cells {
				if c.Known() && !c.Serving() && !(s.Mode == ModeActivePassive && c.Role == RoleStopped && !c.Failed) {
					why = append(why, cellTrouble(c))
				}
			}
			a.add(sev, s.Name, "%s: %d of %d instances serving%s", s.Name, s.Serving, s.Expected, prefixJoin("; ", why))
		}
		if s.Mode == ModeActivePassive {
			active := 0
			for _, c := range s.Cells {
				if c.Role == RoleStarted || c.Role == RolePromoted {
					active++
				}
			}
			if active > 1 {
				a.add(SevCritical, s.Name, "%s is active/passive but runs on %d controllers", s.Name, active)
			}
		}
		for _, c := range s.Cells {
			if len(c.LB) > 1 && !c.LBAgree {
				var says []string
				for _, v := range c.LB {
					says = append(says, v.LB+" says "+BaseStatus(v.Server.Status))
				}
				a.add(SevWarning, s.Name, "%s: HAProxies disagree about %s (%s)", s.Name, c.Node, strings.Join(says, ", "))
			}
			if e := c.Endpoint; e != nil && e.OK && e.TLS && e.TLSDaysLeft < 14 {
				a.add(SevWarning, s.Name, "%s on %s: TLS certificate expires in %d days", s.Name, c.Node, e.TLSDaysLeft)
			}
		}
		if s.VIP != nil && !s.VIP.OK {
			a.add(SevCritical, s.Name, "%s through the VIP (%s): %s", s.Name, s.VIP.URL, firstNonEmpty(s.VIP.Error, fmt.Sprintf("HTTP %d", s.VIP.StatusCode)))
		}
	}
}

// cellTrouble explains in words why one cell is not serving.
func cellTrouble(c Cell) string {
	var parts []string
	switch st := c.LBStatus(); st {
	case "", "UP", "no check":
	case "MIXED":
		parts = append(parts, "HAProxies disagree")
	default:
		if len(c.LB) > 1 {
			parts = append(parts, st+" in all HAProxies")
		} else {
			parts = append(parts, st+" in HAProxy")
		}
	}
	if e := c.Endpoint; e != nil && !e.OK {
		parts = append(parts, "endpoint "+endpointWords(e))
	}
	if c.planeKnown() && !c.Plane.OK {
		parts = append(parts, planeOf(c.Plane)+" says "+c.Plane.Word)
	}
	switch {
	case c.Failed:
		parts = append(parts, "Pacemaker says FAILED")
	case c.Role != "":
		parts = append(parts, "Pacemaker says "+c.Role)
	}
	return c.Node + " " + strings.Join(parts, ", ")
}

func endpointWords(e *EndpointResult) string {
	switch {
	case strings.Contains(e.Error, "timeout") || strings.Contains(e.Error, "timed out") || strings.Contains(e.Error, "deadline"):
		return "times out"
	case e.Error != "":
		return "fails (" + e.Error + ")"
	default:
		return fmt.Sprintf("answers HTTP %d", e.StatusCode)
	}
}

func (a *assessor) vips() {
	for _, v := range a.c.VIPs {
		switch {
		case v.Stale, v.Instance != "": // keepalived VIPs: see keepalivedVIP
		case v.Resource != "" && a.c.HasPacemaker && a.c.Resource(v.Resource) == nil:
			a.add(SevWarning, v.Name, "VIP %s: Pacemaker has no resource %s", v.Name, v.Resource)
		case v.Node == "" && a.c.HasPacemaker && v.Resource != "":
			a.add(SevCritical, v.Name, "VIP %s (%s) is not running anywhere", v.Name, v.Address)
		case len(v.Nodes) > 1:
			a.add(SevCritical, v.Name, "VIP %s (%s) is active on %s at once: an address conflict", v.Name, v.Address, strings.Join(v.Nodes, " and "))
		case v.Failed:
			a.add(SevWarning, v.Name, "VIP %s (%s) has a failed operation on %s", v.Name, v.Address, v.Node)
		}
	}
}

func (a *assessor) constraints() {
	for _, c := range a.c.Constraints {
		switch c.Kind {
		case "cli-prefer":
			a.add(SevWarning, c.Resource, "%s has a cli-prefer constraint on %s left by a move: clear it (:clear %s) or it pins the resource", c.Resource, c.Node, c.Resource)
		case "cli-ban":
			a.add(SevWarning, c.Resource, "%s is banned from %s (%s): clear it (:clear %s) when done", c.Resource, c.Node, c.ID, c.Resource)
		}
	}
}

func (a *assessor) fencing() {
	for _, f := range a.c.FenceHistory {
		if f.Status == "failed" {
			a.add(SevWarning, f.Target, "fencing %s (%s) failed%s%s", f.Target, f.Action, prefixJoin(" at ", nonEmpty(f.Completed)), prefixJoin(": ", nonEmpty(f.Reason)))
		}
	}
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

func prefixJoin(prefix string, parts []string) string {
	if len(parts) == 0 {
		return ""
	}
	return prefix + strings.Join(parts, "; ")
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
