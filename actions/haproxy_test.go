package actions

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/internal/testpeers"
	"github.com/hacon/hacon/probes"
)

// pollingSource re-polls on every Kick with the real probes.
type pollingSource struct {
	sched *probes.Scheduler
	snap  cluster.Snapshot
}

func (p *pollingSource) Kick(...cluster.SourceKind) { p.snap = p.sched.PollOnce(context.Background()) }
func (p *pollingSource) Snapshot() cluster.Snapshot { return p.snap }

// Two real HAProxies with admin sockets: :drain reaches both and the probes
// read DRAIN back from both; with one socket gone the result is partial.
func TestDrainOnTwoRealHAProxies(t *testing.T) {
	var servers []testpeers.Server
	for _, n := range []string{"controller-0", "controller-1", "controller-2"} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		t.Cleanup(srv.Close)
		servers = append(servers, testpeers.Server{Name: n, Addr: srv.Listener.Addr().String()})
	}
	lbs := []*testpeers.HAProxy{
		testpeers.StartHAProxy(t, map[string][]testpeers.Server{"keystone_public": servers}),
		testpeers.StartHAProxy(t, map[string][]testpeers.Server{"keystone_public": servers}),
	}
	cc := config.Cluster{Name: "oc", Controllers: []config.Controller{{Name: "controller-0"}, {Name: "controller-1"}, {Name: "controller-2"}},
		Services: []config.Service{{Name: "keystone", HAProxyBackend: "keystone_public"}}}
	for i, lb := range lbs {
		cc.HAProxy = append(cc.HAProxy, config.HAProxy{Controller: cc.Controllers[i].Name, StatsSocket: lb.Sock, RuntimeAPI: "unix://" + lb.Sock})
	}
	cfg := &config.Config{Interval: time.Second, Concurrency: 8, VerifyTimeout: 5 * time.Second, Clusters: []config.Cluster{cc}}
	ts, err := probes.Targets(cfg, &probes.Deps{HTTP: probes.NewHTTPClients()})
	if err != nil {
		t.Fatal(err)
	}
	src := &pollingSource{sched: probes.NewScheduler(cfg, ts)}
	src.Kick()
	e := New(Options{Config: cfg, Audit: NewAuditLog(filepath.Join(t.TempDir(), "audit.log")), Source: src, VerifyEvery: 50 * time.Millisecond})

	do := func(words string) (*Preview, Outcome) {
		t.Helper()
		req, _ := Parse("oc", strings.Fields(words))
		p, err := e.Plan(context.Background(), req, src.Snapshot())
		if err != nil {
			t.Fatalf("%s: %v", words, err)
		}
		out, err := e.Execute(context.Background(), p, Confirmation{Confirmed: true, AcceptConsequence: true})
		if err != nil {
			t.Fatalf("%s: %v", words, err)
		}
		return p, out
	}
	p, out := do("drain keystone controller-1")
	if p.Steps[0].Argv[0] != "set server keystone_public/controller-1 state drain" || len(p.Steps[0].Hosts) != 2 {
		t.Errorf("plan: %+v", p.Steps[0])
	}
	if !out.OK || !out.Verified || len(out.Steps) != 2 {
		t.Fatalf("drain: %s %+v", out.Summary(), out.Steps)
	}
	s := src.Snapshot()
	for _, v := range s.ClusterByName("oc").Service("keystone").Cells[1].LB {
		if cluster.BaseStatus(v.Server.Status) != "DRAIN" {
			t.Errorf("%s says %s", v.LB, v.Server.Status)
		}
	}
	if _, out = do("ready keystone controller-1"); !out.Verified {
		t.Errorf("ready: %s", out.Summary())
	}
	// One runtime API socket is gone: the other HAProxy still drains, and
	// the outcome says partial, naming the failed one.
	e.cfg.Clusters[0].HAProxy[1].RuntimeAPI = "unix://" + filepath.Join(t.TempDir(), "missing.sock")
	_, out = do("maint keystone controller-2")
	if out.OK || !out.Partial || !strings.Contains(out.Error, "1 of 2 succeeded") || !strings.Contains(out.Error, "controller-1:") {
		t.Errorf("partial maint: %s", out.Summary())
	}
}

func readFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	return string(b), err
}
