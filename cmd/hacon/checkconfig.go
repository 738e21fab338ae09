package main

import (
	"fmt"
	"io"

	"github.com/hacon/hacon/actions"
	"github.com/hacon/hacon/internal/app"
)

// cmdCheckConfig prints every problem of a config at once; exit 0 valid, 1 invalid.
func cmdCheckConfig(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("check-config", stderr)
	path := fs.String("config", "", "config file")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	cfg, err := app.LoadConfig(*path)
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
