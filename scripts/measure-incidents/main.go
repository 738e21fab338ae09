// Command measure-incidents measures what the console's timeline makes of
// demo scenarios: events-log lines and incidents (what the timeline screen
// lists), next to the raw changes the events log held before incidents.
// It runs the console's own path: the demo cluster polled by the probe
// scheduler, timeline.Diff between snapshots, the incident tracker, the
// events log writer, and actions through the executor and the audit log.
//
//	go run ./scripts/measure-incidents -scenario fence
//	go run ./scripts/measure-incidents -scenario kill
//	go run ./scripts/measure-incidents -scenario session -minutes 10 -every 30s
//
// scripts/measure-incidents.sh runs all three.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hacon/hacon/actions"
	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/internal/app"
	"github.com/hacon/hacon/timeline"
	"github.com/hacon/hacon/views"
)

func main() {
	scenario := flag.String("scenario", "fence", "fence, kill or session")
	minutes := flag.Float64("minutes", 10, "session: how long")
	every := flag.Duration("every", 30*time.Second, "session: a fault this often (each repaired halfway to the next)")
	keep := flag.String("dir", "", "keep the events and audit logs here (default: a temporary directory)")
	flag.Parse()
	dir := *keep
	if dir == "" {
		d, err := os.MkdirTemp("", "measure-incidents")
		if err != nil {
			fail(err)
		}
		defer os.RemoveAll(d)
		dir = d
	}
	a, err := app.New(app.Options{Demo: true, AuditLog: filepath.Join(dir, "audit.log")})
	if err != nil {
		fail(err)
	}
	defer a.Close()
	a.Start()
	c := newConsole(a, filepath.Join(dir, "events.log"))
	c.settle(8 * time.Second) // first answers, then a quiet cluster
	c.reset()
	switch *scenario {
	case "fence":
		c.act("fence", "controller-2")
		c.settle(45 * time.Second) // the reboot (6 s), the return, CloseAfter
	case "kill":
		c.fault("kill", "keystone", "controller-1")
		c.settle(12 * time.Second)
		c.fault("revive", "keystone", "controller-1")
		c.settle(30 * time.Second)
	case "session":
		c.session(time.Duration(*minutes*float64(time.Minute)), *every)
	default:
		fail(fmt.Errorf("unknown scenario %q", *scenario))
	}
	c.report(*scenario)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "measure-incidents:", err)
	os.Exit(1)
}

// console is the console's timeline path without a terminal.
type console struct {
	a       *app.App
	tr      *timeline.Tracker
	log     *timeline.Log
	path    string
	prev    cluster.Snapshot
	raw     int // changes Diff found: one events-log line each before incidents
	actDone chan func()
	start   int64 // events-log size when measuring began
}

func newConsole(a *app.App, path string) *console {
	return &console{a: a, tr: timeline.NewTracker("m"), log: timeline.NewLog(path), path: path, prev: a.Sched.Snapshot(), actDone: make(chan func(), 4)}
}

// settle follows snapshots for d: every update, and a rebuild every two
// seconds as the console's tick does.
func (c *console) settle(d time.Duration) {
	end := time.After(d)
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	for {
		var snap cluster.Snapshot
		select {
		case <-end:
			return
		case f := <-c.actDone:
			f()
			continue
		case <-c.a.Sched.Updates():
			snap = c.a.Sched.Snapshot()
		case <-tick.C:
			snap = c.a.Sched.Rebuild()
		}
		if snap.Sequence <= c.prev.Sequence {
			continue
		}
		evs := timeline.Diff(c.prev, snap, views.CellWords)
		c.raw += len(evs)
		c.write(c.tr.Observe(snap, evs))
		c.prev = snap
	}
}

func (c *console) write(recs []timeline.Record) {
	if err := c.log.Append(recs); err != nil {
		fail(err)
	}
}

// reset starts counting from here: the first answers are not the
// scenario's.
func (c *console) reset() {
	c.raw = 0
	c.tr = timeline.NewTracker("m")
	if st, err := os.Stat(c.path); err == nil {
		c.start = st.Size()
	}
}

// act runs an action as the console does: into the timeline when it
// starts, its outcome when it ends; the executor audits it.
func (c *console) act(words ...string) {
	snap := c.a.Sched.Snapshot()
	name := snap.Clusters[0].Name
	req, err := actions.Parse(name, words)
	if err != nil {
		fail(err)
	}
	p, err := c.a.Executor.Plan(context.Background(), req, snap)
	if err != nil {
		fail(err)
	}
	ref := fmt.Sprintf("%s-%d", words[0], time.Now().UnixNano())
	act := timeline.Action{Ref: ref, Command: p.Title, State: timeline.ActionRunning,
		Keys: timeline.ActionKeys(snap.ClusterByName(name), req.Node, req.Service, req.VIP, req.Resource)}
	c.write(c.tr.ActionStarted(name, act, time.Now()))
	go func() {
		out, err := c.a.Executor.Execute(context.Background(), p, actions.Confirmation{Confirmed: true, TypedName: p.TypeToConfirm, AcceptConsequence: true, Force: true})
		c.actDone <- func() {
			act.State, act.ID, act.Operator, act.Verified, act.DurationMS = timeline.ActionDone, out.ActionID, out.Operator.String(), out.Verified, out.Duration.Milliseconds()
			if err != nil || !out.OK {
				act.State = timeline.ActionFailed
			}
			c.write(c.tr.ActionFinished(name, act, time.Now()))
		}
	}()
}

// fault runs one of the demo's fault commands, as typed in its palette.
func (c *console) fault(name string, args ...string) {
	for _, f := range c.a.Demo.FaultCommands() {
		if f.Name == name {
			if _, err := f.Run(args); err != nil {
				fail(err)
			}
			return
		}
	}
	fail(fmt.Errorf("no demo fault %q", name))
}

// session injects a fault every `every`, repairing each halfway to the
// next, for d, then lets the last one close.
func (c *console) session(d, every time.Duration) {
	type pair struct{ breakIt, fixIt []string }
	faults := []pair{
		{[]string{"kill", "keystone", "controller-1"}, []string{"revive", "keystone", "controller-1"}},
		{[]string{"hang", "nova-api", "controller-0"}, []string{"unhang", "nova-api", "controller-0"}},
		{[]string{"poweroff", "controller-2"}, []string{"poweron", "controller-2"}},
		{[]string{"cutbmc", "controller-1"}, []string{"fixbmc", "controller-1"}},
		{[]string{"kill", "glance-api", "controller-2"}, []string{"revive", "glance-api", "controller-2"}},
		{nil, nil}, // a fence through the executor
	}
	for i, end := 0, time.Now().Add(d); time.Now().Before(end); i++ {
		f := faults[i%len(faults)]
		if f.breakIt == nil {
			c.act("fence", "controller-0")
			c.settle(every)
			continue
		}
		c.fault(f.breakIt[0], f.breakIt[1:]...)
		c.settle(every / 2)
		c.fault(f.fixIt[0], f.fixIt[1:]...)
		c.settle(every - every/2)
	}
	c.settle(30 * time.Second)
}

func (c *console) report(scenario string) {
	f, err := os.Open(c.path)
	if err != nil {
		fail(err)
	}
	defer f.Close()
	if _, err := f.Seek(c.start, 0); err != nil {
		fail(err)
	}
	lines, changes := 0, map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 8<<20)
	for sc.Scan() {
		lines++
		for _, ch := range []string{"opened", "updated", "closed"} {
			if strings.Contains(sc.Text(), `"change":"`+ch+`"`) {
				changes[ch]++
			}
		}
	}
	incs := c.tr.Incidents()
	open := 0
	for _, inc := range incs {
		if inc.Open() {
			open++
		}
	}
	fmt.Printf("%s: %d events-log lines (%d opened, %d updated, %d closed); %d incidents on screen (%d still open); %d raw changes (lines before incidents)\n",
		scenario, lines, changes["opened"], changes["updated"], changes["closed"], len(incs), open, c.raw)
	for _, inc := range incs {
		fmt.Printf("  %-8s %s  %-6s %s · %d events, %d folded, %d actions, %d services below full\n", inc.Severity, inc.Opened.Format("15:04:05"),
			views.Age(inc.Duration(time.Now())), inc.Title, len(inc.Events), inc.Folded, len(inc.Actions), len(inc.Impact))
	}
}
