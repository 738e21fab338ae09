package cluster_test

import (
	"testing"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/cluster/clustertest"
)

// small is clustertest.Small after edit, with its alerts from Assess.
func small(name string, edit func(c *cluster.Cluster)) cluster.Cluster {
	c := clustertest.Small(name)
	edit(&c)
	clustertest.Finish(&c)
	return c
}

var (
	healthy  = func(*cluster.Cluster) {}
	infoOnly = func(c *cluster.Cluster) { c.Warnings = []string{"partial"} }
	warning  = func(c *cluster.Cluster) { c.StonithEnabled = false }
	critical = func(c *cluster.Cluster) { clustertest.Instance(c, "keystone-clone", "controller-2").Blocked = true }
	// silent: every source fails, none stale yet: warnings only.
	silent = func(c *cluster.Cluster) {
		for i := range c.Sources {
			c.Sources[i].OK, c.Sources[i].Error = false, "connection refused"
		}
	}
)

// TestExitCode maps the worst alert over all clusters to the Nagios exit
// code of `hacon status` (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN: a
// contract with monitoring) and its word in the JSON report.
func TestExitCode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		clusters []func(*cluster.Cluster)
		code     int
		word     string
	}{
		{"healthy", []func(*cluster.Cluster){healthy}, 0, "OK"},
		{"info is not a problem", []func(*cluster.Cluster){infoOnly}, 0, "OK"},
		{"warning", []func(*cluster.Cluster){warning}, 1, "WARNING"},
		{"critical", []func(*cluster.Cluster){critical}, 2, "CRITICAL"},
		{"warning in the second cluster", []func(*cluster.Cluster){healthy, warning}, 1, "WARNING"},
		{"critical after warning", []func(*cluster.Cluster){warning, critical}, 2, "CRITICAL"},
		{"warning after critical", []func(*cluster.Cluster){critical, warning}, 2, "CRITICAL"},
		{"the other cluster answered", []func(*cluster.Cluster){silent, healthy}, 1, "WARNING"},
		{"no source answered", []func(*cluster.Cluster){silent}, 3, "UNKNOWN"},
		{"no cluster", nil, 3, "UNKNOWN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var cs []cluster.Cluster
			for i, edit := range tc.clusters {
				cs = append(cs, small(string(rune('a'+i)), edit))
			}
			snap := clustertest.Snap(1, cs...)
			if got := snap.ExitCode(); got != tc.code {
				t.Errorf("exit code %d, want %d", got, tc.code)
			}
			if got := cluster.ExitWord(snap.ExitCode()); got != tc.word {
				t.Errorf("exit word %q, want %q", got, tc.word)
			}
			if got := snap.Report().Status; got != tc.word {
				t.Errorf("report status %q, want %q", got, tc.word)
			}
		})
	}
}

func TestWorst(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		edit func(*cluster.Cluster)
		want cluster.Severity
		word string
	}{
		{"healthy", healthy, -1, ""},
		{"info", infoOnly, cluster.SevInfo, "info"},
		{"warning", warning, cluster.SevWarning, "warning"},
		{"critical", critical, cluster.SevCritical, "critical"},
		{"critical among the rest", func(c *cluster.Cluster) { infoOnly(c); warning(c); critical(c) }, cluster.SevCritical, "critical"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := small("oc", tc.edit)
			if got := c.Worst(); got != tc.want {
				t.Errorf("worst %d, want %d", got, tc.want)
			}
			if tc.want >= 0 && tc.want.String() != tc.word {
				t.Errorf("%d is %q, want %q", tc.want, tc.want.String(), tc.word)
			}
		})
	}
}
