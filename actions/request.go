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
	v, _ := LookupVerb(string(r.Kind))
	switch v.Target {
	case TargetResource:
		return r.Cluster + "/resource/" + r.Resource
	case TargetVIP:
		return r.Cluster + "/vip/" + r.VIP
	case TargetServer:
		return r.Cluster + "/server/" + r.Service + "@" + r.Node
	}
	return r.Cluster + "/node/" + r.Node
}

// String is the palette form of the request, as the audit log records it;
// Parse reads it back to the same request.
func (r Request) String() string {
	parts := []string{string(r.Kind)}
	v, ok := LookupVerb(string(r.Kind))
	if !ok {
		return strings.Join(append(parts, r.Node), " ")
	}
	for _, a := range v.Args {
		if w := a.Kind.value(r); w != "" || !a.Optional {
			parts = append(parts, w)
		}
	}
	return strings.Join(parts, " ")
}

// Dangerous reports whether the action can take a node down: those need the
// operator to type the node's name.
func (r Request) Dangerous() bool {
	v, ok := LookupVerb(string(r.Kind))
	return ok && v.Dangerous != nil && v.Dangerous(r)
}

// Parse turns palette words (`move cinder-volume controller-2`) into a
// Request for a cluster. Every word is checked before the count, so a
// name a remote shell would parse is refused whatever else is wrong.
func Parse(clusterName string, words []string) (Request, error) {
	if len(words) == 0 {
		return Request{}, fmt.Errorf("no action given")
	}
	v, ok := LookupVerb(words[0])
	if !ok {
		return Request{}, fmt.Errorf("unknown action %q", words[0])
	}
	r := Request{Cluster: clusterName, Kind: v.Kind}
	words = words[1:]
	for i, w := range words {
		if err := checkWord(v, i, w); err != nil {
			return r, err
		}
	}
	if len(words) < v.required() || len(words) > len(v.Args) {
		return r, fmt.Errorf("usage: :%s", v.Usage())
	}
	for i, w := range words {
		if err := checkValue(v, v.Args[i].Kind, w); err != nil {
			return r, err
		}
	}
	for i, w := range words {
		v.Args[i].Kind.set(&r, w)
	}
	return r, nil
}

// checkWord refuses a word that could not be a name (or, in a lifetime's
// place, a duration): argv may cross ssh, where a shell parses it again.
func checkWord(v Verb, i int, w string) error {
	if i < len(v.Args) && v.Args[i].Kind == ArgLifetime {
		if !lifetimeRe.MatchString(w) || w == "P" || w == "PT" {
			return fmt.Errorf("lifetime %q: expected an ISO 8601 duration like PT10M or P1D", w)
		}
		return nil
	}
	if !nameRe.MatchString(w) {
		return fmt.Errorf("%q is not a resource, node, service or VIP name", w)
	}
	return nil
}

// checkValue refuses a word outside an argument's fixed set of values.
func checkValue(v Verb, k ArgKind, w string) error {
	switch {
	case k == ArgPower && w != "on" && w != "off" && w != "cycle":
		return fmt.Errorf("power: expected on, off or cycle, got %q", w)
	case k == ArgOff && w != "off":
		return fmt.Errorf("usage: :%s", v.Usage())
	}
	return nil
}
