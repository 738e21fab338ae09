package cluster

import "time"

// Summary is one cluster in a line, for the fleet screen and `hacon
// status`: what an operator watching tens of control planes scans for.
type Summary struct {
	Name             string
	Critical         int
	Warning          int
	HasPacemaker     bool
	Quorum           bool
	NodesOnline      int // Pacemaker nodes online (controllers and others)
	Nodes            int
	ServicesFull     int // serving where expected
	ServicesDegraded int // serving somewhere, not everywhere expected
	ServicesDown     int // expected somewhere, serving nowhere
	VIPsHeld         int // held by a node and not failed
	VIPs             int
	WorstAlert       *Alert        // the most severe alert, first of its level; nil when none
	DataAge          time.Duration // the oldest data shown
	Stale            bool          // some source is stale
}

// Summarize sums a cluster up.
func Summarize(c *Cluster) Summary {
	n := c.Counts()
	s := Summary{Name: c.Name, Critical: n.Critical, Warning: n.Warning, HasPacemaker: c.HasPacemaker, Quorum: c.Quorum, Nodes: len(c.Nodes), VIPs: len(c.VIPs)}
	for _, nd := range c.Nodes {
		if nd.Pacemaker != nil && nd.Pacemaker.Online {
			s.NodesOnline++
		}
	}
	for _, sv := range c.Services {
		switch {
		case sv.Serving >= sv.Expected:
			s.ServicesFull++
		case sv.Serving == 0:
			s.ServicesDown++
		default:
			s.ServicesDegraded++
		}
	}
	for _, v := range c.VIPs {
		if v.Node != "" && !v.Failed && !v.Stale {
			s.VIPsHeld++
		}
	}
	for i := range c.Alerts {
		if s.WorstAlert == nil || c.Alerts[i].Severity < s.WorstAlert.Severity {
			s.WorstAlert = &c.Alerts[i]
		}
	}
	for _, src := range c.Sources {
		s.DataAge = max(s.DataAge, src.DataAge)
		s.Stale = s.Stale || src.Stale
	}
	return s
}

// Trouble ranks a summary for sorting, most trouble first: critical
// alerts, then warnings, then stale data.
func (s Summary) Trouble() int {
	t := s.Critical*1_000_000 + s.Warning*1_000
	if s.Stale {
		t++
	}
	return t
}
