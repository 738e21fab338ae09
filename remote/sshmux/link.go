package sshmux

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hacon/hacon/remote"
)

// Reuse values of remote.LinkState.
const (
	ReuseHacon     = "hacon"
	ReusePrefix    = "prefix"
	ReuseSSHConfig = "ssh config"
	ReuseOff       = "off"
)

// link is the way to one controller of one cluster: its ssh line, who
// keeps its connection, and what hacon saw of it.
type link struct {
	line sshLine
	// connecting lets one ssh at a time make the master: two started
	// together would both log in (the loser of the socket race keeps a
	// private connection).
	connecting chan struct{}

	mu       sync.Mutex
	resolved bool     // reuse decided (ssh -G ran)
	sock     string   // hacon's control socket; "" when hacon does not multiplex
	master   socketID // the master's socket last seen: a new one is a reconnect
	checking bool     // a health check of the master is under way
	everUp   bool     // a connection was made once: the next ones are reconnects
	state    remote.LinkState
}

func newLink(cluster, controller string, line sshLine) *link {
	return &link{line: line, connecting: make(chan struct{}, 1),
		state: remote.LinkState{Cluster: cluster, Controller: controller, Via: "ssh"}}
}

// resolve decides once who keeps the connection: the operator when the
// prefix or their ssh config sets ControlMaster, ControlPath or
// ControlPersist (ssh -G prints what their config resolves to), hacon
// otherwise. A failure to ask ssh -G is retried at the next command.
func (l *link) resolve(ctx context.Context, m *Manager) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.resolved {
		return
	}
	reuse, why, sock := l.decide(ctx, m)
	if reuse == "" {
		return // ssh -G did not answer in time: ask again next time
	}
	l.resolved, l.sock = true, sock
	l.state.Reuse, l.state.ReuseWhy = reuse, why
}

func (l *link) decide(ctx context.Context, m *Manager) (reuse, why, sock string) {
	for _, k := range []string{"controlmaster", "controlpath", "controlpersist", "-S", "-M"} {
		if l.line.set[k] {
			return ReusePrefix, "the command prefix sets " + strings.TrimPrefix(k, "-") + ": hacon adds no connection sharing of its own", ""
		}
	}
	if l.line.dest == "" {
		return ReuseOff, "no destination found in the ssh prefix", ""
	}
	if m.dirErr != nil {
		return ReuseOff, m.dirErr.Error(), ""
	}
	gctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	argv := append(append([]string{l.line.prog, "-G"}, l.line.opts...), l.line.dest)
	out, _, err := m.runner.Run(gctx, argv)
	if err != nil {
		if ctx.Err() != nil {
			return "", "", ""
		}
		return ReuseOff, "ssh -G failed: " + err.Error(), ""
	}
	if k := userMux(out); k != "" {
		return ReuseSSHConfig, "your ssh config sets " + k + ": hacon adds no connection sharing of its own", ""
	}
	sock, err = socketPath(m.dir, l.line)
	if err != nil {
		return ReuseOff, err.Error(), ""
	}
	return ReuseHacon, "", sock
}

// userMux names the first connection-sharing setting of ssh -G's output
// that differs from OpenSSH's default, or "".
func userMux(gOut []byte) string {
	sc := bufio.NewScanner(strings.NewReader(string(gOut)))
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), " ")
		switch {
		case k == "controlmaster" && v != "false",
			k == "controlpath" && v != "none",
			k == "controlpersist" && v != "no":
			return k + " " + v
		}
	}
	return ""
}

// argv is the command line hacon runs: ssh, the options hacon adds, then
// the prefix as configured and the tool. ssh keeps the first value of an
// option, so hacon adds only what the prefix does not set, and what it
// adds wins over ~/.ssh/config.
func (l *link) argv(ctx context.Context, t *transport, tool []string) []string {
	l.mu.Lock()
	sock := l.sock
	l.mu.Unlock()
	var add []string
	opt := func(key, value string) {
		if !l.line.has(key) {
			add = append(add, "-o", key+"="+value)
		}
	}
	opt("BatchMode", "yes")
	opt("ConnectTimeout", strconv.Itoa(connectTimeout(ctx, t.timeout)))
	opt("ServerAliveInterval", strconv.Itoa(seconds(t.timeout/3)))
	opt("ServerAliveCountMax", "3")
	if sock != "" {
		add = append(add, "-o", "ControlMaster=auto", "-o", "ControlPath="+sock,
			"-o", "ControlPersist="+strconv.Itoa(seconds(t.persist)))
	}
	out := append([]string{l.line.prog}, add...)
	out = append(out, l.line.opts...)
	if l.line.dest != "" {
		out = append(out, l.line.dest)
	}
	out = append(out, l.line.rest...)
	return append(out, tool...)
}

// connectTimeout is ssh's ConnectTimeout (whole seconds, at least 1) for a
// command under ctx: the time ctx has left, so that connecting (TCP and
// the SSH banner exchange) never outlives the attempt's share of the
// source's timeout.
func connectTimeout(ctx context.Context, fallback time.Duration) int {
	if dl, ok := ctx.Deadline(); ok {
		return max(1, int(time.Until(dl)/time.Second))
	}
	return seconds(fallback)
}

// seconds rounds d up to whole seconds, at least 1.
func seconds(d time.Duration) int {
	return max(1, int((d+time.Second-1)/time.Second))
}

// socketID tells one master's socket from the next: a new master binds
// a new socket, whose inode number may be the old one's (freed and
// reused at once), so the time it was made counts too.
type socketID struct {
	ino  uint64
	made time.Time
}

// currentSocket is the identity of the master's socket now; zero when
// there is none.
func (l *link) currentSocket() socketID {
	if l.sock == "" {
		return socketID{}
	}
	fi, err := os.Stat(l.sock)
	if err != nil {
		return socketID{}
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return socketID{}
	}
	return socketID{st.Ino, fi.ModTime()}
}

// reached records a command that reached the controller. A new master
// socket, or (without one) the first success after a failure, is a new
// connection; every one after the first is a reconnect.
func (l *link) reached(now time.Time) (newConn bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := &l.state
	s.Commands++
	cur := l.currentSocket()
	switch {
	case cur != (socketID{}) && cur != l.master:
		l.master, newConn = cur, true
		now = cur.made
	case cur == (socketID{}) && !s.Up:
		newConn = true
	case cur != (socketID{}) && !s.Up:
		s.Since = cur.made // the same master answers again
	}
	if newConn {
		if l.everUp {
			s.Reconnects++
		}
		l.everUp, s.Since = true, now
	}
	s.Up = true
	return newConn
}

// failed records a failure of the way to the controller.
func (l *link) failed(now time.Time, why string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := &l.state
	s.Commands++
	if s.Up || !l.everUp {
		s.Since = now
	}
	s.Up, s.LastError, s.LastErrorAt = false, why, now
}

func (l *link) snapshot() remote.LinkState {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.state
}

// serialize holds back a command while another one is making the master:
// without a live socket, the first command's ssh becomes the master and
// the others then share it. It returns the release function.
func (l *link) serialize(ctx context.Context) (func(), error) {
	l.mu.Lock()
	sock := l.sock
	l.mu.Unlock()
	if sock == "" {
		return func() {}, nil
	}
	if _, err := os.Stat(sock); err == nil {
		return func() {}, nil
	}
	select {
	case l.connecting <- struct{}{}:
		return func() { <-l.connecting }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for another command to connect: %w", ctx.Err())
	}
}
