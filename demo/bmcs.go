package demo

import "github.com/hacon/hacon/config"

// bmcHandle is a node's Redfish BMC emulator (wired in once the emulator lands).
type bmcHandle struct{}

func (c *Cluster) startBMCs() error      { return nil }
func (b *bmcHandle) config() *config.BMC { return nil }
func (b *bmcHandle) cut(bool)            {}
func (b *bmcHandle) close()              {}
