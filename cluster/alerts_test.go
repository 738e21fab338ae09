package cluster_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/cluster/clustertest"
)

// want is one alert Assess must return: its severity, its subject and the
// words its message must contain.
type want struct {
	sev     cluster.Severity
	subject string
	words   []string
}

func crit(subject string, words ...string) want { return want{cluster.SevCritical, subject, words} }
func warn(subject string, words ...string) want { return want{cluster.SevWarning, subject, words} }
func info(subject string, words ...string) want { return want{cluster.SevInfo, subject, words} }

// rule is one row: a change to clustertest.Small and every alert it causes,
// in Assess's order (most severe first). Small itself has no alerts.
type rule struct {
	name string
	edit func(c *cluster.Cluster)
	want []want
}

// assess runs each row on its own small cluster.
func assess(t *testing.T, rules []rule) {
	t.Helper()
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			t.Parallel()
			c := clustertest.Small("oc")
			r.edit(&c)
			clustertest.Finish(&c)
			got := cluster.Assess(&c)
			if len(got) != len(r.want) {
				t.Fatalf("got %d alerts, want %d:%s", len(got), len(r.want), dump(got))
			}
			for i, w := range r.want {
				g := got[i]
				if g.Severity != w.sev || g.Subject != w.subject {
					t.Errorf("alert %d is %s about %q, want %s about %q: %s", i, g.Severity, g.Subject, w.sev, w.subject, g.Message)
				}
				for _, word := range w.words {
					if !strings.Contains(g.Message, word) {
						t.Errorf("alert %d %q lacks %q", i, g.Message, word)
					}
				}
			}
		})
	}
}

func dump(as []cluster.Alert) string {
	var b strings.Builder
	for _, a := range as {
		b.WriteString("\n\t" + a.Severity.String() + " " + a.Subject + ": " + a.Message)
	}
	return b.String()
}

func TestAssessHealthyIsQuiet(t *testing.T) {
	t.Parallel()
	assess(t, []rule{{"small healthy cluster", func(*cluster.Cluster) {}, nil}})
}

// failSource marks a source failing since age ago (never, when age is 0).
func failSource(c *cluster.Cluster, kind cluster.SourceKind, name, err string, age time.Duration) *cluster.Source {
	s := c.Source(kind, name)
	s.OK, s.Error, s.Age, s.LastSuccess = false, err, age, time.Time{}
	if age > 0 {
		s.LastSuccess = clustertest.Taken.Add(-age)
	}
	return s
}

func TestAssessSources(t *testing.T) {
	t.Parallel()
	assess(t, []rule{
		{"haproxy failing", func(c *cluster.Cluster) {
			failSource(c, cluster.KindHAProxy, "controller-1", "connect: connection refused", 5*time.Second)
		}, []want{warn("controller-1", "HAProxy on controller-1 failing: connect: connection refused", "(last answer 5s ago)")}},
		{"bmc never answered", func(c *cluster.Cluster) {
			failSource(c, cluster.KindBMC, "controller-2", "no route to host", 0)
		}, []want{warn("controller-2", "BMC of controller-2 failing: no route to host", "(never answered)")}},
		{"pacemaker failing but fresh", func(c *cluster.Cluster) {
			failSource(c, cluster.KindPacemaker, "pacemaker", "ssh: timeout", 3*time.Second)
		}, []want{warn("pacemaker", "Pacemaker status failing: ssh: timeout", "(last answer 3s ago)")}},
		{"pacemaker stale", func(c *cluster.Cluster) {
			failSource(c, cluster.KindPacemaker, "pacemaker", "ssh: timeout", 95*time.Second).Stale = true
		}, []want{crit("pacemaker", "Pacemaker status failing: ssh: timeout", "(last answer 1m35s ago)")}},
		{"endpoint failing is told per service", func(c *cluster.Cluster) {
			failSource(c, cluster.KindEndpoint, "keystone@controller-0", "timeout", time.Second)
		}, nil},
		{"not polled yet", func(c *cluster.Cluster) {
			failSource(c, cluster.KindHAProxy, "controller-0", "not polled yet", 0)
		}, nil},
	})
}

func TestAssessCluster(t *testing.T) {
	t.Parallel()
	assess(t, []rule{
		{"partial answer", func(c *cluster.Cluster) { c.Warnings = []string{"CIB: 1 constraint unreadable"} },
			[]want{info("oc", "CIB: 1 constraint unreadable")}},
		{"pacemaker via another controller", func(c *cluster.Cluster) {
			c.PacemakerVia, c.PacemakerFailed = "controller-1", []string{"controller-0: ssh: timeout"}
		}, []want{warn("oc", "Pacemaker status came via controller-1: controller-0: ssh: timeout")}},
		{"no quorum", func(c *cluster.Cluster) { c.Quorum = false },
			[]want{crit("oc", "no quorum", "will not start or move resources")}},
		{"no DC", func(c *cluster.Cluster) { c.DC = "" },
			[]want{warn("oc", "no designated controller (DC)")}},
		{"maintenance mode", func(c *cluster.Cluster) { c.MaintenanceMode = true },
			[]want{warn("oc", "maintenance mode", "manages nothing")}},
		{"stonith off", func(c *cluster.Cluster) { c.StonithEnabled = false },
			[]want{warn("oc", "stonith-enabled", "is off")}},
		{"most severe first", func(c *cluster.Cluster) {
			c.Warnings, c.Quorum, c.StonithEnabled = []string{"partial"}, false, false
		}, []want{crit("oc", "no quorum"), warn("oc", "stonith-enabled"), info("oc", "partial")}},
		{"no pacemaker configured", func(c *cluster.Cluster) {
			c.HasPacemaker, c.Quorum, c.DC, c.StonithEnabled = false, false, "", false
		}, nil},
	})
}

func TestAssessNodes(t *testing.T) {
	t.Parallel()
	assess(t, []rule{
		{"unclean and BMC unreachable", func(c *cluster.Cluster) {
			n := c.Node("controller-1")
			n.Pacemaker.Unclean, n.BMC.FenceReady, n.BMC.Error = true, false, "i/o timeout"
		}, []want{crit("controller-1", "controller-1 UNCLEAN", "its BMC is unreachable (i/o timeout)", "recovery is blocked")}},
		{"unclean without BMC", func(c *cluster.Cluster) {
			n := c.Node("controller-1")
			n.Pacemaker.Unclean, n.BMC = true, nil
		}, []want{crit("controller-1", "controller-1 UNCLEAN", "its BMC is not configured", "fencing cannot succeed")}},
		{"unclean and fenceable", func(c *cluster.Cluster) { c.Node("controller-1").Pacemaker.Unclean = true },
			[]want{crit("controller-1", "controller-1 UNCLEAN: waiting to be fenced")}},
		{"offline", func(c *cluster.Cluster) { c.Node("controller-2").Pacemaker.Online = false },
			[]want{crit("controller-2", "controller-2 offline in Pacemaker")}},
		{"offline and powered off", func(c *cluster.Cluster) {
			n := c.Node("controller-2")
			n.Pacemaker.Online, n.BMC.Power = false, cluster.PowerOff
		}, []want{crit("controller-2", "controller-2 offline in Pacemaker (BMC says power off)")}},
		{"standby", func(c *cluster.Cluster) { c.Node("controller-1").Pacemaker.Standby = true },
			[]want{warn("controller-1", "controller-1 in standby", "runs no resources")}},
		{"maintenance", func(c *cluster.Cluster) { c.Node("controller-1").Pacemaker.Maintenance = true },
			[]want{warn("controller-1", "controller-1 in maintenance", "unmanaged")}},
		{"online but powered off", func(c *cluster.Cluster) { c.Node("controller-0").BMC.Power = cluster.PowerOff },
			[]want{crit("controller-0", "Pacemaker says online but its BMC says power off")}},
		{"cannot be fenced", func(c *cluster.Cluster) { c.Node("controller-2").BMC.FenceReady = false },
			[]want{warn("controller-2", "controller-2 cannot be fenced: its BMC is unreachable (no answer)")}},
		{"stale node states say nothing", func(c *cluster.Cluster) {
			n := c.Node("controller-1")
			n.Stale, n.Pacemaker.Unclean = true, true
		}, nil},
	})
}
