// Command hacon is a terminal console for highly available OpenStack
// control planes. main only parses flags and wires packages together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/prometheus/common/version"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `hacon — console for highly available OpenStack control planes

Usage:
  hacon [--config F] [--read-only] [--wall] [--theme T]   the console
  hacon demo [--wall] [--theme T]                         the console on an embedded demo cluster
  hacon status [--config F | --demo] [-o text|json]       one poll of every source (Nagios exit codes)
  hacon check-config [--config F]                         validate a config, print every problem
  hacon export [--config F | --demo] [--cluster C] [-o F] incident report (Markdown) from the events and audit logs
  hacon audit verify [--file F | --config F]              check the audit log's hash chain, print where it breaks
  hacon discover --via 'ssh HOST sudo' [-o F [--append]]  write the config of a cluster, learnt from one controller
  hacon version                                           build information

Config lookup: --config, $HACON_CONFIG, $XDG_CONFIG_HOME/hacon/config.yaml, /etc/hacon/config.yaml.
Debug log: --log FILE or $HACON_LOG (failed polls and action steps; never a secret).
`

// run dispatches a subcommand and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	// SIGHUP is a dropped SSH session or a closed terminal; SIGINT reaches
	// the console only from outside (its terminal is raw). Like SIGTERM they
	// end the console, never a running action (see cmdConsole).
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGHUP, os.Interrupt)
	defer stop()
	defer startProfile()()
	cmd := ""
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "", "console":
		return cmdConsole(ctx, args, false, stdout, stderr)
	case "demo":
		return cmdConsole(ctx, args, true, stdout, stderr)
	case "status":
		return cmdStatus(ctx, args, stdout, stderr)
	case "check-config":
		return cmdCheckConfig(args, stdout, stderr)
	case "export":
		return cmdExport(ctx, args, stdout, stderr)
	case "audit":
		return cmdAudit(args, stdout, stderr)
	case "discover":
		return cmdDiscover(ctx, args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, version.Print("hacon"))
		return 0
	case "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "hacon: unknown command %q\n\n%s", cmd, usage)
	return 2
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage of hacon %s:\n", name)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses and turns -h into exit 0, bad flags into exit 2.
func parseFlags(fs *flag.FlagSet, args []string) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return 2, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "hacon %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return 2, false
	}
	return 0, true
}
