package testpeers

import (
	"bufio"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// FakeSocket is a runtime-API or stats-socket stand-in for tests of our
// own logic (real HAProxy is StartHAProxy): it records each command line and
// answers with reply(cmd). reply returning "" with hang set never answers.
type FakeSocket struct {
	Addr string // as configured: /path or tcp://host:port
	mu   sync.Mutex
	cmds []string
}

// Commands are the lines the socket was sent, in order.
func (f *FakeSocket) Commands() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.cmds...)
}

// StartFakeSocket listens on a unix socket (network "unix") or on
// 127.0.0.1 and answers each command line with reply.
func StartFakeSocket(t testing.TB, network string, reply func(cmd string) (string, bool)) *FakeSocket {
	t.Helper()
	f := &FakeSocket{}
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

// Hang is a FakeSocket reply that accepts, reads and never answers.
func Hang(string) (string, bool) { return "", false }
