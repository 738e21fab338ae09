package main

import (
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/remote"
	"github.com/hacon/hacon/views"
)

// linkSource is what the console and status read the ssh state from
// (*sshmux.Manager); nil when nothing goes through ssh.
type linkSource interface {
	Link(cluster, controller string) (remote.LinkState, bool)
}

// transportReport is a controller's way there in `hacon status -o json`,
// under nodes[].transport: keys are a contract like the report's own.
type transportReport struct {
	Via         string `json:"via"`
	Reuse       string `json:"reuse"`
	ReuseWhy    string `json:"reuse_why,omitempty"`
	Up          bool   `json:"up"`
	Since       string `json:"since,omitempty"`
	Reconnects  int    `json:"reconnects"`
	Commands    int    `json:"commands"`
	LastError   string `json:"last_error,omitempty"`
	LastErrorAt string `json:"last_error_at,omitempty"`
}

// The report with nodes[].transport added. Embedding keeps every key of
// cluster.Report (present and future); the outer Clusters and Nodes
// fields, shallower, replace the embedded ones in the JSON.
type (
	reportJSON struct {
		cluster.Report
		Clusters []clusterJSON `json:"clusters"`
	}
	clusterJSON struct {
		cluster.ClusterReport
		Nodes []nodeJSON `json:"nodes"`
	}
	nodeJSON struct {
		cluster.NodeReport
		Transport *transportReport `json:"transport,omitempty"`
	}
)

func statusReport(snap *cluster.Snapshot, links linkSource) reportJSON {
	r := reportJSON{Report: snap.Report(), Clusters: []clusterJSON{}}
	for _, c := range r.Report.Clusters {
		cj := clusterJSON{ClusterReport: c, Nodes: []nodeJSON{}}
		for _, n := range c.Nodes {
			nj := nodeJSON{NodeReport: n}
			if links != nil {
				if l, ok := links.Link(c.Name, n.Name); ok {
					nj.Transport = transportJSON(l)
				}
			}
			cj.Nodes = append(cj.Nodes, nj)
		}
		r.Clusters = append(r.Clusters, cj)
	}
	return r
}

func transportJSON(l remote.LinkState) *transportReport {
	return &transportReport{Via: l.Via, Reuse: l.Reuse, ReuseWhy: l.ReuseWhy, Up: l.Up, Since: stamp(l.Since),
		Reconnects: l.Reconnects, Commands: l.Commands, LastError: l.LastError, LastErrorAt: stamp(l.LastErrorAt)}
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// viewLinks adapts a linkSource to the console's node detail.
func viewLinks(links linkSource) func(cluster, node string) *views.Link {
	if links == nil {
		return nil
	}
	return func(c, n string) *views.Link {
		l, ok := links.Link(c, n)
		if !ok {
			return nil
		}
		return &views.Link{Via: l.Via, Reuse: l.Reuse, ReuseWhy: l.ReuseWhy, Up: l.Up, Since: l.Since,
			Reconnects: l.Reconnects, LastError: l.LastError, LastErrorAt: l.LastErrorAt}
	}
}
