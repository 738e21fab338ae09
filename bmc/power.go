package bmc

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
)

// Power states as BMCStatus.Power reports them (cluster's words).
const (
	PowerOn      = cluster.PowerOn
	PowerOff     = cluster.PowerOff
	PowerUnknown = cluster.PowerUnknown
)

// closeGrace bounds logging out of a Redfish session after the call's own
// context ended: real BMCs have few session slots, so a session is closed
// even when the poll that opened it has timed out.
const closeGrace = 2 * time.Second

// Poll reads one controller's BMC: power, reachability, credentials, RTT,
// and the provider that answered. It returns by ctx's deadline (or the
// BMC's timeout, if sooner) and never panics. If a call to this BMC is
// already in flight the poll is skipped: the previous status comes back
// with Skipped set and an Error saying so, its ObservedAt unchanged.
func (p *Pool) Poll(ctx context.Context, clusterName string, c config.Controller) cluster.BMCStatus {
	if c.BMC == nil {
		return cluster.BMCStatus{Node: c.Name, Power: PowerUnknown, Error: "no BMC configured"}
	}
	base := p.statusBase(c)
	e := p.entry(clusterName, c.Name)
	ctx, cancel := context.WithTimeout(ctx, callTimeout(c.BMC))
	defer cancel()
	start := p.now()
	st, busy, err := run(p, ctx, e, false, func(ctx context.Context) cluster.BMCStatus {
		return p.poll(ctx, e, c.BMC, base)
	})
	if busy {
		return p.skipped(e, base)
	}
	if err != nil {
		st = base
		st.Error, st.RTT = ctxWords(err), p.now().Sub(start)
	}
	st.ObservedAt = p.now()
	p.record(e, st)
	return st
}

// poll runs in the worker goroutine that holds the BMC's slot.
func (p *Pool) poll(ctx context.Context, e *entry, b *config.BMC, st cluster.BMCStatus) cluster.BMCStatus {
	s, v := p.open(e, b)
	if v != nil {
		return withVerdict(st, *v)
	}
	e.callCtx.Store(&ctx)
	if s.driver == "redfish" {
		if err := s.c.Open(ctx); err != nil {
			return withVerdict(st, classify(err, ctx.Err(), s.driver, s.cipher, s.password))
		}
		defer p.closeSession(ctx, e, s)
	}
	power, rtt, v2 := p.readPower(ctx, s)
	st.Power, st.RTT, st.Provider = power, rtt, s.c.GetMetadata().SuccessfulProvider
	if s.driver == "redfish" && v2.words != ErrAuth {
		// The session opened, so the credentials work whatever came next.
		v2.authOK = true
	}
	return withVerdict(st, v2)
}

// readPower asks the BMC for its power state once. For ipmitool no Open is
// needed (its Open only runs `power status` too, doubling the forks).
func (p *Pool) readPower(ctx context.Context, s *session) (string, time.Duration, verdict) {
	t0 := p.now()
	raw, err := s.c.GetPowerState(ctx)
	rtt := p.now().Sub(t0)
	if err != nil {
		return PowerUnknown, rtt, classify(err, ctx.Err(), s.driver, s.cipher, s.password)
	}
	return normalizePower(raw), rtt, verdict{reachable: true, authOK: true}
}

// closeSession logs out of a Redfish session. Once the call's context is
// done its connections are cut, so logging out gets a short fresh one.
func (p *Pool) closeSession(ctx context.Context, e *entry, s *session) {
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), closeGrace)
		defer cancel()
		e.callCtx.Store(&ctx)
	}
	_ = s.c.Close(ctx)
}

// withVerdict fills the outcome fields of a status.
func withVerdict(st cluster.BMCStatus, v verdict) cluster.BMCStatus {
	st.Reachable, st.AuthOK, st.Error = v.reachable, v.authOK, v.words
	st.FenceReady = st.Reachable && st.AuthOK
	return st
}

// skipped is the previous status of a busy BMC, flagged so the operator
// sees that it is getting old rather than fresh.
func (p *Pool) skipped(e *entry, base cluster.BMCStatus) cluster.BMCStatus {
	e.mu.Lock()
	last, at := e.last, e.lastAt
	e.mu.Unlock()
	if at.IsZero() {
		last = base
	}
	last.Skipped = true
	msg := ErrSkipped
	if !at.IsZero() {
		msg += fmt.Sprintf("; status from %s ago", p.now().Sub(at).Round(time.Millisecond))
	}
	if last.Error != "" && !strings.HasPrefix(last.Error, ErrSkipped) {
		msg += "; last error: " + last.Error
	}
	last.Error = msg
	return last
}

// record keeps a status as the BMC's latest (skipped ones are never
// recorded: they are copies).
func (p *Pool) record(e *entry, st cluster.BMCStatus) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.last, e.lastAt = st, st.ObservedAt
}

// normalizePower maps provider answers to on/off/unknown: ipmitool says
// "Chassis Power is on\n", gofish "On"/"Off" (PoweringOn etc. are in flux,
// hence unknown).
func normalizePower(raw string) string {
	v := strings.ToLower(strings.TrimSpace(raw))
	switch {
	case v == "on", strings.HasSuffix(v, "power is on"):
		return PowerOn
	case v == "off", strings.HasSuffix(v, "power is off"):
		return PowerOff
	}
	return PowerUnknown
}

// ctxWords names why a call ended early.
func ctxWords(err error) string {
	if errors.Is(err, context.Canceled) {
		return "cancelled"
	}
	return ErrTimeout
}

// displayAddress is where the BMC is, for operators: never credentials
// (an address given as a URL with user:pass@ loses them).
func displayAddress(b *config.BMC) string {
	addr := b.Address
	if u, err := url.Parse(addr); err == nil && u.User != nil {
		u.User = nil
		addr = u.String()
	}
	if b.Port > 0 {
		addr += ":" + strconv.Itoa(b.Port)
	}
	return addr
}
