//go:build lab

package lab

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
)

// 7. hacon's master connection to the controller it asks first is killed
// and that controller's sshd is stopped (listener only, as `systemctl
// stop ssh` does): the probe falls over to the next controller within two
// intervals, says why, and comes back — one new login — once sshd runs.
func TestLab7SSHMasterKilledAndSSHDStopped(t *testing.T) {
	h := lab
	h.requireHealthy(t)
	const victim, next = "controller-0", "controller-1"
	interval := h.cfg.IntervalFor(h.cc, h.cc.Pacemaker.Interval)
	eventually(t, 3*interval, "hacon asks "+victim+" first", func() (bool, string) {
		_, c := h.snap()
		return c.PacemakerVia == victim, c.PacemakerVia
	})
	before, _ := h.ssh.Link(clusterName, victim)
	logins := h.sshLogins(t, victim)
	if before.Reuse != "hacon" || !before.Up {
		t.Fatalf("link to %s before: %+v", victim, before)
	}
	t.Cleanup(func() { h.startSSHD(t, victim) })
	h.stopSSHD(t, victim)
	pid, err := h.ssh.MasterPID(clusterName, victim)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cut := time.Now()
	d := eventually(t, 2*interval, "hacon's Pacemaker data via "+next, func() (bool, string) {
		s, c := h.snap()
		src := c.Source(cluster.KindPacemaker, "pacemaker")
		shown := len(c.PacemakerFailed) > 0 && strings.HasPrefix(c.PacemakerFailed[0], victim+": connection refused")
		return s.Taken.After(cut) && c.PacemakerVia == next && src != nil && src.OK && src.LastSuccess.After(cut) && shown,
			fmt.Sprintf("via %q, failed first %q", c.PacemakerVia, c.PacemakerFailed)
	})
	record(t, fmt.Sprintf("ssh master killed, sshd stopped → probe via %s (limit 2×%s)", next, interval), d)
	if l, _ := h.ssh.Link(clusterName, victim); l.Up || !strings.Contains(l.LastError, "connection refused") {
		t.Errorf("link to %s while sshd is stopped: %+v", victim, l)
	}

	h.startSSHD(t, victim)
	back := time.Now()
	d = eventually(t, 3*interval, "hacon back to "+victim+" first", func() (bool, string) {
		_, c := h.snap()
		return c.PacemakerVia == victim && len(c.PacemakerFailed) == 0, fmt.Sprintf("via %q failed %q", c.PacemakerVia, c.PacemakerFailed)
	})
	record(t, "sshd started again → probe back to "+victim, d)
	after, _ := h.ssh.Link(clusterName, victim)
	if !after.Up || after.Reconnects != before.Reconnects+1 || !after.Since.After(back) {
		t.Errorf("link to %s after sshd came back: %+v (before %+v)", victim, after, before)
	}
	if n := h.sshLogins(t, victim) - logins; n != 1 {
		t.Errorf("%d new logins on %s, want 1 (the reconnect)", n, victim)
	}
}

// 8. Every sshd process of the controller hacon asks first is stopped
// (SIGSTOP: the kernel accepts connections, nothing answers): each poll
// stays bounded by the source's timeout, the probe answers through the
// next controller, the other sources and the snapshots keep coming (the
// console stays responsive), and all is back after SIGCONT.
func TestLab8SSHDFrozen(t *testing.T) {
	h := lab
	h.requireHealthy(t)
	const victim, next = "controller-0", "controller-1"
	interval := h.cfg.IntervalFor(h.cc, h.cc.Pacemaker.Interval)
	timeout := h.cfg.TimeoutFor(h.cc, h.cc.Pacemaker.Timeout, h.cc.Pacemaker.Interval)
	eventually(t, 3*interval, "hacon asks "+victim+" first", func() (bool, string) {
		_, c := h.snap()
		return c.PacemakerVia == victim, c.PacemakerVia
	})
	pids := h.sshdPids(t, victim)
	signal := func(sig syscall.Signal) {
		for _, p := range pids {
			_ = syscall.Kill(p, sig)
		}
	}
	t.Cleanup(func() { signal(syscall.SIGCONT) })
	signal(syscall.SIGSTOP)
	frozen := time.Now()
	d := eventually(t, 2*interval+timeout, "hacon's Pacemaker data via "+next, func() (bool, string) {
		_, c := h.snap()
		src := c.Source(cluster.KindPacemaker, "pacemaker")
		return c.PacemakerVia == next && src != nil && src.OK && src.LastSuccess.After(frozen), c.PacemakerVia
	})
	record(t, "sshd frozen → probe via "+next, d)
	// Watch a few more intervals: snapshots keep coming, HAProxy keeps
	// being polled, and no Pacemaker poll outlives its timeout.
	_, c := h.snap()
	lbBefore := c.Source(cluster.KindHAProxy, next).LastSuccess
	watch := time.Now()
	lastTaken := time.Time{}
	var gaps time.Duration
	attempts := map[time.Time]time.Duration{} // Pacemaker polls since the freeze: start → wall time
	// Five intervals: a poll that said the same as the one before shows in
	// the snapshot up to one interval late (cluster.BuildCache keeps an
	// unchanged cluster until its interval is up), so the last of the
	// polls made in four intervals is seen within five.
	for time.Since(watch) < 5*interval {
		s := h.sched.Snapshot()
		if !lastTaken.IsZero() {
			gaps = max(gaps, s.Taken.Sub(lastTaken))
		}
		lastTaken = s.Taken
		if c := s.ClusterByName(clusterName); c != nil {
			if src := c.Source(cluster.KindPacemaker, "pacemaker"); src != nil && src.LastAttempt.After(frozen) {
				attempts[src.LastAttempt] = src.Latency
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	_, c = h.snap()
	if lb := c.Source(cluster.KindHAProxy, next); lb == nil || !lb.LastSuccess.After(lbBefore) {
		t.Errorf("HAProxy of %s not polled while %s's sshd was frozen", next, victim)
	}
	if gaps > 2*interval {
		t.Errorf("snapshots stalled for %s while sshd was frozen", gaps)
	}
	polls := len(attempts)
	for _, took := range attempts {
		if took > timeout+time.Second {
			t.Errorf("a Pacemaker poll took %s, over its %s timeout", took, timeout)
		}
	}
	if polls < 3 {
		t.Errorf("only %d Pacemaker polls since the freeze", polls)
	}
	if l, _ := h.ssh.Link(clusterName, victim); l.Up || l.LastError == "" {
		t.Errorf("link to %s while frozen: %+v", victim, l)
	}
	signal(syscall.SIGCONT)
	d = eventually(t, 3*interval+timeout, "hacon back to "+victim, func() (bool, string) {
		_, c := h.snap()
		return c.PacemakerVia == victim && len(c.PacemakerFailed) == 0, fmt.Sprintf("via %q failed %q", c.PacemakerVia, c.PacemakerFailed)
	})
	record(t, "sshd thawed → probe back to "+victim, d)
}

// sshLogins counts the logins a controller's sshd accepted.
func (h *harness) sshLogins(t *testing.T, node string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(h.state, node, "sshd.log"))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(b, []byte("Accepted publickey"))
}

// stopSSHD stops a controller's sshd listener (its sessions live on).
func (h *harness) stopSSHD(t *testing.T, node string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(h.state, node, "sshd.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for range 50 {
		if syscall.Kill(pid, 0) != nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("sshd %d of %s did not stop", pid, node)
}

// startSSHD starts a controller's sshd in its namespaces (as node-init
// does at boot) unless it runs.
func (h *harness) startSSHD(t *testing.T, node string) {
	t.Helper()
	nd := filepath.Join(h.state, node)
	if b, err := os.ReadFile(filepath.Join(nd, "sshd.pid")); err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && syscall.Kill(pid, 0) == nil {
			return
		}
	}
	if out, err := run(10*time.Second, h.on, node, "/usr/sbin/sshd", "-f", filepath.Join(nd, "ssh", "sshd_config"), "-E", filepath.Join(nd, "sshd.log")); err != nil {
		t.Errorf("starting sshd on %s: %v %s", node, err, out)
	}
}

// sshdPids lists every sshd process of a controller (listener and
// sessions), from its network namespace.
func (h *harness) sshdPids(t *testing.T, node string) []int {
	t.Helper()
	out, err := run(5*time.Second, "ip", "netns", "pids", node)
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, f := range strings.Fields(out) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			continue
		}
		if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); strings.TrimSpace(string(comm)) == "sshd" {
			pids = append(pids, pid)
		}
	}
	if len(pids) < 2 {
		t.Fatalf("sshd processes of %s: %v (want the listener and hacon's session)", node, pids)
	}
	return pids
}

// 9. An action rides the connection the polls keep: a move and its clear
// run on the controller hacon asks first through its master, with no new
// login there.
func TestLab9ActionsShareThePollsConnection(t *testing.T) {
	h := lab
	h.requireHealthy(t)
	const first = "controller-0"
	interval := h.cfg.IntervalFor(h.cc, h.cc.Pacemaker.Interval)
	eventually(t, 3*interval, "hacon asks "+first+" first, its link up", func() (bool, string) {
		_, c := h.snap()
		l, _ := h.ssh.Link(clusterName, first)
		return c.PacemakerVia == first && l.Up && l.Reuse == "hacon", fmt.Sprintf("via %s, link %+v", c.PacemakerVia, l)
	})
	t.Cleanup(func() { _, _, _ = h.onAny("crm_resource", "--clear", "--resource", "cinder-volume") })
	logins := h.sshLogins(t, first)
	before, _ := h.ssh.Link(clusterName, first)
	_, c := h.snap()
	target := "controller-1"
	if slices.Contains(placements(c), "cinder-volume controller-1 Started") {
		target = "controller-2"
	}
	for _, words := range [][]string{{"move", "cinder-volume", target}, {"clear", "cinder-volume"}} {
		out := h.act(t, words...)
		for _, st := range out.Steps {
			if st.Host != first || len(st.Argv) == 0 || st.Argv[0] != "ssh" || !slices.Contains(st.Argv, "ControlMaster=auto") {
				t.Errorf(":%s ran %q on %s, want ssh through %s's master", strings.Join(words, " "), st.Argv, st.Host, first)
			}
		}
	}
	after, _ := h.ssh.Link(clusterName, first)
	if n := h.sshLogins(t, first) - logins; n != 0 || after.Reconnects != before.Reconnects {
		t.Errorf("%d new logins on %s for two actions (link before %+v, after %+v)", n, first, before, after)
	}
}
