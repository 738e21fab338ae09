// Command hacon is a terminal console for highly available OpenStack
// control planes. main only parses flags and wires packages together.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// exitUsage is the exit code of a command line hacon cannot parse.
const exitUsage = 2

// invocation is one run of hacon: where it writes and the exit code its
// command chose. Commands set code; cobra's own errors (unknown command or
// flag, bad value) are usage errors.
type invocation struct {
	ctx            context.Context
	stdout, stderr io.Writer
	code           int
}

// do adapts a command body returning an exit code to cobra.
func (inv *invocation) do(body func(args []string) int) func(*cobra.Command, []string) {
	return func(_ *cobra.Command, args []string) { inv.code = body(args) }
}

// run parses the command line, runs the command and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	// SIGHUP is a dropped SSH session or a closed terminal; SIGINT reaches
	// the console only from outside (its terminal is raw). Like SIGTERM they
	// end the console, never a running action (see cmdConsole).
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGHUP, os.Interrupt)
	defer stop()
	defer startProfile()()
	inv := &invocation{ctx: ctx, stdout: stdout, stderr: stderr}
	root := newRootCmd(inv)
	root.SetArgs(canonicalArgs(root, args))
	if err := root.ExecuteContext(ctx); err != nil {
		msg := err.Error()
		if !strings.HasPrefix(msg, "hacon") {
			msg = "hacon: " + msg
		}
		fmt.Fprintln(stderr, msg)
		return exitUsage
	}
	return inv.code
}

// newRootCmd is the whole command line: the console (the root command) and
// every subcommand. Help, completions and man pages are generated from it.
func newRootCmd(inv *invocation) *cobra.Command {
	root := newConsoleCmd(inv, "hacon", false)
	root.Short = "console for highly available OpenStack control planes"
	root.Long = `hacon — console for highly available OpenStack control planes.

Without a command, hacon is the console on the clusters of its config.
Config lookup: --config, $HACON_CONFIG, $XDG_CONFIG_HOME/hacon/config.yaml,
/etc/hacon/config.yaml (see hacon-config(5)).
Debug log: --log FILE or $HACON_LOG (failed polls and action steps; never a secret).`
	root.Example = `  hacon demo                       the console on an embedded simulated cluster
  hacon status --demo -o json      one poll of the demo, as JSON
  hacon --config overcloud.yaml    the console on a real cluster
  hacon help status                a command's help`
	root.Args = unknownCommand
	root.SuggestionsMinimumDistance = 2
	root.SilenceErrors, root.SilenceUsage = true, true
	root.DisableAutoGenTag = true // reproducible man pages
	root.CompletionOptions.HiddenDefaultCmd = false
	root.SetOut(inv.stdout)
	root.SetErr(inv.stderr)
	root.SetFlagErrorFunc(flagError)
	root.SetHelpCommand(newHelpCmd())
	root.AddCommand(
		newConsoleCmd(inv, "console", false),
		newConsoleCmd(inv, "demo", true),
		newStatusCmd(inv),
		newCheckConfigCmd(inv),
		newExportCmd(inv),
		newAuditCmd(inv),
		newDiscoverCmd(inv),
		newPromRulesCmd(inv),
		newVersionCmd(inv),
		newGenDocsCmd(),
	)
	for _, c := range root.Commands() {
		// Go's flag package stopped at the first argument that is not a
		// flag; discover's prefix after it keeps its own flags (ssh -o …).
		c.Flags().SetInterspersed(false)
	}
	return root
}
