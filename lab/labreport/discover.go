//go:build lab

package labreport

import (
	"context"
	"testing"
	"time"

	"github.com/hacon/hacon/discover"
	"github.com/hacon/hacon/remote"
)

// Discover runs `hacon discover` for cluster name through the command
// prefix via (as an operator's --via), logs what it could not map, and
// returns its result and how long it took.
func Discover(t *testing.T, via []string, name string) (*discover.Result, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	res, notes, err := discover.Discover(ctx, discover.Options{
		Transport:    remote.Prefix{Command: via, Runner: remote.ExecRunner{}},
		TransportFor: func(p []string) remote.Transport { return remote.Prefix{Command: p, Runner: remote.ExecRunner{}} },
		Via:          via,
	}, name)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	for _, n := range append(notes, res.Notes...) {
		t.Logf("not mapped: %s: %s", n.What, n.Why)
	}
	return res, took
}
