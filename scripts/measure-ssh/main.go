// Command measure-ssh measures what reaching Pacemaker over ssh costs:
// hacon (as the console assembles it, Pacemaker sources only) polls a
// config for a while, with hacon's connection sharing or with one ssh
// login per command, and prints one Markdown table row: logins accepted by
// the controllers' sshd (from their logs), CPU of hacon plus its ssh
// children and masters, CPU of the controllers' sshd processes themselves
// (sampled every 50 ms; the commands they run are not sshd), and the median and p95 wall time of one crm_mon poll.
//
// scripts/measure-ssh.sh runs it on loopback and on the lab; see there.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/internal/app"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	cfgPath := flag.String("config", "", "hacon config whose Pacemaker prefix is ssh")
	label := flag.String("label", "", "first column of the row")
	duration := flag.Duration("duration", 5*time.Minute, "how long to poll")
	interval := flag.Duration("interval", 2*time.Second, "poll interval")
	reuse := flag.Bool("reuse", true, "false: add -o ControlPath=none to the prefix (one login per command)")
	var logs, sshdPids listFlag
	flag.Var(&logs, "sshd-log", "an sshd log to count \"Accepted publickey\" lines in (repeat)")
	flag.Var(&sshdPids, "sshd-pids", "a file listing sshd pids, or netns:NAME for every sshd in a network namespace (repeat)")
	sampler := flag.Bool("sampler", false, "internal: sample the sshd processes' own CPU until stdin closes")
	flag.Parse()
	if *sampler {
		sample(sshdPids)
		return
	}
	if err := run(*cfgPath, *label, *duration, *interval, *reuse, logs, sshdPids); err != nil {
		fmt.Fprintln(os.Stderr, "measure-ssh:", err)
		os.Exit(1)
	}
}

func run(cfgPath, label string, duration, interval time.Duration, reuse bool, logs, sshdSpec []string) error {
	a, err := app.New(app.Options{ConfigPath: cfgPath, Interval: interval, PacemakerOnly: true})
	if err != nil {
		return err
	}
	if !reuse {
		for i := range a.Config.Clusters {
			if p := a.Config.Clusters[i].Pacemaker; p != nil && len(p.Command) > 0 {
				p.Command = slices.Insert(p.Command, 1, "-o", "ControlPath=none")
			}
		}
	}
	logins0 := countLogins(logs)
	sampler, err := startSampler(sshdSpec)
	if err != nil {
		return err
	}
	self0 := selfCPU()
	a.Start()
	durations := collect(a, duration, interval)
	masters := masterCPU()
	sshd, samplerCPU, err := sampler()
	if err != nil {
		return err
	}
	// The sampler is a child: its CPU is not hacon's.
	self := selfCPU() - self0 - samplerCPU
	a.Close()
	logins := countLogins(logs) - logins0
	slices.Sort(durations)
	mode := "reuse"
	if !reuse {
		mode = "no reuse"
	}
	fmt.Printf("| %s | %s | %d polls | %d | %.2fs (%.2f%%) | %.2fs (%.2f%%) | %s | %s |\n", label, mode, len(durations), logins,
		(self + masters).Seconds(), 100*(self+masters).Seconds()/duration.Seconds(),
		sshd.Seconds(), 100*sshd.Seconds()/duration.Seconds(), quantile(durations, 0.5), quantile(durations, 0.95))
	return nil
}

// collect gathers the wall time of every Pacemaker poll until d passes,
// from the sources' last attempt (sampled twice an interval, so none is
// missed at the poll rate the interval allows).
func collect(a *app.App, d, interval time.Duration) []time.Duration {
	seen := map[string]time.Time{}
	var out []time.Duration
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		time.Sleep(interval / 2)
		snap := a.Sched.Snapshot()
		for _, c := range snap.Clusters {
			for _, src := range c.Sources {
				if src.Kind != cluster.KindPacemaker || src.LastAttempt.Equal(seen[c.Name]) {
					continue
				}
				seen[c.Name] = src.LastAttempt
				if src.OK {
					out = append(out, src.Latency)
				}
			}
		}
	}
	return out
}

func quantile(ds []time.Duration, q float64) string {
	if len(ds) == 0 {
		return "-"
	}
	return ds[int(q*float64(len(ds)-1))].Round(time.Millisecond).String()
}

func countLogins(logs []string) int {
	n := 0
	for _, f := range logs {
		b, _ := os.ReadFile(f)
		n += bytes.Count(b, []byte("Accepted publickey"))
	}
	return n
}

// selfCPU is this process's CPU plus its reaped children's (the ssh
// clients it ran).
func selfCPU() time.Duration {
	var self, kids syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	tv := func(t syscall.Timeval) time.Duration { return time.Duration(t.Nano()) }
	return tv(self.Utime) + tv(self.Stime) + tv(kids.Utime) + tv(kids.Stime)
}

// masterCPU is the CPU of this process's ssh control masters: they
// daemonize, so they are nobody's child; their title names the socket,
// which starts with this process's pid.
func masterCPU() time.Duration {
	var total time.Duration
	tag := "/" + strconv.Itoa(os.Getpid()) + "-"
	for _, pid := range allPids() {
		cmd, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if strings.HasPrefix(string(cmd), "ssh: ") && strings.Contains(string(cmd), tag) {
			total += procCPU(pid)
		}
	}
	return total
}

// startSampler runs this program again as a sampler of sshd's own CPU; the
// returned function stops it and returns what it measured and what it
// cost.
func startSampler(specs []string) (func() (sshd, cost time.Duration, err error), error) {
	args := []string{"-sampler"}
	for _, s := range specs {
		args = append(args, "-sshd-pids", s)
	}
	cmd := exec.Command("/proc/self/exe", args...)
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return func() (time.Duration, time.Duration, error) {
		in.Close()
		if err := cmd.Wait(); err != nil {
			return 0, 0, fmt.Errorf("sampler: %w", err)
		}
		d, err := time.ParseDuration(strings.TrimSpace(out.String()))
		return d, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), err
	}, nil
}

// sample reads the own CPU (utime+stime, not the commands they run) of
// every sshd process every 50 ms until stdin closes, and prints the CPU
// they used meanwhile: per-connection processes live at least one command
// (hundreds of ms), so at most their last 50 ms is missed.
func sample(specs []string) {
	first, last := map[int]time.Duration{}, map[int]time.Duration{}
	done := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); close(done) }()
	initial := true
	for {
		for _, p := range sshdPids(specs) {
			cpu := procSelfCPU(p)
			if _, seen := first[p]; !seen {
				if initial {
					first[p] = cpu
				} else {
					first[p] = 0 // born during the run: all of it counts
				}
			}
			last[p] = cpu
		}
		initial = false
		select {
		case <-done:
			var total time.Duration
			for p, l := range last {
				total += l - first[p]
			}
			fmt.Println(total)
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// sshdPids lists the sshd processes named by specs.
func sshdPids(specs []string) []int {
	var out []int
	for _, s := range specs {
		var pids []int
		if ns, ok := strings.CutPrefix(s, "netns:"); ok {
			for _, p := range allPids() {
				if l, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", p)); err == nil && netnsOf(ns) == l {
					pids = append(pids, p)
				}
			}
		} else if b, err := os.ReadFile(s); err == nil {
			for _, f := range strings.Fields(string(b)) {
				if p, err := strconv.Atoi(f); err == nil {
					// The listener and its live per-connection processes:
					// those that ended are in the listener's reaped CPU.
					pids = append(append(pids, p), descendants(p)...)
				}
			}
		}
		for _, p := range pids {
			if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", p)); strings.TrimSpace(string(comm)) == "sshd" {
				out = append(out, p)
			}
		}
	}
	return out
}

// netnsOf is the ns/net link of a named network namespace.
func netnsOf(name string) string {
	var st syscall.Stat_t
	if err := syscall.Stat(filepath.Join("/run/netns", name), &st); err != nil {
		return ""
	}
	return fmt.Sprintf("net:[%d]", st.Ino)
}

// descendants lists the live processes under pid.
func descendants(pid int) []int {
	children := map[int][]int{}
	for _, p := range allPids() {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p))
		if err != nil {
			continue
		}
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(f) > 1 {
			if pp, err := strconv.Atoi(f[1]); err == nil {
				children[pp] = append(children[pp], p)
			}
		}
	}
	var out []int
	for queue := []int{pid}; len(queue) > 0; queue = queue[1:] {
		out = append(out, children[queue[0]]...)
		queue = append(queue, children[queue[0]]...)
	}
	return out
}

func allPids() []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		if p, err := strconv.Atoi(e.Name()); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// procCPU is utime+stime+cutime+cstime of a process, from /proc.
func procCPU(pid int) time.Duration { return statTicks(pid, 11, 12, 13, 14) }

// procSelfCPU is utime+stime of a process: its own CPU only.
func procSelfCPU(pid int) time.Duration { return statTicks(pid, 11, 12) }

// statTicks sums fields of /proc/PID/stat (counted after comm) as CPU time.
func statTicks(pid int, fields ...int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	var ticks int64
	for _, i := range fields {
		if i < len(f) {
			v, _ := strconv.ParseInt(f[i], 10, 64)
			ticks += v
		}
	}
	return time.Duration(ticks) * time.Second / 100 // USER_HZ
}
