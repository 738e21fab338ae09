package probes

import (
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
)

// PromVRRPWarning says what keepalived-exporter does not export, where a
// direct keepalived source would show it.
const PromVRRPWarning = "read from Prometheus (keepalived-exporter): the holder is the node keepalived calls MASTER, " +
	"not the kernel's addresses; priorities and failing checks are not exported"

// vrrpStates are keepalived's state numbers (keepalived/include/vrrp.h),
// the value of keepalived_vrrp_state.
var vrrpStates = map[float64]string{0: cluster.VRRPInit, 1: cluster.VRRPBackup, 2: cluster.VRRPMaster, 3: cluster.VRRPFault}

// promVRRP is one controller's keepalived as its exporter says.
type promVRRP struct {
	up, upKnown bool
	instances   map[string]*cluster.VRRPInstance
	at          time.Time
}

// keepalivedResults reads keepalived_vrrp_state{iname,intf,vrid,ip_address}
// (one series per VIP of an instance, the value its state) and
// keepalived_up per controller into the keepalived source a direct poll
// would fill: the instances, and as addresses the VIPs of those it is
// MASTER of.
func (pc *promCluster) keepalivedResults(ans map[string]*promAnswer, mk func(cluster.SourceKind, string, string) cluster.Result) []cluster.Result {
	if !pc.set.Planes[config.PromKeepalived] {
		return nil
	}
	states, up := ans[famVRRPState], ans[famKeepalivedUp]
	nodes := pc.vrrpNodes(states, up)
	var out []cluster.Result
	for _, c := range pc.cc.Controllers {
		r := mk(cluster.KindKeepalived, c.Name, "keepalived_vrrp_state")
		n := nodes[c.Name]
		fillPlane(&r, states, n != nil, pc.absent(famKeepalivedUp, pc.set.KeepalivedLabel, c.Name), func() {
			r.Keepalived, r.DataTime = n.status(c.Name), n.at
		})
		out = append(out, r)
	}
	return out
}

func (pc *promCluster) vrrpNodes(states, up *promAnswer) map[string]*promVRRP {
	out := map[string]*promVRRP{}
	if states == nil || states.err != "" {
		return out
	}
	v := pc.set.Cluster
	cache := map[string]string{}
	node := func(inst string, at time.Time) *promVRRP {
		ctl := pc.controllerFor(pc.set.KeepalivedTemplate, inst, cache)
		if ctl == "" {
			return nil
		}
		if out[ctl] == nil {
			out[ctl] = &promVRRP{up: true, instances: map[string]*cluster.VRRPInstance{}, at: at}
		}
		return out[ctl]
	}
	if up != nil && up.err == "" {
		for _, s := range up.series[v] {
			inst := s.label(pc.set.KeepalivedLabel)
			if n := node(inst, up.stamps[v][inst]); n != nil {
				n.up, n.upKnown = s.value == 1, true
			}
		}
	}
	for _, s := range states.series[v] {
		inst := s.label(pc.set.KeepalivedLabel)
		n := node(inst, states.stamps[v][inst])
		if n == nil {
			continue
		}
		if at := states.stamps[v][inst]; at.After(n.at) {
			n.at = at
		}
		n.add(s)
	}
	return out
}

// add folds one series in; a label a keepalived could not have written
// (a bad name, VRID or address) drops the series.
func (n *promVRRP) add(s promSample) {
	name, intf := s.label("iname"), s.label("intf")
	vrid, err := strconv.Atoi(s.label("vrid"))
	state, known := vrrpStates[s.value]
	ip, _, _ := strings.Cut(s.label("ip_address"), "/")
	if config.NameProblem(name) != "" || (intf != "" && config.NameProblem(intf) != "") ||
		err != nil || vrid < 0 || vrid > 255 || !known || net.ParseIP(ip) == nil {
		return
	}
	in := n.instances[name]
	if in == nil {
		in = &cluster.VRRPInstance{Name: name, Interface: intf, VRID: vrid, State: state}
		n.instances[name] = in
	}
	if !contains(in.VIPs, ip) {
		in.VIPs = append(in.VIPs, ip)
	}
}

// status is the node's keepalived as a direct poll would have it.
func (n *promVRRP) status(node string) *cluster.KeepalivedStatus {
	st := &cluster.KeepalivedStatus{Node: node, DumpOK: n.up, Warning: PromVRRPWarning}
	if !n.up {
		st.DumpError = "keepalived-exporter: keepalived_up 0 (keepalived not running, or its state unreadable)"
		return st
	}
	names := make([]string, 0, len(n.instances))
	for name := range n.instances {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		in := n.instances[name]
		sort.Strings(in.VIPs)
		st.Instances = append(st.Instances, *in)
		if in.State != cluster.VRRPMaster {
			continue
		}
		for _, ip := range in.VIPs {
			st.Addresses = append(st.Addresses, cluster.IfAddr{Interface: in.Interface, Address: ip})
		}
	}
	if !n.upKnown && len(st.Instances) == 0 {
		st.DumpOK, st.DumpError = false, fmt.Sprintf("keepalived-exporter: no %s series", famVRRPState)
	}
	return st
}
