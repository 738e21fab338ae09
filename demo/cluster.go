package demo

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hacon/hacon/config"
)

// ClusterName is the demo cluster's name.
const ClusterName = "demo-overcloud"

// Cluster is a running demo control plane. Start it, poll Config() with
// hacon's probes, inject faults, Close it.
type Cluster struct {
	sim *sim

	mu      sync.Mutex
	nodes   map[string]*nodeServer
	vips    map[string]*http.Server
	vipAddr map[string]string
	runtime map[string]*runtimeAPI
	bmcs    map[string]*bmcHandle
	closed  bool

	kolla *kolla // the second, kolla-style cluster
}

// nodeServer is one controller's listener: its API endpoints and its
// HAProxy stats page. Powering the node off closes it (connection refused);
// powering it on listens again on the same address.
type nodeServer struct {
	name string
	addr string
	srv  *http.Server
}

// Start brings the demo cluster up on 127.0.0.1 ephemeral ports.
func Start() (*Cluster, error) {
	c := &Cluster{sim: newSim(), nodes: map[string]*nodeServer{}, vips: map[string]*http.Server{}, vipAddr: map[string]string{}, runtime: map[string]*runtimeAPI{}, bmcs: map[string]*bmcHandle{}}
	c.sim.onPower = c.followPower
	for _, n := range NodeNames {
		ns := &nodeServer{name: n}
		if err := c.listenNode(ns, "127.0.0.1:0"); err != nil {
			c.Close()
			return nil, err
		}
		c.nodes[n] = ns
		rt, err := startRuntimeAPI(c, n)
		if err != nil {
			c.Close()
			return nil, err
		}
		c.runtime[n] = rt
	}
	for _, v := range vipSpecs {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			c.Close()
			return nil, err
		}
		srv := &http.Server{Handler: c.vipHandler(v), ReadHeaderTimeout: 5 * time.Second}
		c.vips[v.Name], c.vipAddr[v.Name] = srv, ln.Addr().String()
		go srv.Serve(ln)
	}
	if err := c.startBMCs(); err != nil {
		c.Close()
		return nil, err
	}
	k, err := startKolla()
	if err != nil {
		c.Close()
		return nil, err
	}
	c.kolla = k
	return c, nil
}

func (c *Cluster) listenNode(ns *nodeServer, addr string) error {
	var ln net.Listener
	var err error
	// Re-binding the same port right after a close can race the kernel;
	// retry briefly rather than give the node a new address.
	for i := 0; i < 20; i++ {
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("demo: listen for %s: %w", ns.name, err)
	}
	ns.addr = ln.Addr().String()
	ns.srv = &http.Server{Handler: c.nodeHandler(ns.name), ReadHeaderTimeout: 5 * time.Second}
	go ns.srv.Serve(ln)
	return nil
}

// followPower opens or closes a node's listener with its power. It runs
// with the sim lock held, so it only touches the Cluster's own state.
func (c *Cluster) followPower(node string, on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ns := c.nodes[node]
	if ns == nil || c.closed {
		return
	}
	if !on {
		ns.srv.Close()
		return
	}
	_ = c.listenNode(ns, ns.addr)
}

// nodeHandler serves /<service>/... version documents and /haproxy/stats;csv.
func (c *Cluster) nodeHandler(node string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/haproxy/stats") {
			c.sim.mu.Lock()
			body := c.sim.statsCSV(node, c.serverAddr)
			c.sim.mu.Unlock()
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprint(w, body)
			return
		}
		c.serveAPI(w, r, node)
	})
}

func (c *Cluster) serveAPI(w http.ResponseWriter, r *http.Request, node string) {
	for _, sp := range specs {
		if sp.Path == "" || !strings.HasPrefix(r.URL.Path, strings.TrimSuffix(sp.Path, "/")) {
			continue
		}
		k := cellKey{sp.Name, node}
		c.sim.mu.Lock()
		hung, stopped := c.sim.hung[k], c.sim.stopped[k]
		c.sim.mu.Unlock()
		if hung {
			<-r.Context().Done() // accept, never answer: the probe must time out
			return
		}
		if stopped {
			http.Error(w, sp.Name+" is not running", http.StatusServiceUnavailable)
			return
		}
		if strings.HasSuffix(sp.Doc, "}") {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(sp.Status)
		fmt.Fprint(w, sp.Doc)
		return
	}
	http.NotFound(w, r)
}

// vipHandler forwards to the controller that holds the VIP, as the kernel
// would route to the node with the address.
func (c *Cluster) vipHandler(v vipSpec) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.sim.mu.Lock()
		node := c.sim.placement[v.Resource]
		c.sim.mu.Unlock()
		if node == "" {
			// Nobody holds the address: the client sees nothing at all.
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
				}
			}
			return
		}
		c.serveAPI(w, r, node)
	})
}

func (c *Cluster) serverAddr(node string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ns := c.nodes[node]; ns != nil {
		return ns.addr
	}
	return ""
}

// Runner returns the Pacemaker CLI simulator for the probes and actions.
func (c *Cluster) Runner() Runner { return Runner{c: c} }

// Powered reports whether a node is powered on.
func (c *Cluster) Powered(node string) bool {
	c.sim.mu.Lock()
	defer c.sim.mu.Unlock()
	return c.sim.powered[node]
}

// Config is a hacon inventory for the running demo.
func (c *Cluster) Config() *config.Config {
	c.mu.Lock()
	defer c.mu.Unlock()
	cc := config.Cluster{Name: ClusterName, Pacemaker: &config.Pacemaker{Command: []string{PrefixCommand, "{{.Name}}"}}}
	for _, n := range NodeNames {
		ctl := config.Controller{Name: n, Address: c.nodes[n].addr}
		if b := c.bmcs[n]; b != nil {
			ctl.BMC = b.config()
		}
		cc.Controllers = append(cc.Controllers, ctl)
		cc.HAProxy = append(cc.HAProxy, config.HAProxy{Controller: n, StatsURL: "http://" + c.nodes[n].addr + "/haproxy/stats;csv", RuntimeAPI: "tcp://" + c.runtime[n].addr()})
	}
	for _, sp := range specs {
		svc := config.Service{Name: sp.Name, PacemakerResource: sp.Resource, HAProxyBackend: sp.Backend}
		if sp.Path != "" {
			// {{.Address}} is host:port here: every demo node is on 127.0.0.1.
			svc.Endpoint = "http://{{.Address}}" + sp.Path
		}
		if sp.Name == "keystone" {
			svc.VIPEndpoint = "http://" + c.vipAddr["public"] + sp.Path
		}
		if sp.Name == "nova-api" {
			svc.VIPEndpoint = "http://" + c.vipAddr["internal"] + sp.Path
		}
		cc.Services = append(cc.Services, svc)
	}
	for _, v := range vipSpecs {
		cc.VIPs = append(cc.VIPs, config.VIP{Name: v.Name, Address: v.Address, PacemakerResource: v.Resource})
	}
	cc.Galera = &config.Galera{}                              // mysql through the demo's prefix, as on a Pacemaker cluster
	cc.RabbitMQ = &config.RabbitMQ{Interval: 2 * time.Second} // rabbitmqctl likewise; the simulated one costs nothing
	cfg := &config.Config{File: "(demo)", Interval: 2 * time.Second, Clusters: []config.Cluster{cc}}
	if c.kolla != nil {
		cfg.Clusters = append(cfg.Clusters, c.kolla.config())
	}
	return withDefaults(cfg)
}

// withDefaults fills what config.Load would, for an in-memory config.
func withDefaults(cfg *config.Config) *config.Config {
	cfg.Concurrency = config.DefaultConcurrency
	cfg.VerifyTimeout = 30 * time.Second
	cfg.AuditLog = config.StateDir() + "/audit.log"
	cfg.EventsLog = config.StateDir() + "/events.log"
	return cfg
}

// Close stops every listener and pending reboot timer.
func (c *Cluster) Close() {
	c.sim.mu.Lock()
	for _, t := range c.sim.timers {
		t.Stop()
	}
	c.sim.onPower = nil
	c.sim.mu.Unlock()
	c.mu.Lock()
	c.closed = true
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	for _, ns := range c.nodes {
		ns.srv.Close()
	}
	for _, v := range c.vips {
		_ = v.Shutdown(ctx)
		v.Close()
	}
	rts := c.runtime
	bmcs := c.bmcs
	k := c.kolla
	c.mu.Unlock()
	if k != nil {
		k.close()
	}
	for _, r := range rts {
		r.close()
	}
	for _, b := range bmcs {
		b.close()
	}
}
