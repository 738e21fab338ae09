package probes

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/internal/testpeers"
	"github.com/hacon/hacon/remote"
)

// BenchmarkStatefulPoll measures one stateful poll against real peers: the
// CPU of the polling side (hacon plus the client it runs: mysql or
// rabbitmqctl, which over an ssh prefix run on the controller) and of the
// server (every process in mariadbd's or the RabbitMQ node's process group,
// read from /proc/<pid>/stat). scripts/measure-stateful-poll runs it.
func BenchmarkStatefulPoll(b *testing.B) {
	b.Run("galera", func(b *testing.B) {
		g := testpeers.StartGalera(b)
		cl := &config.Cluster{Name: "a", Controllers: []config.Controller{{Name: "c0"}}, Galera: &config.Galera{DefaultsFile: g.OptionFile}}
		benchPoll(b, cl, cluster.KindGalera, g.PGID(), func(r cluster.Result) bool { return r.Galera != nil && r.Galera.Answered })
	})
	b.Run("rabbitmq", func(b *testing.B) {
		rq := testpeers.StartRabbitMQ(b)
		cl := &config.Cluster{Name: "a", Controllers: []config.Controller{{Name: "c0"}}, RabbitMQ: &config.RabbitMQ{Command: rq.CtlArgv()}}
		benchPoll(b, cl, cluster.KindRabbitMQ, rq.PGID(), func(r cluster.Result) bool { return r.RabbitMQ != nil && r.RabbitMQ.Answered })
	})
}

func benchPoll(b *testing.B, cl *config.Cluster, kind cluster.SourceKind, serverPGID int, ok func(cluster.Result) bool) {
	ts, err := Targets(&config.Config{Clusters: []config.Cluster{*cl}}, &Deps{Runner: remote.ExecRunner{}})
	if err != nil || len(ts) != 1 {
		b.Fatalf("targets %d, %v", len(ts), err)
	}
	tg := ts[0]
	tg.Timeout = 30 * time.Second
	self0, kids0, srv0 := rusage(syscall.RUSAGE_SELF), rusage(syscall.RUSAGE_CHILDREN), groupCPU(serverPGID)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := DefaultProbers().Poll(context.Background(), tg); !ok(r) {
			b.Fatalf("poll %d: %+v", i, r)
		}
	}
	b.StopTimer()
	self, kids, srv := rusage(syscall.RUSAGE_SELF)-self0, rusage(syscall.RUSAGE_CHILDREN)-kids0, groupCPU(serverPGID)-srv0
	per := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
	b.ReportMetric(per(self), "hacon-cpu-ms/poll")
	b.ReportMetric(per(kids), "client-cpu-ms/poll")
	b.ReportMetric(per(srv), "server-cpu-ms/poll")
}

func rusage(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// groupCPU sums utime+stime of every process in a process group.
func groupCPU(pgid int) time.Duration {
	const userHZ = 100 // the kernel's USER_HZ, fixed at 100 on Linux
	dirs, _ := filepath.Glob("/proc/[0-9]*/stat")
	var ticks int64
	for _, d := range dirs {
		data, err := os.ReadFile(d)
		if err != nil {
			continue
		}
		s := string(data)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:]) // fields from 3 (state) on
		if len(f) < 13 {
			continue
		}
		if pg, _ := strconv.Atoi(f[2]); pg != pgid {
			continue
		}
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		ticks += ut + st
	}
	return time.Duration(ticks) * time.Second / userHZ
}
