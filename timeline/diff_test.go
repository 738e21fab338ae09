package timeline_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
	fixture "github.com/hacon/hacon/cluster/clustertest"
	"github.com/hacon/hacon/timeline"
	"github.com/hacon/hacon/views"
)

// diff compares as the console does, in the words views shows.
func diff(prev, next cluster.Snapshot) []timeline.Event {
	return timeline.Diff(prev, next, views.CellWords)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func eventStrings(evs []timeline.Event) string {
	var b strings.Builder
	for _, e := range evs {
		b.WriteString(e.Subject + " " + e.What + ": " + orDash(e.From) + " → " + orDash(e.To) + "\n")
	}
	return b.String()
}

func TestDiffSteadyIsQuiet(t *testing.T) {
	a, b := fixture.Healthy(), fixture.Healthy()
	// Ages and latencies move on every poll; they are not changes.
	for i := range b.Clusters[0].Sources {
		b.Clusters[0].Sources[i].Age += 7 * time.Second
	}
	for i := range b.Clusters[0].Endpoints {
		b.Clusters[0].Endpoints[i].Latency *= 3
	}
	if evs := diff(a, b); len(evs) != 0 {
		t.Fatalf("steady cluster produced events:\n%s", eventStrings(evs))
	}
}

func TestDiffDegraded(t *testing.T) {
	next := fixture.Degraded()
	next.Taken = fixture.Taken.Add(10 * time.Second)
	evs := diff(fixture.Healthy(), next)
	got := eventStrings(evs)
	for _, want := range []string{
		"keystone@controller-1 haproxy: UP → DOWN",
		"keystone@controller-1 endpoint: ok → fail",
		"endpoint/keystone@controller-1 source: ok → failing (timeout after 5s: no answer)",
		"keystone alert warning: - → keystone: 2 of 3 instances serving",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if strings.Contains(got, "role") {
		t.Errorf("Pacemaker did not change but a role event appeared:\n%s", got)
	}
	for _, e := range evs {
		if e.Cluster != "overcloud" || !e.Time.Equal(next.Taken) {
			t.Errorf("event %+v: wrong cluster or time", e)
		}
	}
	// And back: the alert clears, the cell recovers.
	back := eventStrings(diff(next, fixture.Healthy()))
	for _, want := range []string{"keystone@controller-1 haproxy: DOWN → UP", "alert cleared: keystone: 2 of 3"} {
		if !strings.Contains(back, want) {
			t.Errorf("missing %q in:\n%s", want, back)
		}
	}
}

func TestDiffFencedAndStale(t *testing.T) {
	got := eventStrings(diff(fixture.Healthy(), fixture.Fenced()))
	for _, want := range []string{
		"controller-2 pacemaker: online → offline",
		"controller-2 power: on → off",
		"keystone@controller-2 role: Started → Stopped",
		"VIP storage node: controller-2 → controller-0",
		"haproxy/controller-2 source: ok → failing (connect: connection refused)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	stale := eventStrings(diff(fixture.Healthy(), fixture.StaleSource()))
	for _, want := range []string{"controller-0 pacemaker: online → stale", "keystone@controller-0 role: Started → stale", "VIP public node: controller-0 → stale"} {
		if !strings.Contains(stale, want) {
			t.Errorf("missing %q in:\n%s", want, stale)
		}
	}
}

func TestDiffIgnoresNumbersInAlerts(t *testing.T) {
	a := cluster.Snapshot{Clusters: []cluster.Cluster{{Name: "x", Alerts: []cluster.Alert{{Subject: "s", Message: "HAProxy failing (last answer 12s ago)"}}}}}
	b := cluster.Snapshot{Clusters: []cluster.Cluster{{Name: "x", Alerts: []cluster.Alert{{Subject: "s", Message: "HAProxy failing (last answer 13s ago)"}}}}}
	if evs := diff(a, b); len(evs) != 0 {
		t.Fatalf("an alert whose age moved was reported as new:\n%s", eventStrings(evs))
	}
}

func TestDiffNewClusterAndNotPolled(t *testing.T) {
	prev := fixture.Healthy()
	for i := range prev.Clusters[0].Sources {
		prev.Clusters[0].Sources[i].OK, prev.Clusters[0].Sources[i].Error = false, "not polled yet"
	}
	got := eventStrings(diff(prev, fixture.Healthy()))
	if strings.Contains(got, "source") {
		t.Errorf("a first answer is not a change:\n%s", got)
	}
	if evs := diff(cluster.Snapshot{}, fixture.Healthy()); len(evs) != 0 {
		t.Errorf("a cluster without a previous state produced %d events", len(evs))
	}
}

func TestEventString(t *testing.T) {
	e := timeline.Event{Time: fixture.Taken, Cluster: "oc", Subject: "controller-1", What: "power", From: "on", To: "off"}
	if got, want := e.String(), "2026-03-14T03:04:05Z oc controller-1 power: on → off"; got != want {
		t.Errorf("got %q want %q", got, want)
	}
}
