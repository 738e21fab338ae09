package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/demo"
	"github.com/hacon/hacon/internal/app"
)

// markConfigFlag completes --config with YAML files.
func markConfigFlag(cmd *cobra.Command) {
	_ = cmd.MarkFlagFilename("config", "yaml", "yml")
}

// completeClusters completes a cluster name from the config the command
// line names (--config, else the usual lookup), or the demo's.
func completeClusters(cmd *cobra.Command, _ []string, typed string) ([]cobra.Completion, cobra.ShellCompDirective) {
	cfg := completionConfig(cmd)
	if cfg == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var names []cobra.Completion
	for _, c := range cfg.Clusters {
		if strings.HasPrefix(c.Name, typed) {
			names = append(names, cobra.CompletionWithDesc(c.Name, clusterDescription(c)))
		}
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}

// clusterDescription is what the shell shows beside a cluster's name.
func clusterDescription(c config.Cluster) string {
	var nodes []string
	for _, ctl := range c.Controllers {
		nodes = append(nodes, ctl.Name)
	}
	d := strings.Join(nodes, ", ")
	if c.Environment != "" {
		d = c.Environment + ": " + d
	}
	return d
}

// completionConfig loads the config for completion: nil when there is
// none or it does not load (a completion never prints an error).
func completionConfig(cmd *cobra.Command) *config.Config {
	if demo, err := cmd.Flags().GetBool("demo"); err == nil && demo {
		return demoConfig()
	}
	path, _ := cmd.Flags().GetString("config")
	cfg, err := app.LoadConfig(path)
	if err != nil {
		return nil
	}
	return cfg
}

// demoConfig is the embedded demo's config; the demo is started only to
// read it.
func demoConfig() *config.Config {
	d, err := demo.Start()
	if err != nil {
		return nil
	}
	defer d.Close()
	return d.Config()
}
