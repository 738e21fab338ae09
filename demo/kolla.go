package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hacon/hacon/config"
)

// KollaClusterName is the demo's second cluster: kolla-ansible style,
// keepalived VIPs and HAProxy, no Pacemaker.
const KollaClusterName = "demo-kolla"

// KollaNodes are its controllers.
var KollaNodes = []string{"kolla-0", "kolla-1", "kolla-2"}

// The kolla cluster's VRRP instance and its VIP (on loopback, so TCP
// through it really works).
const (
	kollaInstance = "kolla_internal_vip_51"
	kollaVIP      = "127.0.1.10"
)

// kolla simulates three kolla controllers: keepalived with kolla's
// settings (every node BACKUP, nopreempt, priority index+1, check_alive
// on HAProxy), HAProxy per node, keystone behind it and MariaDB on one
// active server with the others backup.
type kolla struct {
	mu          sync.Mutex
	keepalived  map[string]bool // keepalived running
	haproxy     map[string]bool // HAProxy running (check_alive passes)
	holder      string
	split       bool
	transitions map[string]time.Time

	nodes   map[string]*http.Server
	addr    map[string]string
	vip     *http.Server
	vipAddr string
}

func startKolla() (*kolla, error) {
	k := &kolla{keepalived: map[string]bool{}, haproxy: map[string]bool{}, transitions: map[string]time.Time{},
		nodes: map[string]*http.Server{}, addr: map[string]string{}}
	for _, n := range KollaNodes {
		k.keepalived[n], k.haproxy[n], k.transitions[n] = true, true, time.Now()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			k.close()
			return nil, err
		}
		k.addr[n] = ln.Addr().String()
		k.nodes[n] = &http.Server{Handler: k.nodeHandler(n), ReadHeaderTimeout: 5 * time.Second}
		go k.nodes[n].Serve(ln)
	}
	k.elect()
	ln, err := net.Listen("tcp", kollaVIP+":0")
	if err != nil {
		k.close()
		return nil, fmt.Errorf("demo: listen on the kolla VIP %s: %w", kollaVIP, err)
	}
	k.vipAddr = ln.Addr().String()
	k.vip = &http.Server{Handler: http.HandlerFunc(k.serveVIP), ReadHeaderTimeout: 5 * time.Second}
	go k.vip.Serve(ln)
	return k, nil
}

func (k *kolla) close() {
	for _, s := range k.nodes {
		s.Close()
	}
	if k.vip != nil {
		k.vip.Close()
	}
}

// eligible: keepalived runs and its HAProxy check passes. Called with mu.
func (k *kolla) eligible(n string) bool { return k.keepalived[n] && k.haproxy[n] }

// elect is VRRP with nopreempt: the holder keeps the address while it is
// eligible; otherwise the eligible node with the highest priority takes
// it. Called with mu held.
func (k *kolla) elect() {
	if k.holder != "" && k.eligible(k.holder) {
		return
	}
	prev := k.holder
	k.holder = ""
	for i := len(KollaNodes) - 1; i >= 0; i-- {
		if n := KollaNodes[i]; k.eligible(n) {
			k.holder = n
			break
		}
	}
	now := time.Now()
	for _, n := range []string{prev, k.holder} {
		if n != "" {
			k.transitions[n] = now
		}
	}
}

// holds reports whether node n has the VIP: every eligible node does in a
// split brain. Called with mu held.
func (k *kolla) holds(n string) bool {
	if k.split {
		return k.eligible(n)
	}
	return n == k.holder
}

func (k *kolla) serveVIP(w http.ResponseWriter, r *http.Request) {
	k.mu.Lock()
	up := k.holder != "" || k.split
	k.mu.Unlock()
	if !up {
		http.Error(w, "no holder", http.StatusServiceUnavailable)
		return
	}
	StaticAPIHandler().ServeHTTP(w, r)
}

// nodeHandler serves HAProxy's stats page and keystone on one controller.
func (k *kolla) nodeHandler(n string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/haproxy/stats") {
			StaticAPIHandler().ServeHTTP(w, r)
			return
		}
		k.mu.Lock()
		up := k.haproxy[n]
		k.mu.Unlock()
		if !up {
			http.Error(w, "haproxy is not running", http.StatusBadGateway)
			return
		}
		fmt.Fprint(w, k.statsCSV())
	})
}

func (k *kolla) statsCSV() string {
	var b strings.Builder
	b.WriteString(CSVHeader + "\n")
	for iid, be := range []string{"keystone_internal", "mariadb"} {
		b.WriteString(csvRow(map[string]string{"pxname": be, "svname": "FRONTEND", "status": "OPEN", "pid": "1", "iid": fmt.Sprint(iid + 3), "sid": "0", "type": "0", "mode": "http"}) + "\n")
		for i, n := range KollaNodes {
			act, bck := "1", "0"
			if be == "mariadb" && i > 0 {
				act, bck = "0", "1" // kolla's MariaDB: one active server, the others backup
			}
			b.WriteString(csvRow(map[string]string{"pxname": be, "svname": n, "status": "UP", "weight": "1", "act": act, "bck": bck,
				"pid": "1", "iid": fmt.Sprint(iid + 3), "sid": fmt.Sprint(i + 1), "type": "2", "check_status": "L7OK", "addr": k.addr[n], "mode": "http"}) + "\n")
		}
		b.WriteString(csvRow(map[string]string{"pxname": be, "svname": "BACKEND", "status": "UP", "act": "1", "pid": "1", "iid": fmt.Sprint(iid + 3), "sid": "0", "type": "1", "mode": "http"}) + "\n")
	}
	return b.String()
}

// run answers what hacon runs on a kolla controller: ip -j addr, the
// keepalived dump script, and the stop/start commands of the config.
func (k *kolla) run(ctx context.Context, argv []string, node string, args []string) ([]byte, []byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	switch {
	case len(args) >= 2 && args[0] == "ip":
		return k.ipAddr(node), nil, nil
	case slices.Equal(args, []string{"docker", "stop", "keepalived"}):
		k.keepalived[node] = false
		k.elect()
		return []byte("keepalived\n"), nil, nil
	case slices.Equal(args, []string{"docker", "start", "keepalived"}):
		k.keepalived[node] = true
		k.elect()
		return []byte("keepalived\n"), nil, nil
	case len(args) >= 3 && args[len(args)-3] == "sh" && strings.Contains(args[len(args)-1], "--signum=JSON"):
		if !k.keepalived[node] {
			return fail(argv, 3, "keepalived is not running (no /run/keepalived.pid, no process)")
		}
		return k.dump(node), nil, nil
	}
	return fail(argv, 127, "demo: "+node+" does not know "+strings.Join(args, " "))
}

func (k *kolla) ipAddr(node string) []byte {
	type ai struct {
		Family    string `json:"family"`
		Local     string `json:"local"`
		PrefixLen int    `json:"prefixlen"`
	}
	addrs := []ai{{"inet", "192.0.2." + fmt.Sprint(slices.Index(KollaNodes, node)+11), 24}}
	if k.holds(node) {
		addrs = append(addrs, ai{"inet", kollaVIP, 32})
	}
	b, _ := json.Marshal([]map[string]any{{"ifname": "lo", "addr_info": []ai{{"inet", "127.0.0.1", 8}}}, {"ifname": "eth0", "addr_info": addrs}})
	return b
}

// dump is keepalived 2.2's JSON dump for one node, then (in FAULT) the
// data dump's sections that name the failing check.
func (k *kolla) dump(node string) []byte {
	state := 1
	switch {
	case !k.haproxy[node]:
		state = 3
	case k.holds(node):
		state = 2
	}
	prio := slices.Index(KollaNodes, node) + 1
	data := map[string]any{"iname": kollaInstance, "ifp_ifname": "eth0", "vrid": 51, "state": state, "wantstate": state,
		"base_priority": prio, "effective_priority": prio, "master_priority": 0, "nopreempt": true, "preempt_delay": 0,
		"adver_int": 1, "last_transition": float64(k.transitions[node].UnixNano()) / 1e9,
		"vips": []string{kollaVIP + " dev eth0 scope global"}, "track_script": []string{"'/check_alive.sh'"}}
	b, _ := json.Marshal([]map[string]any{{"data": data, "stats": map[string]int{"become_master": 0, "release_master": 0}}})
	if state != 3 {
		return b
	}
	return fmt.Appendf(b, "\n--hacon-keepalived-data--\n------< VRRP Scripts >------\n VRRP Script = check_alive\n   Status = BAD\n   Tracking instances :\n     %s, weight 0\n------< Interfaces >------\n", kollaInstance)
}

// config is the kolla cluster's hacon inventory.
func (k *kolla) config() config.Cluster {
	cc := config.Cluster{Name: KollaClusterName, Command: []string{PrefixCommand, "{{.Name}}"},
		Keepalived: &config.Keepalived{Command: []string{"docker", "exec", "keepalived"},
			StopCommand: []string{"docker", "stop", "keepalived"}, StartCommand: []string{"docker", "start", "keepalived"}}}
	for _, n := range KollaNodes {
		cc.Controllers = append(cc.Controllers, config.Controller{Name: n, Address: k.addr[n]})
		cc.HAProxy = append(cc.HAProxy, config.HAProxy{Controller: n, StatsURL: "http://" + k.addr[n] + "/haproxy/stats;csv"})
	}
	cc.Services = []config.Service{
		{Name: "keystone", HAProxyBackend: "keystone_internal", Endpoint: "http://{{.Address}}/keystone/", VIPEndpoint: "http://" + k.vipAddr + "/keystone/"},
		{Name: "mariadb", HAProxyBackend: "mariadb"},
	}
	cc.VIPs = []config.VIP{{Name: "internal", Address: kollaVIP, KeepalivedInstance: kollaInstance}}
	return cc
}

// setDaemon kills or restarts keepalived or HAProxy on a kolla node.
func (k *kolla) setDaemon(daemon, node string, up bool) error {
	if !slices.Contains(KollaNodes, node) {
		return fmt.Errorf("unknown kolla node %q (have %s)", node, strings.Join(KollaNodes, ", "))
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	switch daemon {
	case "keepalived":
		k.keepalived[node] = up
	case "haproxy":
		k.haproxy[node] = up
	default:
		return fmt.Errorf("on a kolla node the demo kills keepalived or haproxy, not %q", daemon)
	}
	k.elect()
	return nil
}

func (k *kolla) setSplit(split bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.split = split
	k.elect()
}

func (k *kolla) heal() {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, n := range KollaNodes {
		k.keepalived[n], k.haproxy[n] = true, true
	}
	k.split = false
	k.elect()
}
