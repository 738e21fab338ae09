package discover

import (
	"fmt"
	"net"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/hacon/hacon/config"
)

// haproxies: one HAProxy per controller (TripleO, kolla and
// openstack-ansible all run one on each), read through its stats listener
// when the controller's own can be reached, else its stats socket.
func (b *builder) haproxies() {
	if b.f.HAProxy == nil {
		return
	}
	for _, c := range b.r.Cluster.Controllers {
		h := b.f.HAProxy
		if own := b.f.HAProxyOf[c.Name]; own != nil {
			h = own
		}
		lb := config.HAProxy{Controller: c.Name}
		sock, admin := sockets(h)
		url, why := statsURL(h, c)
		comment := ""
		switch {
		case url != "":
			lb.StatsURL = url
			comment = "stats listener of " + strings.Join(h.Files, ", ")
		case sock != "":
			lb.StatsSocket = sock
			comment = "stats socket on the controller (" + why + "): hacon reads it where it runs — on the controller, or forward it (ssh -L /local.sock:" + sock + ")"
		default:
			b.note("haproxy "+c.Name, "no stats listener hacon can reach and no stats socket: %s", why)
			continue
		}
		if admin != "" {
			lb.RuntimeAPI = "unix://" + admin
		}
		b.r.Comments[fmt.Sprintf("haproxy[%d]", len(b.r.Cluster.HAProxy))] = comment
		b.r.Cluster.HAProxy = append(b.r.Cluster.HAProxy, lb)
	}
}

// sockets: the first stats socket, and the first one at level admin.
func sockets(h *HAProxyConfig) (string, string) {
	sock, admin := "", ""
	for _, s := range h.Sockets {
		if s.Admin && admin == "" {
			admin = s.Path
		}
		if sock == "" || s.Path == admin {
			sock = s.Path
		}
	}
	return sock, admin
}

// statsURL is the CSV URL of the controller's stats page when it listens
// on a wildcard or on the controller's own address; otherwise "" and why.
func statsURL(h *HAProxyConfig, c config.Controller) (string, string) {
	var st *Proxy
	for _, px := range h.Proxies {
		if px.Stats && !px.HasServers() && px.Kind != "backend" && len(px.Binds) > 0 {
			st = px
			break
		}
	}
	if st == nil {
		return "", "no stats listener in the configuration"
	}
	if st.StatsAuthUser != "" {
		return "", fmt.Sprintf("the stats listener %s asks for a login (user %s) whose password is not copied", clip(st.Name), clip(st.StatsAuthUser))
	}
	uri := st.StatsURI
	if uri == "" {
		uri = "/haproxy?stats"
	}
	if !safePath(uri) || strings.ContainsAny(uri, "?;") {
		return "", fmt.Sprintf("stats uri %q cannot take ;csv", clip(uri))
	}
	for _, bd := range st.Binds {
		own := c.Address != "" && net.ParseIP(c.Address).Equal(net.ParseIP(bd.Host))
		if (bd.Host == "" && c.Address != "") || own {
			scheme := "http"
			if bd.SSL {
				scheme = "https"
			}
			return fmt.Sprintf("%s://%s%s;csv", scheme, net.JoinHostPort(c.Address, strconv.Itoa(bd.Port)), uri), ""
		}
	}
	return "", fmt.Sprintf("the stats listener %s is bound to %s, not to %s's own address", clip(st.Name), bindList(st.Binds), c.Name)
}

func bindList(bs []Bind) string {
	var s []string
	for _, b := range bs {
		s = append(s, net.JoinHostPort(b.Host, strconv.Itoa(b.Port)))
	}
	return strings.Join(s, " ")
}

// safePathRe is what a path may hold to go into a URL template: no spaces,
// no template braces, nothing a terminal or YAML would misread.
var safePathRe = regexp.MustCompile(`^/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*$`)

func safePath(p string) bool { return len(p) <= 256 && safePathRe.MatchString(p) }

// svcSource is where a service row came from, for its comment.
type svcSource struct {
	backend  *Proxy
	resource *Resource
}

// services: every HAProxy backend and every Pacemaker resource becomes a
// service, named from the table of usual names; a backend and a resource
// with the same name meet in one row.
func (b *builder) services() {
	var rows []config.Service
	src := map[string]*svcSource{}
	seenServers := map[string]string{} // server set -> backend already used
	// A service's admin or external backend is a second door to it: the
	// main one (public, internal, undecorated) names the row.
	bes := b.backends()
	sort.SliceStable(bes, func(i, j int) bool { return secondDoor(bes[i].Name) < secondDoor(bes[j].Name) })
	for _, px := range bes {
		s, ok := b.backendService(px, src, seenServers)
		if ok {
			rows = append(rows, s)
			src[s.Name] = &svcSource{backend: px}
		}
	}
	if pm := b.f.Pacemaker; pm != nil {
		for i := range pm.Resources {
			rows = b.resourceService(rows, &pm.Resources[i], src)
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return serviceRank(rows[i].Name) < serviceRank(rows[j].Name) })
	for i, s := range rows {
		b.r.Comments[fmt.Sprintf("services[%d]", i)] = src[s.Name].comment()
	}
	b.r.Cluster.Services = rows
}

func secondDoor(name string) int {
	n := strings.ToLower(name)
	if strings.Contains(n, "admin") || strings.Contains(n, "external") {
		return 1
	}
	return 0
}

func (s *svcSource) comment() string {
	var parts []string
	if s.backend != nil {
		parts = append(parts, fmt.Sprintf("HAProxy %s %s (%s)", s.backend.Kind, s.backend.Name, s.backend.Where))
	}
	if s.resource != nil {
		parts = append(parts, fmt.Sprintf("Pacemaker %s %s", s.resource.Kind, s.resource.ID))
	}
	return "from " + strings.Join(parts, " and ")
}

func (b *builder) backendService(px *Proxy, src map[string]*svcSource, seen map[string]string) (config.Service, bool) {
	if msg := config.NameProblem(px.Name); msg != "" {
		b.note("HAProxy "+px.Kind+" "+clip(px.Name), "not usable as a backend name: %s", msg)
		return config.Service{}, false
	}
	known := lookupService(px.Name)
	name := px.Name
	if known != nil {
		name = known.Name
	}
	key := serverSet(px)
	if prev, dup := seen[key]; dup {
		b.note("HAProxy "+px.Kind+" "+px.Name, "the same servers as %s: not a row of its own", prev)
		return config.Service{}, false
	}
	seen[key] = px.Name
	if src[name] != nil {
		b.note("HAProxy "+px.Kind+" "+px.Name, "a second backend of %s (other servers or ports): kept under its own name", name)
		name = px.Name
		if src[name] != nil {
			return config.Service{}, false
		}
	}
	s := config.Service{Name: name, HAProxyBackend: px.Name}
	if hasBackup(px) {
		s.Mode = config.ModeActivePassive
	}
	b.endpoints(&s, px, known)
	return s, true
}

// serverSet identifies a proxy by where it balances to — a public and an
// internal listener of one API share it — and how: the same servers as
// backups make another service (A/P), not a second door to the first.
func serverSet(px *Proxy) string {
	var s []string
	for _, sv := range px.Servers {
		addr := net.JoinHostPort(sv.Host, strconv.Itoa(sv.Port))
		if sv.Backup {
			addr += " backup"
		}
		s = append(s, addr)
	}
	sort.Strings(s)
	return strings.Join(s, ",")
}

// hasBackup: backup servers serve one at a time, only when the active
// ones (if any) are down — TripleO's galera behind three backups is A/P.
func hasBackup(px *Proxy) bool {
	return slices.ContainsFunc(px.Servers, func(s Server) bool { return s.Backup })
}

func (b *builder) resourceService(rows []config.Service, r *Resource, src map[string]*svcSource) []config.Service {
	if msg := config.NameProblem(r.ID); msg != "" {
		b.note("resource "+clip(r.ID), "not usable as a resource id: %s", msg)
		return rows
	}
	name := r.ID
	if known := lookupService(r.ID); known != nil {
		name = known.Name
	}
	for i := range rows {
		if rows[i].Name == name && rows[i].PacemakerResource == "" {
			rows[i].PacemakerResource = r.ID
			src[name].resource = r
			return rows
		}
	}
	if src[name] != nil {
		b.note("resource "+r.ID, "a second resource of %s: kept under its own name", name)
		name = r.ID
		if src[name] != nil {
			return rows
		}
	}
	src[name] = &svcSource{resource: r}
	return append(rows, config.Service{Name: name, PacemakerResource: r.ID})
}

// endpoints writes the per-controller URL (from the servers and the health
// path) and the one through the VIP (from the binds), for HTTP services.
func (b *builder) endpoints(s *config.Service, px *Proxy, known *knownService) {
	path := ""
	switch {
	case known != nil && known.Path == "":
		return // not an HTTP API (a database's httpchk is clustercheck's port), or none with a known health URL
	case px.CheckPath != "" && safePath(px.CheckPath):
		path = px.CheckPath // what HAProxy itself checks
	case known != nil && known.Path != "":
		path = known.Path
	case px.Mode == "http":
		path = "/"
	default:
		return
	}
	port, host, scheme, why := b.serverURLParts(px)
	if why != "" {
		b.note("service "+s.Name, "no per-controller endpoint: %s", why)
	} else {
		s.Endpoint = fmt.Sprintf("%s://%s:%d%s", scheme, host, port, path)
	}
	if vip := b.vipBind(px); vip != nil {
		scheme := "http"
		if vip.SSL {
			scheme = "https"
		}
		s.VIPEndpoint = fmt.Sprintf("%s://%s:%d%s", scheme, config.URLHost(vip.Host), vip.Port, path)
	}
}

// serverURLParts: the servers' common port, and whether each controller's
// server is at the controller's address ({{.Address}}) or name ({{.Name}}).
func (b *builder) serverURLParts(px *Proxy) (int, string, string, string) {
	port, ssl := 0, false
	byHost := map[string]Server{}
	for _, sv := range px.Servers {
		if port != 0 && sv.Port != port {
			return 0, "", "", "the servers listen on different ports"
		}
		port, ssl = sv.Port, ssl || sv.SSL
		byHost[hostOf(sv.Name)] = sv
	}
	if port == 0 {
		return 0, "", "", "the servers have no port (HAProxy forwards the client's)"
	}
	host := ""
	for _, c := range b.r.Cluster.Controllers {
		sv, ok := byHost[c.Name]
		if !ok {
			continue
		}
		h := ""
		switch {
		case c.Address != "" && net.ParseIP(sv.Host) != nil && net.ParseIP(sv.Host).Equal(net.ParseIP(c.Address)):
			h = "{{.Address}}"
		case sv.Host == c.Name:
			h = "{{.Name}}"
		default:
			return 0, "", "", fmt.Sprintf("its server on %s is at %s, not the controller's address", c.Name, clip(sv.Host))
		}
		if host != "" && host != h {
			return 0, "", "", "its servers are named by address on some controllers, by name on others"
		}
		host = h
	}
	if host == "" {
		return 0, "", "", "none of its servers is a controller"
	}
	scheme := "http"
	if ssl {
		scheme = "https"
	}
	return port, host, scheme, ""
}

// vipBind is the bind of the proxy (or of a frontend routing to it) on a
// known VIP; without known VIPs, the first specific address that is not a
// controller's own.
func (b *builder) vipBind(px *Proxy) *Bind {
	binds := slices.Clone(px.Binds)
	for _, fe := range b.f.HAProxy.Proxies {
		if fe.Kind == "frontend" && (fe.DefaultBackend == px.Name || slices.Contains(fe.UseBackends, px.Name)) {
			binds = append(binds, fe.Binds...)
		}
	}
	for i := range binds {
		if _, ok := b.vipAddrs[binds[i].Host]; ok {
			return &binds[i]
		}
	}
	if len(b.vipAddrs) > 0 {
		return nil
	}
	for i := range binds {
		if binds[i].Host != "" && !binds[i].Loopback && !b.isControllerAddr(binds[i].Host) {
			return &binds[i]
		}
	}
	return nil
}

func (b *builder) isControllerAddr(a string) bool {
	for _, c := range b.r.Cluster.Controllers {
		if c.Address == a {
			return true
		}
	}
	return false
}
