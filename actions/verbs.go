package actions

import (
	"slices"
	"strings"

	"github.com/hacon/hacon/cluster"
)

// ArgKind is what one palette argument of a verb names. It decides how the
// argument is checked, which Request field it fills, and what the palette
// offers to complete it.
type ArgKind string

// Argument kinds.
const (
	ArgResource ArgKind = "resource" // a Pacemaker resource
	ArgVIP      ArgKind = "vip"      // a VIP by its configured name
	ArgService  ArgKind = "service"  // a configured service (its HAProxy backend)
	ArgNode     ArgKind = "node"     // a controller
	ArgLifetime ArgKind = "lifetime" // an ISO 8601 duration for a move's constraint
	ArgPower    ArgKind = "power"    // on, off or cycle
	ArgOff      ArgKind = "off"      // the literal "off" (fence and leave it off)
)

// Arg is one palette argument of a verb.
type Arg struct {
	Kind     ArgKind
	Optional bool // only trailing arguments are optional
}

// TargetKind is what an action acts on; one action in flight per target.
type TargetKind string

// Target kinds.
const (
	TargetResource TargetKind = "resource"
	TargetVIP      TargetKind = "vip"
	TargetServer   TargetKind = "server" // a service's server on a node, in every HAProxy
	TargetNode     TargetKind = "node"
)

// Verb is everything hacon knows about one action verb. The table below is
// the only list of verbs: parsing, printing, targets, planning's plane,
// staleness, verification, the palette's completion, the console's action
// keys and the help are all read from it, so adding a verb means adding a
// row (and its planner and verifier).
type Verb struct {
	Kind  Kind
	Args  []Arg
	Help  string // what the verb does, for the palette's help
	Plane Plane  // where its commands run
	// Target is what it acts on (one action in flight per target).
	Target TargetKind
	// Reads is the source the plan depends on: when it is stale, running
	// needs force.
	Reads cluster.SourceKind
	// Watches are the sources verification polls to see the effect.
	Watches []cluster.SourceKind
	// Dangerous reports whether a request can take a node down: those need
	// the operator to type the node's name. nil: never.
	Dangerous func(Request) bool

	// Key is the console key that pre-fills the palette with this verb for
	// the cursor's target ("" for none); KeyFills is how many leading
	// arguments that key takes from the cursor (the rest are typed), and
	// KeyHelp says what it does there.
	Key      string
	KeyFills int
	KeyHelp  string
}

var (
	pacemakerOnly = []cluster.SourceKind{cluster.KindPacemaker}
	haproxyOnly   = []cluster.SourceKind{cluster.KindHAProxy}
	nodeState     = []cluster.SourceKind{cluster.KindPacemaker, cluster.KindBMC, cluster.KindKeepalived}
	vipState      = []cluster.SourceKind{cluster.KindPacemaker, cluster.KindKeepalived}
)

func always(Request) bool          { return true }
func unlessPowerOn(r Request) bool { return r.Power != "on" }

// args are required arguments of the given kinds, in order.
func args(kinds ...ArgKind) []Arg {
	out := make([]Arg, len(kinds))
	for i, k := range kinds {
		out[i] = Arg{Kind: k}
	}
	return out
}

// verbs is the verb table, in help order (the console's action keys are
// listed in the same order).
var verbs = []Verb{
	{Kind: Move, Args: append(args(ArgResource, ArgNode), Arg{Kind: ArgLifetime, Optional: true}),
		Help: "move a resource to a node (crm_resource --move)", Plane: PlanePacemaker, Target: TargetResource,
		Reads: cluster.KindPacemaker, Watches: pacemakerOnly,
		Key: "m", KeyFills: 2, KeyHelp: "move the service's resource to the cell's node"},
	{Kind: Ban, Args: args(ArgResource, ArgNode),
		Help: "ban a resource from a node", Plane: PlanePacemaker, Target: TargetResource,
		Reads: cluster.KindPacemaker, Watches: pacemakerOnly,
		Key: "b", KeyFills: 2, KeyHelp: "ban the service's resource from the cell's node"},
	{Kind: Clear, Args: args(ArgResource),
		Help: "clear move/ban constraints of a resource", Plane: PlanePacemaker, Target: TargetResource,
		Reads: cluster.KindPacemaker, Watches: pacemakerOnly,
		Key: "c", KeyFills: 1, KeyHelp: "clear move/ban constraints of the service's resource"},
	{Kind: Cleanup, Args: args(ArgResource),
		Help: "clean up a resource's failures", Plane: PlanePacemaker, Target: TargetResource,
		Reads: cluster.KindPacemaker, Watches: pacemakerOnly},
	{Kind: Drain, Args: args(ArgService, ArgNode),
		Help: "drain a service's server on a node in every HAProxy", Plane: PlaneHAProxy, Target: TargetServer,
		Reads: cluster.KindHAProxy, Watches: haproxyOnly,
		Key: "d", KeyFills: 2, KeyHelp: "drain the cell's server in every HAProxy"},
	{Kind: Ready, Args: args(ArgService, ArgNode),
		Help: "set a service's server on a node ready in every HAProxy", Plane: PlaneHAProxy, Target: TargetServer,
		Reads: cluster.KindHAProxy, Watches: haproxyOnly,
		Key: "r", KeyFills: 2, KeyHelp: "set the cell's server ready in every HAProxy"},
	{Kind: Maint, Args: args(ArgService, ArgNode),
		Help: "put a service's server on a node in maintenance in every HAProxy", Plane: PlaneHAProxy, Target: TargetServer,
		Reads: cluster.KindHAProxy, Watches: haproxyOnly,
		Key: "M", KeyFills: 2, KeyHelp: "put the cell's server in maintenance in every HAProxy"},
	{Kind: MoveVIP, Args: args(ArgVIP, ArgNode),
		Help: "move a VIP to a node (Pacemaker; keepalived: restart it on the holder)", Plane: PlanePacemaker, Target: TargetVIP,
		Reads: cluster.KindPacemaker, Watches: vipState,
		Key: "v", KeyFills: 1, KeyHelp: "move the VIP under the cursor (:vip NAME NODE)"},
	{Kind: Standby, Args: args(ArgNode),
		Help: "put a node in standby", Plane: PlanePacemaker, Target: TargetNode,
		Reads: cluster.KindPacemaker, Watches: pacemakerOnly,
		Key: "s", KeyFills: 1, KeyHelp: "put the node in standby"},
	{Kind: Unstandby, Args: args(ArgNode),
		Help: "take a node out of standby", Plane: PlanePacemaker, Target: TargetNode,
		Reads: cluster.KindPacemaker, Watches: pacemakerOnly,
		Key: "u", KeyFills: 1, KeyHelp: "take the node out of standby"},
	{Kind: Fence, Args: append(args(ArgNode), Arg{Kind: ArgOff, Optional: true}),
		Help: "fence a node through Pacemaker (stonith_admin --reboot)", Plane: PlanePacemaker, Target: TargetNode,
		Reads: cluster.KindPacemaker, Watches: nodeState, Dangerous: always,
		Key: "F", KeyFills: 1, KeyHelp: "fence the node through Pacemaker (type its name)"},
	{Kind: Power, Args: args(ArgNode, ArgPower),
		Help: "power a node on/off/cycle directly through its BMC", Plane: PlaneBMC, Target: TargetNode,
		Reads: cluster.KindBMC, Watches: nodeState, Dangerous: unlessPowerOn,
		Key: "P", KeyFills: 1, KeyHelp: "power the node on/off/cycle through its BMC"},
}

// Verbs is the verb table in help order. It is a copy: the table itself
// never changes.
func Verbs() []Verb { return slices.Clone(verbs) }

// LookupVerb finds a verb by its palette name.
func LookupVerb(name string) (Verb, bool) {
	for _, v := range verbs {
		if string(v.Kind) == name {
			return v, true
		}
	}
	return Verb{}, false
}

// Usage is the verb's palette syntax, `move RESOURCE NODE [LIFETIME]` (a
// contract: external checks drive it).
func (v Verb) Usage() string {
	parts := []string{string(v.Kind)}
	for _, a := range v.Args {
		p := a.Kind.placeholder()
		if a.Optional {
			p = "[" + p + "]"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " ")
}

// required is how many arguments the verb cannot do without.
func (v Verb) required() int {
	n := 0
	for _, a := range v.Args {
		if !a.Optional {
			n++
		}
	}
	return n
}

func (k ArgKind) placeholder() string {
	switch k {
	case ArgVIP:
		return "VIPNAME"
	case ArgPower:
		return "on|off|cycle"
	case ArgOff:
		return "off"
	}
	return strings.ToUpper(string(k))
}

// value is the argument's word in a request ("" when an optional one is
// not set).
func (k ArgKind) value(r Request) string {
	switch k {
	case ArgResource:
		return r.Resource
	case ArgVIP:
		return r.VIP
	case ArgService:
		return r.Service
	case ArgLifetime:
		return r.Lifetime
	case ArgPower:
		return r.Power
	case ArgOff:
		if r.FenceOff {
			return "off"
		}
		return ""
	}
	return r.Node
}

// set fills the argument's field of a request from its (checked) word.
func (k ArgKind) set(r *Request, word string) {
	switch k {
	case ArgResource:
		r.Resource = word
	case ArgVIP:
		r.VIP = word
	case ArgService:
		r.Service = word
	case ArgLifetime:
		r.Lifetime = word
	case ArgPower:
		r.Power = word
	case ArgOff:
		r.FenceOff = true
	default:
		r.Node = word
	}
}
