package cluster

import (
	"reflect"
	"slices"
	"time"

	"github.com/hacon/hacon/config"
)

// SameData reports whether two results of one source say the same thing:
// the same outcome and the same observations, timing aside (latencies,
// check durations, HAProxy's time since a change, when a BMC was read).
// A fleet of quiet clusters answers the same every poll; the scheduler
// uses this to leave their snapshots alone.
func SameData(a, b *Result) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Err != b.Err || a.Skipped != b.Skipped || a.Address != b.Address {
		return false
	}
	return sameEndpoint(a.Endpoint, b.Endpoint) && sameLB(a.LB, b.LB) &&
		sameDeep(a.Pacemaker, b.Pacemaker) && sameBMC(a.BMC, b.BMC) &&
		sameDeep(a.Galera, b.Galera) && sameDeep(a.RabbitMQ, b.RabbitMQ) &&
		sameDeep(a.Keepalived, b.Keepalived)
}

func sameEndpoint(a, b *EndpointResult) bool {
	if a == nil || b == nil {
		return a == b
	}
	x, y := *a, *b
	x.Latency, y.Latency = 0, 0
	return x == y
}

func sameLB(a, b *LoadBalancer) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Name != b.Name || a.Source != b.Source || a.Warning != b.Warning ||
		!slices.Equal(a.Backends, b.Backends) || len(a.Servers) != len(b.Servers) {
		return false
	}
	for i := range a.Servers {
		x, y := a.Servers[i], b.Servers[i]
		x.CheckDuration, y.CheckDuration, x.LastChange, y.LastChange = 0, 0, 0, 0
		if x != y {
			return false
		}
	}
	return true
}

// sameDeep compares observations that carry no timings (Pacemaker's,
// Galera's, RabbitMQ's, keepalived's): every field is data.
func sameDeep[T any](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return reflect.DeepEqual(a, b)
}

func sameBMC(a, b *BMCStatus) bool {
	if a == nil || b == nil {
		return a == b
	}
	x, y := *a, *b
	x.RTT, y.RTT, x.ObservedAt, y.ObservedAt = 0, 0, time.Time{}, time.Time{}
	return x == y
}

// BuildCache builds snapshots like Build, but keeps a cluster from the
// previous build when nothing it is made of moved: its data version (the
// caller's count of answers that were not SameData as the one before) and
// which of its sources are stale or silent. Such a cluster is still rebuilt
// once per interval, so ages and latencies on screen stay current; every
// other build of it is free, and its unchanged Rev tells the console it
// need not diff it.
type BuildCache struct {
	kept map[string]keptCluster
	rev  uint64
}

type keptCluster struct {
	c       Cluster
	version uint64
	states  []bool
	built   time.Time
}

// Build makes a snapshot; versions are the clusters' data versions.
func (bc *BuildCache) Build(cfg *config.Config, in Inputs, now time.Time, seq uint64, versions map[string]uint64) Snapshot {
	if bc.kept == nil {
		bc.kept = map[string]keptCluster{}
	}
	own := in.byCluster()
	snap := Snapshot{Taken: now, Sequence: seq, Clusters: make([]Cluster, 0, len(cfg.Clusters))}
	for i := range cfg.Clusters {
		cc := &cfg.Clusters[i]
		states := sourceStates(own[cc.Name], now)
		k, ok := bc.kept[cc.Name]
		if ok && k.version == versions[cc.Name] && slices.Equal(k.states, states) && now.Sub(k.built) < cfg.IntervalFor(cc, 0) {
			snap.Clusters = append(snap.Clusters, k.c)
			continue
		}
		c := buildCluster(cfg, cc, in, own[cc.Name], now)
		bc.rev++
		c.Rev = bc.rev
		bc.kept[cc.Name] = keptCluster{c: c, version: versions[cc.Name], states: states, built: now}
		snap.Clusters = append(snap.Clusters, c)
	}
	return snap
}

// sourceStates are a cluster's sources' stale and silent flags, in a
// stable order (the scheduler's sources of a cluster never change).
func sourceStates(own []ownSource, now time.Time) []bool {
	out := make([]bool, 0, 2*len(own))
	for _, st := range own {
		out = append(out, st.Stale(now), st.Silent(now))
	}
	return out
}

// ownSource is one source of a cluster, under the id Inputs keeps it by.
type ownSource struct {
	ID SourceID
	*SourceState
}

// byCluster indexes the sources by cluster, each cluster's in a stable
// order (kind, then name), so a build never walks other clusters' sources.
func (in Inputs) byCluster() map[string][]ownSource {
	out := map[string][]ownSource{}
	for id, st := range in {
		out[id.Cluster] = append(out[id.Cluster], ownSource{ID: id, SourceState: st})
	}
	for _, l := range out {
		slices.SortFunc(l, func(a, b ownSource) int {
			if a.ID.Kind != b.ID.Kind {
				return kindOrder[a.ID.Kind] - kindOrder[b.ID.Kind]
			}
			switch {
			case a.ID.Name < b.ID.Name:
				return -1
			case a.ID.Name > b.ID.Name:
				return 1
			}
			return 0
		})
	}
	return out
}
