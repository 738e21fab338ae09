// Package redfishemu is a Redfish BMC emulator: the demo cluster's BMCs and
// the peer of the bmc package's tests. It speaks exactly what bmclib's
// Redfish provider needs for power, and can hang, refuse or fail on demand.
// It imports nothing of hacon and not testing, since the demo ships in the
// product binary.
package redfishemu

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Fault is how a Redfish BMC emulator misbehaves, settable at runtime so a
// demo or a test can break one BMC while hacon keeps polling the others.
type Fault int

// The faults a BMC can show.
const (
	FaultNone   Fault = iota
	FaultHang         // accept connections, never answer (until the fault clears or Close)
	FaultRefuse       // stop listening: connection refused
	FaultFail         // answer every request with HTTP 500
)

func (f Fault) String() string {
	switch f {
	case FaultHang:
		return "hang"
	case FaultRefuse:
		return "refuse"
	case FaultFail:
		return "fail"
	}
	return "none"
}

// PowerFunc reports whether the emulated machine is powered on.
type PowerFunc func() bool

// SetPowerFunc powers the emulated machine on or off. The demo cluster uses
// it to stop a node's services when its BMC powers it off.
type SetPowerFunc func(on bool)

// BMC is a minimal Redfish service: exactly the resources bmclib's
// gofish provider reads to get and set power (service root, sessions, the
// Systems collection, one System and its Reset action). It enforces one
// username/password, both as HTTP basic auth and as session login.
type BMC struct {
	user, pass string
	power      PowerFunc
	setPower   SetPowerFunc

	mu         sync.Mutex
	on         bool // used when no callbacks were given
	fault      Fault
	release    chan struct{} // closed to free hung requests
	sessions   map[string]string
	nextSess   int
	cycleDelay time.Duration
	cycleTimer *time.Timer
	addr       string
	srv        *http.Server
	closed     bool
	handlers   sync.WaitGroup // in-flight handlers and the serve loop
	requests   int
}

// New returns an emulator that accepts user/pass. power and
// setPower may be nil: the machine's state is then an internal flag that
// starts on.
func New(user, pass string, power PowerFunc, setPower SetPowerFunc) *BMC {
	b := &BMC{user: user, pass: pass, power: power, setPower: setPower,
		on: true, release: make(chan struct{}), sessions: map[string]string{}}
	if (power == nil) != (setPower == nil) {
		// Half a pair would read one state and write another; keep both internal.
		b.power, b.setPower = nil, nil
	}
	return b
}

// SetCycleDelay makes PowerCycle/ForceRestart power off at once and on again
// after d, like a real machine (and like ipmi_sim's ~1 s); 0 does both at once.
func (b *BMC) SetCycleDelay(d time.Duration) {
	b.mu.Lock()
	b.cycleDelay = d
	b.mu.Unlock()
}

// Start listens on 127.0.0.1 (a free port) and serves until Close. It
// returns host:port; bmclib needs it as "http://127.0.0.1" plus the port.
func (b *BMC) Start() (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return "", errors.New("redfish emulator closed")
	}
	if b.srv != nil {
		return b.addr, nil
	}
	if err := b.listenLocked("127.0.0.1:0"); err != nil {
		return "", err
	}
	return b.addr, nil
}

// Addr is host:port once started.
func (b *BMC) Addr() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.addr
}

// listenLocked binds addr and serves on it; the serve loop counts as a
// handler so Close waits for it.
func (b *BMC) listenLocked(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("redfish emulator listen %s: %w", addr, err)
	}
	srv := &http.Server{Handler: b.routes(), ReadHeaderTimeout: 10 * time.Second}
	b.srv, b.addr = srv, ln.Addr().String()
	b.handlers.Add(1)
	go func() {
		defer b.handlers.Done()
		_ = srv.Serve(ln)
	}()
	return nil
}

// SetFault changes the fault mode. Leaving FaultRefuse listens again on the
// same address; the error says if that address was taken meanwhile.
func (b *BMC) SetFault(f Fault) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed || f == b.fault {
		return nil
	}
	prev := b.fault
	b.fault = f
	if prev == FaultHang {
		close(b.release)
		b.release = make(chan struct{})
	}
	switch {
	case f == FaultRefuse && b.srv != nil:
		// Close (not Shutdown): drop open connections too, as a dead BMC would.
		_ = b.srv.Close()
		b.srv = nil
	case prev == FaultRefuse && b.addr != "":
		return b.listenLocked(b.addr)
	}
	return nil
}

// Fault returns the current fault mode.
func (b *BMC) Fault() Fault {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.fault
}

// Close stops serving, frees hung requests and waits for every handler, so
// no goroutine outlives it.
func (b *BMC) Close() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.closed = true
	close(b.release)
	if b.cycleTimer != nil {
		b.cycleTimer.Stop()
	}
	srv := b.srv
	b.srv = nil
	b.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
	b.handlers.Wait()
}

// On reports the machine's power as the BMC sees it.
func (b *BMC) On() bool {
	if b.power != nil {
		return b.power()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.on
}

// SetOn changes the power (callbacks run outside the lock: they may call
// back into the emulator).
func (b *BMC) SetOn(on bool) {
	if b.setPower != nil {
		b.setPower(on)
		return
	}
	b.mu.Lock()
	b.on = on
	b.mu.Unlock()
}

// Sessions is the number of open Redfish sessions (bmclib should close each).
func (b *BMC) Sessions() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.sessions)
}

// Requests counts the requests that reached a handler.
func (b *BMC) Requests() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.requests
}

// enter registers a handler (refused once closed, so Close's Wait never
// races an Add) and applies the fault mode. ok=false: the request is done.
func (b *BMC) enter(w http.ResponseWriter, r *http.Request) (ok bool) {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return false
	}
	b.handlers.Add(1)
	b.requests++
	fault, release := b.fault, b.release
	b.mu.Unlock()
	if fault == FaultHang {
		select {
		case <-release:
		case <-r.Context().Done():
			b.handlers.Done()
			return false
		}
		b.mu.Lock()
		fault = b.fault
		if b.closed {
			fault = FaultRefuse
		}
		b.mu.Unlock()
	}
	if fault == FaultFail {
		writeRedfishError(w, http.StatusInternalServerError, "Base.1.0.InternalError", "emulated BMC failure")
		b.handlers.Done()
		return false
	}
	if fault == FaultRefuse {
		b.handlers.Done()
		panic(http.ErrAbortHandler) // drop the connection without an answer
	}
	return true
}

// authorized accepts a live session token or matching basic-auth credentials.
func (b *BMC) authorized(r *http.Request) bool {
	if tok := r.Header.Get("X-Auth-Token"); tok != "" {
		b.mu.Lock()
		_, ok := b.sessions[tok]
		b.mu.Unlock()
		return ok
	}
	u, p, ok := r.BasicAuth()
	return ok && b.credentialsMatch(u, p)
}

func (b *BMC) credentialsMatch(u, p string) bool {
	uok := subtle.ConstantTimeCompare([]byte(u), []byte(b.user)) == 1
	pok := subtle.ConstantTimeCompare([]byte(p), []byte(b.pass)) == 1
	return uok && pok
}

// newSession records a session and returns its token and path.
func (b *BMC) newSession() (token, path string) {
	var raw [16]byte
	_, _ = rand.Read(raw[:])
	token = hex.EncodeToString(raw[:])
	b.mu.Lock()
	defer b.mu.Unlock()
	b.nextSess++
	path = sessionsPath + "/" + strconv.Itoa(b.nextSess)
	b.sessions[token] = path
	return token, path
}

// dropSession deletes the session at path; it reports whether it existed.
func (b *BMC) dropSession(path string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for tok, p := range b.sessions {
		if p == path {
			delete(b.sessions, tok)
			return true
		}
	}
	return false
}

// sessionExists reports whether a session lives at path.
func (b *BMC) sessionExists(path string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.sessions {
		if p == path {
			return true
		}
	}
	return false
}

// cycle powers off now and on after the cycle delay (or at once).
func (b *BMC) cycle() {
	b.SetOn(false)
	b.mu.Lock()
	d := b.cycleDelay
	if d <= 0 || b.closed {
		b.mu.Unlock()
		if d <= 0 {
			b.SetOn(true)
		}
		return
	}
	if b.cycleTimer != nil {
		b.cycleTimer.Stop()
	}
	b.cycleTimer = time.AfterFunc(d, func() {
		b.mu.Lock()
		closed := b.closed
		b.mu.Unlock()
		if !closed {
			b.SetOn(true)
		}
	})
	b.mu.Unlock()
}
