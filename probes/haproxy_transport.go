package probes

import (
	"context"
	"errors"
	"fmt"
	"github.com/hacon/hacon/cluster"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"
)

// maxStatsBody caps what one stats fetch reads: a 10,000-server CSV is about
// 7 MiB, so 64 MiB is generous while still bounding a runaway peer. A
// variable so tests can exercise the cap without sending 64 MiB.
var maxStatsBody int64 = 64 << 20

// defaultStatsTimeout bounds a fetch whose context has no deadline, so no
// caller can hang on a peer that accepts and never answers.
const defaultStatsTimeout = 10 * time.Second

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

// withStatsDeadline returns ctx with its own deadline, or a default one,
// and how long the caller has, for "timed out after …" messages.
func withStatsDeadline(ctx context.Context) (context.Context, context.CancelFunc, time.Duration) {
	if dl, ok := ctx.Deadline(); ok {
		ctx, cancel := context.WithCancel(ctx)
		return ctx, cancel, time.Until(dl).Round(10 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(ctx, defaultStatsTimeout)
	return ctx, cancel, defaultStatsTimeout
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

// socketExchange sends one command line to an HAProxy socket and reads the
// reply until HAProxy closes the connection, which it does after answering
// a command in non-interactive mode.
func socketExchange(ctx context.Context, what, addr, cmd string) ([]byte, error) {
	network, address, err := socketNetwork(addr)
	if err != nil {
		return nil, err
	}
	ctx, cancel, budget := withStatsDeadline(ctx)
	defer cancel()
	fail := func(err error) error { return netFailure(ctx, what, addr, budget, err) }

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
	body, err := readCapped(conn)
	if err != nil {
		return nil, fail(err)
	}
	return body, nil
}

// fetchHTTP GETs a stats page (CSV or /metrics) and returns its body.
func fetchHTTP(ctx context.Context, client *http.Client, rawURL string) ([]byte, error) {
	ctx, cancel, budget := withStatsDeadline(ctx)
	defer cancel()
	shown := cluster.RedactURL(rawURL)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, &TransportError{What: "stats page", Addr: shown, Words: "bad URL", Err: err}
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, netFailure(ctx, "stats page", shown, budget, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &TransportError{What: "stats page", Addr: shown,
			Words: fmt.Sprintf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))}
	}
	body, err := readCapped(resp.Body)
	if err != nil {
		return nil, netFailure(ctx, "stats page", shown, budget, err)
	}
	return body, nil
}

var errTooLarge = errors.New("reply too large")

func readCapped(r io.Reader) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, maxStatsBody+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > maxStatsBody {
		return nil, errTooLarge
	}
	return body, nil
}

// netFailure words a network error the way an operator would say it.
func netFailure(ctx context.Context, what, addr string, budget time.Duration, err error) error {
	var ne net.Error
	words := err.Error()
	switch {
	case errors.Is(err, errTooLarge):
		words = fmt.Sprintf("reply larger than %s, not read", sizeWords(maxStatsBody))
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
