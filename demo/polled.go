package demo

import (
	"context"
	"time"

	"github.com/hacon/hacon/bmc"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/probes"
)

// Polled is a running demo cluster watched by hacon's real probes on a
// running scheduler: the set-up tests of several packages share.
type Polled struct {
	Cluster *Cluster
	Config  *config.Config
	Sched   *probes.Scheduler
	BMC     *bmc.Pool
	stop    func()
}

// StartPolled starts the demo, polls it every interval (the BMCs too) and
// returns once one full poll has landed.
func StartPolled(interval time.Duration) (*Polled, error) {
	d, err := Start()
	if err != nil {
		return nil, err
	}
	cfg := d.Config()
	cfg.Interval, cfg.Clusters[0].Interval = interval, interval
	for i := range cfg.Clusters[0].Controllers {
		if b := cfg.Clusters[0].Controllers[i].BMC; b != nil {
			b.Interval = interval
		}
	}
	pool := bmc.NewPool()
	ts, err := probes.Targets(cfg, &probes.Deps{Runner: d.Runner(), HTTP: probes.NewHTTPClients(), BMC: pool})
	if err != nil {
		d.Close()
		return nil, err
	}
	sched := probes.NewScheduler(cfg, ts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { sched.Run(ctx); close(done) }()
	sched.PollOnce(context.Background())
	return &Polled{Cluster: d, Config: cfg, Sched: sched, BMC: pool, stop: func() { cancel(); <-done; d.Close() }}, nil
}

// Close stops polling and the demo cluster.
func (p *Polled) Close() { p.stop() }
