// Package probes polls every source hacon watches — OpenStack endpoints,
// HAProxy, Pacemaker, BMCs — and hands the scheduler cluster.Results. Each
// source kind has one poll function with the shared ProbeFunc signature,
// listed by kind in Probers; transports are kept apart from parsers, which
// take an io.Reader.
package probes

import (
	"context"
	"fmt"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/remote"
)

// Target is one source to poll, with everything its probe needs.
type Target struct {
	ID       cluster.SourceID
	Address  string // shown to operators; never carries a secret
	Interval time.Duration
	Timeout  time.Duration

	Cluster    *config.Cluster
	Controller *config.Controller // haproxy, bmc and per-controller endpoints
	HAProxy    *config.HAProxy
	Service    *config.Service
	URL        string // endpoint probes: the expanded URL
	Index      int    // stateful probes: the controller's position, for {{.Index}}

	Deps *Deps

	// Fanout lists the sources a fleet-wide target answers for (the
	// Prometheus planes of every cluster it reads); prom is its query set.
	Fanout []FanoutSource
	prom   *promGroup

	// pacemaker is what the Pacemaker probe remembers about this cluster
	// between polls (set by Targets for Pacemaker targets).
	pacemaker *pcmkState
}

// Deps are the shared, long-lived helpers probes use. They are safe for
// concurrent use.
type Deps struct {
	Runner remote.Runner // runs Pacemaker's CLI; the demo swaps in a simulator
	// Transports, when set, carries the Pacemaker commands instead of a
	// plain prefix on Runner (an SSH connection per controller).
	Transports remote.Transports
	BMC        BMCPoller // polls BMCs; nil disables BMC sources
	HTTP       *HTTPClients
	Now        func() time.Time // the clock the probes' caches read; nil: time.Now
}

// BMCPoller is what the bmc package offers the BMC probe.
type BMCPoller interface {
	Poll(ctx context.Context, cluster string, c config.Controller) cluster.BMCStatus
}

// ProbeFunc polls one target once. It must return by ctx's deadline and
// put any failure in Result.Err rather than panic or hang.
type ProbeFunc func(ctx context.Context, t *Target) cluster.Result

// Probers maps each source kind to its poll function. It is a plain value
// owned by whoever polls (the scheduler holds one), like blackbox_exporter's
// static Probers map: nothing registers itself at init time, so what polls
// a kind is visible here and a test can add its own kind to its own map.
type Probers map[cluster.SourceKind]ProbeFunc

// DefaultProbers returns a fresh map of the probes of every kind hacon polls.
func DefaultProbers() Probers {
	return Probers{
		cluster.KindEndpoint:   probeEndpoint,
		cluster.KindHAProxy:    probeHAProxy,
		cluster.KindPacemaker:  probePacemaker,
		cluster.KindBMC:        probeBMC,
		cluster.KindKeepalived: probeKeepalived,
		cluster.KindGalera:     probeGalera,
		cluster.KindRabbitMQ:   probeRabbitMQ,
		KindPrometheus:         probePrometheus,
	}
}

// Poll runs the probe of t's kind under t's timeout and stamps the result
// with its id, address, start and duration.
func (p Probers) Poll(ctx context.Context, t *Target) cluster.Result {
	fn, ok := p[t.ID.Kind]
	start := time.Now()
	var r cluster.Result
	if !ok {
		r = cluster.Result{Err: fmt.Sprintf("no probe registered for kind %q", t.ID.Kind)}
	} else {
		ctx, cancel := context.WithTimeout(ctx, t.Timeout)
		r = fn(ctx, t)
		cancel()
	}
	r.ID, r.Started, r.Duration = t.ID, start, time.Since(start)
	if r.Address == "" {
		r.Address = t.Address
	}
	// Everything a peer said is cleaned of control characters here, once,
	// before any output can print it.
	r.Sanitize()
	return r
}

// Targets lists every source the config names, in a stable order.
func Targets(cfg *config.Config, deps *Deps) ([]*Target, error) {
	var ts []*Target
	for ci := range cfg.Clusters {
		cc := &cfg.Clusters[ci]
		mk := func(kind cluster.SourceKind, name, addr string, override, ioverride time.Duration) *Target {
			return &Target{
				ID:       cluster.SourceID{Cluster: cc.Name, Kind: kind, Name: name},
				Address:  addr,
				Interval: cfg.IntervalFor(cc, ioverride),
				Timeout:  cfg.TimeoutFor(cc, override, ioverride),
				Cluster:  cc,
				Deps:     deps,
			}
		}
		if pm := cc.Pacemaker; pm != nil {
			t := mk(cluster.KindPacemaker, "pacemaker", pacemakerAddress(cc), pm.Timeout, pm.Interval)
			t.pacemaker = newPcmkState(deps.Now)
			ts = append(ts, t)
		}
		for hi := range cc.HAProxy {
			h := &cc.HAProxy[hi]
			addr := h.StatsURL
			if addr == "" {
				addr = h.StatsSocket
			}
			t := mk(cluster.KindHAProxy, h.Controller, cluster.RedactURL(addr), h.Timeout, h.Interval)
			t.HAProxy = h
			if c, ok := cc.Controller(h.Controller); ok {
				t.Controller = &c
			}
			ts = append(ts, t)
		}
		if !cfg.PrometheusFor(cc).Has(config.PromKeepalived) {
			ts = append(ts, keepalivedTargets(cc, mk)...)
		}
		for i := range cc.Controllers {
			c := &cc.Controllers[i]
			if c.BMC == nil || deps.BMC == nil {
				continue
			}
			// BMCs are slow, fragile and often rate-limit sessions: unless the
			// config says otherwise they are polled every BMCInterval, not at
			// the cluster's pace.
			iv := c.BMC.Interval
			if iv == 0 {
				iv = max(cfg.IntervalFor(cc, 0), config.DefaultBMCInterval)
			}
			t := mk(cluster.KindBMC, c.Name, fmt.Sprintf("%s %s:%d", c.BMC.Driver, c.BMC.Address, c.BMC.Port), c.BMC.Timeout, iv)
			if c.BMC.Timeout == 0 {
				// Real BMCs take seconds to open a session; a tight timeout
				// would call a slow but healthy BMC unreachable.
				t.Timeout = max(cfg.TimeoutFor(cc, 0, 0), config.DefaultBMCTimeout)
			}
			t.Controller = c
			ts = append(ts, t)
		}
		ts = append(ts, statefulTargets(cfg, cc, deps)...)
		if cfg.PrometheusFor(cc).Has(config.PromEndpoint) {
			continue // blackbox_exporter probes these endpoints; hacon reads its results
		}
		eps, err := endpointTargets(cc, mk)
		if err != nil {
			return nil, err
		}
		ts = append(ts, eps...)
	}
	prom, err := prometheusTargets(cfg, deps)
	if err != nil {
		return nil, err
	}
	return append(ts, prom...), nil
}

type makeTarget func(kind cluster.SourceKind, name, addr string, override, ioverride time.Duration) *Target

// endpointTargets are a cluster's services' endpoints, per controller and
// through the VIP.
func endpointTargets(cc *config.Cluster, mk makeTarget) ([]*Target, error) {
	var ts []*Target
	for si := range cc.Services {
		s := &cc.Services[si]
		if s.Endpoint != "" {
			for i := range cc.Controllers {
				c := &cc.Controllers[i]
				u, err := config.ExpandURL(s.Endpoint, *c)
				if err != nil {
					return nil, fmt.Errorf("cluster %s service %s endpoint: %w", cc.Name, s.Name, err)
				}
				t := mk(cluster.KindEndpoint, s.Name+"@"+c.Name, cluster.RedactURL(u), s.Timeout, s.Interval)
				t.Service, t.Controller, t.URL = s, c, u
				ts = append(ts, t)
			}
		}
		if s.VIPEndpoint != "" {
			t := mk(cluster.KindEndpoint, s.Name+"@vip", cluster.RedactURL(s.VIPEndpoint), s.Timeout, s.Interval)
			t.Service, t.URL = s, s.VIPEndpoint
			ts = append(ts, t)
		}
	}
	return ts, nil
}

func pacemakerAddress(cc *config.Cluster) string {
	if len(cc.Controllers) == 0 {
		return "local crm_mon"
	}
	names := ""
	for i, c := range cc.Controllers {
		if i > 0 {
			names += ","
		}
		names += c.Name
	}
	return "crm_mon via " + names
}
