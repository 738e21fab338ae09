package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/common/version"

	"github.com/hacon/hacon/actions"
	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/internal/app"
	"github.com/hacon/hacon/timeline"
	"github.com/hacon/hacon/views"
)

// cmdExport writes the incident report of one cluster from the events log
// and the audit log, with its current state from one poll.
func cmdExport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("export", stderr)
	path := fs.String("config", "", "config file")
	useDemo := fs.Bool("demo", false, "the embedded demo cluster")
	clusterName := fs.String("cluster", "", "the cluster (default: the first configured)")
	eventsPath := fs.String("events", "", "events log (default: the config's events_log)")
	auditPath := fs.String("audit", "", "audit log (default: the config's audit_log)")
	out := fs.String("o", "-", "write the report to this file (0600); - is stdout")
	noPoll := fs.Bool("no-poll", false, "leave out the current state (no source is polled)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	a, err := app.New(app.Options{ConfigPath: *path, Demo: *useDemo, ReadOnly: true})
	if err != nil {
		fmt.Fprintln(stderr, "hacon export:", err)
		return 1
	}
	defer a.Close()
	name, err := pickCluster(a, *clusterName)
	if err != nil {
		fmt.Fprintln(stderr, "hacon export:", err)
		return 2
	}
	events, audit := firstNonEmpty(*eventsPath, a.Config.EventsLog), firstNonEmpty(*auditPath, a.Config.AuditLog)
	r := views.Report{Taken: time.Now(), Version: version.Version, From: events + " and " + audit}
	if !*noPoll {
		pctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		snap := a.Sched.PollOnce(pctx)
		cancel()
		r.Cluster, r.Taken = snap.ClusterByName(name), snap.Taken
	}
	if r.Incidents, r.Loose, err = incidentsFromLogs(name, events, audit, r.Cluster); err != nil {
		fmt.Fprintln(stderr, "hacon export:", err)
		return 1
	}
	md := views.Markdown(r)
	if r.Cluster == nil {
		md = "<!-- " + name + ": current state not polled -->\n" + md
	}
	if *out == "-" {
		fmt.Fprint(stdout, md)
		return 0
	}
	if err := writePrivate(*out, md); err != nil {
		fmt.Fprintln(stderr, "hacon export:", err)
		return 1
	}
	fmt.Fprintln(stderr, "hacon: incident report written to", *out)
	return 0
}

// incidentsFromLogs rebuilds a cluster's incidents from the events log and
// puts the audit log's actions into them.
func incidentsFromLogs(name, events, audit string, c *cluster.Cluster) ([]*timeline.Incident, []timeline.Action, error) {
	incs, _, err := timeline.ReadIncidents(events, name)
	if err != nil {
		return nil, nil, err
	}
	acts, err := actions.AuditActions(audit, name, c)
	if err != nil {
		return nil, nil, err
	}
	return incs, timeline.AttachActions(name, incs, acts), nil
}

func pickCluster(a *app.App, name string) (string, error) {
	if name == "" {
		if len(a.Config.Clusters) == 0 {
			return "", fmt.Errorf("no cluster configured")
		}
		return a.Config.Clusters[0].Name, nil
	}
	if _, ok := a.Config.ClusterByName(name); !ok {
		var names []string
		for _, c := range a.Config.Clusters {
			names = append(names, c.Name)
		}
		return "", fmt.Errorf("no cluster %q (have %v)", name, names)
	}
	return name, nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// writePrivate writes a file 0600, creating its directory 0700.
func writePrivate(path, content string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(content), 0o600)
}
