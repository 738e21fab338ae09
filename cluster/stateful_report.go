package cluster

// StatefulReport is one stateful service's plane in `status -o json`.
type StatefulReport struct {
	Service string            `json:"service"`
	Kind    string            `json:"kind"` // galera | rabbitmq
	Nodes   []PlaneNodeReport `json:"nodes"`
}

// PlaneNodeReport is one controller's word. Galera and RabbitMQ fields are
// present only for their kind.
type PlaneNodeReport struct {
	Node   string `json:"node"`
	State  string `json:"state"` // the plane word; "unknown" when the probe failed
	OK     bool   `json:"ok"`
	Stale  bool   `json:"stale"`
	Detail string `json:"detail,omitempty"`
	Error  string `json:"error,omitempty"` // the probe's own failure

	ClusterStatus   string `json:"cluster_status,omitempty"`
	LocalState      string `json:"local_state,omitempty"`
	ClusterSize     int    `json:"cluster_size,omitempty"`
	Ready           string `json:"ready,omitempty"`
	Connected       string `json:"connected,omitempty"`
	StateUUID       string `json:"state_uuid,omitempty"`
	Seqno           *int64 `json:"seqno,omitempty"` // from grastate.dat, when the server is down
	SafeToBootstrap *bool  `json:"safe_to_bootstrap,omitempty"`

	RunningNodes []string `json:"running_nodes,omitempty"`
	DiskNodes    []string `json:"disk_nodes,omitempty"`
	Partitions   []string `json:"partitions,omitempty"` // "node cut from a, b"
	Alarms       []string `json:"alarms,omitempty"`     // "memory on node"
}

func statefulReports(c *Cluster) []StatefulReport {
	out := []StatefulReport{}
	for _, st := range c.Stateful {
		sr := StatefulReport{Service: st.Service, Kind: string(st.Kind), Nodes: []PlaneNodeReport{}}
		for _, n := range st.Nodes {
			sr.Nodes = append(sr.Nodes, planeNodeReport(n))
		}
		out = append(out, sr)
	}
	return out
}

func planeNodeReport(n PlaneNode) PlaneNodeReport {
	r := PlaneNodeReport{Node: n.Node, State: firstNonEmpty(n.Word, "unknown"), OK: n.OK, Stale: n.Stale, Detail: n.Detail, Error: n.Source}
	if g := n.Galera; g != nil {
		r.ClusterStatus, r.LocalState, r.ClusterSize = g.ClusterStatus, g.LocalState, g.ClusterSize
		r.Ready, r.Connected, r.StateUUID = g.Ready, g.Connected, g.StateUUID
		if gs := g.Grastate; gs != nil && gs.Error == "" {
			seq, safe := gs.Seqno, gs.SafeToBootstrap
			r.Seqno, r.SafeToBootstrap = &seq, &safe
		}
	}
	if rb := n.Rabbit; rb != nil {
		r.RunningNodes, r.DiskNodes = rb.Running, rb.Disk
		for _, p := range rb.Partitions {
			r.Partitions = append(r.Partitions, p.Node+" cut from "+joinComma(p.CutFrom))
		}
		for _, a := range rb.Alarms {
			r.Alarms = append(r.Alarms, a.Resource+" on "+a.Node)
		}
	}
	return r
}

func joinComma(ss []string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out
}
