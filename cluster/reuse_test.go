package cluster

import (
	"reflect"
	"testing"
	"time"
)

// SameData: timings never count, every observed field does.
func TestSameData(t *testing.T) {
	base := func() *Result {
		return &Result{Address: "http://10.0.0.1/", Started: time.Unix(100, 0), Duration: time.Second,
			Endpoint: &EndpointResult{Service: "keystone", Node: "c0", OK: true, StatusCode: 300, Latency: 5 * time.Millisecond},
			LB: &LoadBalancer{Name: "c0", Servers: []LBServer{{Backend: "keystone", Server: "c0", Status: "UP", CheckDuration: time.Millisecond, LastChange: time.Hour}},
				Backends: []LBBackend{{Name: "keystone", Status: "UP", Active: 3}}},
			BMC:        &BMCStatus{Node: "c0", Power: PowerOn, Reachable: true, RTT: time.Millisecond, ObservedAt: time.Unix(100, 0)},
			Pacemaker:  &PacemakerStatus{DC: "c1", HasQuorum: true, Nodes: []PcmkNode{{Name: "c0", Online: true}}},
			Galera:     &GaleraStatus{Node: "c0", ClusterSize: 3, LastCommitted: 7},
			RabbitMQ:   &RabbitStatus{Node: "c0", Running: []string{"a", "b"}},
			Keepalived: &KeepalivedStatus{Node: "c0", Addresses: []IfAddr{{Interface: "eth0", Address: "192.0.2.5", PrefixLen: 32}}},
		}
	}
	same := []struct {
		name string
		edit func(*Result)
	}{
		{"poll timing", func(r *Result) { r.Started, r.Duration, r.Generation = time.Unix(200, 0), 2*time.Second, 9 }},
		{"endpoint latency", func(r *Result) { r.Endpoint.Latency = time.Second }},
		{"HAProxy check duration and last change", func(r *Result) {
			r.LB.Servers[0].CheckDuration, r.LB.Servers[0].LastChange = 3*time.Millisecond, 2*time.Hour
		}},
		{"BMC round trip and read time", func(r *Result) { r.BMC.RTT, r.BMC.ObservedAt = time.Second, time.Unix(300, 0) }},
	}
	for _, c := range same {
		b := base()
		c.edit(b)
		if !SameData(base(), b) {
			t.Errorf("%s: a change of timing only is not the same data", c.name)
		}
	}
	differ := []struct {
		name string
		edit func(*Result)
	}{
		{"error", func(r *Result) { r.Err = "timeout" }},
		{"skipped", func(r *Result) { r.Skipped = true }},
		{"address", func(r *Result) { r.Address = "http://10.0.0.2/" }},
		{"endpoint status", func(r *Result) { r.Endpoint.StatusCode = 503 }},
		{"no endpoint", func(r *Result) { r.Endpoint = nil }},
		{"server status", func(r *Result) { r.LB.Servers[0].Status = "DOWN" }},
		{"one server more", func(r *Result) { r.LB.Servers = append(r.LB.Servers, LBServer{Server: "c1"}) }},
		{"backend", func(r *Result) { r.LB.Backends[0].Active = 2 }},
		{"LB warning", func(r *Result) { r.LB.Warning = "partial" }},
		{"power", func(r *Result) { r.BMC.Power = PowerOff }},
		{"Pacemaker node", func(r *Result) { r.Pacemaker.Nodes[0].Online = false }},
		{"Pacemaker DC", func(r *Result) { r.Pacemaker.DC = "c2" }},
		{"Galera", func(r *Result) { r.Galera.LastCommitted = 8 }},
		{"RabbitMQ", func(r *Result) { r.RabbitMQ.Running = r.RabbitMQ.Running[:1] }},
		{"keepalived", func(r *Result) { r.Keepalived.Addresses = nil }},
	}
	for _, c := range differ {
		b := base()
		c.edit(b)
		if SameData(base(), b) || SameData(b, base()) {
			t.Errorf("%s changed, yet SameData says the same", c.name)
		}
	}
	if !SameData(nil, nil) || SameData(nil, base()) || SameData(base(), nil) {
		t.Error("nil results: only two nils are the same")
	}
}

// BuildCache keeps a cluster whose data version and staleness did not
// move, rebuilds it when either moves or once per interval, and a kept
// cluster is the very same build (same Rev).
func TestBuildCacheKeepsUnchangedClusters(t *testing.T) {
	cfg := testConfig()
	cfg.Clusters = append(cfg.Clusters, cfg.Clusters[0])
	cfg.Clusters[1].Name = "oc2"
	now := time.Now()
	in := healthy(now).in
	for id, st := range healthy(now).in { // the same sources for oc2
		id.Cluster = "oc2"
		cp := *st
		cp.ID = id
		in[id] = &cp
	}
	var bc BuildCache
	versions := map[string]uint64{"oc": 1, "oc2": 1}
	first := bc.Build(cfg, in, now, 1, versions)
	if first.Clusters[0].Rev == 0 || first.Clusters[1].Rev == 0 || first.Clusters[0].Rev == first.Clusters[1].Rev {
		t.Fatalf("first build revs %d %d", first.Clusters[0].Rev, first.Clusters[1].Rev)
	}
	rev := func(s Snapshot) [2]uint64 { return [2]uint64{s.Clusters[0].Rev, s.Clusters[1].Rev} }

	// Nothing moved, within the interval (2s): both kept.
	now2 := now.Add(500 * time.Millisecond)
	if got := bc.Build(cfg, in, now2, 2, versions); rev(got) != rev(first) || got.Sequence != 2 || !got.Taken.Equal(now2) {
		t.Errorf("unchanged clusters rebuilt: %v → %v (seq %d)", rev(first), rev(got), got.Sequence)
	}
	// oc's data version moved: oc rebuilt, oc2 kept.
	versions["oc"]++
	got := bc.Build(cfg, in, now2, 3, versions)
	if got.Clusters[0].Rev == first.Clusters[0].Rev || got.Clusters[1].Rev != first.Clusters[1].Rev {
		t.Errorf("after oc's new data: revs %v → %v", rev(first), rev(got))
	}
	after := rev(got)

	// oc2's Pacemaker went stale (no answer for over three intervals): rebuilt.
	in[SourceID{"oc2", KindPacemaker, "pacemaker"}].LastSuccess = now.Add(-time.Hour)
	in[SourceID{"oc2", KindPacemaker, "pacemaker"}].LastAnswer = now.Add(-time.Hour)
	got = bc.Build(cfg, in, now2, 4, versions)
	if got.Clusters[1].Rev == after[1] || got.Clusters[0].Rev != after[0] {
		t.Errorf("after oc2's source went stale: revs %v → %v", after, rev(got))
	}
	if !got.Clusters[1].Sources[0].Stale {
		t.Errorf("the rebuilt oc2 does not show its stale Pacemaker: %+v", got.Clusters[1].Sources[0])
	}
	after = rev(got)

	// An interval later everything is rebuilt, so ages move on screen.
	got = bc.Build(cfg, in, now2.Add(cfg.Interval), 5, versions)
	if got.Clusters[0].Rev == after[0] || got.Clusters[1].Rev == after[1] {
		t.Errorf("an interval later: revs %v → %v", after, rev(got))
	}
}

// The scheduler's view: Build and BuildCache make the same cluster.
func TestBuildCacheBuildsLikeBuild(t *testing.T) {
	now := time.Now()
	cfg, in := testConfig(), healthy(now).in
	var bc BuildCache
	a, b := Build(cfg, in, now, 1), bc.Build(cfg, in, now, 1, map[string]uint64{})
	a.Clusters[0].Rev = b.Clusters[0].Rev
	if !reflect.DeepEqual(a, b) {
		t.Errorf("BuildCache built\n%+v\nBuild built\n%+v", b.Clusters[0], a.Clusters[0])
	}
}
