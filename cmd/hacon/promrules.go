package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/hacon/hacon/internal/app"
	"github.com/hacon/hacon/probes"
)

func newPromRulesCmd(inv *invocation) *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "prometheus-rules [--config F]",
		Short: "print the Prometheus recording rules that prometheus.recorded reads",
		Long: `Print, as a Prometheus rule file, the recording rules hacon's recorded
mode reads (prometheus: {recorded: true}): per metric family, its filtered
series (hacon:<metric>:data) and its newest scrape time per cluster and
exporter instance (hacon:<metric>:scrape_time). Load the file into every
Prometheus that scrapes the exporters (rule_files:), reload it, then turn
recorded on. Regenerate it after changing hacon's label settings or
upgrading hacon.`,
		Example: `  hacon prometheus-rules --config fleet.yaml > /etc/prometheus/rules/hacon.yml
  promtool check rules /etc/prometheus/rules/hacon.yml`,
		Args: noArgs,
		Run:  inv.do(func([]string) int { return cmdPromRules(path, inv.stdout, inv.stderr) }),
	}
	cmd.Flags().StringVar(&path, "config", "", "config file")
	markConfigFlag(cmd)
	return cmd
}

// cmdPromRules prints the rule file; exit 0, or 1 with the reason.
func cmdPromRules(path string, stdout, stderr io.Writer) int {
	cfg, err := app.LoadConfig(path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	out, err := probes.PrometheusRulesFile(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", cfg.File, err)
		return 1
	}
	fmt.Fprintf(stdout, "# hacon's recording rules (hacon prometheus-rules, from %s).\n# Read when prometheus.recorded is true; see README \"Prometheus mode\".\n", cfg.File)
	_, _ = stdout.Write(out)
	return 0
}
