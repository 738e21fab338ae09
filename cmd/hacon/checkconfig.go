package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/hacon/hacon/actions"
	"github.com/hacon/hacon/config"
)

// cmdCheckConfig prints every problem of a config at once; exit 0 valid, 1 invalid.
func cmdCheckConfig(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("check-config", stderr)
	path := fs.String("config", "", "config file")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	cfg, err := loadConfig(*path)
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

func loadConfig(flagPath string) (*config.Config, error) {
	path, err := config.Locate(flagPath)
	if err != nil {
		return nil, err
	}
	cfg, err := config.Load(path)
	if err != nil {
		var ps config.Problems
		if errors.As(err, &ps) {
			return nil, fmt.Errorf("%s: %d problem(s):\n%w", path, len(ps), err)
		}
		return nil, err
	}
	return cfg, nil
}
