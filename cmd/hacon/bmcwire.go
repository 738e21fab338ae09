package main

import (
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/probes"
)

// newBMCPool returns the BMC poller (nil until the bmc package is wired).
func newBMCPool(cfg *config.Config) probes.BMCPoller { return nil }
