package timeline

import (
	"strings"

	"github.com/hacon/hacon/cluster"
)

// Relation keys say what an event, alert or action is about: "node:X",
// "svc:Y", "vip:Z", or "cluster" for the cluster as a whole. Two things
// sharing a key belong to the same incident.

// eventKeys are the keys of one (non-alert) event.
func eventKeys(c *cluster.Cluster, e Event) []string {
	switch e.What {
	case "pacemaker", "power":
		return []string{"node:" + e.Subject}
	case "role", "haproxy", "endpoint":
		return cellKeys(e.Subject)
	case "node": // a VIP: its own key, and the node it left (where the trouble is)
		keys := []string{"vip:" + strings.TrimPrefix(e.Subject, "VIP ")}
		if c != nil && c.Node(e.From) != nil {
			keys = append(keys, "node:"+e.From)
		}
		return keys
	case "source":
		kind, name, _ := strings.Cut(e.Subject, "/")
		switch cluster.SourceKind(kind) {
		case cluster.KindEndpoint:
			return cellKeys(name)
		case cluster.KindPacemaker:
			return []string{"cluster"}
		}
		return []string{"node:" + name} // an HAProxy or a BMC is named after its controller
	}
	return subjectKeys(c, e.Subject)
}

// cellKeys are the keys of "service@node".
func cellKeys(subject string) []string {
	svc, node, ok := strings.Cut(subject, "@")
	if !ok {
		return []string{"svc:" + subject}
	}
	return []string{"node:" + node, "svc:" + svc}
}

// subjectKeys map an alert's subject (a node, service, VIP, resource,
// source or the cluster's name) to keys.
func subjectKeys(c *cluster.Cluster, subject string) []string {
	if c == nil {
		return []string{"cluster"}
	}
	switch {
	case c.Node(subject) != nil:
		return []string{"node:" + subject}
	case c.Service(subject) != nil:
		return []string{"svc:" + subject}
	case c.VIPByName(subject) != nil:
		return []string{"vip:" + subject}
	}
	for _, s := range c.Services {
		if s.Resource != "" && s.Resource == subject {
			return []string{"svc:" + s.Name}
		}
	}
	for _, v := range c.VIPs {
		if v.Resource != "" && v.Resource == subject {
			return []string{"vip:" + v.Name}
		}
	}
	return []string{"cluster"}
}

// ActionKeys are the keys of an action on a node, service, VIP or
// resource of cluster c (any may be empty).
func ActionKeys(c *cluster.Cluster, node, service, vip, resource string) []string {
	var keys []string
	if node != "" {
		keys = append(keys, "node:"+node)
	}
	if service != "" {
		keys = append(keys, "svc:"+service)
	}
	if vip != "" {
		keys = append(keys, "vip:"+vip)
	}
	if resource != "" {
		keys = append(keys, subjectKeys(c, resource)...)
	}
	if len(keys) == 0 {
		keys = []string{"cluster"}
	}
	return keys
}

// Event ranks: the higher, the more an event is a cause rather than a
// consequence (a node going away explains its services stopping, which
// explain the alerts).
const (
	rankAlert = iota + 1
	rankSource
	rankCell
	rankRole
	rankVIP
	rankNode
	rankAction
)

func eventRank(e Event) int {
	switch e.What {
	case "pacemaker", "power":
		return rankNode
	case "node":
		return rankVIP
	case "role":
		return rankRole
	case "haproxy", "endpoint":
		return rankCell
	case "source":
		return rankSource
	}
	return rankAlert
}

// eventSeverity is how bad the state an event reaches is; "" when it is
// not bad at all (a recovery, or a neutral change like a VIP moving).
func eventSeverity(e Event) string {
	switch {
	case strings.HasPrefix(e.What, "alert "):
		switch e.What {
		case "alert critical":
			return SevCritical
		case "alert warning":
			return SevWarning
		}
		return ""
	}
	to := e.To
	switch e.What {
	case "pacemaker":
		switch to {
		case "offline", "UNCLEAN":
			return SevCritical
		case "pending":
			return SevWarning
		}
	case "power":
		if to == "off" {
			return SevCritical
		}
	case "role":
		if to == "FAILED" {
			return SevWarning
		}
	case "haproxy":
		if to == "DOWN" {
			return SevWarning
		}
	case "endpoint":
		if to == "fail" {
			return SevWarning
		}
	case "node":
		if to == "stopped" {
			return SevCritical
		}
	case "source":
		if strings.HasPrefix(to, "failing") {
			return SevWarning
		}
	}
	return ""
}

// describe is an event as an incident's title.
func describe(e Event) string {
	switch e.What {
	case "pacemaker":
		return e.Subject + " " + e.To + " in Pacemaker"
	case "power":
		return e.Subject + " power " + e.To
	case "role", "haproxy", "endpoint":
		svc, node, _ := strings.Cut(e.Subject, "@")
		what := map[string]string{"role": "", "haproxy": "HAProxy ", "endpoint": "endpoint "}[e.What]
		return svc + " on " + node + ": " + what + e.To
	case "node":
		return e.Subject + " " + e.To
	case "source":
		return e.Subject + " " + e.To
	}
	return strings.TrimPrefix(strings.TrimPrefix(e.To, "critical: "), "warning: ")
}

// staleWord reports a word that only says the data is old.
func staleWord(w string) bool { return w == "stale" }

// sameState compares two state words, ignoring a failing source's reason.
func sameState(a, b string) bool {
	if strings.HasPrefix(a, "failing") && strings.HasPrefix(b, "failing") {
		return true
	}
	return a == b
}
