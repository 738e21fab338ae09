// Package tui is hacon's console: a bubbletea v2 program over the probe
// scheduler's snapshots. Rendering lives in package views (pure functions
// of a snapshot and view state); this package owns the state, the keys and
// the I/O (events log, exports, palette commands).
package tui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/hacon/hacon/actions"
	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/timeline"
	"github.com/hacon/hacon/views"
)

// SnapshotSource is where snapshots come from; the probe scheduler
// implements it.
type SnapshotSource interface {
	// Snapshot returns the newest snapshot.
	Snapshot() cluster.Snapshot
	// Updates signals (coalesced) that a new snapshot is available.
	Updates() <-chan struct{}
	// Rebuild makes a fresh snapshot now, so ages and staleness move even
	// when no poll finishes.
	Rebuild() cluster.Snapshot
}

// Command is an extra palette command registered by the caller (fault
// injection in the demo, :move and :fence from the actions).
type Command struct {
	Help      string
	Dangerous bool // changes the cluster: refused in read-only and wall mode
	Run       func(ctx context.Context, args []string) (string, error)
}

// ActionRunner plans and executes operator actions; *actions.Executor
// implements it. Plan may take seconds (crm_simulate) and Execute blocks
// until the action is verified or times out, so the console only ever
// calls them from commands, never from Update.
type ActionRunner interface {
	Plan(ctx context.Context, req actions.Request, snap cluster.Snapshot) (*actions.Preview, error)
	// ExecuteNotify calls resultWritten once the result line is in the
	// audit log, before verification; when ctx ends verification is
	// abandoned (and recorded so), the commands never are.
	ExecuteNotify(ctx context.Context, p *actions.Preview, c actions.Confirmation, resultWritten func(actions.Outcome)) (actions.Outcome, error)
}

// Options configure the console.
type Options struct {
	Source    SnapshotSource
	ReadOnly  bool
	Wall      bool // NOC wall: implies ReadOnly
	Theme     string
	Rotate    time.Duration // wall mode: switch cluster this often (0: never)
	EventsLog string        // default $XDG_STATE_HOME/hacon/events.log; "-" disables
	ExportDir string        // default $XDG_STATE_HOME/hacon
	Commands  map[string]Command
	Version   string
	Actions   ActionRunner // nil: no operator actions
	// Flight counts dispatched executions; the caller waits on it after Run
	// returns so quitting never abandons an action. New makes one if nil.
	Flight *Flight
	// ConfirmDelay is how long after a preview opens its consent keys are
	// ignored: a key typed ahead for something else must not confirm an
	// action the operator has not seen. 0 means defaultConfirmDelay;
	// negative, no delay (tests that answer at machine speed).
	ConfirmDelay time.Duration
	// Clock tells the time of confirmations and action results; nil means
	// time.Now. Tests inject their own.
	Clock func() time.Time
	// Environments are the clusters' environment cues by cluster name
	// (production, staging…): shown in the header, the footer and the wall.
	Environments map[string]views.Env
	// Links, when set, is the state of hacon's ssh connection to a
	// controller, shown in its node detail (nil: not reached over ssh).
	Links func(cluster, node string) *views.Link
}

// defaultConfirmDelay is long enough to see a preview appear, short
// enough not to feel like a hang.
const defaultConfirmDelay = 400 * time.Millisecond

// renderFPS caps how often a frame is written. bubbletea is patched
// (third_party/bubbletea, PATCHED.md) to write a frame as soon as Update
// made it instead of on a ticker: a key is on the terminal at once, and an
// idle console does not wake at all. Data cannot repaint faster for the
// cap: snapshots reach the model at most once per probes.UpdateBatch
// (150 ms, ~7 frames a second) and ages once per tickEvery.
const renderFPS = 120

// New builds the console model. NO_COLOR (non-empty) forces the mono theme.
func New(opts Options) Model {
	if opts.EventsLog == "" {
		opts.EventsLog = filepath.Join(config.StateDir(), "events.log")
	}
	if opts.ExportDir == "" {
		opts.ExportDir = config.StateDir()
	}
	if opts.Flight == nil {
		opts.Flight = &Flight{}
	}
	if opts.ConfirmDelay == 0 {
		opts.ConfirmDelay = defaultConfirmDelay
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	m := Model{
		opts:   opts,
		ctx:    context.Background(),
		keys:   DefaultKeyMap(),
		styles: views.NewStyles(opts.Theme, os.Getenv("NO_COLOR") != ""),
		log:    timeline.NewLog(opts.EventsLog),
		// The session names its incidents: consoles sharing an events log
		// never reuse an ID.
		incidents: timeline.NewTracker(strconv.Itoa(os.Getpid())),
		w:         80,
		h:         24,
	}
	if opts.Source != nil {
		m.snap = opts.Source.Snapshot()
		m.now = m.snap.Taken
		m.lastRotate = m.now
		if m.hasFleet() {
			m.screen = scrFleet
		}
	}
	return m
}

// Run runs the console on the terminal until the user quits or ctx ends.
func Run(ctx context.Context, opts Options) error {
	m := New(opts)
	m.ctx = ctx
	// Keys first: see renderFPS.
	in, closeInput, err := consoleInput()
	if err != nil {
		return err
	}
	defer closeInput()
	_, err = tea.NewProgram(m, tea.WithContext(ctx), tea.WithFPS(renderFPS), tea.WithInput(in)).Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil // the caller cancelled: not an error of the console
	}
	return err
}
