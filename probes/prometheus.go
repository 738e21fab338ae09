package probes

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
	promapi "github.com/prometheus/client_golang/api"
	promconfig "github.com/prometheus/common/config"
)

// KindPrometheus is a fleet-wide source: one query set against one
// Prometheus-compatible API answers for the Prometheus planes of every
// cluster that reads from it. It belongs to no cluster (its id's Cluster
// is empty); what it read is recorded under each plane's own id.
const KindPrometheus cluster.SourceKind = "prometheus"

// FanoutSource is one source a fleet-wide target answers for.
type FanoutSource struct {
	ID      cluster.SourceID
	Address string
}

// promGroup is the clusters one Prometheus target reads, with the query
// API they share.
type promGroup struct {
	settings *config.PromSettings // the labels and address every cluster of the group shares
	clusters map[string]*promCluster
	client   promapi.Client
	http     *http.Client      // client's own, for streamed answers
	keep     map[string]string // the label names the decoder keeps
	address  string            // the redacted URL, for operators
}

// promCluster is one cluster's mapping of series to its names.
type promCluster struct {
	cc  *config.Cluster
	set *config.PromSettings
	// endpoints maps a probed URL (blackbox's instance) to the endpoint
	// source name, service@controller or service@vip.
	endpoints map[string]endpointKey
}

type endpointKey struct{ service, node, url string }

// promGroupKey is what clusters must share to be read by one query set.
type promGroupKey struct {
	url                                     string
	http                                    *promconfig.HTTPClientConfig
	interval, timeout                       time.Duration
	clusterLabel, node, lb, bmc, endpointLb string
	keepalived                              string
	recorded                                bool
}

// prometheusTargets groups the clusters reading from Prometheus by the
// API and labels they share: one target, hence one query per metric
// family per refresh, per group — never per cluster.
func prometheusTargets(cfg *config.Config, deps *Deps) ([]*Target, error) {
	groups := map[promGroupKey]*promGroup{}
	var order []promGroupKey
	for ci := range cfg.Clusters {
		cc := &cfg.Clusters[ci]
		set := cfg.PrometheusFor(cc)
		if set == nil || len(set.Planes) == 0 {
			continue
		}
		k := promGroupKey{set.URL, set.HTTP, set.Interval, set.Timeout, set.ClusterLabel, set.NodeLabel, set.LBLabel, set.BMCLabel,
			set.EndpointLabel, set.KeepalivedLabel, set.UsesRecorded()}
		g := groups[k]
		if g == nil {
			client, hc, err := newPromClient(set)
			if err != nil {
				return nil, fmt.Errorf("cluster %s: prometheus %s: %w", cc.Name, cluster.RedactURL(set.URL), err)
			}
			g = &promGroup{settings: set, clusters: map[string]*promCluster{}, client: client, http: hc, keep: promKeep(set),
				address: cluster.RedactURL(set.URL)}
			groups[k] = g
			order = append(order, k)
		}
		pc, err := newPromCluster(cc, set)
		if err != nil {
			return nil, err
		}
		g.clusters[set.Cluster] = pc
	}
	ts := make([]*Target, 0, len(order))
	for _, k := range order {
		g := groups[k]
		t := &Target{
			ID:       cluster.SourceID{Kind: KindPrometheus, Name: g.address},
			Address:  g.address,
			Interval: g.settings.Interval,
			Timeout:  g.settings.Timeout,
			Deps:     deps,
			prom:     g,
		}
		for _, v := range g.clusterValues() {
			t.Fanout = append(t.Fanout, g.clusters[v].sources(g.address)...)
		}
		ts = append(ts, t)
	}
	return ts, nil
}

// newPromClient is the query API's client (for its URLs) and the HTTP
// client under it (TLS, auth, the answer's size bound), which queries use
// directly so answers are decoded as they arrive.
func newPromClient(set *config.PromSettings) (promapi.Client, *http.Client, error) {
	hc := promconfig.DefaultHTTPClientConfig
	if set.HTTP != nil {
		hc = *set.HTTP
	}
	client, err := promconfig.NewClientFromConfig(hc, "hacon")
	if err != nil {
		return nil, nil, fmt.Errorf("http settings: %w", err)
	}
	client.Transport = limitBody{next: client.Transport, max: MaxPromResponse}
	api, err := promapi.NewClient(promapi.Config{Address: set.URL, Client: client})
	return api, client, err
}

func newPromCluster(cc *config.Cluster, set *config.PromSettings) (*promCluster, error) {
	pc := &promCluster{cc: cc, set: set, endpoints: map[string]endpointKey{}}
	if !set.Planes[config.PromEndpoint] {
		return pc, nil
	}
	for _, s := range cc.Services {
		if s.Endpoint != "" {
			for _, c := range cc.Controllers {
				u, err := config.ExpandURL(s.Endpoint, c)
				if err != nil {
					return nil, fmt.Errorf("cluster %s service %s endpoint: %w", cc.Name, s.Name, err)
				}
				pc.endpoints[u] = endpointKey{s.Name, c.Name, u}
			}
		}
		if s.VIPEndpoint != "" {
			pc.endpoints[s.VIPEndpoint] = endpointKey{s.Name, "vip", s.VIPEndpoint}
		}
	}
	return pc, nil
}

// sources are the plane sources a cluster reads from Prometheus, under
// the same ids as their direct counterparts: the snapshot merges them the
// same way, and the sources panel says where each came from.
func (pc *promCluster) sources(addr string) []FanoutSource {
	var out []FanoutSource
	add := func(kind cluster.SourceKind, name, what string) {
		out = append(out, FanoutSource{ID: cluster.SourceID{Cluster: pc.cc.Name, Kind: kind, Name: name},
			Address: "prometheus " + addr + " " + what})
	}
	if pc.set.Planes[config.PromPacemaker] {
		add(cluster.KindPacemaker, "pacemaker", "ha_cluster_pacemaker_*")
	}
	for _, c := range pc.cc.Controllers {
		if pc.set.PromLB(pc.cc, c.Name) {
			add(cluster.KindHAProxy, c.Name, "haproxy_server_status")
		}
	}
	for _, c := range pc.cc.Controllers {
		if pc.set.PromBMC(c) {
			add(cluster.KindBMC, c.Name, "ipmi_chassis_power_state")
		}
	}
	if pc.set.Planes[config.PromKeepalived] {
		for _, c := range pc.cc.Controllers {
			add(cluster.KindKeepalived, c.Name, "keepalived_vrrp_state")
		}
	}
	keys := make([]endpointKey, 0, len(pc.endpoints))
	for _, k := range pc.endpoints {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].service+"@"+keys[i].node < keys[j].service+"@"+keys[j].node })
	for _, k := range keys {
		add(cluster.KindEndpoint, k.service+"@"+k.node, "probe_success")
	}
	return out
}

func (g *promGroup) clusterValues() []string {
	vals := make([]string, 0, len(g.clusters))
	for v := range g.clusters {
		vals = append(vals, v)
	}
	sort.Strings(vals)
	return vals
}

// planesWanted is every plane some cluster of the group reads.
func (g *promGroup) planesWanted() map[string]bool {
	want := map[string]bool{}
	for _, pc := range g.clusters {
		for p := range pc.set.Planes {
			want[p] = true
		}
	}
	return want
}

// probePrometheus runs the group's queries, one per metric family for all
// its clusters at once and side by side, then fans the answers out into
// each cluster's planes.
func probePrometheus(ctx context.Context, t *Target) cluster.Result {
	g := t.prom
	start := time.Now()
	fams := g.families()
	answers := make([]promAnswer, len(fams))
	var wg sync.WaitGroup
	for i := range fams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = g.query(ctx, fams[i])
		}()
	}
	wg.Wait()
	byName := map[string]*promAnswer{}
	var errs []string
	for i := range answers {
		byName[fams[i].metric] = &answers[i]
		if answers[i].err != "" {
			errs = append(errs, answers[i].err)
		}
	}
	r := cluster.Result{Address: g.address}
	if len(errs) == len(fams) && len(errs) > 0 {
		r.Err = strings.Join(errs, "; ")
	}
	for _, v := range g.clusterValues() {
		r.Fanout = append(r.Fanout, g.clusters[v].results(byName, g.address)...)
	}
	// A plane's latency is the whole refresh: queries, decoding, fan-out.
	took := time.Since(start)
	for i := range r.Fanout {
		r.Fanout[i].Started, r.Fanout[i].Duration = start, took
	}
	return r
}
