package main

import (
	"fmt"

	"github.com/hacon/hacon/bmc"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/demo"
	"github.com/hacon/hacon/probes"
	"github.com/hacon/hacon/remote"
)

// sources is everything the console and status need to poll.
type sources struct {
	cfg   *config.Config
	deps  *probes.Deps
	sched *probes.Scheduler
	bmc   *bmc.Pool     // deps.BMC, shared with the action executor
	demo  *demo.Cluster // nil unless running the demo
}

func (s *sources) close() {
	if s.demo != nil {
		s.demo.Close()
	}
}

// newSources wires the probes for a config file, or for the embedded demo.
func newSources(cfgPath string, useDemo bool) (*sources, error) {
	s := &sources{deps: &probes.Deps{Runner: remote.ExecRunner{}, HTTP: probes.NewHTTPClients()}}
	if useDemo {
		d, err := demo.Start()
		if err != nil {
			return nil, fmt.Errorf("starting the demo cluster: %w", err)
		}
		s.demo, s.cfg = d, d.Config()
		s.deps.Runner = d.Runner()
	} else {
		cfg, err := loadConfig(cfgPath)
		if err != nil {
			return nil, err
		}
		s.cfg = cfg
	}
	s.bmc = newBMCPool(s.cfg)
	s.deps.BMC = s.bmc
	targets, err := probes.Targets(s.cfg, s.deps)
	if err != nil {
		s.close()
		return nil, err
	}
	s.sched = probes.NewScheduler(s.cfg, targets)
	return s, nil
}
