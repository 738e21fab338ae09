package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/discover"
	"github.com/hacon/hacon/remote"
)

type discoverFlags struct {
	via, name, output string
	appendTo, verbose bool
	timeout           time.Duration
}

func newDiscoverCmd(inv *invocation) *cobra.Command {
	var f discoverFlags
	long := `Learns a cluster from one controller (Pacemaker, HAProxy, keepalived) and
writes its hacon config: stdout, or -o FILE. Read-only commands only, run
after the prefix (e.g. --via 'ssh heat-admin@192.0.2.10 sudo'):
`
	for _, c := range discover.Commands() {
		long += "  " + c + "\n"
	}
	cmd := &cobra.Command{
		Use:   "discover [--via 'PREFIX' | -- PREFIX...] [--name N] [-o FILE [--append]]",
		Short: "write the config of a cluster, learnt from one controller",
		Long:  long,
		Example: `  hacon discover --via 'ssh heat-admin@192.0.2.10 sudo' -o ~/.config/hacon/config.yaml
  hacon discover -o config.yaml --append -- ssh -o BatchMode=yes heat-admin@192.0.2.20 sudo`,
		Run: inv.do(func(args []string) int { return cmdDiscover(inv.ctx, f, args, inv.stdout, inv.stderr) }),
	}
	fl := cmd.Flags()
	fl.StringVar(&f.via, "via", "", "command prefix reaching a controller, split on spaces (or give it after --)")
	fl.StringVar(&f.name, "name", "", "cluster name (default: Pacemaker's cluster-name, else overcloud)")
	fl.StringVarP(&f.output, "output", "o", "", "write the config to FILE (refused if it exists, unless --append)")
	_ = cmd.MarkFlagFilename("output", "yaml", "yml")
	fl.BoolVar(&f.appendTo, "append", false, "add the cluster to the existing config in -o FILE")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "print every command run and how it ended")
	fl.DurationVar(&f.timeout, "timeout", 30*time.Second, "timeout of each command on the controller")
	return cmd
}

// cmdDiscover runs discovery and writes the config; exit 0 written, 1
// failed, 2 usage.
func cmdDiscover(ctx context.Context, f discoverFlags, args []string, stdout, stderr io.Writer) int {
	prefix := strings.Fields(f.via)
	if len(args) > 0 {
		if f.via != "" {
			fmt.Fprintln(stderr, "hacon discover: give the prefix with --via or after --, not both")
			return 2
		}
		prefix = args
	}
	if f.appendTo && f.output == "" {
		fmt.Fprintln(stderr, "hacon discover: --append needs -o FILE")
		return 2
	}
	opts := discover.Options{
		Transport: remote.Prefix{Command: prefix, Runner: remote.ExecRunner{}},
		Via:       prefix,
		Timeout:   f.timeout,
		TransportFor: func(p []string) remote.Transport {
			return remote.Prefix{Command: p, Runner: remote.ExecRunner{}}
		},
	}
	if f.verbose {
		opts.Ran = func(argv []string, err error) {
			res := "ok"
			if err != nil {
				res = firstLine(err.Error())
			}
			fmt.Fprintf(stderr, "ran: %s: %s\n", cluster.CleanText(strings.Join(argv, " ")), cluster.CleanText(res))
		}
	}
	return discoverAndWrite(ctx, opts, f.name, f.output, f.appendTo, stdout, stderr)
}

func discoverAndWrite(ctx context.Context, opts discover.Options, name, out string, appendTo bool, stdout, stderr io.Writer) int {
	res, notes, err := discover.Discover(ctx, opts, name)
	if err != nil {
		printNotes(stderr, append(notes, resNotes(res)...))
		fmt.Fprintf(stderr, "hacon discover: %v\n", err)
		return 1
	}
	text, err := composeConfig(res, out, appendTo)
	if err != nil {
		fmt.Fprintf(stderr, "hacon discover: %v\n", err)
		return 1
	}
	printNotes(stderr, append(notes, res.Notes...))
	if out == "" {
		_, _ = stdout.Write(text)
	} else if err := writeAtomically(out, text); err != nil {
		fmt.Fprintf(stderr, "hacon discover: %v\n", err)
		return 1
	}
	c := &res.Cluster
	bmcs := 0
	for _, ctl := range c.Controllers {
		if ctl.BMC != nil {
			bmcs++
		}
	}
	fmt.Fprintf(stderr, "cluster %s: %d controllers, %d BMCs, %d services, %d VIPs, %d HAProxies\n",
		c.Name, len(c.Controllers), bmcs, len(c.Services), len(c.VIPs), len(c.HAProxy))
	if len(res.PasswordEnv) > 0 {
		fmt.Fprintf(stderr, "BMC passwords stay in the CIB: set %s before starting hacon\n", strings.Join(res.PasswordEnv, ", "))
	}
	return 0
}

func resNotes(r *discover.Result) []discover.Note {
	if r == nil {
		return nil
	}
	return r.Notes
}

// composeConfig renders the config (or appends to the existing one) and
// holds it to the config's own rules before anything is written.
func composeConfig(res *discover.Result, out string, appendTo bool) ([]byte, error) {
	text := discover.Render(res)
	shown := "the discovered config"
	if out != "" {
		_, err := os.Stat(out)
		switch {
		case err == nil && !appendTo:
			return nil, fmt.Errorf("%s exists: add the cluster with --append, or pick another file", out)
		case err == nil:
			existing, err := os.ReadFile(out)
			if err != nil {
				return nil, err
			}
			if text, err = discover.Append(existing, res); err != nil {
				return nil, fmt.Errorf("%s: %v", out, err)
			}
		case !errors.Is(err, fs.ErrNotExist):
			return nil, err
		}
		shown = out
	}
	if _, err := config.Parse(shown, text); err != nil {
		return nil, fmt.Errorf("the config would not be valid, nothing written:\n%v", err)
	}
	return text, nil
}

func printNotes(w io.Writer, notes []discover.Note) {
	if len(notes) == 0 {
		return
	}
	fmt.Fprintln(w, "not mapped:")
	for _, n := range notes {
		fmt.Fprintf(w, "  %s: %s\n", cluster.CleanText(n.What), cluster.CleanText(n.Why))
	}
}

// writeAtomically replaces path through a temporary file in its directory,
// keeping an existing file's mode.
func writeAtomically(path string, data []byte) error {
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".hacon-discover-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
