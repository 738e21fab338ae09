package cluster

// Report is the JSON shape of `hacon status -o json`. Its keys are a
// contract for external checks: add fields freely, never rename.
type Report struct {
	Taken    string          `json:"taken"`
	Status   string          `json:"status"` // OK, WARNING, CRITICAL, UNKNOWN
	Clusters []ClusterReport `json:"clusters"`
}

// ClusterReport is one cluster in a Report.
type ClusterReport struct {
	Name      string           `json:"name"`
	Quorum    bool             `json:"quorum"`
	DC        string           `json:"dc"`
	Via       string           `json:"pacemaker_via,omitempty"`
	Nodes     []NodeReport     `json:"nodes"`
	Resources []ResourceReport `json:"resources"`
	Services  []ServiceReport  `json:"services"`
	VIPs      []VIPReport      `json:"vips"`
	HAProxy   []ServerReport   `json:"haproxy"`
	Endpoints []EndpointReport `json:"endpoints"`
	Sources   []SourceReport   `json:"sources"`
	Alerts    []AlertReport    `json:"alerts"`
	Stateful  []StatefulReport `json:"stateful"`
	// Keepalived is every VRRP instance on every controller whose
	// keepalived answered (empty for a cluster without keepalived VIPs).
	Keepalived []KeepalivedReport `json:"keepalived"`
	// Prometheus lists the planes read from Prometheus; NotAvailable what
	// the cluster therefore cannot show (unknown, not absent).
	Prometheus   []string `json:"prometheus,omitempty"`
	NotAvailable []string `json:"not_available,omitempty"`
}

// NodeReport is a node in a Report.
type NodeReport struct {
	Name        string `json:"name"`
	Controller  bool   `json:"controller"`
	Type        string `json:"type"`
	State       string `json:"state"`
	Online      bool   `json:"online"`
	Standby     bool   `json:"standby"`
	Maintenance bool   `json:"maintenance"`
	Unclean     bool   `json:"unclean"`
	DC          bool   `json:"dc"`
	Power       string `json:"power"`
	FenceReady  bool   `json:"fence_ready"` // the cluster can fence it: Pacemaker's devices or hacon's BMC
	BMCError    string `json:"bmc_error,omitempty"`
	BMCProvider string `json:"bmc_provider,omitempty"`
	// BMCFenceReady is hacon's own BMC view alone; absent without a bmc.
	BMCFenceReady *bool `json:"bmc_fence_ready,omitempty"`
	// Pacemaker is what Pacemaker's own stonith devices can do; absent
	// when its fencing configuration is unknown or the node is a guest.
	Pacemaker *NodeFencingReport `json:"pacemaker_fencing,omitempty"`
}

// NodeFencingReport is Pacemaker's fencing of one node.
type NodeFencingReport struct {
	Ready       bool     `json:"ready"`
	Devices     []string `json:"devices"`
	Level       int      `json:"level,omitempty"`
	Why         string   `json:"why,omitempty"`
	LastAction  string   `json:"last_action,omitempty"` // "reboot success 2026-…"
	LastFailure string   `json:"last_failure,omitempty"`
}

// ResourceReport is a Pacemaker resource in a Report.
type ResourceReport struct {
	ID        string           `json:"id"`
	Kind      string           `json:"kind"`
	Mode      string           `json:"mode"`
	Agent     string           `json:"agent,omitempty"`
	Instances []InstanceReport `json:"instances"`
}

// InstanceReport is one placement of a resource.
type InstanceReport struct {
	Node   string `json:"node"`
	Role   string `json:"role"`
	Failed bool   `json:"failed"`
}

// ServiceReport is one configured service's summary.
type ServiceReport struct {
	Name     string `json:"name"`
	Mode     string `json:"mode"`
	Serving  int    `json:"serving"`
	Expected int    `json:"expected"`
	Resource string `json:"resource,omitempty"` // the Pacemaker resource id
	Auto     bool   `json:"auto,omitempty"`     // a row for an unmapped resource, not a configured service
}

// VIPReport is a VIP and its node.
type VIPReport struct {
	Name    string   `json:"name"`
	Address string   `json:"address"`
	Node    string   `json:"node"`
	Holders []string `json:"holders"` // every node where the address is present (keepalived) or the resource active (Pacemaker)
}

// ServerReport is one server in one HAProxy.
type ServerReport struct {
	LB      string `json:"lb"`
	Backend string `json:"backend"`
	Server  string `json:"server"`
	Status  string `json:"status"`
	Backup  bool   `json:"backup"`
	Weight  int    `json:"weight"`
	Check   string `json:"check_status,omitempty"`
}

// EndpointReport is one endpoint probe.
type EndpointReport struct {
	Service    string `json:"service"`
	Node       string `json:"node"`
	URL        string `json:"url"`
	OK         bool   `json:"ok"`
	StatusCode int    `json:"status_code"`
	LatencyMS  int64  `json:"latency_ms"`
	Error      string `json:"error"`
	Version    string `json:"version,omitempty"`
}

// SourceReport is one source's health.
type SourceReport struct {
	Kind    string `json:"kind"`
	Name    string `json:"name"`
	Address string `json:"address"`
	OK      bool   `json:"ok"`
	Error   string `json:"error"`
	AgeMS   int64  `json:"age_ms"`
}

// AlertReport is one finding.
type AlertReport struct {
	Severity string `json:"severity"`
	Subject  string `json:"subject"`
	Message  string `json:"message"`
}

// Nagios plugin exit codes.
const (
	ExitOK       = 0
	ExitWarning  = 1
	ExitCritical = 2
	ExitUnknown  = 3
)

// ExitCode follows the Nagios convention: CRITICAL if any critical alert,
// WARNING if any warning, UNKNOWN if no source answered at all.
func (s *Snapshot) ExitCode() int {
	code, answered := ExitOK, false
	for i := range s.Clusters {
		n := s.Clusters[i].Counts()
		answered = answered || n.SourcesOK > 0
		switch {
		case n.Critical > 0:
			code = ExitCritical
		case n.Warning > 0 && code == ExitOK:
			code = ExitWarning
		}
	}
	if !answered {
		return ExitUnknown
	}
	return code
}

// ExitWord names an exit code as Nagios does.
func ExitWord(code int) string {
	return [...]string{"OK", "WARNING", "CRITICAL", "UNKNOWN"}[code]
}

// Report converts a snapshot to its JSON contract shape.
func (s *Snapshot) Report() Report {
	r := Report{Taken: s.Taken.UTC().Format("2006-01-02T15:04:05.000Z"), Status: ExitWord(s.ExitCode()), Clusters: []ClusterReport{}}
	for i := range s.Clusters {
		r.Clusters = append(r.Clusters, clusterReport(&s.Clusters[i]))
	}
	return r
}

func clusterReport(c *Cluster) ClusterReport {
	cr := ClusterReport{Name: c.Name, Quorum: c.Quorum, DC: c.DC, Via: c.PacemakerVia,
		Nodes: []NodeReport{}, Resources: []ResourceReport{}, Services: []ServiceReport{}, VIPs: []VIPReport{},
		HAProxy: []ServerReport{}, Keepalived: []KeepalivedReport{}, Endpoints: []EndpointReport{}, Sources: []SourceReport{}, Alerts: []AlertReport{},
		Prometheus: c.Prometheus, NotAvailable: c.NotAvailable}
	for _, n := range c.Nodes {
		nr := NodeReport{Name: n.Name, Controller: n.Controller, State: n.PcmkState(), Power: n.Power()}
		if p := n.Pacemaker; p != nil {
			nr.Type, nr.Online, nr.Standby, nr.Maintenance, nr.Unclean, nr.DC = p.Type, p.Online, p.Standby, p.Maintenance, p.Unclean, p.DC
		}
		if b := n.BMC; b != nil {
			ready := b.FenceReady
			nr.BMCError, nr.BMCProvider, nr.BMCFenceReady = b.Error, b.Provider, &ready
		}
		nr.FenceReady = n.FenceReady()
		if f := n.Fencing; f != nil {
			nr.Pacemaker = &NodeFencingReport{Ready: f.Ready, Devices: append([]string{}, f.Devices...), Level: f.Level, Why: f.Why,
				LastAction: fenceEventWords(f.Last), LastFailure: fenceEventWords(f.Failed)}
		}
		cr.Nodes = append(cr.Nodes, nr)
	}
	for _, res := range c.Resources {
		rr := ResourceReport{ID: res.ID, Kind: res.Kind, Mode: res.Mode, Agent: res.Agent, Instances: []InstanceReport{}}
		for _, in := range res.Instances {
			rr.Instances = append(rr.Instances, InstanceReport{Node: in.Node, Role: in.Role, Failed: in.Failed})
		}
		cr.Resources = append(cr.Resources, rr)
	}
	for _, s := range c.Services {
		cr.Services = append(cr.Services, ServiceReport{Name: s.Name, Mode: s.Mode, Serving: s.Serving, Expected: s.Expected, Resource: s.Resource, Auto: s.Auto})
	}
	for _, v := range c.VIPs {
		holders := v.Holders
		if v.Instance == "" {
			holders = v.Nodes
		}
		cr.VIPs = append(cr.VIPs, VIPReport{Name: v.Name, Address: v.Address, Node: v.Node, Holders: append([]string{}, holders...)})
	}
	for _, lb := range c.LBs {
		for _, sv := range lb.Servers {
			cr.HAProxy = append(cr.HAProxy, ServerReport{LB: lb.Name, Backend: sv.Backend, Server: sv.Server, Status: sv.Status, Backup: sv.Backup, Weight: sv.Weight, Check: sv.CheckStatus})
		}
	}
	for _, e := range c.Endpoints {
		cr.Endpoints = append(cr.Endpoints, EndpointReport{Service: e.Service, Node: e.Node, URL: e.URL, OK: e.OK, StatusCode: e.StatusCode, LatencyMS: e.Latency.Milliseconds(), Error: e.Error, Version: e.Version})
	}
	for _, s := range c.Sources {
		cr.Sources = append(cr.Sources, SourceReport{Kind: string(s.Kind), Name: s.Name, Address: s.Address, OK: s.OK, Error: s.Error, AgeMS: s.Age.Milliseconds()})
	}
	cr.Keepalived = keepalivedReport(c)
	for _, a := range c.Alerts {
		cr.Alerts = append(cr.Alerts, AlertReport{Severity: a.Severity.String(), Subject: a.Subject, Message: a.Message})
	}
	cr.Stateful = statefulReports(c)
	return cr
}

// fenceEventWords words one fencing action: "reboot success 2026-03-14 03:04:05Z".
func fenceEventWords(e *FenceEvent) string {
	if e == nil {
		return ""
	}
	w := e.Action + " " + e.Status
	if e.Completed != "" {
		w += " " + e.Completed
	}
	return w
}
