// Package sshmux reaches controllers over the system ssh the way Ansible
// does: one authenticated connection per controller (an OpenSSH control
// master, ControlMaster=auto with ControlPersist) carries every poll and
// every action, so a console polling every two seconds logs in once, not
// 1,800 times an hour.
//
// It also makes sure ssh never asks anything: commands run without a
// controlling terminal (remote.ExecRunner) and with BatchMode=yes unless
// the prefix says otherwise, and what ssh says when it fails (unknown or
// changed host key, refused login, missing key) becomes an error naming
// the fix. The operator's own ssh settings win: ~/.ssh/config, ProxyJump,
// agents and certificates work as in their shell, and a ControlMaster,
// ControlPath or ControlPersist of theirs (in the prefix or the config)
// turns hacon's own sharing off.
package sshmux

import (
	"context"
	"errors"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/remote"
)

// Options configure a Manager.
type Options struct {
	Config *config.Config
	Runner remote.Runner // default remote.ExecRunner{}
	// Dir holds the control sockets; "" is SocketDir(). It must be a
	// private directory (checked either way).
	Dir string
	Log *slog.Logger // one line per connection made or lost; nil logs nothing
	Now func() time.Time
}

// Manager keeps one ssh connection per controller for every cluster whose
// Pacemaker prefix is ssh. It implements remote.Transports. Close it to
// close the masters it made.
type Manager struct {
	cfg    *config.Config
	runner remote.Runner
	dir    string
	dirErr error // the socket directory is unusable: no sharing, said in the link state
	log    *slog.Logger
	now    func() time.Time

	ctx    context.Context // ends at Close: stops health checks
	cancel context.CancelFunc
	checks sync.WaitGroup

	mu    sync.Mutex
	links map[linkKey]*link
}

type linkKey struct{ cluster, controller, line string }

// New returns a Manager; nothing runs until a command does.
func New(o Options) *Manager {
	m := &Manager{cfg: o.Config, runner: o.Runner, dir: o.Dir, log: o.Log, now: o.Now, links: map[linkKey]*link{}}
	if m.runner == nil {
		m.runner = remote.ExecRunner{}
	}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	if m.now == nil {
		m.now = time.Now
	}
	if m.dir == "" {
		m.dir, m.dirErr = SocketDir()
	} else {
		m.dirErr = privateDir(m.dir)
	}
	m.ctx, m.cancel = context.WithCancel(context.Background())
	return m
}

// For implements remote.Transports: the Transport of cc's Pacemaker
// prefix, with cc's timeout and interval bounding ssh's own timers.
func (m *Manager) For(cc *config.Cluster) remote.Transport {
	t := &transport{m: m, prefix: remote.Prefix{Runner: m.runner}}
	var pInterval, pTimeout time.Duration
	if cc != nil {
		t.cluster = cc.Name
		t.prefix.Command = cc.PacemakerCommand() // pacemaker.command, else the cluster's command
		if cc.Pacemaker != nil {
			pInterval, pTimeout = cc.Pacemaker.Interval, cc.Pacemaker.Timeout
		}
	}
	t.timeout, t.persist = remote.DefaultTimeout, time.Minute
	if m.cfg != nil {
		t.timeout = m.cfg.TimeoutFor(cc, pTimeout, pInterval)
		// A master outlives a few polls of silence, so ControlPersist
		// never expires between two polls (a client racing an exiting
		// master fails with "mux_client_hello_exchange: Broken pipe").
		t.persist = max(time.Minute, 3*m.cfg.IntervalFor(cc, pInterval))
	}
	return t
}

// transport is one cluster's Pacemaker prefix through the Manager.
type transport struct {
	m       *Manager
	cluster string
	prefix  remote.Prefix
	timeout time.Duration // the Pacemaker source's timeout
	persist time.Duration // ControlPersist
}

// Run implements remote.Transport. A prefix whose command is not ssh runs
// as remote.Prefix runs it.
func (t *transport) Run(ctx context.Context, c config.Controller, tool []string) (remote.Output, error) {
	argv, err := t.prefix.Expand(c)
	if err != nil || !isSSH(argv) {
		return t.prefix.Run(ctx, c, tool)
	}
	l := t.m.link(t.cluster, remote.HostName(c), argv)
	l.resolve(ctx, t.m)
	full := l.argv(ctx, t, tool)
	release, err := l.serialize(ctx)
	if err != nil {
		l.failed(t.m.now(), err.Error())
		return remote.Output{Argv: full}, remote.Unreachable(err)
	}
	stdout, stderr, err := t.m.runner.Run(ctx, full)
	release()
	out := remote.Output{Argv: full, Stdout: stdout, Stderr: stderr}
	return out, t.settle(ctx, l, err, stderr)
}

// settle records what a command says about the way to its controller and
// returns the error the caller sees: ssh's own failures (exit 255) in
// words and marked Unreachable; the tool's own answers unchanged.
func (t *transport) settle(ctx context.Context, l *link, err error, stderr []byte) error {
	now := t.m.now()
	var ee *remote.ExitError
	switch {
	case err == nil || (errors.As(err, &ee) && ee.Code != 255 && ctx.Err() == nil):
		if l.reached(now) {
			t.m.log.Debug("ssh connection made", "cluster", t.cluster, "controller", l.state.Controller, "reuse", l.snapshot().Reuse)
		}
		return err
	case ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded):
		// It may have run: not Unreachable (a change is never re-sent).
		l.failed(now, "no answer in time: "+err.Error())
		t.m.suspect(l, t.timeout)
		return err
	case ee != nil:
		e := explain(string(stderr), l.line)
		l.failed(now, e.Msg)
		t.m.log.Debug("ssh failed", "cluster", t.cluster, "controller", l.state.Controller, "error", e.Msg, "stderr", e.Stderr)
		t.m.suspect(l, t.timeout)
		return remote.Unreachable(e)
	default:
		l.failed(now, err.Error())
		return remote.Unreachable(err)
	}
}

// link returns the link of one controller's ssh line, made on first use.
func (m *Manager) link(cluster, controller string, argv []string) *link {
	k := linkKey{cluster, controller, joinArgv(argv)}
	m.mu.Lock()
	defer m.mu.Unlock()
	l := m.links[k]
	if l == nil {
		l = newLink(cluster, controller, parseSSH(argv))
		m.links[k] = l
	}
	return l
}

func joinArgv(argv []string) string {
	n := 0
	for _, a := range argv {
		n += len(a) + 1
	}
	b := make([]byte, 0, n)
	for _, a := range argv {
		b = append(append(b, a...), 0)
	}
	return string(b)
}

// Links is the state of every controller reached so far, by cluster and
// controller name.
func (m *Manager) Links() []remote.LinkState {
	m.mu.Lock()
	out := make([]remote.LinkState, 0, len(m.links))
	for _, l := range m.links {
		out = append(out, l.snapshot())
	}
	m.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Cluster != out[j].Cluster {
			return out[i].Cluster < out[j].Cluster
		}
		return out[i].Controller < out[j].Controller
	})
	return out
}

// Link is one controller's state; false when hacon has not reached it
// over ssh yet.
func (m *Manager) Link(cluster, controller string) (remote.LinkState, bool) {
	for _, s := range m.Links() {
		if s.Cluster == cluster && s.Controller == controller {
			return s, true
		}
	}
	return remote.LinkState{}, false
}
