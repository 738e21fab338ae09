package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/hacon/hacon/actions"
	"github.com/hacon/hacon/internal/app"
)

func newCheckConfigCmd(inv *invocation) *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "check-config [--config F]",
		Short: "validate a config and print every problem at once (exit 0 valid, 1 invalid)",
		Example: `  hacon check-config
  hacon check-config --config /etc/hacon/config.yaml`,
		Args: noArgs,
		Run:  inv.do(func([]string) int { return cmdCheckConfig(path, inv.stdout, inv.stderr) }),
	}
	cmd.Flags().StringVar(&path, "config", "", "config file")
	markConfigFlag(cmd)
	return cmd
}

// cmdCheckConfig prints every problem of a config at once; exit 0 valid, 1 invalid.
func cmdCheckConfig(path string, stdout, stderr io.Writer) int {
	cfg, err := app.LoadConfig(path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if !cfg.ReadOnly {
		if err := actions.CheckAuditPath(cfg.AuditLog); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", cfg.File, err)
			return 1
		}
	}
	n := 0
	for _, c := range cfg.Clusters {
		n += len(c.Controllers)
	}
	fmt.Fprintf(stdout, "%s: valid (%d clusters, %d controllers)\n", cfg.File, len(cfg.Clusters), n)
	return 0
}
