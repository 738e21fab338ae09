package bmc

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
)

// Power actions SetPower accepts (bmclib's words).
const (
	ActionOn    = "on"
	ActionOff   = "off"   // hard power off
	ActionSoft  = "soft"  // ACPI shutdown
	ActionCycle = "cycle" // off, then on
	ActionReset = "reset" // warm reset; may or may not pass through off
)

// DefaultActionTimeout bounds SetPower when ctx has no deadline.
const DefaultActionTimeout = config.DefaultVerifyTimeout

// PowerResult is what a power action did, as confirmed by reading the BMC.
type PowerResult struct {
	Node      string
	Action    string
	Expected  string        // the power state the action must end in
	Final     string        // the last power state read: on, off or unknown
	Confirmed bool          // Final == Expected, read back from the BMC
	SawOff    bool          // cycle/reset: an off was read before the final on
	Elapsed   time.Duration // from the call to confirmation or giving up
	Reads     int           // power reads made while confirming
	Provider  string        // the bmclib provider that carried out the action
	Error     string        // words; never a password
}

// expectedState is the state an action ends in.
func expectedState(action string) (string, bool) {
	switch action {
	case ActionOff, ActionSoft:
		return PowerOff, true
	case ActionOn, ActionCycle, ActionReset:
		return PowerOn, true
	}
	return "", false
}

// SetPower runs a power action on a controller's BMC and returns only once
// the BMC reads back the expected state, or ctx ends. Like a careful
// operator it re-reads the state every pollEvery; for cycle and reset it
// waits to see off then on again (ipmi_sim's cycle turns on ~1 s after the
// command), accepting an on without an off after cycleGrace (a reset that
// never reads off). It waits for a poll in flight on the same BMC rather
// than opening a second session; polls meanwhile are skipped and see the
// states it reads. The error, if any, repeats Result.Error.
func (p *Pool) SetPower(ctx context.Context, clusterName string, c config.Controller, action string) (PowerResult, error) {
	start := p.now()
	action = strings.ToLower(strings.TrimSpace(action))
	res := PowerResult{Node: c.Name, Action: action, Final: PowerUnknown}
	want, ok := expectedState(action)
	if !ok {
		res.Error = fmt.Sprintf("unknown power action %q (want on, off, soft, cycle or reset)", action)
		return res, errors.New(res.Error)
	}
	res.Expected = want
	if c.BMC == nil {
		res.Error = "no BMC configured"
		return res, errors.New(res.Error)
	}
	if _, has := ctx.Deadline(); !has {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultActionTimeout)
		defer cancel()
	}
	e := p.entry(clusterName, c.Name)
	got, busy, err := run(p, ctx, e, true, func(ctx context.Context) PowerResult {
		return p.setPower(ctx, e, c, res)
	})
	switch {
	case busy:
		got = res
		got.Error = ctxWords(err) + " waiting for another call to this BMC to finish; power " + action + " not sent"
	case err != nil:
		// The worker is still busy (a stuck call); report what we know.
		got = res
		last, _ := p.Last(clusterName, c.Name)
		got.Final = last.Power
		got.Error = fmt.Sprintf("%s waiting for power %s (last read %s)", ctxWords(err), want, got.Final)
	}
	got.Elapsed = p.now().Sub(start)
	if got.Error != "" {
		return got, errors.New(got.Error)
	}
	return got, nil
}

// setPower runs in the worker holding the BMC's slot: one session for the
// command and every read that confirms it.
func (p *Pool) setPower(ctx context.Context, e *entry, c config.Controller, res PowerResult) PowerResult {
	b := c.BMC
	s, v := p.open(e, b)
	if v != nil {
		res.Error = v.words
		return res
	}
	e.callCtx.Store(&ctx)
	if s.driver == "redfish" {
		if err := s.c.Open(ctx); err != nil {
			res.Error = classify(err, ctx.Err(), s.driver, s.cipher, s.password).words
			return res
		}
		defer p.closeSession(ctx, e, s)
	}
	ok, err := s.c.SetPowerState(ctx, res.Action)
	md := s.c.GetMetadata()
	res.Provider = md.SuccessfulProvider
	if err != nil || !ok {
		// gofish answers soft with ok=false although the BMC took the
		// command (formats.md §3): a refusal with no provider error is not
		// a failure, the reads below decide.
		if !(res.Action == ActionSoft && len(md.FailedProviderDetail) == 0) {
			res.Error = "power " + res.Action + ": " + classify(orFailed(err), ctx.Err(), s.driver, s.cipher, s.password).words
			return res
		}
		res.Provider = firstOr(md.ProvidersAttempted, res.Provider)
	}
	return p.confirm(ctx, e, c, s, res, p.now())
}

// confirm re-reads the power state until it matches the action's end state.
func (p *Pool) confirm(ctx context.Context, e *entry, c config.Controller, s *session, res PowerResult, sent time.Time) PowerResult {
	base := p.statusBase(c)
	lastErr := ""
	tick := time.NewTicker(p.pollEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			res.Error = fmt.Sprintf("%s waiting for power %s (last read %s)", ctxWords(ctx.Err()), res.Expected, res.Final)
			if lastErr != "" {
				res.Error += "; last error: " + lastErr
			}
			return res
		case <-tick.C:
		}
		power, rtt, v := p.readPower(ctx, s)
		res.Reads++
		st := withVerdict(base, v)
		st.Power, st.RTT, st.Provider, st.ObservedAt = power, rtt, s.c.GetMetadata().SuccessfulProvider, p.now()
		p.record(e, st) // polls skipped meanwhile show the action's progress
		if v.words != "" {
			// A BMC may drop a session or stall while resetting; keep reading.
			lastErr = v.words
			continue
		}
		res.Final = power
		if power == PowerOff {
			res.SawOff = true
		}
		if power != res.Expected {
			continue
		}
		switch {
		case res.Action != ActionCycle && res.Action != ActionReset,
			res.SawOff,
			p.now().Sub(sent) >= p.cycleGrace:
			res.Confirmed = true
			return res
		}
	}
}

// statusBase is the identity part of a controller's BMCStatus.
func (p *Pool) statusBase(c config.Controller) (st cluster.BMCStatus) {
	st.Node, st.Driver, st.Address = c.Name, strings.ToLower(c.BMC.Driver), displayAddress(c.BMC)
	st.Power = PowerUnknown
	return st
}

// orFailed gives bmclib's ok=false without error a text to classify.
func orFailed(err error) error {
	if err == nil {
		return errors.New("BMC refused the power command")
	}
	return err
}

func firstOr(xs []string, def string) string {
	if len(xs) > 0 {
		return xs[0]
	}
	return def
}
