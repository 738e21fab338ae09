package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/prometheus/common/version"
	"github.com/spf13/cobra"

	"github.com/hacon/hacon/actions"
	"github.com/hacon/hacon/internal/app"
	"github.com/hacon/hacon/tui"
	"github.com/hacon/hacon/views"
)

// consoleFlags are the console's: its command line with no command.
type consoleFlags struct {
	config, theme, log string
	readOnly, wall     bool
	rotate             time.Duration
}

// newConsoleCmd is the console under name: hacon itself, console, or demo
// (the console on the embedded demo cluster, which has no config file).
func newConsoleCmd(inv *invocation, name string, useDemo bool) *cobra.Command {
	var f consoleFlags
	cmd := &cobra.Command{
		Use:   name + " [flags]",
		Short: "the console on the clusters of the config (the default command)",
		Example: `  hacon --config ~/.config/hacon/overcloud.yaml
  hacon --read-only --theme light
  hacon --wall --rotate 30s        read-only NOC display, switching clusters`,
		Args: noArgs,
		Run:  inv.do(func([]string) int { return cmdConsole(inv.ctx, f, useDemo, inv.stderr) }),
	}
	if useDemo {
		cmd.Short = "the console on an embedded simulated 3-controller cluster (break it from the palette)"
		cmd.Example = `  hacon demo
  hacon demo --wall --theme high-contrast`
	}
	fl := cmd.Flags()
	fl.SetInterspersed(false)
	if !useDemo {
		fl.StringVar(&f.config, "config", "", "config file")
		markConfigFlag(cmd)
	}
	fl.BoolVar(&f.readOnly, "read-only", false, "never run actions")
	fl.BoolVar(&f.wall, "wall", false, "read-only wall display for a NOC screen")
	fl.StringVar(&f.theme, "theme", "dark", "dark, light, high-contrast or mono (NO_COLOR forces mono)")
	_ = cmd.RegisterFlagCompletionFunc("theme", cobra.FixedCompletions(views.Themes, cobra.ShellCompDirectiveNoFileComp))
	fl.DurationVar(&f.rotate, "rotate", 15*time.Second, "wall mode: switch clusters this often")
	logFlag(cmd, &f.log)
	return cmd
}

// cmdConsole runs the interactive console, on a config or on the demo.
func cmdConsole(ctx context.Context, f consoleFlags, useDemo bool, stderr io.Writer) int {
	if !validTheme(f.theme) {
		fmt.Fprintf(stderr, "hacon: unknown theme %q (have %v)\n", f.theme, views.Themes)
		return 2
	}
	log, logFile, err := app.OpenLog(f.log)
	if err != nil {
		fmt.Fprintln(stderr, "hacon: debug log:", err)
		return 1
	}
	defer logFile.Close()
	a, err := app.New(app.Options{ConfigPath: f.config, Demo: useDemo, ReadOnly: f.readOnly || f.wall, Log: log})
	if err != nil {
		fmt.Fprintln(stderr, "hacon:", err)
		return 1
	}
	defer a.Close()
	if !a.ReadOnly {
		// Say it now, not at the first action at 3 a.m.
		if err := actions.CheckAuditPath(a.Config.AuditLog); err != nil {
			fmt.Fprintf(stderr, "hacon: %v\nhacon: actions are recorded there before they run; fix audit_log, or start with --read-only\n", err)
			return 1
		}
	}
	a.Start()

	opts := tui.Options{
		Source:    a.Sched,
		ReadOnly:  a.ReadOnly,
		Wall:      f.wall,
		Theme:     f.theme,
		Rotate:    f.rotate,
		EventsLog: a.Config.EventsLog,
		Commands:  demoCommands(a),
		Version:   version.Version,
		Actions:   a.Executor,
		Flight:    &tui.Flight{},

		Environments: environments(a),
	}
	if a.SSH != nil {
		opts.Links = viewLinks(a.SSH)
	}
	// Actions run under a context that ends with the console (q, SIGHUP,
	// SIGTERM, a closed terminal): their commands still run to the end and
	// their result is written, but a verification still watching is
	// abandoned, and recorded so.
	actx, endActions := context.WithCancel(ctx)
	err = tui.Run(actx, opts)
	endActions()
	if opts.Flight.Busy() {
		seen := len(opts.Flight.Results())
		fmt.Fprintln(stderr, "hacon: waiting for the running action's result (its verification is recorded as abandoned)…")
		stopInterrupts := holdInterrupts(stderr)
		opts.Flight.Wait(2 * time.Second)
		stopInterrupts()
		for _, r := range opts.Flight.Results()[seen:] {
			fmt.Fprintln(stderr, "hacon:", r)
		}
	}
	a.Executor.Wait()
	if err != nil {
		fmt.Fprintln(stderr, "hacon:", err)
		return 1
	}
	return 0
}

// holdInterrupts keeps ctrl-c (SIGINT, now that the terminal is no longer
// raw) from killing hacon while an action's result is still to be written;
// each one is answered with why hacon is still here.
func holdInterrupts(stderr io.Writer) (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-ch:
				fmt.Fprintln(stderr, "hacon: still waiting: the action's commands are running; their result goes to the audit log first")
			case <-done:
				return
			}
		}
	}()
	return func() { signal.Stop(ch); close(done) }
}

// logFlag is --log, shared by the subcommands that poll.
func logFlag(cmd *cobra.Command, path *string) {
	cmd.Flags().StringVar(path, "log", "", "append a debug log (failed polls, action steps) to this file (default $"+app.LogEnv+")")
	_ = cmd.MarkFlagFilename("log")
}

// demoCommands are the demo's fault injections as palette commands; a real
// config has none.
func demoCommands(a *app.App) map[string]tui.Command {
	cmds := map[string]tui.Command{}
	if a.Demo == nil {
		return cmds
	}
	for _, f := range a.Demo.FaultCommands() {
		cmds[f.Name] = tui.Command{Help: f.Help, Dangerous: true,
			Run: func(_ context.Context, args []string) (string, error) { return f.Run(args) }}
	}
	return cmds
}

// environments are the clusters' environment cues from the config.
func environments(a *app.App) map[string]views.Env {
	out := map[string]views.Env{}
	for i := range a.Config.Clusters {
		c := &a.Config.Clusters[i]
		if c.Environment != "" {
			out[c.Name] = views.Env{Word: c.Environment, Color: c.EnvironmentColor()}
		}
	}
	return out
}

func validTheme(t string) bool {
	for _, name := range views.Themes {
		if name == t {
			return true
		}
	}
	return false
}
