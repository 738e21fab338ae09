package main

import (
	"github.com/hacon/hacon/bmc"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/probes"
)

// newBMCPool returns the process's one BMC pool.
func newBMCPool(cfg *config.Config) probes.BMCPoller { return bmc.NewPool() }
