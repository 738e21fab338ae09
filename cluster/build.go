package cluster

import (
	"net"
	"strings"
	"time"

	"github.com/hacon/hacon/config"
)

// StaleAfter is how many intervals without a success make a source stale.
const StaleAfter = 3

// SourceState is what the scheduler keeps per source between polls.
type SourceState struct {
	ID          SourceID
	Address     string
	Interval    time.Duration
	Latest      *Result // the newest attempt (by generation)
	LastGood    *Result // the newest success: its data is what is shown
	LastSuccess time.Time
	LastAnswer  time.Time // when the newest poll that was not skipped ended, success or not
	Since       time.Time // when polling of this source began
}

// Silent reports whether no poll has ended (in success or failure) within
// StaleAfter intervals: the source hangs, so even its failure is old news.
func (s *SourceState) Silent(now time.Time) bool {
	ref := s.LastAnswer
	if ref.IsZero() {
		ref = s.Since
	}
	return now.Sub(ref) > StaleAfter*s.Interval
}

// Stale reports whether no success came within StaleAfter intervals.
func (s *SourceState) Stale(now time.Time) bool {
	ref := s.LastSuccess
	if ref.IsZero() {
		ref = s.Since
	}
	return now.Sub(ref) > StaleAfter*s.Interval
}

// Inputs is the scheduler's state for every source, keyed by id.
type Inputs map[SourceID]*SourceState

// Build merges the latest results with the inventory into a snapshot.
func Build(cfg *config.Config, in Inputs, now time.Time, seq uint64) Snapshot {
	snap := Snapshot{Taken: now, Sequence: seq}
	own := in.byCluster()
	for i := range cfg.Clusters {
		snap.Clusters = append(snap.Clusters, buildCluster(cfg, &cfg.Clusters[i], in, own[cfg.Clusters[i].Name], now))
	}
	return snap
}

type merger struct {
	cfg *config.Config
	cc  *config.Cluster
	in  Inputs
	own []ownSource // this cluster's sources (Inputs.byCluster)
	now time.Time
	out *Cluster

	byEndpoint map[[2]string]*EndpointResult // built on first lookup
	prom       *config.PromSettings          // the planes read from Prometheus; nil: none
}

func buildCluster(cfg *config.Config, cc *config.Cluster, in Inputs, own []ownSource, now time.Time) Cluster {
	out := Cluster{Name: cc.Name, Interval: cfg.IntervalFor(cc, 0)}
	m := &merger{cfg: cfg, cc: cc, in: in, own: own, now: now, out: &out, prom: cfg.PrometheusFor(cc)}
	m.prometheusPlanes()
	pm, pmStale := m.pacemaker()
	m.nodes(pm, pmStale)
	m.loadBalancers()
	m.endpoints()
	m.services(pmStale)
	m.stateful()
	m.vips(pm, pmStale)
	m.keepalived()
	m.sources()
	out.Alerts = Assess(&out)
	return out
}

// good returns the last successful result of a source and whether it is stale.
func (m *merger) good(kind SourceKind, name string) (*Result, bool) {
	st := m.in[SourceID{Cluster: m.cc.Name, Kind: kind, Name: name}]
	if st == nil {
		return nil, false
	}
	return st.LastGood, st.Stale(m.now)
}

func (m *merger) pacemaker() (*PacemakerStatus, bool) {
	if m.cc.Pacemaker == nil && !m.prom.Has(config.PromPacemaker) {
		return nil, false
	}
	r, stale := m.good(KindPacemaker, "pacemaker")
	if r == nil || r.Pacemaker == nil {
		return nil, stale
	}
	pm := r.Pacemaker
	o := m.out
	o.HasPacemaker = true
	o.PacemakerVia, o.DC, o.Quorum = pm.Via, pm.DC, pm.HasQuorum
	o.PacemakerFailed = pm.Failover
	o.StonithEnabled, o.MaintenanceMode = pm.StonithEnabled, pm.MaintenanceMode
	o.Constraints, o.Failures, o.FenceHistory, o.Fencing = pm.Constraints, pm.Failures, pm.FenceHistory, pm.Fencing
	for _, w := range pm.Warnings {
		o.Warnings = append(o.Warnings, "Pacemaker: "+w)
	}
	o.Resources = make([]Resource, len(pm.Resources))
	copy(o.Resources, pm.Resources)
	for _, s := range m.cc.Services {
		if s.Mode == "" || s.PacemakerResource == "" {
			continue
		}
		for i := range o.Resources {
			if o.Resources[i].ID == s.PacemakerResource {
				o.Resources[i].Mode = s.Mode
			}
		}
	}
	return pm, stale
}

func (m *merger) nodes(pm *PacemakerStatus, pmStale bool) {
	byName := map[string]*PcmkNode{}
	if pm != nil {
		for i := range pm.Nodes {
			byName[pm.Nodes[i].Name] = &pm.Nodes[i]
		}
	}
	known := map[string]bool{}
	for _, c := range m.cc.Controllers {
		n := Node{Name: c.Name, Address: c.Address, Controller: true, Pacemaker: byName[c.Name], Stale: pmStale}
		if pm != nil {
			n.Attributes = pm.NodeAttributes[c.Name]
			n.Fencing = nodeFencing(pm, n.Pacemaker, c.Name)
		}
		if c.BMC != nil || m.prom.PromBMC(c) {
			if r, stale := m.good(KindBMC, c.Name); r != nil && r.BMC != nil {
				b := *r.BMC
				if stale {
					b.Power, b.Reachable, b.FenceReady = PowerUnknown, false, false
					b.Error = "stale: no answer for " + m.age(KindBMC, c.Name).Round(time.Second).String()
				}
				n.BMC = &b
			} else if st := m.in[SourceID{m.cc.Name, KindBMC, c.Name}]; st != nil && st.Latest != nil {
				n.BMC = &BMCStatus{Node: c.Name, Driver: bmcDriver(c), Address: st.Address, Power: PowerUnknown, Error: st.Latest.Err}
			}
		}
		known[c.Name] = true
		m.out.Nodes = append(m.out.Nodes, n)
	}
	if pm == nil {
		return
	}
	for i := range pm.Nodes {
		if known[pm.Nodes[i].Name] {
			continue
		}
		pn := &pm.Nodes[i]
		m.out.Nodes = append(m.out.Nodes, Node{Name: pn.Name, Pacemaker: pn, Attributes: pm.NodeAttributes[pn.Name], Stale: pmStale, Fencing: nodeFencing(pm, pn, pn.Name)})
	}
}

func (m *merger) age(kind SourceKind, name string) time.Duration {
	st := m.in[SourceID{m.cc.Name, kind, name}]
	if st == nil {
		return 0
	}
	ref := st.LastSuccess
	if ref.IsZero() {
		ref = st.Since
	}
	return m.now.Sub(ref)
}

func (m *merger) loadBalancers() {
	// Only an HAProxy that answered its latest poll has an opinion: a dead
	// one's last answer would make every server it lists look disputed.
	for _, ctl := range m.lbControllers() {
		st := m.in[SourceID{m.cc.Name, KindHAProxy, ctl}]
		if st == nil || st.Latest == nil || !st.Latest.OK() || st.Latest.LB == nil || st.Silent(m.now) {
			continue
		}
		m.out.LBs = append(m.out.LBs, *st.Latest.LB)
		if w := st.Latest.LB.Warning; w != "" {
			m.out.Warnings = append(m.out.Warnings, "HAProxy on "+ctl+": "+w)
		}
	}
}

func (m *merger) endpoints() {
	for _, s := range m.cc.Services {
		names := []string{}
		if s.Endpoint != "" {
			for _, c := range m.cc.Controllers {
				names = append(names, s.Name+"@"+c.Name)
			}
		}
		if s.VIPEndpoint != "" {
			names = append(names, s.Name+"@vip")
		}
		for _, n := range names {
			// A failed probe is still an observation of the endpoint (it
			// timed out, it refused): show the newest attempt, not the last
			// success.
			st := m.in[SourceID{m.cc.Name, KindEndpoint, n}]
			if st == nil || st.Latest == nil || st.Latest.Endpoint == nil || st.Silent(m.now) {
				continue
			}
			m.out.Endpoints = append(m.out.Endpoints, *st.Latest.Endpoint)
		}
	}
}

// serverFor finds the LB server of a backend that runs on a controller: by
// name (controller-0 or controller-0.internalapi…) or by address.
func serverFor(lb *LoadBalancer, backend string, c config.Controller) (LBServer, bool) {
	for _, s := range lb.Servers {
		if s.Backend != backend {
			continue
		}
		if s.Server == c.Name || strings.HasPrefix(s.Server, c.Name+".") || (c.Address != "" && hostOf(s.Address) == c.Address) {
			return s, true
		}
	}
	return LBServer{}, false
}

func hostOf(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}

func (m *merger) endpoint(service, node string) *EndpointResult {
	if m.byEndpoint == nil {
		m.byEndpoint = make(map[[2]string]*EndpointResult, len(m.out.Endpoints))
		for i := range m.out.Endpoints {
			e := &m.out.Endpoints[i]
			m.byEndpoint[[2]string{e.Service, e.Node}] = e
		}
	}
	return m.byEndpoint[[2]string{service, node}]
}

func (m *merger) services(pmStale bool) {
	for _, row := range m.rowSpecs() {
		s := row.Service
		svc := Service{Name: s.Name, Auto: row.auto, Mode: s.Mode, Resource: s.PacemakerResource, Backend: s.HAProxyBackend, Stale: pmStale && s.PacemakerResource != ""}
		res := m.out.Resource(s.PacemakerResource)
		if svc.Mode == "" && res != nil {
			svc.Mode = res.Mode
		}
		if svc.Mode == "" {
			svc.Mode = ModeActiveActive // an API behind HAProxy with no resource is A/A
		}
		for _, c := range m.cc.Controllers {
			cell := Cell{Node: c.Name, Stale: svc.Stale}
			if res != nil {
				cell.Role, cell.Failed, cell.InstanceID = placementOn(res, c.Name)
			}
			if s.HAProxyBackend != "" {
				for i := range m.out.LBs {
					if srv, ok := serverFor(&m.out.LBs[i], s.HAProxyBackend, c); ok {
						cell.LB = append(cell.LB, LBView{LB: m.out.LBs[i].Name, Server: srv})
					}
				}
				cell.LBAgree = lbAgree(cell.LB)
			}
			cell.Endpoint = m.endpoint(s.Name, c.Name)
			if cell.Serving() && !(svc.Mode == ModeActivePassive && cell.Role == RoleUnpromoted) {
				svc.Serving++ // an A/P service serves only where it is active
			}
			svc.Known = svc.Known || cell.Known()
			svc.Cells = append(svc.Cells, cell)
		}
		svc.Expected = len(m.cc.Controllers)
		if row.auto && res != nil {
			svc.Expected = ExpectedOn(res, m.controllerSet())
		}
		if svc.Mode == ModeActivePassive {
			svc.Expected = min(svc.Expected, 1)
		}
		haproxyActivePassive(&svc, s.Mode, res)
		svc.VIP = m.endpoint(s.Name, "vip")
		m.out.Services = append(m.out.Services, svc)
	}
}

// placementOn picks the most telling instance of a resource on a node.
func placementOn(res *Resource, node string) (role string, failed bool, id string) {
	rank := map[string]int{RolePromoted: 4, RoleStarted: 3, RoleUnpromoted: 2, "": 0}
	best := -1
	for _, in := range res.Instances {
		if in.Node != node {
			continue
		}
		r := rank[in.Role]
		if in.Failed {
			failed = true
		}
		if r > best {
			best, role, id = r, in.Role, in.ID
		}
	}
	if best < 0 {
		return RoleStopped, false, ""
	}
	return role, failed, id
}

func lbAgree(views []LBView) bool {
	for _, v := range views[min(1, len(views)):] {
		if BaseStatus(v.Server.Status) != BaseStatus(views[0].Server.Status) {
			return false
		}
	}
	return true
}

// BaseStatus strips HAProxy's transition suffix ("UP 1/3" → "UP") and the
// "(via …)" tail, keeping "no check" intact.
func BaseStatus(s string) string {
	if s == "no check" {
		return s
	}
	if i := strings.IndexByte(s, ' '); i > 0 {
		return s[:i]
	}
	return s
}

func (m *merger) vips(pm *PacemakerStatus, stale bool) {
	used := map[string]bool{}
	for _, v := range m.cc.VIPs {
		vip := VIP{Name: v.Name, Address: v.Address, Resource: v.PacemakerResource, Stale: stale}
		if r := m.out.Resource(v.PacemakerResource); r != nil {
			fillVIP(&vip, r)
			used[r.ID] = true
		}
		m.out.VIPs = append(m.out.VIPs, vip)
	}
	if pm == nil {
		return
	}
	for i := range m.out.Resources {
		r := &m.out.Resources[i]
		if used[r.ID] || !strings.HasSuffix(r.Agent, ":IPaddr2") || r.Kind != KindPrimitive {
			continue
		}
		vip := VIP{Name: r.ID, Resource: r.ID, Address: addressFromID(r.ID), Stale: stale}
		fillVIP(&vip, r)
		m.out.VIPs = append(m.out.VIPs, vip)
	}
}

func fillVIP(v *VIP, r *Resource) {
	for _, in := range r.Instances {
		if in.Failed {
			v.Failed = true
		}
		if in.Node != "" && in.Role != RoleStopped {
			v.Node, v.Role = in.Node, in.Role
			v.Nodes = append(v.Nodes, in.Node)
		}
	}
}

// addressFromID recovers the address of VIPs named the TripleO way, ip-<addr>.
func addressFromID(id string) string {
	a := strings.TrimPrefix(id, "ip-")
	if net.ParseIP(a) != nil {
		return a
	}
	return ""
}

var kindOrder = map[SourceKind]int{KindPacemaker: 0, KindKeepalived: 1, KindHAProxy: 2, KindBMC: 3, KindEndpoint: 4, KindGalera: 5, KindRabbitMQ: 6}
