package haproxyapi

import (
	"bufio"
	"context"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSocket is a runtime-API stand-in: it records each command line and
// answers with reply(cmd). reply returning "" with hang set never answers.
type fakeSocket struct {
	Addr string // as configured: /path or tcp://host:port
	mu   sync.Mutex
	cmds []string
}

func (f *fakeSocket) Commands() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.cmds...)
}

func startFakeSocket(t *testing.T, network string, reply func(cmd string) (string, bool)) *fakeSocket {
	t.Helper()
	f := &fakeSocket{}
	var ln net.Listener
	var err error
	if network == "unix" {
		path := filepath.Join(t.TempDir(), "fake.sock")
		ln, err = net.Listen("unix", path)
		f.Addr = path
	} else {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
		f.Addr = "tcp://" + ln.Addr().String()
	}
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				line, _ := bufio.NewReader(c).ReadString('\n')
				f.mu.Lock()
				f.cmds = append(f.cmds, line)
				f.mu.Unlock()
				out, answer := reply(strings.TrimSuffix(line, "\n"))
				if !answer {
					<-done // accept, read, and never answer
					return
				}
				_, _ = c.Write([]byte(out))
			}()
		}
	}()
	return f
}

func hang(string) (string, bool) { return "", false }

func TestExchangeCancel(t *testing.T) {
	t.Parallel()
	s := startFakeSocket(t, "tcp", hang)
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
	s := startFakeSocket(t, "tcp", func(string) (string, bool) { return big, true })
	_, err := exchange(context.Background(), "stats socket", s.Addr, "show stat", 1024)
	if err == nil || err.Error() != "stats socket "+s.Addr+": reply larger than 1024 bytes, not read" {
		t.Errorf("err = %v, want the size cap", err)
	}
	if body, err := exchange(context.Background(), "stats socket", s.Addr, "show stat", 4096); err != nil || len(body) != 4096 {
		t.Errorf("a reply at the cap: %d bytes, %v", len(body), err)
	}
}
