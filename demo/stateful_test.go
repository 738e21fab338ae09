package demo_test

import (
	"testing"

	"github.com/hacon/hacon/cluster"
)

func planeWord(c *cluster.Cluster, svc, node string) string {
	if s := c.Service(svc); s != nil {
		for _, cell := range s.Cells {
			if cell.Node == node && cell.Plane != nil {
				return cell.Plane.Word
			}
		}
	}
	return ""
}

// The demo's faults go through hacon's real stateful probes and parsers
// and come out as the plane's words and alerts.
func TestDemoStatefulFaults(t *testing.T) {
	d, s := startDemo(t)
	c := pollUntil(t, s, "planes healthy", func(c *cluster.Cluster) bool {
		return planeWord(c, "galera", "controller-2") == "Synced" && planeWord(c, "rabbitmq", "controller-2") == "running"
	})
	if len(c.Stateful) != 2 || len(c.Alerts) != 0 {
		t.Fatalf("stateful %+v, alerts %+v", c.Stateful, c.Alerts)
	}
	run := func(name string, args ...string) {
		t.Helper()
		for _, f := range d.FaultCommands() {
			if f.Name == name {
				if _, err := f.Run(args); err != nil {
					t.Fatalf(":%s %v: %v", name, args, err)
				}
				return
			}
		}
		t.Fatalf("no fault command %q", name)
	}
	run("desync", "galera", "controller-1")
	pollUntil(t, s, "desync shown", func(c *cluster.Cluster) bool {
		return planeWord(c, "galera", "controller-1") == "Donor/Desynced" && hasAlert(c, cluster.SevWarning, "galera on controller-1 is Donor/Desynced, not Synced")
	})
	run("partition", "rabbitmq")
	pollUntil(t, s, "partition shown", func(c *cluster.Cluster) bool {
		return planeWord(c, "rabbitmq", "controller-2") == "partitioned" &&
			hasAlert(c, cluster.SevCritical, "rabbitmq is partitioned: sides {rabbit@controller-0, rabbit@controller-1} | {rabbit@controller-2}")
	})
	run("alarm", "rabbitmq", "controller-0")
	pollUntil(t, s, "alarm shown", func(c *cluster.Cluster) bool {
		return hasAlert(c, cluster.SevCritical, "memory alarm on rabbit@controller-0: publishers are blocked")
	})
	d.Heal()
	pollUntil(t, s, "healed", func(c *cluster.Cluster) bool {
		return len(c.Alerts) == 0 && planeWord(c, "rabbitmq", "controller-2") == "running"
	})
	if err := d.Desync("rabbitmq", "controller-0", true); err == nil {
		t.Error("desync accepted rabbitmq")
	}
}
