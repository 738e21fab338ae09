package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/hacon/hacon/internal/app"
	"github.com/hacon/hacon/probes"
)

func newPromRulesCmd(inv *invocation) *cobra.Command {
	var path, url string
	cmd := &cobra.Command{
		Use:   "prometheus-rules [--config F] [--url U]",
		Short: "print the Prometheus recording rules that prometheus.recorded reads",
		Long: `Print, as a Prometheus rule file, the recording rules hacon's recorded
mode reads (prometheus: {recorded: true}): per metric family, its filtered
series (hacon:<metric>:data) and its newest scrape time per cluster and
exporter instance (hacon:<metric>:scrape_time). Load the file into every
Prometheus that scrapes the exporters (rule_files:), reload it, then turn
recorded on. A config reading several Prometheus servers needs one file
each: --url chooses. Regenerate it after changing hacon's label settings
or upgrading hacon.`,
		Example: `  hacon prometheus-rules --config fleet.yaml > /etc/prometheus/rules/hacon.yml
  promtool check rules /etc/prometheus/rules/hacon.yml`,
		Args: noArgs,
		Run:  inv.do(func([]string) int { return cmdPromRules(path, url, inv.stdout, inv.stderr) }),
	}
	cmd.Flags().StringVar(&path, "config", "", "config file")
	cmd.Flags().StringVar(&url, "url", "", "the Prometheus the rules are for (its url as the config has it)")
	markConfigFlag(cmd)
	return cmd
}

// cmdPromRules prints the rule file; exit 0, or 1 with the reason.
func cmdPromRules(path, url string, stdout, stderr io.Writer) int {
	cfg, err := app.LoadConfig(path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	out, err := probes.PrometheusRulesFile(cfg, url)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", cfg.File, err)
		return 1
	}
	head := fmt.Sprintf("# hacon's recording rules (hacon prometheus-rules, from %q).\n"+
		"# Read when prometheus.recorded is true; see README \"Prometheus mode\".\n", cfg.File)
	if _, err := io.WriteString(stdout, head+string(out)); err != nil {
		fmt.Fprintf(stderr, "writing the rules: %v\n", err)
		return 1
	}
	return 0
}
