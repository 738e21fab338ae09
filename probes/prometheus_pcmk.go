package probes

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
)

// PromPcmkMissing is what ha_cluster_exporter does not export, said where
// a direct Pacemaker source would show it.
const PromPcmkMissing = "read from Prometheus (ha_cluster_exporter): bundles, colocation/order constraints and fencing history are not exported"

// pacemaker builds a cluster's Pacemaker status from the one exporter
// instance with the newest scrape: every node's exporter reports the
// whole cluster, and mixing their views would hide a split.
func (pc *promCluster) pacemaker(ans map[string]*promAnswer, r *cluster.Result) {
	nodes, res, stonith := ans[famPcmkNodes], ans[famPcmkResources], ans[famPcmkStonith]
	v := pc.set.Cluster
	switch {
	case nodes == nil:
		r.Err = "not queried"
		return
	case nodes.err != "":
		r.Err = nodes.err
		return
	case len(nodes.series[v]) == 0:
		r.Err = fmt.Sprintf("Prometheus has no %s series for %s=%q", famPcmkNodes, pc.set.ClusterLabel, v)
		return
	}
	inst := reporter(nodes, v)
	pm := &cluster.PacemakerStatus{Via: pc.viaName(inst), Stack: "prometheus", StonithEnabled: true}
	r.DataTime = nodes.stamps[v][inst]
	skipped := pc.pcmkNodes(pm, nodes.series[v], inst)
	if res == nil || res.err != "" {
		pm.Warnings = append(pm.Warnings, "resources unknown: "+errOr(res, "not queried"))
	} else {
		// Its own reporter: with two scrapes of the same millisecond the
		// server may keep a different one of them per query.
		ri := reporter(res, v)
		skipped += pc.pcmkResources(pm, res.series[v], ri)
		if at := res.stamps[v][ri]; !at.IsZero() && at.Before(r.DataTime) {
			r.DataTime = at
		}
	}
	stonithKnown := false
	if stonith != nil && stonith.err == "" {
		for _, s := range stonith.series[v] {
			if s.label("instance") == inst {
				pm.StonithEnabled, stonithKnown = s.value == 1, true
			}
		}
	}
	if !stonithKnown {
		pm.Warnings = append(pm.Warnings, "stonith-enabled is not in Prometheus: assumed on")
	}
	if skipped > 0 {
		pm.Warnings = append(pm.Warnings, fmt.Sprintf("%d series with names Pacemaker could not have were ignored", skipped))
	}
	pm.Warnings = append(pm.Warnings, PromPcmkMissing)
	pm.HasQuorum = quorate(pm)
	r.Pacemaker = pm
}

func errOr(a *promAnswer, dflt string) string {
	if a == nil {
		return dflt
	}
	return a.err
}

// reporter is the exporter instance whose series a pacemaker family
// answered with (the server keeps one per cluster), else the newest.
func reporter(a *promAnswer, v string) string {
	for _, s := range a.series[v] {
		if inst := s.label("instance"); inst != "" {
			return inst
		}
	}
	return newestInstance(a.stamps[v])
}

// newestInstance is the exporter whose scrape is newest (ties: the first
// by name, so the choice is stable).
func newestInstance(stamps map[string]time.Time) string {
	best := ""
	for inst, at := range stamps {
		b := stamps[best]
		if best == "" || at.After(b) || (at.Equal(b) && inst < best) {
			best = inst
		}
	}
	return best
}

func (pc *promCluster) viaName(inst string) string {
	if name := pc.controllerFor(config.DefaultPromHostTemplate, inst, map[string]string{}); name != "" {
		return name
	}
	return inst
}

// pcmkNodes reads ha_cluster_pacemaker_nodes{node,type,status}: one series
// per status word, 1 when it holds.
func (pc *promCluster) pcmkNodes(pm *cluster.PacemakerStatus, series []promSample, inst string) (skipped int) {
	byName := map[string]*cluster.PcmkNode{}
	var order []string
	cache := map[string]string{}
	for _, s := range series {
		if s.label("instance") != inst {
			continue
		}
		raw := s.label(pc.set.NodeLabel)
		name, err := config.ExpandPromLabel(pc.set.NodeTemplate, raw)
		if err != nil || config.NameProblem(name) != "" {
			skipped++
			continue
		}
		if ctl := pc.controllerFor(pc.set.NodeTemplate, raw, cache); ctl != "" {
			name = ctl
		}
		n := byName[name]
		if n == nil {
			n = &cluster.PcmkNode{Name: name, Type: s.label("type")}
			byName[name] = n
			order = append(order, name)
		}
		setNodeFlag(n, s.label("status"), s.value == 1)
		if n.DC {
			pm.DC = name
		}
	}
	sort.Strings(order)
	for _, name := range order {
		pm.Nodes = append(pm.Nodes, *byName[name])
	}
	return skipped
}

func setNodeFlag(n *cluster.PcmkNode, status string, on bool) {
	switch status {
	case "online":
		n.Online = on
	case "standby":
		n.Standby = on
	case "standby_onfail":
		n.StandbyOnFail = on
	case "maintenance":
		n.Maintenance = on
	case "pending":
		n.Pending = on
	case "unclean":
		n.Unclean = on
	case "shutdown":
		n.Shutdown = on
	case "dc":
		n.DC = on
	}
}

// quorate stands in for the quorum the exporter does not report: more
// than half the member nodes online, in the reporting node's view.
func quorate(pm *cluster.PacemakerStatus) bool {
	members, online := 0, 0
	for _, n := range pm.Nodes {
		if n.Type != "" && n.Type != "member" {
			continue
		}
		members++
		if n.Online && !n.Unclean {
			online++
		}
	}
	return members > 0 && online*2 > members
}

// roleWord turns the exporter's lower-case role into crm_mon's word.
func roleWord(s string) string {
	switch strings.ToLower(s) {
	case "started":
		return cluster.RoleStarted
	case "stopped", "":
		return cluster.RoleStopped
	case "promoted", "master":
		return cluster.RolePromoted
	case "unpromoted", "slave":
		return cluster.RoleUnpromoted
	}
	if len(s) > 32 {
		s = s[:32]
	}
	return strings.ToUpper(s[:1]) + strings.ToLower(s[1:])
}
