package cluster

import "time"

// Snapshot is everything hacon knows at one instant. It is immutable once
// built: views and actions read it, nobody writes it.
type Snapshot struct {
	Taken    time.Time
	Sequence uint64 // increases with every snapshot built
	Clusters []Cluster
}

// Cluster is one control plane's merged view.
type Cluster struct {
	Name     string
	Interval time.Duration
	// Rev numbers the builds of a cluster (BuildCache): two snapshots'
	// clusters with the same non-zero Rev are the same build, nothing to
	// diff. 0 when built by Build.
	Rev uint64

	HasPacemaker    bool
	PacemakerVia    string
	PacemakerFailed []string // controllers that did not answer before PacemakerVia did
	DC              string
	Quorum          bool
	StonithEnabled  bool
	MaintenanceMode bool
	Warnings        []string // partial answers from sources (Pacemaker CIB, HAProxy backup flags)

	Nodes        []Node
	Resources    []Resource
	Services     []Service
	VIPs         []VIP
	LBs          []LoadBalancer
	Endpoints    []EndpointResult
	Constraints  []Constraint
	Failures     []Failure
	FenceHistory []FenceEvent
	Fencing      *FencingConfig // Pacemaker's stonith devices and levels; nil when unknown
	Sources      []Source
	Alerts       []Alert
	Stateful     []Stateful // Galera and RabbitMQ as they see themselves

	// HasKeepalived: some VIP is kept by keepalived (VRRP); VRRP lists
	// every instance on every controller whose keepalived answered.
	HasKeepalived bool
	VRRP          []VRRPNode

	// Prometheus lists the planes read from Prometheus instead of polled
	// (pacemaker, haproxy, bmc, endpoint); NotAvailable is what this
	// cluster therefore cannot show (bundles, constraints, fencing
	// history, the crm_simulate preview): unknown, not absent.
	Prometheus   []string
	NotAvailable []string
}

// Node is a controller (from the inventory) or another Pacemaker node
// (remote/guest), with what every plane says of it.
type Node struct {
	Name       string
	Address    string
	Controller bool
	Pacemaker  *PcmkNode // nil when Pacemaker does not know it or is not polled
	BMC        *BMCStatus
	Attributes map[string]string
	Stale      bool // its Pacemaker data is older than three intervals
	// Fencing is what Pacemaker's own stonith devices can do for this
	// node; nil when the CIB's fencing configuration is unknown or the
	// node is a guest (a bundle's container: its host fences it).
	Fencing *Fencing
	// Keepalived is the node's addresses and VRRP instances from its
	// latest answer; nil when it did not answer (or is not polled).
	Keepalived *KeepalivedStatus
}

// PcmkState is the node's Pacemaker state word, or "unknown".
func (n Node) PcmkState() string {
	if n.Pacemaker == nil {
		return "unknown"
	}
	return n.Pacemaker.State()
}

// Power is the BMC's power word: on, off or unknown.
func (n Node) Power() string {
	if n.BMC == nil || n.BMC.Power == "" {
		return PowerUnknown
	}
	return n.BMC.Power
}

// Service is one configured service, or one Pacemaker resource shown on
// its own (an auto row), with its placement per controller.
type Service struct {
	Name     string
	Auto     bool // not configured: a row for a Pacemaker resource no service maps
	Mode     string
	Resource string // Pacemaker resource id, if any
	Backend  string // HAProxy backend, if any
	Cells    []Cell // one per controller, in inventory order
	VIP      *EndpointResult
	Serving  int  // cells that are serving (see Cell.Serving)
	Expected int  // cells that should serve: all for A/A, one for A/P
	Known    bool // at least one plane reported on at least one cell
	Stale    bool
}

// Cell is one service on one controller, as every plane sees it.
type Cell struct {
	Node       string
	Role       string // Pacemaker role; "" when the service has no resource
	Failed     bool
	InstanceID string
	LB         []LBView // one per load balancer that has this server
	LBAgree    bool     // every LB reports the same status
	Endpoint   *EndpointResult
	Plane      *PlaneNode // the stateful plane's word (Galera, RabbitMQ); nil for other services
	Stale      bool
}

// LBView is one load balancer's opinion of one server.
type LBView struct {
	LB     string
	Server LBServer
}

// LBStatus summarises the LBs' view: the common status if they agree,
// otherwise "MIXED". Empty when no LB knows the server.
func (c Cell) LBStatus() string {
	if len(c.LB) == 0 {
		return ""
	}
	if !c.LBAgree {
		return "MIXED"
	}
	return BaseStatus(c.LB[0].Server.Status)
}

// Backup reports whether any LB lists this server as a backup.
func (c Cell) Backup() bool {
	for _, v := range c.LB {
		if v.Server.Backup {
			return true
		}
	}
	return false
}

// Known reports whether any plane said anything about this cell.
func (c Cell) Known() bool {
	return c.Role != "" || len(c.LB) > 0 || c.Endpoint != nil || c.planeKnown()
}

func (c Cell) planeKnown() bool { return c.Plane != nil && c.Plane.Known() && !c.Plane.Stale }

// Serving reports whether the cell carries traffic: running (when Pacemaker
// manages it), not DOWN/MAINT in the LBs, and its endpoint answering.
func (c Cell) Serving() bool {
	if c.Failed || c.Role == RoleStopped {
		return false
	}
	if c.LBStatus() != "" {
		switch c.LBStatus() {
		case "UP", "no check", "MIXED":
		default:
			return false
		}
	}
	if c.Endpoint != nil && !c.Endpoint.OK {
		return false
	}
	if c.planeKnown() && !c.Plane.OK {
		return false // Pacemaker and HAProxy may say up while the database refuses writes
	}
	return c.Role != "" || c.LBStatus() != "" || c.Endpoint != nil || c.planeKnown()
}

// VIP is a virtual IP and the node holding it.
type VIP struct {
	Name     string
	Address  string
	Resource string
	Node     string   // empty when stopped or unknown
	Nodes    []string // every node where it is active; more than one is an IP conflict
	Role     string
	Failed   bool
	Stale    bool

	// Keepalived VIPs: the VRRP instance, every node where the address is
	// present (ip addr), and each controller's view of the instance.
	Instance string
	Holders  []string
	VRRP     []VRRPView
}

// Source is the health of one polled source.
type Source struct {
	Kind        SourceKind
	Name        string
	Address     string
	OK          bool
	Error       string
	LastAttempt time.Time
	LastSuccess time.Time
	Age         time.Duration // since the last success; since start when never
	DataAge     time.Duration // age of what is shown: the newest answer for endpoints and HAProxy (a fresh failure is news), the last success otherwise
	Stale       bool          // no success for three intervals
	Interval    time.Duration // how often it is polled
	Latency     time.Duration
}

// Severity of an alert, most severe first.
type Severity int

// Alert severities.
const (
	SevCritical Severity = iota
	SevWarning
	SevInfo
)

func (s Severity) String() string {
	switch s {
	case SevCritical:
		return "critical"
	case SevWarning:
		return "warning"
	default:
		return "info"
	}
}

// Alert is a finding in plain words.
type Alert struct {
	Severity Severity
	Subject  string // service, node or source it is about
	Message  string
}

// ClusterByName finds a cluster in the snapshot.
func (s *Snapshot) ClusterByName(name string) *Cluster {
	for i := range s.Clusters {
		if s.Clusters[i].Name == name {
			return &s.Clusters[i]
		}
	}
	return nil
}

// Node finds a node by name.
func (c *Cluster) Node(name string) *Node {
	for i := range c.Nodes {
		if c.Nodes[i].Name == name {
			return &c.Nodes[i]
		}
	}
	return nil
}

// Resource finds a resource by id (or by one of its members' ids).
func (c *Cluster) Resource(id string) *Resource {
	for i := range c.Resources {
		if c.Resources[i].ID == id {
			return &c.Resources[i]
		}
	}
	for i := range c.Resources {
		for _, m := range c.Resources[i].Members {
			if m == id {
				return &c.Resources[i]
			}
		}
	}
	return nil
}

// Service finds a service by name.
func (c *Cluster) Service(name string) *Service {
	for i := range c.Services {
		if c.Services[i].Name == name {
			return &c.Services[i]
		}
	}
	return nil
}

// VIPByName finds a VIP by name.
func (c *Cluster) VIPByName(name string) *VIP {
	for i := range c.VIPs {
		if c.VIPs[i].Name == name {
			return &c.VIPs[i]
		}
	}
	return nil
}

// Source finds a source by kind and name.
func (c *Cluster) Source(kind SourceKind, name string) *Source {
	for i := range c.Sources {
		if c.Sources[i].Kind == kind && c.Sources[i].Name == name {
			return &c.Sources[i]
		}
	}
	return nil
}

// Counts is what every summary of a cluster counts: its alerts by severity
// and its sources by health. The text and JSON status (through ExitCode),
// the Markdown export and the console all count here, so they agree.
type Counts struct {
	Critical, Warning, Info int
	Sources, SourcesOK      int
}

// Counts counts c's alerts and sources.
func (c *Cluster) Counts() Counts {
	n := Counts{Sources: len(c.Sources)}
	for _, a := range c.Alerts {
		switch a.Severity {
		case SevCritical:
			n.Critical++
		case SevWarning:
			n.Warning++
		default:
			n.Info++
		}
	}
	for _, s := range c.Sources {
		if s.OK {
			n.SourcesOK++
		}
	}
	return n
}

// Worst is the most severe alert level present, or -1 when none.
func (c *Cluster) Worst() Severity {
	worst := Severity(-1)
	for _, a := range c.Alerts {
		if worst < 0 || a.Severity < worst {
			worst = a.Severity
		}
	}
	return worst
}
