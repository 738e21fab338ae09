//go:build lab

package klab

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/discover"
	"github.com/hacon/hacon/lab/labreport"
)

// `hacon discover` against kctl-0, through the lab's own ssh prefix, finds
// no Pacemaker, reads the running keepalived's and HAProxy's configuration
// (the lab keeps them in its state directory, so only the processes'
// command lines lead there), and writes a config whose `status -o json`
// agrees with the lab's own hacon.yaml on nodes, services and where the
// VIP is. BMCs are left out of the comparison: without stonith devices
// nothing on a controller names them, and discover says so.
func TestDiscoverAgreesWithTheLabsConfig(t *testing.T) {
	eventually(t, 30*time.Second, "a healthy snapshot", healthy)
	// The first test after up: Galera's joiners may still be in SST, and
	// a node not Synced changes how the lab's own side counts galera.
	waitStatefulHealthy(t, 3*time.Minute)
	cc, _ := hacon.Config.ClusterByName(clusterName)
	c0, _ := cc.Controller(nodes[0])
	via, err := config.ExpandArgs(cc.Command, c0)
	if err != nil {
		t.Fatal(err)
	}
	res, took := labreport.Discover(t, via, clusterName)
	record(t, "discover: kctl-0 → config", took)
	for _, v := range res.Cluster.VIPs {
		if v.KeepalivedInstance != "kolla_internal_vip_51" {
			t.Errorf("VIP %s (%s): keepalived_instance %q", v.Name, v.Address, v.KeepalivedInstance)
		}
	}
	if !strings.Contains(strings.Join(res.Cluster.Command, " "), "ssh") {
		t.Errorf("the cluster's command %q is not the prefix discover came through", res.Cluster.Command)
	}
	file := filepath.Join(t.TempDir(), "new.yaml")
	if err := os.WriteFile(file, discover.Render(res), 0o600); err != nil {
		t.Fatal(err)
	}
	labreport.Compare(t, labreport.Of(t, filepath.Join(state, "hacon.yaml")), labreport.Of(t, file), labreport.Options{
		NoBMCs:       true,
		Undiscovered: map[string]string{"rabbitmq": "a row of the stateful plane only (no HAProxy backend): discover writes no rabbitmq block"},
	})
}
