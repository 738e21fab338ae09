// Package bmc talks to controllers' baseboard management controllers through
// bmclib v2: IPMI via its ipmitool provider, Redfish via its gofish
// provider. A Pool polls power state and reachability (probes.BMCPoller)
// and runs confirmed power actions, keeping at most one session per BMC
// and never letting a password out in any string it returns.
package bmc

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	bmclib "github.com/bmc-toolbox/bmclib/v2"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
)

// DefaultTimeout bounds a BMC call when neither the config nor the
// caller's context gives a deadline.
const DefaultTimeout = 10 * time.Second

// Pool holds one bmclib client per controller BMC; one Pool per process.
// It is safe for concurrent use.
type Pool struct {
	mu   sync.Mutex
	bmcs map[string]*entry // cluster/node → entry

	// lookPath finds ipmitool; tests replace it to simulate a host without it.
	lookPath func(string) (string, error)
	// now is the clock, replaceable in tests.
	now func() time.Time
	// pollEvery is how often SetPower re-reads the state while confirming.
	pollEvery time.Duration
	// cycleGrace is how long a cycle/reset keeps watching for the off it
	// should pass through once it already reads on again.
	cycleGrace time.Duration
	// workers counts goroutines still running bmclib calls (see Close).
	workers sync.WaitGroup
}

// NewPool returns an empty Pool; clients are made on first use.
func NewPool() *Pool {
	return &Pool{bmcs: map[string]*entry{}, lookPath: exec.LookPath, now: time.Now,
		pollEvery: 250 * time.Millisecond, cycleGrace: 2 * time.Second}
}

// entry is one BMC. slot is its single session: a call holds it from
// start to end, including any bmclib work left running after the caller's
// deadline, so a second session is never opened beside a stuck one.
type entry struct {
	slot chan struct{}

	mu       sync.Mutex
	last     cluster.BMCStatus
	lastAt   time.Time
	client   *bmclib.Client
	clientID string // fingerprint of the settings the client was built from

	// callCtx is the context of the call now holding slot; the Redfish
	// transport ties every connection it dials to it (see dialer).
	callCtx atomic.Pointer[context.Context]
}

// Close waits for bmclib calls abandoned at a deadline to finish (each is
// bounded by its own context), so a test or a shutdown leaks nothing.
func (p *Pool) Close() { p.workers.Wait() }

func (p *Pool) entry(clusterName, node string) *entry {
	p.mu.Lock()
	defer p.mu.Unlock()
	key := clusterName + "/" + node
	e := p.bmcs[key]
	if e == nil {
		e = &entry{slot: make(chan struct{}, 1)}
		p.bmcs[key] = e
	}
	return e
}

// Last returns the most recent status of a controller's BMC and when it
// was observed (zero time if never polled).
func (p *Pool) Last(clusterName, node string) (cluster.BMCStatus, time.Time) {
	e := p.entry(clusterName, node)
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.last, e.lastAt
}

// callTimeout is the config's per-call timeout, else DefaultTimeout.
func callTimeout(b *config.BMC) time.Duration {
	if b.Timeout > 0 {
		return b.Timeout
	}
	return DefaultTimeout
}

// run executes fn holding e's slot, in a goroutine, and returns when fn
// does or ctx ends, whichever is first. wait=false gives up at once when
// the slot is busy (polls); wait=true queues until ctx ends (actions).
// An abandoned fn keeps the slot until it returns; its ctx is already
// cancelled, which kills ipmitool and closes Redfish connections, so that
// is soon.
func run[T any](p *Pool, ctx context.Context, e *entry, wait bool, fn func(context.Context) T) (res T, busy bool, err error) {
	if wait {
		select {
		case e.slot <- struct{}{}:
		case <-ctx.Done():
			return res, true, ctx.Err()
		}
	} else {
		select {
		case e.slot <- struct{}{}:
		default:
			return res, true, nil
		}
	}
	wctx, cancel := context.WithCancel(ctx) // the worker's; cancelled when it ends
	done := make(chan T, 1)
	p.workers.Add(1)
	go func() {
		defer p.workers.Done()
		var r T
		func() {
			// Free the slot before handing over the result, so a call made
			// right after this one returns is not skipped.
			defer func() { <-e.slot }()
			defer cancel()
			r = fn(wctx)
		}()
		done <- r
	}()
	select {
	case r := <-done:
		return r, false, nil
	case <-ctx.Done():
		return res, false, ctx.Err()
	}
}

// session is one use of a BMC's client with resolved credentials.
type session struct {
	c        *bmclib.Client
	driver   string
	cipher   bool   // cipher suite pinned in config
	password string // for scrubbing only; never stored in a result
}

// open resolves the password and returns the BMC's client, rebuilding it
// when the config or the password changed since it was made.
func (p *Pool) open(e *entry, b *config.BMC) (*session, *verdict) {
	driver := strings.ToLower(b.Driver)
	if driver != "ipmi" && driver != "redfish" {
		return nil, &verdict{words: fmt.Sprintf("%s %q (want ipmi or redfish)", ErrUnknownDriver, b.Driver)}
	}
	if driver == "ipmi" {
		// bmclib silently drops its ipmitool provider when the binary is
		// missing, which would read as "no provider"; say what is wrong.
		if _, err := p.lookPath("ipmitool"); err != nil {
			return nil, &verdict{words: ErrNoIpmitool}
		}
	}
	pass, err := password(b)
	if err != nil {
		return nil, &verdict{words: err.Error()}
	}
	sum := sha256.Sum256([]byte(pass))
	id := fmt.Sprintf("%s|%s|%d|%s|%d|%t|%s|%x", driver, b.Address, b.Port, b.Username,
		b.CipherSuite, b.InsecureTLS, callTimeout(b), sum[:8])
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.client == nil || e.clientID != id {
		e.client, e.clientID = newClient(e, driver, b, pass), id
	}
	return &session{c: e.client, driver: driver, cipher: b.CipherSuite > 0, password: pass}, nil
}

// newClient builds a bmclib client restricted to one provider: probing the
// other six would cost time and, for HTTP ones, connections to a BMC that
// does not speak them.
func newClient(e *entry, driver string, b *config.BMC, pass string) *bmclib.Client {
	opts := []bmclib.Option{bmclib.WithPerProviderTimeout(callTimeout(b))}
	host := b.Address
	var provider string
	if driver == "ipmi" {
		provider = "ipmitool"
		if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
			// bmclib joins host:port and splits it again for ipmitool's -H/-p.
			host = "[" + host + "]"
		}
		if b.Port > 0 {
			opts = append(opts, bmclib.WithIpmitoolPort(strconv.Itoa(b.Port)))
		}
		if b.CipherSuite > 0 {
			opts = append(opts, bmclib.WithIpmitoolCipherSuite(strconv.Itoa(b.CipherSuite)))
		}
	} else {
		provider = "gofish"
		var port string
		host, port = redfishEndpoint(b)
		opts = append(opts, bmclib.WithRedfishPort(port), bmclib.WithHTTPClient(redfishHTTP(e, b)))
	}
	c := bmclib.NewClient(host, b.Username, pass, opts...)
	// A permanent filter: one-shot filters are consumed by bmclib's
	// timeout computation (formats.md §3 pitfall).
	c.Registry.Drivers = c.Registry.For(provider)
	return c
}

// redfishEndpoint splits the configured address into what bmclib wants:
// a host with its scheme (bmclib adds https:// when there is none) and a
// port it appends itself ("" when the address already carries one).
func redfishEndpoint(b *config.BMC) (host, port string) {
	host = b.Address
	if !strings.HasPrefix(host, "http://") && !strings.HasPrefix(host, "https://") {
		host = "https://" + host
	}
	host = strings.TrimRight(host, "/")
	if b.Port > 0 {
		return host, strconv.Itoa(b.Port)
	}
	if u, err := url.Parse(host); err == nil && u.Port() != "" {
		return host, ""
	}
	if strings.HasPrefix(host, "http://") {
		return host, "80"
	}
	return host, "443"
}

// redfishHTTP is the client gofish uses for this BMC. gofish sends its
// requests with context.Background(), so a hung BMC would hold a request
// until the HTTP client's timeout; this dialer closes every connection
// when the context of the call that opened it ends, which makes a
// cancelled or timed-out call return at once.
func redfishHTTP(e *entry, b *config.BMC) *http.Client {
	d := &net.Dialer{Timeout: callTimeout(b)}
	tr := &http.Transport{
		DialContext: func(_ context.Context, network, addr string) (net.Conn, error) {
			ctx := context.Background()
			if p := e.callCtx.Load(); p != nil {
				ctx = *p
			}
			conn, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
			return &ctxConn{Conn: conn, stop: stop, left: maxRedfishReply}, nil
		},
		// Verification is on unless the operator opted out per BMC.
		TLSClientConfig:       &tls.Config{InsecureSkipVerify: b.InsecureTLS}, //nolint:gosec // operator's choice
		TLSHandshakeTimeout:   callTimeout(b),
		ResponseHeaderTimeout: callTimeout(b),
		DisableKeepAlives:     true, // gofish closes per request anyway; keep nothing idle
	}
	return &http.Client{Transport: tr, Timeout: callTimeout(b)}
}

// ctxConn releases its context hook when closed normally, and reads at
// most left bytes: bmclib needs a bare *http.Transport, so the cap on what
// a BMC may send lives on the connection (one per request: no keep-alive).
type ctxConn struct {
	net.Conn
	stop func() bool
	left int64
}

func (c *ctxConn) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, fmt.Errorf("BMC reply larger than %d MiB, not read", maxRedfishReply>>20)
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.Conn.Read(p)
	c.left -= int64(n)
	return n, err
}

func (c *ctxConn) Close() error {
	c.stop()
	return c.Conn.Close()
}
