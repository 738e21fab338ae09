// Package actions carries out operator actions — fail over, move a VIP,
// drain a server, standby, fence, power — always in the same order: plan
// (exact commands, predicted transition, blast radius), confirm, audit the
// intent, execute, verify against later snapshots, audit the result. The
// TUI only asks and shows; every guard lives here, in the executor.
package actions

import (
	"fmt"
	"regexp"
	"strings"
)

// Names and lifetimes go into argv that may cross ssh, where a remote shell
// parses them again: only the characters Pacemaker and HAProxy names use.
var (
	nameRe     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:@-]*$`)
	lifetimeRe = regexp.MustCompile(`^P(\d+[YMWD])*(T(\d+[HMS])+)?$`)
)

// Kind names an action; the names are the command palette's verbs.
type Kind string

// The actions hacon offers.
const (
	Move      Kind = "move"
	MoveVIP   Kind = "vip"
	Ban       Kind = "ban"
	Clear     Kind = "clear"
	Cleanup   Kind = "cleanup"
	Standby   Kind = "standby"
	Unstandby Kind = "unstandby"
	Drain     Kind = "drain"
	Maint     Kind = "maint"
	Ready     Kind = "ready"
	Fence     Kind = "fence"
	Power     Kind = "power"
)

// Request is one action an operator asked for.
type Request struct {
	Cluster  string
	Kind     Kind
	Resource string // move, ban, clear, cleanup
	VIP      string // vip
	Service  string // drain, maint, ready
	Node     string // target node
	Power    string // power: on, off, cycle
	Lifetime string // move: optional ISO 8601 duration (PT10M)
	FenceOff bool   // fence: --fence (leave it off) instead of --reboot
}

// Target is what the action acts on; one action in flight per target.
func (r Request) Target() string {
	switch r.Kind {
	case Move, Ban, Clear, Cleanup:
		return r.Cluster + "/resource/" + r.Resource
	case MoveVIP:
		return r.Cluster + "/vip/" + r.VIP
	case Drain, Maint, Ready:
		return r.Cluster + "/server/" + r.Service + "@" + r.Node
	}
	return r.Cluster + "/node/" + r.Node
}

// String is the palette form of the request, as the audit log records it.
func (r Request) String() string {
	parts := []string{string(r.Kind)}
	switch r.Kind {
	case Move, Ban:
		parts = append(parts, r.Resource, r.Node)
	case Clear, Cleanup:
		parts = append(parts, r.Resource)
	case MoveVIP:
		parts = append(parts, r.VIP, r.Node)
	case Drain, Maint, Ready:
		parts = append(parts, r.Service, r.Node)
	case Power:
		parts = append(parts, r.Node, r.Power)
	case Fence:
		parts = append(parts, r.Node)
		if r.FenceOff {
			parts = append(parts, "off")
		}
	default:
		parts = append(parts, r.Node)
	}
	return strings.Join(parts, " ")
}

// Dangerous reports whether the action can take a node down: those need the
// operator to type the node's name.
func (r Request) Dangerous() bool {
	return r.Kind == Fence || (r.Kind == Power && r.Power != "on")
}

// Usage of every palette verb (a contract: external checks drive it).
var Usage = map[Kind]string{
	Move:      "move RESOURCE NODE [LIFETIME]",
	MoveVIP:   "vip VIPNAME NODE",
	Ban:       "ban RESOURCE NODE",
	Clear:     "clear RESOURCE",
	Cleanup:   "cleanup RESOURCE",
	Standby:   "standby NODE",
	Unstandby: "unstandby NODE",
	Drain:     "drain SERVICE NODE",
	Maint:     "maint SERVICE NODE",
	Ready:     "ready SERVICE NODE",
	Fence:     "fence NODE [off]",
	Power:     "power NODE on|off|cycle",
}

// Help says what each verb does, for the palette's help.
var Help = map[Kind]string{
	Move:      "move a resource to a node (crm_resource --move)",
	MoveVIP:   "move a VIP to a node",
	Ban:       "ban a resource from a node",
	Clear:     "clear move/ban constraints of a resource",
	Cleanup:   "clean up a resource's failures",
	Standby:   "put a node in standby",
	Unstandby: "take a node out of standby",
	Drain:     "drain a service's server on a node in every HAProxy",
	Maint:     "put a service's server on a node in maintenance in every HAProxy",
	Ready:     "set a service's server on a node ready in every HAProxy",
	Fence:     "fence a node through Pacemaker (stonith_admin --reboot)",
	Power:     "power a node on/off/cycle directly through its BMC",
}

// Parse turns palette words (`move cinder-volume controller-2`) into a
// Request for a cluster.
func Parse(clusterName string, words []string) (Request, error) {
	if len(words) == 0 {
		return Request{}, fmt.Errorf("no action given")
	}
	k := Kind(words[0])
	usage, ok := Usage[k]
	if !ok {
		return Request{}, fmt.Errorf("unknown action %q", words[0])
	}
	args := words[1:]
	r := Request{Cluster: clusterName, Kind: k}
	bad := fmt.Errorf("usage: :%s", usage)
	for i, a := range args {
		if k == Move && i == 2 {
			if !lifetimeRe.MatchString(a) || a == "P" || a == "PT" {
				return r, fmt.Errorf("lifetime %q: expected an ISO 8601 duration like PT10M or P1D", a)
			}
			continue
		}
		if !nameRe.MatchString(a) {
			return r, fmt.Errorf("%q is not a resource, node, service or VIP name", a)
		}
	}
	switch k {
	case Move:
		if len(args) != 2 && len(args) != 3 {
			return r, bad
		}
		r.Resource, r.Node = args[0], args[1]
		if len(args) == 3 {
			r.Lifetime = args[2]
		}
	case Ban:
		if len(args) != 2 {
			return r, bad
		}
		r.Resource, r.Node = args[0], args[1]
	case Clear, Cleanup:
		if len(args) != 1 {
			return r, bad
		}
		r.Resource = args[0]
	case MoveVIP:
		if len(args) != 2 {
			return r, bad
		}
		r.VIP, r.Node = args[0], args[1]
	case Standby, Unstandby:
		if len(args) != 1 {
			return r, bad
		}
		r.Node = args[0]
	case Drain, Maint, Ready:
		if len(args) != 2 {
			return r, bad
		}
		r.Service, r.Node = args[0], args[1]
	case Fence:
		if len(args) != 1 && !(len(args) == 2 && args[1] == "off") {
			return r, bad
		}
		r.Node, r.FenceOff = args[0], len(args) == 2
	case Power:
		if len(args) != 2 {
			return r, bad
		}
		switch args[1] {
		case "on", "off", "cycle":
		default:
			return r, fmt.Errorf("power: expected on, off or cycle, got %q", args[1])
		}
		r.Node, r.Power = args[0], args[1]
	}
	return r, nil
}
