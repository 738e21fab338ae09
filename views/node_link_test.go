package views

import (
	"strings"
	"testing"
	"time"

	fixture "github.com/hacon/hacon/cluster/clustertest"
)

// The node detail names the state of hacon's connection to the node: up
// since when, reconnects, who keeps it, and the last error in words.
func TestNodeDetailShowsTheConnection(t *testing.T) {
	snap := fixture.Healthy()
	c := &snap.Clusters[0]
	node := c.Nodes[0].Name
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if got := strings.Join(PlainLines(NodeDetail(c, node, 100)), "\n"); strings.Contains(got, "CONNECTION") {
		t.Errorf("a connection section without a link:\n%s", got)
	}
	link := &Link{Via: "ssh", Reuse: "hacon", Up: false, Since: now.Add(-7 * time.Second), Reconnects: 2,
		LastError: "host key not known: run `ssh heat-admin@192.0.2.11` once\x1b[2J", LastErrorAt: now.Add(-3 * time.Second)}
	got := strings.Join(PlainLines(NodeDetailWithLink(c, node, 100, link, now)), "\n")
	for _, want := range []string{"CONNECTION", "ssh ✖ DOWN for 7s · 2 reconnects", "connection reuse: hacon",
		"✖ last error 3s ago: host key not known: run `ssh heat-admin@192.0.2.11` once"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q missing from:\n%s", want, got)
		}
	}
	if strings.Contains(got, "\x1b") {
		t.Errorf("a control character reached the screen: %q", got)
	}
	link.Up, link.LastError = true, ""
	got = strings.Join(PlainLines(NodeDetailWithLink(c, node, 100, link, now)), "\n")
	if !strings.Contains(got, "ssh ● up for 7s") || strings.Contains(got, "last error") {
		t.Errorf("up link:\n%s", got)
	}
}
