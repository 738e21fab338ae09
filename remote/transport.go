package remote

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hacon/hacon/config"
)

// Transport runs a tool's argv on one controller. It is the seam a
// connection-keeping transport (an SSH ControlMaster per controller) plugs
// into: Failover and every caller above it only see this interface.
//
// An implementation reports what really ran in Output.Argv (the audit
// records it) and wraps any failure of the way to the controller — nothing
// could have run there — with Unreachable, so Failover knows a change may
// still be sent to the next controller.
type Transport interface {
	Run(ctx context.Context, c config.Controller, tool []string) (Output, error)
}

// Output is one command's result.
type Output struct {
	Argv   []string // what ran, prefix included
	Stdout []byte
	Stderr []byte
}

// Prefix is the Transport of today's config: the prefix's {{.Name}} and
// {{.Address}} are filled from the controller and the tool's argv is
// appended, then a Runner runs the whole line.
type Prefix struct {
	Command []string // the configured prefix; empty runs the tool locally
	Runner  Runner
}

// Expand fills the prefix's templates for one controller.
func (p Prefix) Expand(c config.Controller) ([]string, error) {
	// config.ExpandArgs refuses names, addresses and expansions that could
	// change the meaning of the command line.
	return config.ExpandArgs(p.Command, c)
}

// Argv is the full command line a tool runs as on controller c.
func (p Prefix) Argv(c config.Controller, tool []string) ([]string, error) {
	prefix, err := p.Expand(c)
	if err != nil {
		return nil, err
	}
	return append(prefix, tool...), nil
}

// Run implements Transport.
func (p Prefix) Run(ctx context.Context, c config.Controller, tool []string) (Output, error) {
	argv, err := p.Argv(c, tool)
	if err != nil {
		return Output{}, Unreachable(fmt.Errorf("command prefix: %v", err))
	}
	stdout, stderr, err := p.Runner.Run(ctx, argv)
	out := Output{Argv: argv, Stdout: stdout, Stderr: stderr}
	if err != nil && p.notStarted(ctx, err) {
		err = Unreachable(err)
	}
	return out, err
}

// notStarted tells a failure of the way to the controller from the tool's
// own answer. With a prefix, exit 255 is ssh's own failure (the command
// never reached the host); a runner error that is neither an exit status
// nor a timeout means the program could not be started at all.
func (p Prefix) notStarted(ctx context.Context, err error) bool {
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
		return false // it may have started: its outcome is unknown
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return len(p.Command) > 0 && ee.Code == 255
	}
	return true
}

// unreachable marks an error as a failure to reach the controller; it
// prints and unwraps as the error it carries.
type unreachable struct{ error }

func (u unreachable) Unwrap() error { return u.error }

// Unreachable marks err as a failure of the way to the controller, before
// the tool could run: safe to try elsewhere even for a change.
func Unreachable(err error) error {
	if err == nil {
		return nil
	}
	return unreachable{err}
}

// IsUnreachable reports whether err was marked with Unreachable.
func IsUnreachable(err error) bool {
	var u unreachable
	return errors.As(err, &u)
}

// HostName is how a controller is named in messages: "local" when the
// cluster lists none and commands run on hacon's own host.
func HostName(c config.Controller) string {
	if c.Name == "" {
		return "local"
	}
	return c.Name
}

// Transports gives each cluster its Transport: the Pacemaker prefix, its
// timeout and interval are per cluster. An SSH connection manager
// implements it; PrefixTransports is the plain one.
type Transports interface {
	For(cc *config.Cluster) Transport
}

// PrefixTransports runs every cluster's prefix through Runner, one
// process (and, for ssh, one connection) per command.
type PrefixTransports struct{ Runner Runner }

// For implements Transports.
func (p PrefixTransports) For(cc *config.Cluster) Transport {
	tr := Prefix{Runner: p.Runner}
	if cc != nil {
		tr.Command = cc.PacemakerCommand() // pacemaker.command, else the cluster's command
	}
	return tr
}

// LinkState is what a connection-keeping transport knows about its way to
// one controller, for the node detail screen and `hacon status -o json`.
type LinkState struct {
	Cluster    string
	Controller string
	Via        string // "ssh"
	// Reuse says who keeps the connection: "hacon" (a control master per
	// controller in hacon's socket directory), "prefix" or "ssh config"
	// (the operator's own ControlMaster/ControlPath/ControlPersist win),
	// or "off" (ReuseWhy says why: one connection per command).
	Reuse       string
	ReuseWhy    string
	Up          bool      // the last command reached the controller
	Since       time.Time // when the current connection came up, or when it went down
	Reconnects  int       // connections made again after the first
	LastError   string    // the last failure of the way there, in words; kept after recovery
	LastErrorAt time.Time
	Commands    int // commands run through it
}
