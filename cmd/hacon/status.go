package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/internal/app"
	"github.com/hacon/hacon/views"
)

type statusFlags struct {
	config, output, log string
	demo                bool
}

func newStatusCmd(inv *invocation) *cobra.Command {
	var f statusFlags
	cmd := &cobra.Command{
		Use:   "status [--config F | --demo] [-o text|json]",
		Short: "one poll of every source (Nagios exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)",
		Example: `  hacon status --demo
  hacon status --config overcloud.yaml -o json | jq '.clusters[].alerts'
  hacon status || page-someone       a monitoring check: the exit code says how bad`,
		Args: noArgs,
		Run:  inv.do(func([]string) int { return cmdStatus(inv.ctx, f, inv.stdout, inv.stderr) }),
	}
	fl := cmd.Flags()
	fl.StringVar(&f.config, "config", "", "config file")
	markConfigFlag(cmd)
	fl.BoolVar(&f.demo, "demo", false, "poll the embedded demo cluster")
	fl.StringVarP(&f.output, "output", "o", "text", "output format: text or json")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
	logFlag(cmd, &f.log)
	return cmd
}

// cmdStatus polls every source once and prints the snapshot; the exit code
// follows the Nagios plugin convention so it doubles as a monitoring check.
func cmdStatus(ctx context.Context, f statusFlags, stdout, stderr io.Writer) int {
	if f.output != "text" && f.output != "json" {
		fmt.Fprintf(stderr, "hacon status: -o must be text or json, got %q\n", f.output)
		return cluster.ExitUnknown
	}
	log, logFile, err := app.OpenLog(f.log)
	if err != nil {
		fmt.Fprintf(stderr, "UNKNOWN: debug log: %v\n", err)
		return cluster.ExitUnknown
	}
	defer logFile.Close()
	a, err := app.New(app.Options{ConfigPath: f.config, Demo: f.demo, Log: log})
	if err != nil {
		fmt.Fprintf(stderr, "UNKNOWN: %v\n", err)
		return cluster.ExitUnknown
	}
	defer a.Close()
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	snap := a.Sched.PollOnce(ctx)
	if f.output == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		var links linkSource
		if a.SSH != nil {
			links = a.SSH
		}
		if err := enc.Encode(statusReport(&snap, links)); err != nil {
			fmt.Fprintf(stderr, "UNKNOWN: %v\n", err)
			return cluster.ExitUnknown
		}
		return snap.ExitCode()
	}
	printStatus(stdout, &snap)
	return snap.ExitCode()
}

func printStatus(w io.Writer, snap *cluster.Snapshot) {
	code := snap.ExitCode()
	fmt.Fprintf(w, "HACON %s", cluster.ExitWord(code))
	for i := range snap.Clusters {
		c := &snap.Clusters[i]
		n := c.Counts()
		fmt.Fprintf(w, " - %s: %d critical, %d warning", c.Name, n.Critical, n.Warning)
	}
	fmt.Fprintln(w)
	if len(snap.Clusters) > 1 {
		printFleet(w, snap)
	}
	for _, c := range snap.Clusters {
		fmt.Fprintf(w, "\ncluster %s  quorum=%t dc=%s via=%s\n", c.Name, c.Quorum, dash(c.DC), dash(c.PacemakerVia))
		if len(c.Prometheus) > 0 {
			fmt.Fprintf(w, "read from Prometheus: %s\n", strings.Join(c.Prometheus, ", "))
		}
		if len(c.NotAvailable) > 0 {
			fmt.Fprintf(w, "not available from Prometheus: %s\n", strings.Join(c.NotAvailable, "; "))
		}
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NODE\tPACEMAKER\tPOWER\tFENCE-READY\tSTONITH\tBMC-FENCE")
		for _, n := range c.Nodes {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%t\t%s\t%s\n", n.Name, n.PcmkState(), n.Power(), n.FenceReady(), stonithText(n.Fencing), bmcFenceText(n.BMC))
		}
		tw.Flush()
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		header := "SERVICE\tMODE\tSERVING"
		for _, n := range c.Nodes {
			if n.Controller {
				header += "\t" + strings.ToUpper(n.Name)
			}
		}
		fmt.Fprintln(tw, header)
		for _, s := range c.Services {
			name := s.Name
			if s.Auto {
				name += " (" + s.Resource + ")"
			}
			line := fmt.Sprintf("%s\t%s\t%d/%d", name, s.Mode, s.Serving, s.Expected)
			for _, cell := range s.Cells {
				line += "\t" + cellText(cell)
			}
			fmt.Fprintln(tw, line)
		}
		tw.Flush()
		fmt.Fprintln(w)
		for _, v := range c.VIPs {
			fmt.Fprintf(w, "VIP %s %s on %s%s\n", v.Name, dash(v.Address), dash(v.Node), vrrpText(v))
		}
		fmt.Fprintln(w)
		for _, s := range c.Sources {
			if !s.OK {
				fmt.Fprintf(w, "source %-9s %-28s FAIL %s (%s)\n", s.Kind, s.Name, s.Error, dash(s.Address))
			}
		}
		n := c.Counts()
		fmt.Fprintf(w, "sources: %d of %d ok\n", n.SourcesOK, n.Sources)
		for _, a := range c.Alerts {
			fmt.Fprintf(w, "%-8s %s\n", strings.ToUpper(a.Severity.String()), a.Message)
		}
	}
}

func cellText(c cluster.Cell) string {
	parts := []string{}
	if c.Role != "" {
		r := c.Role
		if c.Failed {
			r = "FAILED"
		}
		parts = append(parts, r)
	}
	if st := c.LBStatus(); st != "" {
		if c.Backup() {
			st += "(bck)"
		}
		parts = append(parts, st)
	}
	if e := c.Endpoint; e != nil {
		if e.OK {
			parts = append(parts, fmt.Sprintf("ok %dms", e.Latency.Milliseconds()))
		} else {
			parts = append(parts, "fail")
		}
	}
	if p := c.Plane; p != nil {
		word := p.Word
		switch {
		case p.Stale:
			word = "stale"
		case word == "":
			word = "unknown"
		}
		parts = append(parts, word)
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, "/")
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// stonithText is Pacemaker's fencing of a node: the devices that can
// fence it, or why none can; "-" when unknown.
func stonithText(f *cluster.Fencing) string {
	switch {
	case f == nil:
		return "-"
	case f.Ready:
		return strings.Join(f.Devices, ",")
	default:
		return "NONE (" + f.Why + ")"
	}
}

// bmcFenceText is hacon's own BMC view: "-" without a configured BMC.
func bmcFenceText(b *cluster.BMCStatus) string {
	if b == nil {
		return "-"
	}
	return fmt.Sprint(b.FenceReady)
}

// vrrpText is a keepalived VIP's every holder and each controller's VRRP
// state and effective priority.
func vrrpText(v cluster.VIP) string {
	if v.Instance == "" {
		return ""
	}
	parts := []string{}
	for _, x := range v.VRRP {
		st := "?"
		if x.Known {
			st = fmt.Sprintf("%s/%d", x.State, x.EffectivePriority)
		}
		parts = append(parts, x.Node+"="+st)
	}
	return fmt.Sprintf(" (keepalived %s, holders [%s]; %s)", v.Instance, strings.Join(v.Holders, " "), strings.Join(parts, " "))
}

// printFleet is one line per cluster, trouble first, before the details:
// with tens of clusters the details scroll away, the summary does not.
func printFleet(w io.Writer, snap *cluster.Snapshot) {
	_, sums := views.FleetOrder(snap, "", nil)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nCLUSTER\tVERDICT\tQUORUM\tNODES\tSERVICES F/D/D\tVIPS\tAGE\tWORST ALERT")
	for _, s := range sums {
		verdict := "OK"
		switch {
		case s.Critical > 0:
			verdict = "CRITICAL"
		case s.Warning > 0:
			verdict = "WARNING"
		}
		alert := "-"
		if s.WorstAlert != nil {
			alert = s.WorstAlert.Subject + ": " + s.WorstAlert.Message
		}
		quorum, nodes := fmt.Sprint(s.Quorum), fmt.Sprintf("%d/%d", s.NodesOnline, s.Nodes)
		if !s.HasPacemaker {
			quorum, nodes = "-", fmt.Sprintf("-/%d", s.Nodes)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d/%d/%d\t%d/%d\t%s\t%s\n", s.Name, verdict, quorum, nodes,
			s.ServicesFull, s.ServicesDegraded, s.ServicesDown, s.VIPsHeld, s.VIPs, s.DataAge.Round(time.Second), alert)
	}
	tw.Flush()
}
