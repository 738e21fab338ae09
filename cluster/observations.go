// Package cluster holds hacon's snapshot model: what every source observed,
// merged into one immutable value per poll cycle. It is plain data: no UI
// types, no I/O. Probes produce the observation types in this file; Build
// merges them with the inventory into a Snapshot; views only read it.
package cluster

import "time"

// SourceKind names a kind of source; the probe registry is keyed by it.
type SourceKind string

// The source kinds hacon polls.
const (
	KindPacemaker SourceKind = "pacemaker"
	KindHAProxy   SourceKind = "haproxy"
	KindEndpoint  SourceKind = "endpoint"
	KindBMC       SourceKind = "bmc"
	KindGalera    SourceKind = "galera"   // one per controller, named after it
	KindRabbitMQ  SourceKind = "rabbitmq" // one per controller, named after it
)

// SourceID identifies one polled source. Name is unique within a cluster and
// kind: the controller for haproxy and bmc, "service@controller" or
// "service@vip" for endpoints, "pacemaker" for the cluster's Pacemaker.
type SourceID struct {
	Cluster string
	Kind    SourceKind
	Name    string
}

func (id SourceID) String() string {
	return id.Cluster + "/" + string(id.Kind) + "/" + id.Name
}

// Result is what one poll of one source produced. Exactly one of the
// observation pointers is set when Err is empty.
type Result struct {
	ID         SourceID
	Address    string // where the source was asked (URL, socket, host); never a secret
	Generation uint64 // increases per source; a lower one never replaces a higher one
	Started    time.Time
	Duration   time.Duration
	Err        string // empty on success; words an operator can act on
	Skipped    bool   // the poll was skipped (previous still running); age grows
	// DataTime is when the peer observed what the result carries, when that
	// is older than the poll (a Prometheus sample's timestamp): the data's
	// age and staleness count from it. Zero: the poll's end.
	DataTime time.Time
	// Fanout carries the results of a source that answers for many (one
	// Prometheus query set for every cluster's planes): the scheduler
	// records each under its own id.
	Fanout []Result

	Pacemaker *PacemakerStatus
	LB        *LoadBalancer
	Endpoint  *EndpointResult
	BMC       *BMCStatus
	Galera    *GaleraStatus
	RabbitMQ  *RabbitStatus
	// Keepalived is one controller's addresses and VRRP state.
	Keepalived *KeepalivedStatus
}

// OK reports whether the poll succeeded.
func (r Result) OK() bool { return r.Err == "" && !r.Skipped }

// PacemakerStatus is one parse of crm_mon (plus the CIB bits crm_mon lacks).
type PacemakerStatus struct {
	Via             string // controller whose prefix answered
	Stack           string
	DC              string
	HasQuorum       bool
	StonithEnabled  bool
	MaintenanceMode bool
	LastChange      string
	Nodes           []PcmkNode
	Resources       []Resource
	Constraints     []Constraint // cli-ban (from crm_mon) and cli-prefer (from the CIB)
	Failures        []Failure
	FenceHistory    []FenceEvent
	// Fencing is Pacemaker's own fencing configuration (stonith devices
	// and levels, from the CIB); nil when the CIB was not read.
	Fencing        *FencingConfig
	NodeAttributes map[string]map[string]string // node → name → value
	Failover       []string                     // controllers asked before Via, with why they did not answer
	Warnings       []string                     // partial answer, e.g. the CIB query failed: cli-prefer/promoted-max unknown
}

// PcmkNode is a node as Pacemaker sees it.
type PcmkNode struct {
	Name             string
	ID               string
	Type             string // member, remote, ping
	Online           bool
	Standby          bool
	StandbyOnFail    bool
	Maintenance      bool
	Pending          bool
	Unclean          bool
	Shutdown         bool
	DC               bool
	ResourcesRunning int
}

// State words for a node, in the order an operator cares about them.
// Pending comes before standby as in crm_mon: a node still joining is not
// yet a member, whatever its standby attribute says.
func (n PcmkNode) State() string {
	switch {
	case n.Unclean:
		return "UNCLEAN"
	case !n.Online:
		return "offline"
	case n.Maintenance:
		return "maintenance"
	case n.Pending:
		return "pending"
	case n.Standby, n.StandbyOnFail:
		return "standby"
	default:
		return "online"
	}
}

// Resource kinds as hacon reports them (a contract of status -o json).
const (
	KindPrimitive  = "primitive"
	KindGroup      = "group"
	KindClone      = "clone"
	KindPromotable = "promotable"
	KindBundle     = "bundle"
)

// Modes of a service or resource (a contract of status -o json).
const (
	ModeActiveActive  = "active-active"
	ModeActivePassive = "active-passive"
)

// Roles as crm_mon names them.
const (
	RoleStarted    = "Started"
	RoleStopped    = "Stopped"
	RolePromoted   = "Promoted"
	RoleUnpromoted = "Unpromoted"
)

// Resource is a top-level Pacemaker resource with its instances.
type Resource struct {
	ID          string
	Kind        string
	Mode        string
	Agent       string // class:provider:type of the (first) primitive
	Managed     bool
	Unmanaged   bool // crm_mon says managed="false" (Managed's zero value is not a finding)
	Failed      bool
	Disabled    bool
	TargetRole  string
	PromotedMax int // promotable/bundle: from the CIB; 0 when unknown
	Replicas    int // bundle
	Members     []string
	Instances   []Instance
}

// Instance is one placement of a resource: one clone instance, one bundle
// replica, or the primitive/group itself.
type Instance struct {
	ID   string
	Node string // empty when stopped
	Role string
	// Claimed is the role the resource inside a stopped bundle replica
	// still claims (crm_mon's "FAILED Promoted"); empty otherwise.
	Claimed string
	Failed  bool
	Managed bool
	Blocked bool
}

// Constraint is a location constraint left by a CLI move or ban.
type Constraint struct {
	ID       string
	Kind     string // "cli-prefer" or "cli-ban" (left by crm_resource), or "ban" (any other -INFINITY location crm_mon lists)
	Resource string
	Node     string
	Role     string
	Score    string
	Expires  string // for --lifetime moves; empty when permanent
}

// Failure is a failed operation recorded in the status section.
type Failure struct {
	OpKey      string
	Node       string
	Task       string
	ExitStatus string
	ExitReason string
	ExitCode   int
	Interval   string
	LastChange string
	FailCount  int
	Resource   string
	// MigrationThreshold is the resource's migration-threshold on the
	// node (crm_mon's node history); 0 when unknown. A fail-count at or
	// above it keeps the resource off that node until cleaned up.
	MigrationThreshold int
}

// PastThreshold reports whether the fail-count has reached the
// migration-threshold.
func (f Failure) PastThreshold() bool {
	return f.MigrationThreshold > 0 && f.FailCount >= f.MigrationThreshold
}

// FenceEvent is one entry of the fencer's history.
type FenceEvent struct {
	Target    string
	Action    string
	Status    string // success, failed, pending
	Delegate  string
	Client    string
	Origin    string
	Completed string
	Reason    string
}

// LoadBalancer is one HAProxy instance's view of its backends.
type LoadBalancer struct {
	Name     string // the controller hosting this HAProxy
	Servers  []LBServer
	Backends []LBBackend
	Source   string // how it was read: "stats page CSV", "stats socket", "prometheus"
	Warning  string // a partial answer, e.g. backup flags unknown; empty when complete
}

// LBBackend is a BACKEND row.
type LBBackend struct {
	Name    string
	Status  string
	Active  int
	Backup  int
	Session int
}

// LBServer is one server row of one backend in one HAProxy.
type LBServer struct {
	Backend       string
	Server        string
	Address       string
	Status        string // as HAProxy prints it: UP, DOWN, MAINT, DRAIN, NOLB, "UP 1/3", "no check"
	Backup        bool
	Weight        int
	CheckStatus   string
	CheckCode     string
	CheckDuration time.Duration
	Sessions      int
	LastChange    time.Duration // since the status last changed
}

// EndpointResult is one HTTP probe of one service endpoint.
type EndpointResult struct {
	Service     string
	Node        string // controller name, or "vip"
	URL         string
	OK          bool
	StatusCode  int
	Latency     time.Duration
	Slow        bool // answered, but slower than the service's slow_threshold
	Error       string
	Version     string // CURRENT version from an OpenStack version document
	Health      string // oslo.middleware healthcheck text, when probed
	TLS         bool   // answered over TLS; TLSDaysLeft is then meaningful
	TLSDaysLeft int    // days until the server certificate expires
}

// Power states.
const (
	PowerOn      = "on"
	PowerOff     = "off"
	PowerUnknown = "unknown"
)

// BMCStatus is one poll of a controller's BMC.
type BMCStatus struct {
	Node       string
	Driver     string
	Address    string
	Power      string
	Reachable  bool
	AuthOK     bool
	RTT        time.Duration
	Provider   string
	Error      string
	FenceReady bool
	Skipped    bool      // a call to this BMC was still in flight: this is the previous status
	ObservedAt time.Time // when this status was read from the BMC; age grows while Skipped
}
