package probes

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
)

// The fan-out: one family's answer for every cluster becomes, per
// cluster, the observations its direct sources would have made. Label
// values are a peer's words: names are checked before they become a node,
// resource, backend or server, and matched only against the inventory.

// results are a cluster's plane results from one refresh's answers.
func (pc *promCluster) results(ans map[string]*promAnswer, addr string) []cluster.Result {
	var out []cluster.Result
	mk := func(kind cluster.SourceKind, name, what string) cluster.Result {
		return cluster.Result{ID: cluster.SourceID{Cluster: pc.cc.Name, Kind: kind, Name: name},
			Address: "prometheus " + addr + " " + what}
	}
	if pc.set.Planes[config.PromPacemaker] {
		r := mk(cluster.KindPacemaker, "pacemaker", "ha_cluster_pacemaker_*")
		pc.pacemaker(ans, &r)
		out = append(out, r)
	}
	lbs := pc.loadBalancers(ans[famHAProxyServer])
	for _, c := range pc.cc.Controllers {
		if !pc.set.PromLB(pc.cc, c.Name) {
			continue
		}
		r := mk(cluster.KindHAProxy, c.Name, "haproxy_server_status")
		fillPlane(&r, ans[famHAProxyServer], lbs[c.Name] != nil, pc.absent(famHAProxyServer, pc.set.LBLabel, c.Name), func() {
			r.LB, r.DataTime = lbs[c.Name].lb, lbs[c.Name].at
		})
		out = append(out, r)
	}
	bmcs := pc.bmcs(ans[famIPMIPower], ans[famIPMIUp])
	for _, c := range pc.cc.Controllers {
		if !pc.set.PromBMC(c) {
			continue
		}
		r := mk(cluster.KindBMC, c.Name, "ipmi_chassis_power_state")
		b := bmcs[c.Name]
		fillPlane(&r, ans[famIPMIPower], b != nil, pc.absent(famIPMIUp, pc.set.BMCLabel, c.Name), func() {
			r.BMC, r.DataTime = b, b.ObservedAt
		})
		out = append(out, r)
	}
	out = append(out, pc.endpointResults(ans, mk)...)
	return append(out, pc.keepalivedResults(ans, mk)...)
}

// fillPlane sets a plane's result: the query's error, the absence of its
// series, or its data.
func fillPlane(r *cluster.Result, a *promAnswer, found bool, absent string, fill func()) {
	switch {
	case a == nil:
		r.Err = "not queried"
	case a.err != "":
		r.Err = a.err
	case !found:
		r.Err = absent
	default:
		fill()
	}
}

func (pc *promCluster) absent(metric, label, controller string) string {
	return fmt.Sprintf("Prometheus has no %s series for %s=%q whose %s maps to %s", metric,
		pc.set.ClusterLabel, pc.set.Cluster, label, controller)
}

// controllerFor maps a label value through a template to a controller of
// the cluster: by name, by address, or by BMC address.
func (pc *promCluster) controllerFor(tmpl, value string, cache map[string]string) string {
	if name, ok := cache[value]; ok {
		return name
	}
	name := ""
	if s, err := config.ExpandPromLabel(tmpl, value); err == nil && s != "" {
		for _, c := range pc.cc.Controllers {
			if c.Name == s || c.Address == s || (c.BMC != nil && c.BMC.Address == s) {
				name = c.Name
				break
			}
		}
	}
	cache[value] = name
	return name
}

type promLB struct {
	lb *cluster.LoadBalancer
	at time.Time
}

// loadBalancers groups haproxy_server_status by the controller its LB
// label maps to; each series set to 1 names its server's state.
func (pc *promCluster) loadBalancers(a *promAnswer) map[string]*promLB {
	out := map[string]*promLB{}
	if a == nil || a.err != "" {
		return out
	}
	v := pc.set.Cluster
	cache := map[string]string{}
	for _, s := range a.series[v] {
		inst := s.label(pc.set.LBLabel)
		ctl := pc.controllerFor(pc.set.LBTemplate, inst, cache)
		backend, server, state := s.label("proxy"), s.label("server"), s.label("state")
		if ctl == "" || config.NameProblem(backend) != "" || config.NameProblem(server) != "" || !haproxyState(state) {
			continue
		}
		lb := out[ctl]
		if lb == nil {
			lb = &promLB{lb: &cluster.LoadBalancer{Name: ctl, Source: "prometheus",
				Warning: "read from Prometheus: backup flags, addresses and checks are not exported"}, at: a.stamps[v][inst]}
			out[ctl] = lb
		}
		lb.lb.Servers = append(lb.lb.Servers, cluster.LBServer{Backend: backend, Server: server, Status: state})
	}
	for _, lb := range out {
		sort.Slice(lb.lb.Servers, func(i, j int) bool {
			a, b := lb.lb.Servers[i], lb.lb.Servers[j]
			return a.Backend < b.Backend || (a.Backend == b.Backend && a.Server < b.Server)
		})
	}
	return out
}

func haproxyState(s string) bool {
	switch s {
	case "UP", "DOWN", "MAINT", "DRAIN", "NOLB":
		return true
	}
	return false
}

// bmcs reads power (ipmi_chassis_power_state, 1 = on) and reachability
// (every ipmi_up collector 1) per controller. A BMC that did not answer
// has ipmi_up 0 and no power series at all (the exporter only exports
// what it read): it is unreachable with its power unknown, not absent.
func (pc *promCluster) bmcs(power, up *promAnswer) map[string]*cluster.BMCStatus {
	out := map[string]*cluster.BMCStatus{}
	if power == nil || power.err != "" {
		return out
	}
	v := pc.set.Cluster
	cache := map[string]string{}
	bmc := func(inst string, at time.Time) *cluster.BMCStatus {
		ctl := pc.controllerFor(pc.set.BMCTemplate, inst, cache)
		if ctl == "" {
			return nil
		}
		if b := out[ctl]; b != nil {
			return b
		}
		b := &cluster.BMCStatus{Node: ctl, Driver: "ipmi_exporter", Address: inst, Power: cluster.PowerUnknown,
			Reachable: true, AuthOK: true, Provider: "prometheus", ObservedAt: at}
		out[ctl] = b
		return b
	}
	for _, s := range power.series[v] {
		inst := s.label(pc.set.BMCLabel)
		if b := bmc(inst, power.stamps[v][inst]); b != nil {
			b.Power = cluster.PowerOff
			if s.value == 1 {
				b.Power = cluster.PowerOn
			}
		}
	}
	if up != nil && up.err == "" {
		for _, s := range up.series[v] {
			inst := s.label(pc.set.BMCLabel)
			b := bmc(inst, up.stamps[v][inst])
			if b != nil && s.value != 1 {
				b.Reachable, b.AuthOK, b.Power = false, false, cluster.PowerUnknown
				b.Error = "ipmi_exporter: collector " + cleanLabel(s.label("collector")) + " failed (ipmi_up 0)"
			}
		}
	}
	for _, b := range out {
		b.FenceReady = b.Reachable && b.Power != cluster.PowerUnknown
	}
	return out
}

// cleanLabel bounds a label value shown in words and strips control
// characters: it is a peer's text.
func cleanLabel(s string) string {
	if len(s) > 64 {
		s = s[:64]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// endpointResults maps blackbox's probe_success by its probed URL to the
// services' endpoints, with probe_duration_seconds as the latency.
func (pc *promCluster) endpointResults(ans map[string]*promAnswer, mk func(cluster.SourceKind, string, string) cluster.Result) []cluster.Result {
	if len(pc.endpoints) == 0 {
		return nil
	}
	v := pc.set.Cluster
	succ, dur := ans[famProbeSuccess], ans[famProbeDuration]
	found := map[string]promSample{}
	if succ != nil && succ.err == "" {
		for _, s := range succ.series[v] {
			found[s.label(pc.set.EndpointLabel)] = s
		}
	}
	latency := map[string]time.Duration{}
	if dur != nil && dur.err == "" {
		for _, s := range dur.series[v] {
			latency[s.label(pc.set.EndpointLabel)] = seconds(s.value)
		}
	}
	var out []cluster.Result
	for _, src := range pc.sources("") {
		if src.ID.Kind != cluster.KindEndpoint {
			continue
		}
		var key endpointKey
		for _, k := range pc.endpoints {
			if k.service+"@"+k.node == src.ID.Name {
				key = k
			}
		}
		r := mk(cluster.KindEndpoint, src.ID.Name, "probe_success")
		s, ok := found[key.url]
		fillPlane(&r, succ, ok, fmt.Sprintf("Prometheus has no probe_success series for %s=%q with %s=%q",
			pc.set.ClusterLabel, v, pc.set.EndpointLabel, cluster.RedactURL(key.url)), func() {
			e := &cluster.EndpointResult{Service: key.service, Node: key.node, URL: cluster.RedactURL(key.url),
				OK: s.value == 1, Latency: latency[key.url]}
			if !e.OK {
				e.Error = "blackbox_exporter: probe failed"
			}
			r.Endpoint, r.DataTime = e, succ.stamps[v][key.url]
		})
		out = append(out, r)
	}
	return out
}
