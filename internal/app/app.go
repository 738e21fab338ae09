// Package app assembles hacon: a config file, or the embedded demo cluster,
// becomes the probes on one scheduler, the one BMC pool they share with the
// action executor, and the executor. The CLI, the demo and the tests build
// hacon here and nowhere else, so a new source or dependency is wired once.
//
// app stops short of the console: tui's own tests run on an App (through
// internal/testpeers/polleddemo), so app must not import tui; the CLI turns
// an App into tui.Options in a few lines.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hacon/hacon/actions"
	"github.com/hacon/hacon/bmc"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/demo"
	"github.com/hacon/hacon/probes"
	"github.com/hacon/hacon/remote"
	"github.com/hacon/hacon/remote/sshmux"
)

// Options says what to assemble.
type Options struct {
	ConfigPath string // --config; "" looks where config.Locate does (unused with Demo)
	Demo       bool   // poll the embedded demo cluster instead of a config
	ReadOnly   bool   // never run actions (the config's read_only sets it too)
	// Interval, when set, polls every source this often whatever the
	// config says: tests see changes in milliseconds, not seconds.
	Interval      time.Duration
	AuditLog      string        // "" the config's audit_log
	VerifyTimeout time.Duration // 0 the config's verify_timeout
	// Log receives one debug line per failed poll and per action step;
	// nil writes nothing.
	Log *slog.Logger
	// PacemakerOnly polls nothing but the Pacemaker sources
	// (scripts/measure-ssh measures the ssh transport alone).
	PacemakerOnly bool
	// SocketDir holds the ssh control sockets; "" is sshmux.SocketDir()
	// ($XDG_RUNTIME_DIR/hacon or a private directory under $TMPDIR).
	SocketDir string
}

// App is hacon assembled: everything the console, status and tests use.
type App struct {
	Config   *config.Config
	Sched    *probes.Scheduler
	BMC      *bmc.Pool // the probes poll through it and power actions use it: one session per BMC
	Executor *actions.Executor
	Demo     *demo.Cluster // nil unless Options.Demo
	// SSH carries the Pacemaker commands of every cluster whose prefix is
	// ssh, one connection per controller, for the probes and the actions
	// alike; nil for the demo. Links() is its per-controller state.
	SSH      *sshmux.Manager
	ReadOnly bool // Options.ReadOnly or the config's read_only

	stop func() // stops what Start started; nil before Start
}

// New assembles hacon. Nothing polls until Start (or Sched.PollOnce).
func New(opts Options) (*App, error) {
	a := &App{}
	runner := remote.Runner(remote.ExecRunner{})
	var local remote.Runner // nil: the executor previews with the local crm_simulate
	if opts.Demo {
		d, err := demo.Start()
		if err != nil {
			return nil, fmt.Errorf("starting the demo cluster: %w", err)
		}
		a.Demo, a.Config = d, d.Config()
		// The demo answers Pacemaker's CLI itself, for polls and previews alike.
		runner, local = d.Runner(), d.Runner()
	} else {
		cfg, err := LoadConfig(opts.ConfigPath)
		if err != nil {
			return nil, err
		}
		a.Config = cfg
	}
	if opts.Interval > 0 {
		pollEvery(a.Config, opts.Interval)
	}
	if opts.PacemakerOnly {
		pacemakerOnly(a.Config)
	}
	if opts.AuditLog != "" {
		a.Config.AuditLog = opts.AuditLog
	}
	a.BMC = bmc.NewPool()
	var transports remote.Transports = remote.PrefixTransports{Runner: runner}
	if !opts.Demo {
		a.SSH = sshmux.New(sshmux.Options{Config: a.Config, Runner: runner, Dir: opts.SocketDir, Log: opts.Log})
		transports = a.SSH
	}
	targets, err := probes.Targets(a.Config, &probes.Deps{Runner: runner, Transports: transports, HTTP: probes.NewHTTPClients(), BMC: a.BMC})
	if err != nil {
		a.closeDemo()
		a.closeSSH()
		return nil, err
	}
	a.Sched = probes.NewScheduler(a.Config, targets)
	a.Sched.Log = opts.Log
	a.ReadOnly = opts.ReadOnly || a.Config.ReadOnly
	a.Executor = actions.New(actions.Options{
		Config:        a.Config,
		ReadOnly:      a.ReadOnly,
		Runner:        runner,
		Transports:    transports,
		Local:         local,
		BMC:           a.BMC,
		Audit:         actions.NewAuditLog(a.Config.AuditLog),
		Source:        a.Sched,
		VerifyTimeout: opts.VerifyTimeout,
		Log:           opts.Log,
	})
	return a, nil
}

// pacemakerOnly drops every source but Pacemaker from cfg.
func pacemakerOnly(cfg *config.Config) {
	for ci := range cfg.Clusters {
		cc := &cfg.Clusters[ci]
		cc.HAProxy, cc.Services, cc.VIPs = nil, nil, nil
		for i := range cc.Controllers {
			cc.Controllers[i].BMC = nil
		}
	}
}

// pollEvery sets every cluster's and every BMC's interval.
func pollEvery(cfg *config.Config, d time.Duration) {
	cfg.Interval = d
	for ci := range cfg.Clusters {
		cc := &cfg.Clusters[ci]
		cc.Interval = d
		for i := range cc.Controllers {
			if b := cc.Controllers[i].BMC; b != nil {
				b.Interval = d
			}
		}
	}
}

// Start polls every source in the background until Close. The polling
// deliberately ignores the caller's cancellation (a SIGHUP from a lost SSH
// session): an action still running is verified against fresh snapshots
// until Close, after the executor has been waited for.
func (a *App) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.Sched.Run(ctx); close(done) }()
	a.stop = func() { cancel(); <-done }
}

// Close stops polling (when started), closes the ssh connections hacon
// made and stops the demo cluster (when running). The caller waits for a
// running action first (Executor.Wait): its connection closes here.
func (a *App) Close() {
	if a.stop != nil {
		a.stop()
		a.stop = nil
	}
	a.closeSSH()
	a.closeDemo()
}

func (a *App) closeSSH() {
	if a.SSH != nil {
		a.SSH.Close()
	}
}

func (a *App) closeDemo() {
	if a.Demo != nil {
		a.Demo.Close()
	}
}

// LoadConfig finds and loads a config the way every subcommand does:
// --config, then $HACON_CONFIG and the standard places; invalid configs
// report every problem at once.
func LoadConfig(flagPath string) (*config.Config, error) {
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
	TuneRuntime(cfg)
	return cfg, nil
}
