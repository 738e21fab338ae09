package remote

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hacon/hacon/config"
)

// Op says what a command does to the cluster, which decides how far a
// failure may send it.
type Op int

const (
	// Read changes nothing: any failure moves on to the next controller
	// (the one asked may be the one being fenced, or have Pacemaker
	// stopped), and every attempt gets an equal share of the time left, so
	// a hung ssh costs one share, not the whole deadline.
	Read Op = iota
	// Change alters the cluster. It moves on only when the way to the
	// controller failed before the tool could run (see Unreachable). A
	// tool's own refusal is final — the next controller would say the
	// same — and a timeout leaves the outcome unknown (a fence may still
	// be under way), so a change is never sent a second time. The one
	// attempt that runs gets all the time left.
	Change
)

// DefaultTimeout bounds a command whose caller gave no deadline, so no
// caller can hang on a controller forever.
const DefaultTimeout = 30 * time.Second

// ErrOutcomeUnknown is wrapped by the error of a change that timed out.
var ErrOutcomeUnknown = errors.New("outcome unknown, check the cluster before retrying")

// NoAnswerError is returned when no controller answered.
type NoAnswerError struct {
	Tried []string // "name: why" per controller, and which ones were not reached for lack of time
}

func (e *NoAnswerError) Error() string {
	return "no controller answered: " + strings.Join(e.Tried, "; ")
}

// Answer is who answered a Failover, and why the ones asked before did not.
type Answer struct {
	Host   config.Controller
	Failed []string // "name: why" per controller asked before Host
}

// Failover calls attempt on each host in order until one succeeds, under
// ctx's deadline and op's rules. attempt may run several commands on its
// host (a retry with other options, say); they share that host's budget.
func Failover(ctx context.Context, hosts []config.Controller, op Op, attempt func(ctx context.Context, c config.Controller) error) (Answer, error) {
	var failed []string
	for i, h := range hosts {
		actx, cancel := budget(ctx, op, len(hosts)-i)
		err := attempt(actx, h)
		timedOut := actx.Err() != nil || errors.Is(err, context.DeadlineExceeded)
		cancel()
		name := HostName(h)
		switch {
		case err == nil:
			return Answer{Host: h, Failed: failed}, nil
		case op == Change && IsUnreachable(err):
			// Nothing ran: the next controller may be asked.
		case op == Change && timedOut:
			return Answer{Host: h}, fmt.Errorf("on %s: %w: %w", name, err, ErrOutcomeUnknown)
		case op == Change:
			return Answer{Host: h}, fmt.Errorf("on %s: %w", name, err)
		}
		failed = append(failed, name+": "+err.Error())
		if ctx.Err() != nil && i < len(hosts)-1 {
			failed = append(failed, "no time left for "+names(hosts[i+1:]))
			break
		}
	}
	return Answer{}, &NoAnswerError{Tried: failed}
}

// budget is one attempt's slice of ctx's deadline: an equal share of the
// time left among the n controllers still to ask for a Read, all of it for
// a Change, and DefaultTimeout when ctx has no deadline.
func budget(ctx context.Context, op Op, n int) (context.Context, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	if !ok {
		return context.WithTimeout(ctx, DefaultTimeout)
	}
	if op == Change {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, time.Until(dl)/time.Duration(max(n, 1)))
}

func names(cs []config.Controller) string {
	ns := make([]string, len(cs))
	for i, c := range cs {
		ns[i] = HostName(c)
	}
	return strings.Join(ns, ", ")
}

// Host is a Transport bound to one controller: the one that answered a
// Failover, for the commands that follow on it.
type Host struct {
	Transport  Transport
	Controller config.Controller
}

// Run runs tool on the host, bounded by DefaultTimeout when ctx has no
// deadline.
func (h Host) Run(ctx context.Context, tool []string) (Output, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	return h.Transport.Run(ctx, h.Controller, tool)
}
