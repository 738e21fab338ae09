package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/common/version"
	"github.com/spf13/cobra"

	"github.com/hacon/hacon/actions"
	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/internal/app"
	"github.com/hacon/hacon/timeline"
	"github.com/hacon/hacon/views"
)

type exportFlags struct {
	config, cluster, events, audit, output string
	demo, noPoll                           bool
}

func newExportCmd(inv *invocation) *cobra.Command {
	var f exportFlags
	cmd := &cobra.Command{
		Use:   "export [--config F | --demo] [--cluster C] [-o F] [--no-poll]",
		Short: "incident report (Markdown) of one cluster from the events and audit logs",
		Example: `  hacon export --cluster overcloud -o incident.md
  hacon export --demo --no-poll     the report without polling the cluster now`,
		Args: noArgs,
		Run:  inv.do(func([]string) int { return cmdExport(inv.ctx, f, inv.stdout, inv.stderr) }),
	}
	fl := cmd.Flags()
	fl.StringVar(&f.config, "config", "", "config file")
	markConfigFlag(cmd)
	fl.BoolVar(&f.demo, "demo", false, "the embedded demo cluster")
	fl.StringVar(&f.cluster, "cluster", "", "the cluster (default: the first configured)")
	_ = cmd.RegisterFlagCompletionFunc("cluster", completeClusters)
	fl.StringVar(&f.events, "events", "", "events log (default: the config's events_log)")
	fl.StringVar(&f.audit, "audit", "", "audit log (default: the config's audit_log)")
	fl.StringVarP(&f.output, "output", "o", "-", "write the report to this file (0600); - is stdout")
	fl.BoolVar(&f.noPoll, "no-poll", false, "leave out the current state (no source is polled)")
	for _, name := range []string{"events", "audit", "output"} {
		_ = cmd.MarkFlagFilename(name)
	}
	return cmd
}

// cmdExport writes the incident report of one cluster from the events log
// and the audit log, with its current state from one poll.
func cmdExport(ctx context.Context, f exportFlags, stdout, stderr io.Writer) int {
	a, err := app.New(app.Options{ConfigPath: f.config, Demo: f.demo, ReadOnly: true})
	if err != nil {
		fmt.Fprintln(stderr, "hacon export:", err)
		return 1
	}
	defer a.Close()
	name, err := pickCluster(a, f.cluster)
	if err != nil {
		fmt.Fprintln(stderr, "hacon export:", err)
		return 2
	}
	events, audit := firstNonEmpty(f.events, a.Config.EventsLog), firstNonEmpty(f.audit, a.Config.AuditLog)
	r := views.Report{Taken: time.Now(), Version: version.Version, From: events + " and " + audit}
	if !f.noPoll {
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
	if f.output == "-" {
		fmt.Fprint(stdout, md)
		return 0
	}
	if err := writePrivate(f.output, md); err != nil {
		fmt.Fprintln(stderr, "hacon export:", err)
		return 1
	}
	fmt.Fprintln(stderr, "hacon: incident report written to", f.output)
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
