package probes

import (
	"context"
	"flag"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/haproxyapi"
)

// -haproxy.capture DIR saves the real haproxy's CSV and metrics, which is
// how testdata/haproxy and the fuzz seeds were made.
var captureDir = flag.String("haproxy.capture", "", "save the real haproxy's stats CSV and metrics into this directory")

func pollHAProxy(t *testing.T, h config.HAProxy, timeout time.Duration) cluster.Result {
	t.Helper()
	h.Controller = "controller-0"
	tg := &Target{
		ID:      cluster.SourceID{Cluster: "test", Kind: cluster.KindHAProxy, Name: h.Controller},
		Timeout: timeout,
		HAProxy: &h,
	}
	return DefaultProbers().Poll(context.Background(), tg)
}

// TestHAProxyReal drives a real haproxy: the three transports agree, a dead
// server turns DOWN, and the runtime API's maint/drain/ready take effect.
func TestHAProxyReal(t *testing.T) {
	h := startHAProxy(t)
	api := haproxyapi.RuntimeAPI{Address: h.Sock}
	if *captureDir != "" {
		capture(t, h)
	}

	sources := map[string]config.HAProxy{
		"page ;csv":      {StatsURL: h.StatsURL + "/stats;csv"},
		"page bare":      {StatsURL: h.StatsURL + "/stats"},
		"socket path":    {StatsSocket: h.Sock},
		"socket unix://": {StatsSocket: "unix://" + h.Sock},
		"socket tcp://":  {StatsSocket: h.TCPSock},
	}
	if h.PromEx {
		sources["prometheus+socket"] = config.HAProxy{StatsURL: h.StatsURL + "/metrics", StatsSocket: h.Sock}
		sources["prometheus+runtime_api"] = config.HAProxy{StatsURL: h.StatsURL + "/metrics", RuntimeAPI: h.TCPSock}
	} else {
		t.Log("haproxy lacks PROMEX: Prometheus transport not tested")
	}

	t.Run("transports agree", func(t *testing.T) {
		var first map[string]string
		for _, name := range slices.Sorted(maps.Keys(sources)) {
			r := pollHAProxy(t, sources[name], 2*time.Second)
			if !r.OK() {
				t.Fatalf("%s: %s", name, r.Err)
			}
			lb := r.LB
			if lb.Name != "controller-0" {
				t.Errorf("%s: LB name %q", name, lb.Name)
			}
			if lb.Warning != "" {
				t.Errorf("%s: unexpected warning %q", name, lb.Warning)
			}
			st := statusMap(lb)
			if first == nil {
				first = st
			} else if !reflect.DeepEqual(st, first) {
				t.Errorf("%s statuses %v differ from %v", name, st, first)
			}
			for _, key := range h.Order {
				s := findServer(t, lb, key)
				srvName := key[strings.IndexByte(key, '/')+1:]
				want := cluster.LBServer{
					Backend: s.Backend, Server: srvName, Address: h.Servers[srvName].Addr,
					Status: "UP", Backup: h.Backup[key], Weight: 1, CheckStatus: "L7OK", CheckCode: "200",
				}
				if lb.Source == SourceStatsPage {
					// The HTTP page hides addresses unless the config says
					// "stats show-legends"; only the socket reveals them.
					want.Address = ""
				}
				got := s
				got.CheckDuration, got.Sessions, got.LastChange = 0, 0, 0
				if got.CheckCode == "" {
					// A check in flight reads "* L7OK" with code 0 (seen
					// in 3 of 200 reads); only that case may lack 200.
					got.CheckCode = "200"
				}
				if got != want {
					t.Errorf("%s: %s = %+v, want %+v", name, key, got, want)
				}
			}
			if len(lb.Servers) != len(h.Order) {
				t.Errorf("%s: %d servers, want %d", name, len(lb.Servers), len(h.Order))
			}
			be := map[string]string{}
			for _, b := range lb.Backends {
				be[b.Name] = b.Status
			}
			for _, b := range testBackends {
				if be[b.name] != "UP" {
					t.Errorf("%s: backend %s is %q, want UP", name, b.name, be[b.name])
				}
			}
		}
	})

	if h.PromEx {
		t.Run("prometheus alone has no backup flag", func(t *testing.T) {
			r := pollHAProxy(t, config.HAProxy{StatsURL: h.StatsURL + "/metrics"}, 2*time.Second)
			if !r.OK() {
				t.Fatal(r.Err)
			}
			if !strings.Contains(r.LB.Warning, "backup flags unknown") {
				t.Errorf("warning = %q, want it to say backup flags are unknown", r.LB.Warning)
			}
			if s := findServer(t, r.LB, "be_nova/nvbk"); s.Backup || s.Status != "UP" {
				t.Errorf("nvbk = %+v: want UP, backup unknown (false)", s)
			}
		})
	}

	t.Run("dead server turns DOWN", func(t *testing.T) {
		h.Servers["gl1"].Close()
		took := h.waitFor(t, 5*time.Second, "gl1 DOWN via the socket", func() (bool, string) {
			r := pollHAProxy(t, config.HAProxy{StatsSocket: h.Sock}, time.Second)
			if !r.OK() {
				return false, r.Err
			}
			s := findServer(t, r.LB, "be_glance/gl1")
			return s.Status == "DOWN" && s.CheckStatus == "L4CON", s.Status + " " + s.CheckStatus
		})
		t.Logf("gl1 reported DOWN %s after its server closed", took.Round(time.Millisecond))
		for name, src := range sources {
			r := pollHAProxy(t, src, 2*time.Second)
			if !r.OK() {
				t.Fatalf("%s: %s", name, r.Err)
			}
			if s := findServer(t, r.LB, "be_glance/gl1"); s.Status != "DOWN" {
				t.Errorf("%s: gl1 is %q, want DOWN", name, s.Status)
			}
			if s := findServer(t, r.LB, "be_glance/gl0"); s.Status != "UP" {
				t.Errorf("%s: gl0 is %q, want UP", name, s.Status)
			}
		}
	})

	ctx := context.Background()
	steps := []struct {
		state haproxyapi.State
		csv   string
	}{
		{haproxyapi.ServerMaint, "MAINT"},
		{haproxyapi.ServerDrain, "DRAIN"},
		{haproxyapi.ServerReady, "UP"},
	}
	for _, step := range steps {
		t.Run("set server state "+string(step.state), func(t *testing.T) {
			if err := api.SetServerState(ctx, "be_keystone", "ks1", step.state); err != nil {
				t.Fatal(err)
			}
			h.waitFor(t, 5*time.Second, "ks1 "+step.csv, func() (bool, string) {
				for name, src := range sources {
					r := pollHAProxy(t, src, 2*time.Second)
					if !r.OK() {
						return false, name + ": " + r.Err
					}
					if s := findServer(t, r.LB, "be_keystone/ks1"); s.Status != step.csv {
						return false, name + ": ks1 is " + s.Status
					}
				}
				return true, ""
			})
			states, err := api.ShowServersState(ctx, "be_keystone")
			if err != nil {
				t.Fatal(err)
			}
			var ks1 *haproxyapi.ServerState
			for i := range states {
				if states[i].Server == "ks1" {
					ks1 = &states[i]
				}
			}
			if ks1 == nil || len(states) != 3 {
				t.Fatalf("show servers state be_keystone: %+v", states)
			}
			if ks1.Maint() != (step.state == haproxyapi.ServerMaint) || ks1.Drain() != (step.state == haproxyapi.ServerDrain) {
				t.Errorf("ks1 admin state %#x after %s: Maint %v Drain %v", ks1.AdminState, step.state, ks1.Maint(), ks1.Drain())
			}
		})
	}

	t.Run("header is 2.6's", func(t *testing.T) {
		body, err := haproxyapi.Exchange(ctx, "stats socket", h.Sock, "show stat")
		if err != nil {
			t.Fatal(err)
		}
		if got, _, _ := strings.Cut(string(body), "\n"); got != haproxy26Header {
			t.Errorf("show stat header differs from formats.md 1.1 (the benchmark's):\n%s", got)
		}
	})

	t.Run("runtime API errors and commands", func(t *testing.T) {
		err := api.SetServerState(ctx, "be_keystone", "nosuch", haproxyapi.ServerMaint)
		if err == nil || !strings.Contains(err.Error(), "No such server") {
			t.Errorf("unknown server: err = %v, want HAProxy's 'No such server'", err)
		}
		tcp := haproxyapi.RuntimeAPI{Address: h.TCPSock}
		info, err := tcp.Command(ctx, "show info")
		if err != nil || !strings.Contains(info, "Version: 2.") {
			t.Errorf("show info over tcp: %v\n%.200s", err, info)
		}
		if _, err := api.ShowServersState(ctx, "be_nosuch"); err == nil || !strings.Contains(err.Error(), "find backend") {
			t.Errorf("show servers state of an unknown backend: err = %v", err)
		}
	})
}

// capture saves what the real haproxy serves, for testdata and fuzz seeds.
func capture(t *testing.T, h *realHAProxy) {
	save := func(name string, body []byte, err error) {
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(*captureDir, name), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	body, err := haproxyapi.Exchange(ctx, "stats socket", h.Sock, "show stat")
	save("show-stat.csv", body, err)
	body, err = fetchHTTP(ctx, http.DefaultClient, h.StatsURL+"/stats;csv")
	save("stats-page.csv", body, err)
	if h.PromEx {
		body, err = fetchHTTP(ctx, http.DefaultClient, h.StatsURL+"/metrics")
		save("metrics.txt", body, err)
	}
}
