package probes

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
)

const kindTest cluster.SourceKind = "test"

// testScheduler polls targets of kindTest with a probe that answers by
// name: "hang" ignores its context until the test ends, "slow" waits for
// its deadline, "fail" fails. The probe is in this scheduler's own map.
func testScheduler(t *testing.T, names ...string) *Scheduler {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	s := NewScheduler(testCfg(), testTargets(names...))
	s.probers[kindTest] = func(ctx context.Context, t *Target) cluster.Result {
		switch t.ID.Name {
		case "hang":
			<-release
		case "slow":
			<-ctx.Done()
			return cluster.Result{Err: "timed out"}
		case "fail":
			return cluster.Result{Err: "boom"}
		}
		return cluster.Result{Endpoint: &cluster.EndpointResult{OK: true}}
	}
	return s
}

func testTargets(names ...string) []*Target {
	var ts []*Target
	for _, n := range names {
		ts = append(ts, &Target{ID: cluster.SourceID{Cluster: "c", Kind: kindTest, Name: n}, Interval: 100 * time.Millisecond, Timeout: 200 * time.Millisecond})
	}
	return ts
}

func testCfg() *config.Config {
	return &config.Config{Interval: 100 * time.Millisecond, Concurrency: 4, Clusters: []config.Cluster{{Name: "c"}}}
}

func TestRecordDropsLateGeneration(t *testing.T) {
	t.Parallel()
	s := testScheduler(t, "a")
	id := cluster.SourceID{Cluster: "c", Kind: kindTest, Name: "a"}
	s.Record(cluster.Result{ID: id, Generation: 5, Err: "newer"})
	s.Record(cluster.Result{ID: id, Generation: 4})
	s.mu.Lock()
	got := s.inputs[id].Latest
	s.mu.Unlock()
	if got.Generation != 5 || got.Err != "newer" {
		t.Fatalf("late generation overwrote newer: %+v", got)
	}
}

// A probe that never returns and one that waits for its deadline must not
// hold PollOnce past the timeout, nor delay the healthy source. The bubble's
// fake clock makes the bound exact rather than a guess about a loaded host.
func TestPollOnceBoundedByTimeout(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := testScheduler(t, "ok", "hang", "slow")
		start := time.Now()
		snap := s.PollOnce(context.Background())
		const timeout = 200 * time.Millisecond
		if el := time.Since(start); el > timeout+timeout/10+50*time.Millisecond {
			t.Fatalf("PollOnce took %v with hung sources", el)
		}
		src := snap.Clusters[0].Sources
		got := map[string]bool{}
		for _, x := range src {
			got[x.Name] = x.OK
			if x.Name == "hang" && !strings.Contains(x.Error, "is still running") {
				t.Errorf("the hung source reads %q, want what happened (issue 11 #10)", x.Error)
			}
		}
		if !got["ok"] || got["slow"] {
			t.Fatalf("sources: %+v", src)
		}
	})
}

func TestRunSkipsWhileInFlightAndKeepsOthersPolling(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := testScheduler(t, "ok", "hang")
		polls := map[string]*atomic.Int32{"ok": {}, "hang": {}}
		inner := s.probers[kindTest]
		s.probers[kindTest] = func(ctx context.Context, tg *Target) cluster.Result {
			polls[tg.ID.Name].Add(1)
			return inner(ctx, tg)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
		defer cancel()
		var updates atomic.Int32
		go func() {
			for {
				select {
				case <-s.Updates():
					updates.Add(1)
				case <-ctx.Done():
					return
				}
			}
		}()
		s.Run(ctx)
		// 700ms at a 100ms interval (±10% jitter, first poll within 10ms).
		if n := polls["ok"].Load(); n < 5 {
			t.Errorf("healthy source polled only %d times in 700ms at 100ms interval", n)
		}
		if n := polls["hang"].Load(); n != 1 {
			t.Errorf("hung source started %d polls, want 1 (the others skipped while it runs)", n)
		}
		// Issue 11 #10: the hung source says what happened, not "not polled yet".
		for _, src := range s.Rebuild().Clusters[0].Sources {
			if src.Name == "hang" && (src.OK || !strings.Contains(src.Error, "past its 200ms timeout, and is still running")) {
				t.Errorf("hung source shows %q", src.Error)
			}
		}
		if updates.Load() == 0 {
			t.Error("no update signalled")
		}
	})
}

func TestNextDelayBacksOff(t *testing.T) {
	t.Parallel()
	iv := time.Second
	if d := nextDelay(iv, 0); d < 900*time.Millisecond || d > 1100*time.Millisecond {
		t.Errorf("no failure: %v", d)
	}
	if d := nextDelay(iv, 1); d < 1800*time.Millisecond || d > 2200*time.Millisecond {
		t.Errorf("1 failure: %v, want ~2s", d)
	}
	if d := nextDelay(iv, 20); d < 3600*time.Millisecond || d > 4400*time.Millisecond {
		t.Errorf("backoff not capped at 4 intervals: %v", d)
	}
	if d := nextDelay(20*time.Second, 5); d > MaxBackoff*11/10 {
		t.Errorf("backoff beyond MaxBackoff: %v", d)
	}
}
