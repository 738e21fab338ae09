package demo

import (
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/probes"
	"testing"
)

// Until the BMC pool is wired, the demo test polls without BMCs.
func demoBMCPoller(cfg *config.Config) probes.BMCPoller { return nil }

func powerOff(t *testing.T, d *Cluster, node string) {
	t.Helper()
	if err := d.SetPower(node, false); err != nil {
		t.Fatal(err)
	}
}
