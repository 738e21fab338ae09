package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/hacon/hacon/bmc"
	"github.com/hacon/hacon/demo"
)

// powerOff powers a node off the way an operator would: through its BMC,
// over bmclib's Redfish provider.
func powerOff(t *testing.T, d *demo.Cluster, node string) {
	t.Helper()
	cfg := d.Config()
	ctl, _ := cfg.Clusters[0].Controller(node)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := bmc.NewPool().SetPower(ctx, demo.ClusterName, ctl, bmc.ActionOff)
	if err != nil || !res.Confirmed {
		t.Fatalf("power off %s through its BMC: %+v %v", node, res, err)
	}
	if d.Powered(node) {
		t.Fatalf("%s still powered after the BMC confirmed off", node)
	}
}
