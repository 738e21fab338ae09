package probes

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
)

// benchCycle builds a config of n endpoint probes (services × controllers on
// loopback listeners), hanging of them pointing at a listener that accepts
// and never answers.
func benchCycle(b *testing.B, n, hanging int, timeout time.Duration) (*Scheduler, func()) {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"versions":[{"id":"v2.1","status":"CURRENT"}]}`))
	}))
	hang, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	var held []net.Conn
	go func() {
		for {
			c, err := hang.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	const controllers = 10
	cc := config.Cluster{Name: "bench", Timeout: timeout}
	for i := 0; i < controllers; i++ {
		cc.Controllers = append(cc.Controllers, config.Controller{Name: fmt.Sprintf("c%d", i), Address: srv.Listener.Addr().String()})
	}
	services := n / controllers
	hangSvcs := hanging / controllers
	for i := 0; i < services; i++ {
		addr := "{{.Address}}"
		if i < hangSvcs {
			addr = hang.Addr().String()
		}
		cc.Services = append(cc.Services, config.Service{Name: fmt.Sprintf("svc%d", i), Endpoint: "http://" + addr + fmt.Sprintf("/s%d", i)})
	}
	cfg := &config.Config{Interval: 2 * time.Second, Concurrency: 64, Clusters: []config.Cluster{cc}}
	ts, err := Targets(cfg, &Deps{HTTP: NewHTTPClients()})
	if err != nil {
		b.Fatal(err)
	}
	if len(ts) != n {
		b.Fatalf("%d targets, want %d", len(ts), n)
	}
	return NewScheduler(cfg, ts), func() { srv.Close(); hang.Close() }
}

func maxRSSKiB() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Maxrss
}

// BenchmarkCycle2000Endpoints: one PollOnce of 2,000 endpoint probes at
// concurrency 64. Reports wall ms per cycle and peak RSS.
func BenchmarkCycle2000Endpoints(b *testing.B) {
	s, stop := benchCycle(b, 2000, 0, 1500*time.Millisecond)
	defer stop()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		snap := s.PollOnce(context.Background())
		if bad := failing(snap); bad != 0 {
			b.Fatalf("%d probes failed", bad)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/cycle")
	b.ReportMetric(float64(maxRSSKiB())/1024, "peakRSS-MiB")
}

// BenchmarkCycle2000With100Hanging: the same cycle with 100 probes whose
// peer never answers; the cycle must still end within timeout + 10%.
func BenchmarkCycle2000With100Hanging(b *testing.B) {
	const timeout = 1500 * time.Millisecond
	s, stop := benchCycle(b, 2000, 100, timeout)
	defer stop()
	b.ResetTimer()
	var worst time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		snap := s.PollOnce(context.Background())
		el := time.Since(start)
		worst = max(worst, el)
		if bad := failing(snap); bad != 100 {
			b.Fatalf("%d probes failed, want the 100 hanging ones", bad)
		}
	}
	b.ReportMetric(float64(worst.Milliseconds()), "worst-ms/cycle")
	b.ReportMetric(float64(worst)/float64(timeout), "x-timeout")
	b.ReportMetric(float64(maxRSSKiB())/1024, "peakRSS-MiB")
	b.ReportMetric(float64(runtime.NumGoroutine()), "goroutines")
}

func failing(snap cluster.Snapshot) int {
	bad := 0
	for _, e := range snap.Clusters[0].Endpoints {
		if !e.OK {
			bad++
		}
	}
	return bad
}
