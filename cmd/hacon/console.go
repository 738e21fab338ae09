package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/prometheus/common/version"

	"github.com/hacon/hacon/actions"
	"github.com/hacon/hacon/probes"
	"github.com/hacon/hacon/tui"
	"github.com/hacon/hacon/views"
)

// cmdConsole runs the interactive console, on a config or on the demo.
func cmdConsole(ctx context.Context, args []string, useDemo bool, stdout, stderr io.Writer) int {
	fs := newFlagSet("console", stderr)
	path := "" // the demo has no config file
	if !useDemo {
		fs.StringVar(&path, "config", "", "config file")
	}
	readOnly := fs.Bool("read-only", false, "never run actions")
	wall := fs.Bool("wall", false, "read-only wall display for a NOC screen")
	theme := fs.String("theme", "dark", "dark, light, high-contrast or mono (NO_COLOR forces mono)")
	rotate := fs.Duration("rotate", 15*time.Second, "wall mode: switch clusters this often")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if !validTheme(*theme) {
		fmt.Fprintf(stderr, "hacon: unknown theme %q (have %v)\n", *theme, views.Themes)
		return 2
	}
	src, err := newSources(path, useDemo)
	if err != nil {
		fmt.Fprintln(stderr, "hacon:", err)
		return 1
	}
	defer src.close()
	// The scheduler outlives a cancelled ctx (SIGHUP from a lost SSH
	// session) until this function returns: an action still running then
	// is verified against fresh snapshots before hacon exits.
	schedCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() { src.sched.Run(schedCtx); close(done) }()
	defer func() { cancel(); <-done }()

	ro := *readOnly || *wall || src.cfg.ReadOnly
	if !ro {
		// Say it now, not at the first action at 3 a.m.
		if err := actions.CheckAuditPath(src.cfg.AuditLog); err != nil {
			fmt.Fprintf(stderr, "hacon: %v\nhacon: actions are recorded there before they run; fix audit_log, or start with --read-only\n", err)
			return 1
		}
	}
	ex := newExecutor(src, ro)
	opts := tui.Options{
		Source:    src.sched,
		ReadOnly:  ro,
		Wall:      *wall,
		Theme:     *theme,
		Rotate:    *rotate,
		EventsLog: src.cfg.EventsLog,
		Commands:  map[string]tui.Command{},
		Version:   version.Version,
		Actions:   ex,
		Flight:    &tui.Flight{},
	}
	if src.demo != nil {
		for _, f := range src.demo.FaultCommands() {
			f := f
			opts.Commands[f.Name] = tui.Command{Help: f.Help, Dangerous: true,
				Run: func(_ context.Context, args []string) (string, error) { return f.Run(args) }}
		}
	}
	err = tui.Run(ctx, opts)
	// ctrl-c or q must not abandon an action silently: it finishes (or
	// times out), is audited, and its result is printed before hacon exits.
	if opts.Flight.Busy() {
		seen := len(opts.Flight.Results())
		fmt.Fprintln(stderr, "hacon: waiting for the running action to finish…")
		stopInterrupts := holdInterrupts(stderr)
		opts.Flight.Wait(2 * time.Second)
		stopInterrupts()
		for _, r := range opts.Flight.Results()[seen:] {
			fmt.Fprintln(stderr, "hacon:", r)
		}
	}
	ex.Wait()
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
				fmt.Fprintln(stderr, "hacon: still waiting: the action's result is being verified and written to the audit log")
			case <-done:
				return
			}
		}
	}()
	return func() { signal.Stop(ch); close(done) }
}

// newExecutor wires the action executor to the same runner, BMC pool and
// scheduler as the probes. The demo previews with its own crm_simulate.
func newExecutor(src *sources, readOnly bool) *actions.Executor {
	var local probes.Runner
	if src.demo != nil {
		local = src.demo.Runner()
	}
	return actions.New(actions.Options{
		Config:   src.cfg,
		ReadOnly: readOnly,
		Runner:   src.deps.Runner,
		Local:    local,
		BMC:      src.bmc,
		Audit:    actions.NewAuditLog(src.cfg.AuditLog),
		Source:   src.sched,
	})
}

func validTheme(t string) bool {
	for _, name := range views.Themes {
		if name == t {
			return true
		}
	}
	return false
}
