package cluster

import "testing"

func TestCounts(t *testing.T) {
	c := Cluster{
		Alerts: []Alert{
			{Severity: SevCritical}, {Severity: SevWarning}, {Severity: SevWarning},
			{Severity: SevInfo}, {Severity: SevInfo}, {Severity: SevInfo},
		},
		Sources: []Source{{OK: true}, {OK: false, Error: "refused"}, {OK: true}, {Stale: true}},
	}
	want := Counts{Critical: 1, Warning: 2, Info: 3, Sources: 4, SourcesOK: 2}
	if got := c.Counts(); got != want {
		t.Errorf("Counts() = %+v, want %+v", got, want)
	}
	if got := (&Cluster{}).Counts(); got != (Counts{}) {
		t.Errorf("empty cluster: %+v", got)
	}
}

// ExitCode reads Counts: the worst cluster decides, and no answering
// source at all is UNKNOWN whatever the alerts say.
func TestExitCodeFromCounts(t *testing.T) {
	ok := []Source{{OK: true}}
	cl := func(srcs []Source, sev ...Severity) Cluster {
		c := Cluster{Sources: srcs}
		for _, s := range sev {
			c.Alerts = append(c.Alerts, Alert{Severity: s})
		}
		return c
	}
	for _, tc := range []struct {
		name     string
		clusters []Cluster
		want     int
	}{
		{"healthy", []Cluster{cl(ok)}, ExitOK},
		{"info only", []Cluster{cl(ok, SevInfo)}, ExitOK},
		{"warning", []Cluster{cl(ok, SevInfo, SevWarning)}, ExitWarning},
		{"critical beats warning", []Cluster{cl(ok, SevWarning), cl(ok, SevCritical)}, ExitCritical},
		{"critical first", []Cluster{cl(ok, SevCritical), cl(ok, SevWarning)}, ExitCritical},
		{"nothing answered", []Cluster{cl([]Source{{Error: "refused"}}, SevCritical)}, ExitUnknown},
		{"one cluster answered", []Cluster{cl(nil), cl(ok)}, ExitOK},
	} {
		s := Snapshot{Clusters: tc.clusters}
		if got := s.ExitCode(); got != tc.want {
			t.Errorf("%s: exit %d, want %d", tc.name, got, tc.want)
		}
	}
}
