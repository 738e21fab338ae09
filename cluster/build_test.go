package cluster

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/config"
)

func testConfig() *config.Config {
	return &config.Config{Interval: 2 * time.Second, Clusters: []config.Cluster{{
		Name: "oc",
		Controllers: []config.Controller{
			{Name: "c0", Address: "10.0.0.1", BMC: &config.BMC{Driver: "ipmi"}},
			{Name: "c1", Address: "10.0.0.2", BMC: &config.BMC{Driver: "ipmi"}},
			{Name: "c2", Address: "10.0.0.3", BMC: &config.BMC{Driver: "ipmi"}},
		},
		Pacemaker: &config.Pacemaker{},
		HAProxy:   []config.HAProxy{{Controller: "c0"}, {Controller: "c1"}},
		Services: []config.Service{
			{Name: "keystone", PacemakerResource: "keystone-clone", HAProxyBackend: "keystone", Endpoint: "http://{{.Address}}/"},
			{Name: "cinder-volume", PacemakerResource: "cinder-volume"},
		},
		VIPs: []config.VIP{{Name: "public", Address: "192.0.2.5", PacemakerResource: "ip-192.0.2.5"}},
	}}}
}

type inputs struct {
	in  Inputs
	now time.Time
}

func (i *inputs) put(kind SourceKind, name string, r Result) {
	id := SourceID{"oc", kind, name}
	r.ID, r.Started = id, i.now.Add(-100*time.Millisecond)
	st := &SourceState{ID: id, Interval: 2 * time.Second, Since: i.now.Add(-time.Minute), Latest: &r, LastAnswer: r.Started}
	if r.OK() {
		st.LastGood, st.LastSuccess = &r, r.Started
	}
	i.in[id] = st
}

func healthy(now time.Time) *inputs {
	i := &inputs{in: Inputs{}, now: now}
	pm := &PacemakerStatus{Via: "c0", DC: "c1", HasQuorum: true, StonithEnabled: true,
		Nodes: []PcmkNode{{Name: "c0", Online: true, Type: "member"}, {Name: "c1", Online: true, DC: true, Type: "member"}, {Name: "c2", Online: true, Type: "member"}, {Name: "galera-bundle-0", Online: true, Type: "remote"}},
		Resources: []Resource{
			{ID: "keystone-clone", Kind: KindClone, Mode: ModeActiveActive, Instances: []Instance{{Node: "c0", Role: RoleStarted}, {Node: "c1", Role: RoleStarted}, {Node: "c2", Role: RoleStarted}}},
			{ID: "cinder-volume", Kind: KindPrimitive, Mode: ModeActivePassive, Instances: []Instance{{Node: "c0", Role: RoleStarted}}},
			{ID: "ip-192.0.2.5", Kind: KindPrimitive, Mode: ModeActivePassive, Agent: "ocf:heartbeat:IPaddr2", Instances: []Instance{{Node: "c1", Role: RoleStarted}}},
			{ID: "ip-172.16.0.9", Kind: KindPrimitive, Mode: ModeActivePassive, Agent: "ocf:heartbeat:IPaddr2", Instances: []Instance{{Node: "c2", Role: RoleStarted}}},
		}}
	i.put(KindPacemaker, "pacemaker", Result{Pacemaker: pm})
	for _, lb := range []string{"c0", "c1"} {
		i.put(KindHAProxy, lb, Result{LB: &LoadBalancer{Name: lb, Servers: []LBServer{
			{Backend: "keystone", Server: "c0", Status: "UP"},
			{Backend: "keystone", Server: "c1.internalapi.localdomain", Status: "UP"},
			{Backend: "keystone", Server: "srv3", Address: "10.0.0.3:5000", Status: "UP", Backup: true},
		}}})
	}
	for _, n := range []string{"c0", "c1", "c2"} {
		i.put(KindEndpoint, "keystone@"+n, Result{Endpoint: &EndpointResult{Service: "keystone", Node: n, OK: true, StatusCode: 300}})
		i.put(KindBMC, n, Result{BMC: &BMCStatus{Node: n, Power: PowerOn, Reachable: true, AuthOK: true, FenceReady: true}})
	}
	return i
}

func TestBuildHealthy(t *testing.T) {
	now := time.Now()
	snap := Build(testConfig(), healthy(now).in, now, 7)
	c := snap.Clusters[0]
	if len(c.Nodes) != 4 || !c.Nodes[0].Controller || c.Nodes[3].Controller || c.Nodes[3].Pacemaker.Type != "remote" {
		t.Fatalf("nodes: controllers first, guests after: %+v", c.Nodes)
	}
	ks := c.Service("keystone")
	if ks.Serving != 3 || ks.Expected != 3 || ks.Mode != ModeActiveActive {
		t.Errorf("keystone serving %d/%d mode %s", ks.Serving, ks.Expected, ks.Mode)
	}
	// Servers are matched by name, by name prefix and by address.
	for i, cell := range ks.Cells {
		if len(cell.LB) != 2 || cell.LBStatus() != "UP" {
			t.Errorf("cell %d LB = %+v", i, cell.LB)
		}
	}
	if !ks.Cells[2].Backup() {
		t.Error("backup flag lost for c2")
	}
	cv := c.Service("cinder-volume")
	if cv.Mode != ModeActivePassive || cv.Expected != 1 || cv.Serving != 1 || cv.Cells[1].Role != RoleStopped {
		t.Errorf("cinder-volume: %+v", cv)
	}
	if v := c.VIPByName("public"); v.Node != "c1" {
		t.Errorf("VIP node = %q", v.Node)
	}
	if v := c.VIPByName("ip-172.16.0.9"); v == nil || v.Address != "172.16.0.9" || v.Node != "c2" {
		t.Errorf("unconfigured IPaddr2 not discovered: %+v", c.VIPs)
	}
	if len(c.Alerts) != 0 {
		t.Errorf("healthy cluster has alerts: %+v", c.Alerts)
	}
	if snap.ExitCode() != ExitOK {
		t.Errorf("exit code %d", snap.ExitCode())
	}
}

func TestBuildDegraded(t *testing.T) {
	now := time.Now()
	in := healthy(now)
	// c1 DOWN in every LB and its endpoint times out, while Pacemaker says Started.
	for _, lb := range []string{"c0", "c1"} {
		in.in[SourceID{"oc", KindHAProxy, lb}].LastGood.LB.Servers[1].Status = "DOWN"
	}
	in.put(KindEndpoint, "keystone@c1", Result{Endpoint: &EndpointResult{Service: "keystone", Node: "c1", Error: "timed out"}, Err: "timed out"})
	// c2 UNCLEAN with a BMC that does not answer.
	pm := in.in[SourceID{"oc", KindPacemaker, "pacemaker"}].LastGood.Pacemaker
	pm.Nodes[2].Online, pm.Nodes[2].Unclean = false, true
	in.put(KindBMC, "c2", Result{BMC: &BMCStatus{Node: "c2", Power: PowerUnknown, Error: "unreachable"}, Err: "unreachable"})
	pm.Constraints = []Constraint{{ID: "cli-prefer-cinder-volume", Kind: "cli-prefer", Resource: "cinder-volume", Node: "c0"}}

	snap := Build(testConfig(), in.in, now, 1)
	c := snap.Clusters[0]
	msgs := []string{}
	for _, a := range c.Alerts {
		msgs = append(msgs, a.Severity.String()+": "+a.Message)
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{
		"keystone: 2 of 3 instances serving; c1 DOWN in all HAProxies, endpoint times out, Pacemaker says Started",
		"critical: c2 UNCLEAN and its BMC is unreachable (unreachable): fencing cannot succeed",
		"cinder-volume has a cli-prefer constraint on c0 left by a move",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing alert %q in:\n%s", want, all)
		}
	}
	if c.Alerts[0].Severity != SevCritical {
		t.Errorf("alerts not ranked: %s", all)
	}
	if snap.ExitCode() != ExitCritical {
		t.Errorf("exit code %d", snap.ExitCode())
	}
}

func TestVIPOnTwoNodesIsCritical(t *testing.T) {
	now := time.Now()
	in := healthy(now)
	pm := in.in[SourceID{"oc", KindPacemaker, "pacemaker"}].LastGood.Pacemaker
	pm.Resources[2].Instances = append(pm.Resources[2].Instances, Instance{Node: "c2", Role: RoleStarted})
	c := Build(testConfig(), in.in, now, 1).Clusters[0]
	if len(c.Alerts) == 0 || c.Alerts[0].Severity != SevCritical || !strings.Contains(c.Alerts[0].Message, "active on c1 and c2 at once") {
		t.Errorf("alerts: %+v", c.Alerts)
	}
}

func TestStaleSourceIsMarked(t *testing.T) {
	now := time.Now()
	in := healthy(now)
	st := in.in[SourceID{"oc", KindPacemaker, "pacemaker"}]
	st.LastSuccess = now.Add(-7 * time.Second) // > 3 intervals of 2s
	snap := Build(testConfig(), in.in, now, 1)
	c := snap.Clusters[0]
	if !c.Service("keystone").Stale || !c.Nodes[0].Stale || !c.VIPs[0].Stale {
		t.Error("stale Pacemaker data not marked stale")
	}
	if src := c.Source(KindPacemaker, "pacemaker"); !src.Stale || src.Age < 7*time.Second {
		t.Errorf("source: %+v", src)
	}
}

func TestReportContract(t *testing.T) {
	now := time.Now()
	snap := Build(testConfig(), healthy(now).in, now, 1)
	b, err := json.Marshal(snap.Report())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	c := m["clusters"].([]any)[0].(map[string]any)
	want := map[string][]string{
		"nodes":     {"name", "online", "standby", "maintenance", "unclean", "power"},
		"resources": {"id", "kind", "mode", "instances"},
		"vips":      {"name", "address", "node"},
		"haproxy":   {"lb", "backend", "server", "status", "backup"},
		"endpoints": {"service", "node", "url", "ok", "status_code", "latency_ms", "error"},
		"sources":   {"kind", "name", "ok", "error", "age_ms"},
	}
	for list, keys := range want {
		items, ok := c[list].([]any)
		if !ok || len(items) == 0 {
			t.Errorf("%s missing or empty", list)
			continue
		}
		for _, k := range keys {
			if _, ok := items[0].(map[string]any)[k]; !ok {
				t.Errorf("%s[0] lacks key %q", list, k)
			}
		}
	}
	inst := c["resources"].([]any)[0].(map[string]any)["instances"].([]any)[0].(map[string]any)
	for _, k := range []string{"node", "role", "failed"} {
		if _, ok := inst[k]; !ok {
			t.Errorf("instance lacks %q", k)
		}
	}
	if _, ok := c["alerts"].([]any); !ok {
		t.Error("alerts must be a list, even empty")
	}
}
