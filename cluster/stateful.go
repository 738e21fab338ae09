package cluster

// The stateful plane: what Galera and RabbitMQ say of themselves on each
// controller, beside Pacemaker's role and HAProxy's view.

// Plane words shown in the matrix and the JSON report (a contract: add,
// never rename). Galera's own words (Synced, Donor/Desynced, Joining,
// Joined, non-Primary, Disconnected) are shown as Galera prints them.
const (
	PlaneDown        = "down"        // the server does not answer
	PlaneNotReady    = "not ready"   // Galera: wsrep_ready OFF
	PlaneNotSynced   = "not synced"  // clustercheck answered 503
	PlaneSynced      = "Synced"      // Galera: wsrep_local_state_comment
	PlaneRunning     = "running"     // RabbitMQ: answers, no partition, no alarm
	PlanePartitioned = "partitioned" // RabbitMQ: this node reports a partition
	PlaneAlarm       = "alarm"       // RabbitMQ: a memory or disk alarm on this node
	PlaneWsrepOff    = "wsrep off"   // Galera: a plain MariaDB (no wsrep status)
)

// GaleraStatus is one controller's Galera node as it describes itself.
type GaleraStatus struct {
	Node          string // controller
	Via           string // "mysql" or "clustercheck"
	Answered      bool   // the server answered the query
	Error         string // why not, in the client's words
	ClusterStatus string // wsrep_cluster_status: Primary, non-Primary, Disconnected
	LocalState    string // wsrep_local_state_comment: Synced, Donor/Desynced, Joining, Joined…
	ClusterSize   int    // wsrep_cluster_size
	Ready         string // wsrep_ready: ON/OFF
	Connected     string // wsrep_connected: ON/OFF
	StateUUID     string // wsrep_cluster_state_uuid
	LastCommitted int64  // wsrep_last_committed; -1 when not reported
	WsrepOff      bool   // answered, but without wsrep status variables
	Grastate      *Grastate
}

// Grastate is grastate.dat, read when the server is down: where a full
// cluster restart must begin.
type Grastate struct {
	UUID            string
	Seqno           int64 // -1 after a crash: positions must be recovered first
	SafeToBootstrap bool
	Error           string // why it could not be read
}

// RabbitStatus is one controller's RabbitMQ node as it describes itself
// (rabbitmqctl cluster_status).
type RabbitStatus struct {
	Node       string // controller
	Answered   bool
	Error      string
	Running    []string // running_nodes
	Disk       []string // disk_nodes
	Partitions []RabbitPartition
	Alarms     []RabbitAlarm
}

// RabbitPartition is one node's report of the nodes it cannot see.
type RabbitPartition struct {
	Node    string
	CutFrom []string
}

// RabbitAlarm is one resource alarm: while it is set, every publisher
// connected anywhere in the cluster is blocked.
type RabbitAlarm struct {
	Node     string
	Resource string // memory, disk, file_descriptor_limit
}

// Stateful is one stateful service's plane across the controllers.
type Stateful struct {
	Kind    SourceKind // KindGalera or KindRabbitMQ
	Service string     // the matrix row it shows on
	Nodes   []PlaneNode
}

// PlaneNode is one controller's word for its stateful service.
type PlaneNode struct {
	Node   string
	Word   string // see the Plane* words; "" when unknown (source failing)
	OK     bool   // healthy in this plane
	Detail string // what else the operator should read (seqno, alarm, error)
	Stale  bool
	Source string // the source's error when it failed to reach the node
	Galera *GaleraStatus
	Rabbit *RabbitStatus
}

// Known reports whether the plane said anything of this node.
func (p PlaneNode) Known() bool { return p.Word != "" }

// GaleraWord is the plane word of one Galera node.
func GaleraWord(g *GaleraStatus) (word string, ok bool) {
	switch {
	case !g.Answered:
		return PlaneDown, false
	case g.WsrepOff:
		return PlaneWsrepOff, false
	case g.Via == "clustercheck":
		if g.LocalState == PlaneSynced {
			return PlaneSynced, true
		}
		return PlaneNotSynced, false
	case g.ClusterStatus != "" && g.ClusterStatus != "Primary":
		return g.ClusterStatus, false
	case g.Ready == "OFF":
		return PlaneNotReady, false
	case g.LocalState == PlaneSynced:
		return PlaneSynced, true
	case g.LocalState != "":
		return g.LocalState, false
	}
	return PlaneNotReady, false
}

// RabbitWord is the plane word of one RabbitMQ node.
func RabbitWord(r *RabbitStatus) (word string, ok bool) {
	switch {
	case !r.Answered:
		return PlaneDown, false
	case len(r.Partitions) > 0:
		return PlanePartitioned, false
	case len(r.Alarms) > 0:
		return PlaneAlarm, false
	}
	return PlaneRunning, true
}

// StatefulFor finds the plane shown on a service's row.
func (c *Cluster) StatefulFor(service string) *Stateful {
	for i := range c.Stateful {
		if c.Stateful[i].Service == service {
			return &c.Stateful[i]
		}
	}
	return nil
}

// Controllers lists the cluster's controllers (not Pacemaker's remote or
// guest nodes) by name.
func (c *Cluster) Controllers() []string {
	var out []string
	for _, n := range c.Nodes {
		if n.Controller {
			out = append(out, n.Name)
		}
	}
	return out
}

func planeOf(p *PlaneNode) string {
	if p.Rabbit != nil {
		return "RabbitMQ"
	}
	return "Galera"
}
