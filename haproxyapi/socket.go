// Package haproxyapi talks to HAProxy over its sockets: the stats socket's
// "show stat" (the probe reads it) and the admin-level runtime API, whose
// only change hacon makes goes through the typed, validated SetServer.
package haproxyapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"time"
)

// MaxReply caps what one exchange reads: a 10,000-server CSV is about 7 MiB,
// so 64 MiB is generous while still bounding a runaway peer.
const MaxReply int64 = 64 << 20

// DefaultTimeout bounds an exchange whose context has no deadline, so no
// caller can hang on a peer that accepts and never answers.
const DefaultTimeout = 10 * time.Second

// TransportError is a failed exchange with an HAProxy: what was asked, where,
// and what happened in an operator's words. It unwraps to the cause.
type TransportError struct {
	What  string // "stats socket", "stats page", "runtime API"
	Addr  string // redacted
	Words string
	Err   error
}

func (e *TransportError) Error() string { return e.What + " " + e.Addr + ": " + e.Words }
func (e *TransportError) Unwrap() error { return e.Err }

// TooLargeError is a reply over the cap, which was not read.
type TooLargeError struct{ Limit int64 }

func (e *TooLargeError) Error() string { return "reply too large" }

// WithDeadline returns ctx with its own deadline, or DefaultTimeout, and
// how long the caller has, for "timed out after …" messages.
func WithDeadline(ctx context.Context) (context.Context, context.CancelFunc, time.Duration) {
	if dl, ok := ctx.Deadline(); ok {
		ctx, cancel := context.WithCancel(ctx)
		return ctx, cancel, time.Until(dl).Round(10 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(ctx, DefaultTimeout)
	return ctx, cancel, DefaultTimeout
}

// socketNetwork turns a configured socket address (/path, unix:///path,
// tcp://host:port) into what net.Dial wants.
func socketNetwork(addr string) (network, address string, err error) {
	switch {
	case strings.HasPrefix(addr, "unix://"):
		p := strings.TrimPrefix(addr, "unix://")
		if !strings.HasPrefix(p, "/") {
			return "", "", fmt.Errorf("socket %q: expected unix:///absolute/path", addr)
		}
		return "unix", p, nil
	case strings.HasPrefix(addr, "/"):
		return "unix", addr, nil
	case strings.HasPrefix(addr, "tcp://"):
		hp := strings.TrimSuffix(strings.TrimPrefix(addr, "tcp://"), "/")
		if _, _, err := net.SplitHostPort(hp); err != nil {
			return "", "", fmt.Errorf("socket %q: expected tcp://host:port", addr)
		}
		return "tcp", hp, nil
	}
	return "", "", fmt.Errorf("socket %q: expected /path, unix:///path or tcp://host:port", addr)
}

// Exchange sends one command line to an HAProxy socket and reads the reply
// until HAProxy closes the connection, which it does after answering a
// command in non-interactive mode. what names the socket in errors.
func Exchange(ctx context.Context, what, addr, cmd string) ([]byte, error) {
	return exchange(ctx, what, addr, cmd, MaxReply)
}

func exchange(ctx context.Context, what, addr, cmd string, limit int64) ([]byte, error) {
	if strings.ContainsAny(cmd, "\r\n") {
		// A line break would smuggle a second command past the caller's checks.
		return nil, fmt.Errorf("%s %s: command contains a line break", what, addr)
	}
	network, address, err := socketNetwork(addr)
	if err != nil {
		return nil, err
	}
	ctx, cancel, budget := WithDeadline(ctx)
	defer cancel()
	fail := func(err error) error { return NetFailure(ctx, what, addr, budget, err) }

	var d net.Dialer
	conn, err := d.DialContext(ctx, network, address)
	if err != nil {
		return nil, fail(err)
	}
	defer conn.Close()
	// The deadline bounds each read and write; AfterFunc also unblocks
	// them when the caller cancels before the deadline.
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	if _, err := io.WriteString(conn, cmd+"\n"); err != nil {
		return nil, fail(err)
	}
	body, err := ReadCapped(conn, limit)
	if err != nil {
		return nil, fail(err)
	}
	return body, nil
}

// ReadCapped reads r to its end, or fails with a TooLargeError past limit.
func ReadCapped(r io.Reader, limit int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > limit {
		return nil, &TooLargeError{Limit: limit}
	}
	return body, nil
}

// NetFailure words a network error the way an operator would say it.
func NetFailure(ctx context.Context, what, addr string, budget time.Duration, err error) error {
	var ne net.Error
	var big *TooLargeError
	words := err.Error()
	switch {
	case errors.As(err, &big):
		words = fmt.Sprintf("reply larger than %s, not read", sizeWords(big.Limit))
	case errors.Is(ctx.Err(), context.Canceled):
		words = "cancelled"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout(), ctx.Err() != nil:
		words = fmt.Sprintf("timed out after %s", budget)
	case errors.Is(err, syscall.ECONNREFUSED):
		words = "connection refused (nothing listening)"
	case errors.Is(err, syscall.ENOENT):
		words = "no such socket file"
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		words = "permission denied (hacon's user may not open it)"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		words = "connection reset by HAProxy"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		words = "host unreachable"
	case strings.Contains(words, "certificate"):
		words = "TLS: " + words
	}
	return &TransportError{What: what, Addr: addr, Words: words, Err: err}
}

func sizeWords(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
