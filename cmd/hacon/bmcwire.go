package main

import (
	"github.com/hacon/hacon/bmc"
	"github.com/hacon/hacon/config"
)

// newBMCPool returns the process's one BMC pool: the probes poll through
// it and the executor's power actions use it, so both share sessions.
func newBMCPool(cfg *config.Config) *bmc.Pool { return bmc.NewPool() }
