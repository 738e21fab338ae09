package sshmux

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"sync"
	"time"
)

const (
	// checkTimeout bounds asking a master whether its connection still
	// answers: a live one runs `true` in milliseconds, but a busy jump
	// host may take a while, and closing a live master costs a login. The
	// check gets half the source's timeout, within these bounds.
	checkTimeout    = 2 * time.Second
	maxCheckTimeout = 10 * time.Second
	// exitTimeout bounds `ssh -O exit` on a master.
	exitTimeout = 2 * time.Second
)

// suspect checks, in the background, the master of a link whose command
// failed or timed out. A master whose connection is dead (controller
// gone, sshd stopped or hung, network cut) still accepts its clients and
// leaves them waiting: it is closed, so the next command, one interval
// later, connects afresh within its own ConnectTimeout. A master that
// answers stays: the tool was slow, not the way there.
func (m *Manager) suspect(l *link, sourceTimeout time.Duration) {
	l.mu.Lock()
	if l.sock == "" || l.checking {
		l.mu.Unlock()
		return
	}
	if _, err := os.Stat(l.sock); err != nil {
		l.mu.Unlock()
		return // no master left: the next command makes one
	}
	l.checking = true
	l.mu.Unlock()
	m.checks.Add(1)
	go func() {
		defer m.checks.Done()
		if !m.masterAnswers(l, min(max(checkTimeout, sourceTimeout/2), maxCheckTimeout)) {
			m.log.Debug("ssh master does not answer: closing it", "cluster", l.state.Cluster, "controller", l.state.Controller)
			m.closeMaster(m.ctx, l)
		}
		l.mu.Lock()
		l.checking = false
		l.mu.Unlock()
	}()
}

// masterAnswers runs `true` on the controller through the master only:
// ProxyCommand=false makes ssh fail at once instead of logging in anew
// when the socket is gone, and -F /dev/null keeps the operator's config
// (a ProxyJump, a Match exec) out of a line that needs only the socket.
func (m *Manager) masterAnswers(l *link, timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(m.ctx, timeout)
	defer cancel()
	_, _, err := m.runner.Run(ctx, []string{l.line.prog, "-F", "/dev/null", "-o", "BatchMode=yes",
		"-o", "ControlMaster=no", "-o", "ControlPath=" + l.sock, "-o", "ProxyCommand=false", l.line.dest, "true"})
	return err == nil
}

// closeMaster asks a master to exit and removes its socket if it is
// still there (a master that does not answer the request).
func (m *Manager) closeMaster(parent context.Context, l *link) {
	ctx, cancel := context.WithTimeout(parent, exitTimeout)
	defer cancel()
	_, _, _ = m.runner.Run(ctx, []string{l.line.prog, "-F", "/dev/null", "-o", "ControlPath=" + l.sock, "-O", "exit", l.line.dest})
	if _, err := os.Stat(l.sock); err == nil {
		_ = os.Remove(l.sock)
	}
}

// Close ends the health checks and closes every master hacon made (ssh -O
// exit), all at once and each bounded; a master of the operator's own
// (their ControlPath) is left alone.
func (m *Manager) Close() {
	m.cancel()
	m.checks.Wait()
	m.mu.Lock()
	var mine []*link
	for _, l := range m.links {
		l.mu.Lock()
		if l.sock != "" {
			mine = append(mine, l)
		}
		l.mu.Unlock()
	}
	m.mu.Unlock()
	var wg sync.WaitGroup
	for _, l := range mine {
		if _, err := os.Stat(l.sock); err != nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.closeMaster(context.Background(), l)
		}()
	}
	wg.Wait()
}

// MasterPID is the process id of a controller's control master, as ssh -O
// check reports it: for tests and diagnostics (the lab kills it).
func (m *Manager) MasterPID(cluster, controller string) (int, error) {
	var l *link
	m.mu.Lock()
	for k, v := range m.links {
		if k.cluster == cluster && k.controller == controller {
			l = v
		}
	}
	m.mu.Unlock()
	if l == nil {
		return 0, fmt.Errorf("%s/%s: not reached over ssh", cluster, controller)
	}
	l.mu.Lock()
	sock := l.sock
	l.mu.Unlock()
	if sock == "" {
		return 0, fmt.Errorf("%s/%s: hacon keeps no master (reuse %s)", cluster, controller, l.snapshot().Reuse)
	}
	ctx, cancel := context.WithTimeout(context.Background(), checkTimeout)
	defer cancel()
	_, stderr, err := m.runner.Run(ctx, []string{l.line.prog, "-F", "/dev/null", "-o", "ControlPath=" + sock, "-O", "check", l.line.dest})
	if mm := rePid.FindSubmatch(stderr); err == nil && mm != nil {
		return strconv.Atoi(string(mm[1]))
	}
	return 0, fmt.Errorf("%s/%s: no master answers: %v %s", cluster, controller, err, stderr)
}

var rePid = regexp.MustCompile(`pid=(\d+)`)
