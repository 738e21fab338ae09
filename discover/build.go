package discover

import (
	"fmt"
	"net"
	"regexp"
	"slices"
	"strings"

	"github.com/hacon/hacon/config"
)

// Facts is everything read from the controller.
type Facts struct {
	Pacemaker *Pacemaker // nil: no Pacemaker answered
	HAProxy   *HAProxyConfig
	// HAProxyOf is each controller's own HAProxy configuration, when it
	// could be read through the prefix (stats sockets and listeners differ
	// per controller); HAProxy stands in for a controller missing here.
	HAProxyOf        map[string]*HAProxyConfig
	Keepalived       []KeepalivedInstance
	KeepalivedSource string
	Via              []string // the command prefix that reached the controller
}

// Result is the cluster written into the config, with the comments that
// say where each part came from and what could not be mapped.
type Result struct {
	Cluster  config.Cluster
	Comments map[string]string // keyed like "services[2]" or "controllers[0].bmc"
	Notes    []Note
	// PasswordEnv lists the variables the config's BMCs read their
	// passwords from, in order.
	PasswordEnv []string
}

type builder struct {
	f        *Facts
	r        *Result
	vipAddrs map[string]string // VIP address -> VIP name
}

// Build turns facts into a cluster named name.
func Build(name string, f *Facts) (*Result, error) {
	if msg := config.NameProblem(name); msg != "" {
		return nil, fmt.Errorf("cluster name %q: %s (give one with --name)", name, msg)
	}
	b := &builder{f: f, r: &Result{Comments: map[string]string{}}, vipAddrs: map[string]string{}}
	b.r.Cluster.Name = name
	b.controllers()
	b.vips()
	b.bmcs()
	b.pacemakerCommand()
	b.haproxies()
	b.services()
	if len(b.r.Cluster.Controllers) == 0 && b.r.Cluster.Pacemaker == nil {
		return b.r, fmt.Errorf("found no controllers: neither Pacemaker nor HAProxy's servers name them")
	}
	return b.r, nil
}

func (b *builder) note(what, format string, args ...any) {
	b.r.Notes = append(b.r.Notes, Note{What: what, Why: fmt.Sprintf(format, args...)})
}

// controllers come from Pacemaker's members when there is Pacemaker,
// otherwise from the servers HAProxy balances to; their addresses from
// the servers named after them.
func (b *builder) controllers() {
	var names []string
	if pm := b.f.Pacemaker; pm != nil {
		for _, n := range pm.Nodes {
			names = append(names, n.Name)
		}
	} else {
		names = b.serverHosts()
	}
	addrs := b.serverAddresses()
	for _, n := range names {
		if msg := config.NameProblem(n); msg != "" {
			b.note("node "+clip(n), "not usable as a controller name: %s", msg)
			continue
		}
		c := config.Controller{Name: n}
		if a := addrs[n]; a != "" && config.AddressProblem(a) == "" {
			c.Address = a
		} else {
			b.note("controller "+n, "no address found (no HAProxy server named after it): endpoints and stats URLs cannot name it")
		}
		b.r.Cluster.Controllers = append(b.r.Cluster.Controllers, c)
	}
}

// hostOf is a server's name as a host: its first DNS label
// (overcloud-controller-0.internalapi.localdomain → overcloud-controller-0).
func hostOf(server string) string {
	h, _, _ := strings.Cut(server, ".")
	return h
}

// serverAddresses maps each server host to the address most of its
// servers have.
func (b *builder) serverAddresses() map[string]string {
	count := map[string]map[string]int{}
	var order []string
	for _, px := range b.backends() {
		for _, s := range px.Servers {
			h := hostOf(s.Name)
			if count[h] == nil {
				count[h] = map[string]int{}
			}
			if count[h][s.Host] == 0 {
				order = append(order, h+"\x00"+s.Host)
			}
			count[h][s.Host]++
		}
	}
	out := map[string]string{}
	for _, k := range order {
		h, a, _ := strings.Cut(k, "\x00")
		if cur, ok := out[h]; !ok || count[h][a] > count[h][cur] {
			out[h] = a
		}
	}
	return out
}

// serverHosts are the hosts that serve at least two backends (or the only
// one): per-service containers (openstack-ansible's LXC) are not controllers.
func (b *builder) serverHosts() []string {
	seen := map[string]int{}
	var order []string
	bes := b.backends()
	for _, px := range bes {
		inThis := map[string]bool{}
		for _, s := range px.Servers {
			h := hostOf(s.Name)
			if inThis[h] {
				continue
			}
			inThis[h] = true
			if seen[h] == 0 {
				order = append(order, h)
			}
			seen[h]++
		}
	}
	var out []string
	for _, h := range order {
		if seen[h] >= 2 || len(bes) == 1 {
			out = append(out, h)
		} else {
			b.note("server "+clip(h), "serves one backend only (a container?): not taken as a controller")
		}
	}
	return out
}

// backends are the proxies with servers, stats pages aside.
func (b *builder) backends() []*Proxy {
	if b.f.HAProxy == nil {
		return nil
	}
	var out []*Proxy
	for _, px := range b.f.HAProxy.Proxies {
		if px.HasServers() && px.Kind != "frontend" {
			out = append(out, px)
		}
	}
	return out
}

func (b *builder) vips() {
	used := map[string]bool{}
	add := func(name, addr, rsc, instance, comment string) {
		ip := net.ParseIP(addr)
		if ip == nil {
			b.note("VIP "+clip(name), "address %q is not an IP address", clip(addr))
			return
		}
		if msg := config.NameProblem(name); msg != "" {
			b.note("VIP "+clip(name), "not usable as a name: %s", msg)
			return
		}
		for n := 2; used[name]; n++ {
			name = fmt.Sprintf("%s-%d", strings.TrimSuffix(name, fmt.Sprintf("-%d", n-1)), n)
		}
		used[name] = true
		b.vipAddrs[ip.String()] = name
		b.r.Comments[fmt.Sprintf("vips[%d]", len(b.r.Cluster.VIPs))] = comment
		b.r.Cluster.VIPs = append(b.r.Cluster.VIPs, config.VIP{Name: name, Address: ip.String(), PacemakerResource: rsc, KeepalivedInstance: instance})
	}
	if pm := b.f.Pacemaker; pm != nil {
		for _, v := range pm.VIPs {
			add(v.Resource, v.Address, v.Resource, "", "Pacemaker IPaddr2 resource "+v.Resource)
		}
	}
	for _, in := range b.f.Keepalived {
		for i, a := range in.Addresses {
			name := in.Name
			if len(in.Addresses) > 1 {
				name = fmt.Sprintf("%s-%d", in.Name, i+1)
			}
			instance := in.Name
			if config.NameProblem(instance) != "" {
				instance = "" // add notes the name; the address still serves
			}
			add(name, a, "", instance, "keepalived vrrp_instance "+in.Name+" ("+b.f.KeepalivedSource+")")
		}
	}
}

// ipmiAgents are the fence agents that speak IPMI (fence_idrac, fence_ilo3+
// and fence_imm are fence_ipmilan under other names).
var ipmiAgents = []string{"fence_ipmilan", "fence_ipmilanplus", "fence_idrac", "fence_ilo3", "fence_ilo4", "fence_ilo5", "fence_imm"}

func (b *builder) bmcs() {
	pm := b.f.Pacemaker
	if pm == nil {
		return
	}
	groups := map[int]bool{}
	for _, d := range pm.Fencing {
		groups[d.PasswordGroup] = true
	}
	taken := map[string]bool{}
	for i := range b.r.Cluster.Controllers {
		c := &b.r.Cluster.Controllers[i]
		d := b.deviceFor(c.Name)
		if d == nil {
			b.note("controller "+c.Name, "no fence_ipmilan or fence_redfish device targets it: no BMC")
			continue
		}
		taken[d.ID] = true
		bmc, why := bmcFrom(d)
		if bmc == nil {
			b.note("stonith device "+clip(d.ID), "%s", why)
			continue
		}
		bmc.PasswordEnv = passwordEnv(b.r.Cluster.Name, c.Name, len(groups) > 1)
		if !slices.Contains(b.r.PasswordEnv, bmc.PasswordEnv) {
			b.r.PasswordEnv = append(b.r.PasswordEnv, bmc.PasswordEnv)
		}
		c.BMC = bmc
		b.r.Comments[fmt.Sprintf("controllers[%d].bmc", i)] = fmt.Sprintf(
			"from stonith device %s (%s); its password stays in the CIB: set $%s", d.ID, d.Agent, bmc.PasswordEnv)
	}
	for _, d := range pm.Fencing {
		if !taken[d.ID] {
			b.note("stonith device "+clip(d.ID), "%s targets no controller discover kept (%s)", d.Agent, clip(strings.Join(d.Targets, " ")))
		}
	}
}

func (b *builder) deviceFor(node string) *FenceDevice {
	for i := range b.f.Pacemaker.Fencing {
		d := &b.f.Pacemaker.Fencing[i]
		if slices.Contains(d.Targets, node) && (slices.Contains(ipmiAgents, d.Agent) || d.Agent == "fence_redfish") {
			return d
		}
	}
	return nil
}

func bmcFrom(d *FenceDevice) (*config.BMC, string) {
	if d.Address == "" {
		return nil, "has no ip/ipaddr parameter"
	}
	if msg := config.BMCAddressProblem(d.Address); msg != "" {
		return nil, fmt.Sprintf("address %q: %s", clip(d.Address), msg)
	}
	bmc := &config.BMC{Driver: "ipmi", Address: d.Address}
	if d.Agent == "fence_redfish" {
		bmc.Driver, bmc.InsecureTLS = "redfish", d.SSLInsecure
	} else {
		if d.Lanplus != nil && !*d.Lanplus {
			return nil, "IPMI without lanplus (IPMI 1.5): hacon speaks IPMI 2.0 (lanplus) only"
		}
		var cs int
		if _, err := fmt.Sscanf(d.Cipher, "%d", &cs); err == nil && cs >= 0 && cs <= 17 {
			bmc.CipherSuite = cs
		}
	}
	if d.Port > 0 && d.Port <= 65535 {
		bmc.Port = d.Port
	}
	if d.Username != "" && config.NameProblem(d.Username) == "" {
		bmc.Username = d.Username
	}
	return bmc, ""
}

var nonAlnum = regexp.MustCompile(`[^A-Z0-9]+`)

// passwordEnv names the variable a BMC's password is read from: one per
// cluster, or one per controller when the devices' passwords differ.
func passwordEnv(clusterName, node string, perNode bool) string {
	v := "HACON_" + strings.Trim(nonAlnum.ReplaceAllString(strings.ToUpper(clusterName), "_"), "_") + "_BMC_PASSWORD"
	if perNode {
		v += "_" + strings.Trim(nonAlnum.ReplaceAllString(strings.ToUpper(node), "_"), "_")
	}
	return v
}

// pacemakerCommand turns the prefix that reached one controller into a
// template for all of them: the controller's name or address in it
// becomes {{.Name}} or {{.Address}}, so hacon can ask the next one when
// this one does not answer.
func (b *builder) pacemakerCommand() {
	if len(b.f.Via) == 0 || (b.f.Pacemaker == nil && len(b.f.Keepalived) == 0) {
		return
	}
	cmd := slices.Clone(b.f.Via)
	replaced := false
	for i, arg := range cmd {
		for _, c := range b.r.Cluster.Controllers {
			if t, ok := templated(arg, c); ok {
				cmd[i], replaced = t, true
			}
		}
	}
	key := "pacemaker.command"
	if b.f.Pacemaker == nil {
		key = "command" // keepalived without Pacemaker: the cluster's prefix, for every plane
	}
	if !replaced {
		b.note(key, "the prefix names no controller by its name or address: hacon asks only the host it names")
	}
	if b.f.Pacemaker == nil {
		b.r.Cluster.Command = cmd
		return
	}
	b.r.Cluster.Pacemaker = &config.Pacemaker{Command: cmd}
}

func templated(arg string, c config.Controller) (string, bool) {
	user, host, hasUser := strings.Cut(arg, "@")
	if !hasUser {
		host, user = arg, ""
	}
	var t string
	switch {
	case host == c.Name:
		t = "{{.Name}}"
	case c.Address != "" && host == c.Address:
		t = "{{.Address}}"
	default:
		return "", false
	}
	if hasUser {
		return user + "@" + t, true
	}
	return t, true
}
