// Package demo runs an embedded, simulated three-controller OpenStack
// control plane on 127.0.0.1: API endpoints, HAProxy stats and runtime API,
// Redfish BMCs and a simulated Pacemaker that answers the same argv as the
// real CLI. hacon's real probes poll it, so the demo exercises every parser.
package demo

import (
	"sort"
	"sync"
	"time"

	"github.com/hacon/hacon/cluster"
)

// svcSpec describes one demo service.
type svcSpec struct {
	Name     string
	Resource string // top-level Pacemaker resource id
	Prim     string // primitive id inside it
	Agent    string
	Kind     string // clone | promotable | primitive
	Backend  string // HAProxy backend, "" for none
	Path     string // endpoint path on the controller listener, "" for none
	Doc      string // body of the version document
	Status   int    // HTTP status of a healthy answer
	Backups  bool   // HAProxy lists every server but the first as backup
	MaxProm  int    // promotable: promoted-max
}

var specs = []svcSpec{
	{Name: "keystone", Resource: "openstack-keystone-clone", Prim: "openstack-keystone", Agent: "systemd:openstack-keystone", Kind: "clone", Backend: "keystone_public", Path: "/keystone/", Status: 300, Doc: `{"versions":{"values":[{"id":"v3.14","status":"stable"}]}}`},
	{Name: "glance-api", Resource: "openstack-glance-api-clone", Prim: "openstack-glance-api", Agent: "systemd:openstack-glance-api", Kind: "clone", Backend: "glance_api", Path: "/glance/", Status: 300, Doc: `{"versions":[{"id":"v2.16","status":"CURRENT"}]}`},
	{Name: "nova-api", Resource: "openstack-nova-api-clone", Prim: "openstack-nova-api", Agent: "systemd:openstack-nova-api", Kind: "clone", Backend: "nova_osapi", Path: "/nova/", Status: 200, Doc: `{"versions":[{"id":"v2.1","status":"CURRENT"}]}`},
	{Name: "nova-scheduler", Resource: "openstack-nova-scheduler-clone", Prim: "openstack-nova-scheduler", Agent: "systemd:openstack-nova-scheduler", Kind: "clone"},
	{Name: "nova-conductor", Resource: "openstack-nova-conductor-clone", Prim: "openstack-nova-conductor", Agent: "systemd:openstack-nova-conductor", Kind: "clone"},
	{Name: "neutron-server", Resource: "neutron-server-clone", Prim: "neutron-server", Agent: "systemd:neutron-server", Kind: "clone", Backend: "neutron", Path: "/neutron/", Status: 200, Doc: `{"versions":[{"id":"v2.0","status":"CURRENT"}]}`},
	{Name: "cinder-api", Resource: "openstack-cinder-api-clone", Prim: "openstack-cinder-api", Agent: "systemd:openstack-cinder-api", Kind: "clone", Backend: "cinder", Path: "/cinder/", Status: 300, Doc: `{"versions":[{"id":"v3.0","status":"CURRENT"}]}`},
	{Name: "placement", Resource: "openstack-placement-clone", Prim: "openstack-placement", Agent: "systemd:openstack-placement", Kind: "clone", Backend: "placement", Path: "/placement/", Status: 200, Doc: `{"versions":[{"id":"v1.0","min_version":"1.0","max_version":"1.39","status":"CURRENT"}]}`},
	{Name: "horizon", Resource: "httpd-clone", Prim: "httpd", Agent: "systemd:httpd", Kind: "clone", Backend: "horizon", Path: "/dashboard/auth/login/", Status: 200, Doc: `<html>login</html>`},
	{Name: "galera", Resource: "galera-clone", Prim: "galera", Agent: "ocf:heartbeat:galera", Kind: "promotable", MaxProm: 3, Backend: "mysql", Backups: true},
	{Name: "rabbitmq", Resource: "rabbitmq-clone", Prim: "rabbitmq", Agent: "ocf:heartbeat:rabbitmq-cluster", Kind: "clone"},
	{Name: "redis", Resource: "redis-clone", Prim: "redis", Agent: "ocf:heartbeat:redis", Kind: "promotable", MaxProm: 1},
	{Name: "cinder-volume", Resource: "openstack-cinder-volume", Prim: "openstack-cinder-volume", Agent: "systemd:openstack-cinder-volume", Kind: "primitive"},
}

// vipSpec is a demo VIP: an IPaddr2 resource and a listener that forwards
// to whichever controller holds it.
type vipSpec struct {
	Name, Address, Resource string
}

var vipSpecs = []vipSpec{
	{Name: "public", Address: "192.0.2.5", Resource: "ip-192.0.2.5"},
	{Name: "internal", Address: "172.16.2.5", Resource: "ip-172.16.2.5"},
}

// NodeNames are the demo controllers.
var NodeNames = []string{"controller-0", "controller-1", "controller-2"}

type cellKey struct{ svc, node string }

// sim is the simulated cluster state. Every exported fault method and every
// Pacemaker command goes through it under one lock.
type sim struct {
	mu          sync.Mutex
	powered     map[string]bool
	bmcCut      map[string]bool
	standby     map[string]bool
	stopped     map[cellKey]bool             // service process dead on a node
	hung        map[cellKey]bool             // endpoint accepts and never answers
	lbState     map[string]map[string]string // lb → backend/server → ready|drain|maint
	placement   map[string]string            // A/P resource or promoted role → node
	constraints []cluster.Constraint
	fences      []cluster.FenceEvent
	failcounts  map[cellKey]int
	lastChange  time.Time
	st          statefulSim                // Galera and RabbitMQ faults
	onPower     func(node string, on bool) // lets listeners follow power
	timers      []*time.Timer
}

func newSim() *sim {
	s := &sim{
		powered: map[string]bool{}, bmcCut: map[string]bool{}, standby: map[string]bool{},
		stopped: map[cellKey]bool{}, hung: map[cellKey]bool{}, lbState: map[string]map[string]string{},
		placement: map[string]string{}, failcounts: map[cellKey]int{}, lastChange: time.Now(),
		st: newStatefulSim(),
	}
	for _, n := range NodeNames {
		s.powered[n] = true
		s.lbState[n] = map[string]string{}
	}
	s.placement["openstack-cinder-volume"] = "controller-0"
	s.placement["redis-clone"] = "controller-1"
	s.placement["ip-192.0.2.5"] = "controller-0"
	s.placement["ip-172.16.2.5"] = "controller-1"
	return s
}

// eligible reports whether Pacemaker may run resource res on node.
func (s *sim) eligible(res, node string) bool {
	if !s.powered[node] || s.standby[node] {
		return false
	}
	for _, c := range s.constraints {
		if c.Resource == res && c.Kind == "cli-ban" && c.Node == node {
			return false
		}
	}
	return true
}

// replace recomputes where the single-instance roles run, like the
// scheduler would with resource-stickiness: stay unless forced away.
func (s *sim) replace() {
	keys := make([]string, 0, len(s.placement))
	for k := range s.placement {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, res := range keys {
		cur := s.placement[res]
		prefer := ""
		for _, c := range s.constraints {
			if c.Resource == res && c.Kind == "cli-prefer" {
				prefer = c.Node
			}
		}
		switch {
		case prefer != "" && s.eligible(res, prefer):
			s.placement[res] = prefer
		case cur != "" && s.eligible(res, cur):
		default:
			s.placement[res] = ""
			for _, n := range NodeNames {
				if s.eligible(res, n) {
					s.placement[res] = n
					break
				}
			}
		}
	}
	s.lastChange = time.Now()
}

func (s *sim) quorum() bool {
	up := 0
	for _, n := range NodeNames {
		if s.powered[n] {
			up++
		}
	}
	return up*2 > len(NodeNames)
}

// setPower changes a node's power; the cluster reacts at once (the demo
// pretends fencing confirmed the loss, which the BMC's "off" justifies).
func (s *sim) setPower(node string, on bool) {
	if s.powered[node] == on {
		return
	}
	s.powered[node] = on
	if !on {
		s.fences = append(s.fences, cluster.FenceEvent{Target: node, Action: "off", Status: "success", Delegate: s.firstOnline(), Client: "pacemaker-controld", Origin: s.firstOnline(), Completed: time.Now().UTC().Format("2006-01-02 15:04:05Z")})
	}
	s.replace()
	if s.onPower != nil {
		s.onPower(node, on)
	}
}

func (s *sim) firstOnline() string {
	for _, n := range NodeNames {
		if s.powered[n] {
			return n
		}
	}
	return ""
}

func (s *sim) specByName(name string) (svcSpec, bool) {
	for _, sp := range specs {
		if sp.Name == name {
			return sp, true
		}
	}
	return svcSpec{}, false
}

// serverStatus is what an HAProxy on lb reports for a service's server on node.
func (s *sim) serverStatus(lb string, sp svcSpec, node string) (status, check string) {
	switch s.lbState[lb][sp.Backend+"/"+node] {
	case "maint":
		return "MAINT", ""
	}
	k := cellKey{sp.Name, node}
	switch {
	case !s.powered[node]:
		return "DOWN", "L4TOUT"
	case s.hung[k]:
		return "DOWN", "L7TOUT"
	case s.stopped[k]:
		return "DOWN", "L4CON"
	}
	if s.lbState[lb][sp.Backend+"/"+node] == "drain" {
		return "DRAIN", "L7OK"
	}
	return "UP", "L7OK"
}
