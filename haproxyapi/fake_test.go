package haproxyapi

import (
	"context"
	"errors"
	"github.com/hacon/hacon/internal/testpeers"
	"strings"
	"testing"
	"time"
)

func TestExchangeCancel(t *testing.T) {
	t.Parallel()
	s := testpeers.StartFakeSocket(t, "tcp", testpeers.Hang)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := Exchange(ctx, "stats socket", s.Addr, "show stat")
	var te *TransportError
	if !errors.As(err, &te) || te.Words != "cancelled" {
		t.Errorf("err = %v, want cancelled", err)
	}
}

func TestExchangeReplyCap(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 4096)
	s := testpeers.StartFakeSocket(t, "tcp", func(string) (string, bool) { return big, true })
	_, err := exchange(context.Background(), "stats socket", s.Addr, "show stat", 1024)
	if err == nil || err.Error() != "stats socket "+s.Addr+": reply larger than 1024 bytes, not read" {
		t.Errorf("err = %v, want the size cap", err)
	}
	if body, err := exchange(context.Background(), "stats socket", s.Addr, "show stat", 4096); err != nil || len(body) != 4096 {
		t.Errorf("a reply at the cap: %d bytes, %v", len(body), err)
	}
}
