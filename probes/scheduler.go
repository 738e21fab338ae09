package probes

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
)

// MaxBackoff caps the delay between polls of a failing source.
const MaxBackoff = 30 * time.Second

// Scheduler polls every target on its own interval, never letting one slow
// source delay another: each poll runs in its own goroutine under its own
// timeout, a source still being polled is skipped (not queued), and at most
// Concurrency polls are in flight.
type Scheduler struct {
	cfg     *config.Config
	targets []*Target
	probers Probers // what polls each kind; the scheduler's own map
	sem     chan struct{}
	now     func() time.Time
	// Log, set before Run or PollOnce, gets one debug line per failed
	// poll; nil logs nothing.
	Log *slog.Logger

	mu       sync.Mutex
	inputs   cluster.Inputs
	nextGen  map[cluster.SourceID]uint64
	inflight map[cluster.SourceID]bool
	seq      uint64
	snap     cluster.Snapshot
	dirty    bool // results arrived since snap was built
	// versions count, per cluster, the answers that said something new
	// (not cluster.SameData as the source's previous one): a cluster whose
	// version and staleness did not move is not rebuilt (cache).
	versions map[string]uint64
	cache    cluster.BuildCache
	// notifyPending: an Updates signal is scheduled for the current batch.
	notifyPending bool

	updates chan struct{}
	kick    chan map[cluster.SourceKind]bool // nil map: every kind
	wg      sync.WaitGroup
}

// NewScheduler prepares polling of targets; nothing runs until Run or PollOnce.
func NewScheduler(cfg *config.Config, targets []*Target) *Scheduler {
	conc := cfg.Concurrency
	if conc <= 0 {
		conc = config.DefaultConcurrency
	}
	s := &Scheduler{
		cfg: cfg, targets: targets, probers: DefaultProbers(), sem: make(chan struct{}, conc), now: time.Now,
		inputs:   cluster.Inputs{},
		nextGen:  map[cluster.SourceID]uint64{},
		inflight: map[cluster.SourceID]bool{},
		versions: map[string]uint64{},
		updates:  make(chan struct{}, 1),
		kick:     make(chan map[cluster.SourceKind]bool, 8),
	}
	start := s.now()
	for _, t := range targets {
		s.inputs[t.ID] = &cluster.SourceState{ID: t.ID, Address: t.Address, Interval: t.Interval, Since: start}
		for _, f := range t.Fanout {
			s.inputs[f.ID] = &cluster.SourceState{ID: f.ID, Address: f.Address, Interval: t.Interval, Since: start}
		}
	}
	s.snap = s.cache.Build(cfg, s.inputs, start, 0, s.versions)
	return s
}

// Updates signals (coalesced) that a new snapshot is available.
func (s *Scheduler) Updates() <-chan struct{} { return s.updates }

// Snapshot returns the newest snapshot. It is built on demand: merging
// after every single result would cost O(sources²) per cycle.
func (s *Scheduler) Snapshot() cluster.Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dirty {
		s.rebuildLocked()
	}
	return s.snap
}

// Rebuild makes a fresh snapshot now (ages and staleness move with time even
// when no result arrives).
func (s *Scheduler) Rebuild() cluster.Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rebuildLocked()
	return s.snap
}

func (s *Scheduler) rebuildLocked() {
	s.dirty = false
	s.seq++
	s.snap = s.cache.Build(s.cfg, s.inputs, s.now(), s.seq, s.versions)
}

// Kick asks the sources of the given kinds (every source when none is
// given) to poll now, e.g. to verify an action sooner. A source already
// being polled is not polled twice, so a BMC never gets a second session.
func (s *Scheduler) Kick(kinds ...cluster.SourceKind) {
	var want map[cluster.SourceKind]bool
	if len(kinds) > 0 {
		want = map[cluster.SourceKind]bool{}
		for _, k := range kinds {
			want[k] = true
		}
	}
	select {
	case s.kick <- want:
	default:
	}
}

// Run polls until ctx ends, then waits for in-flight polls to notice.
func (s *Scheduler) Run(ctx context.Context) {
	kicks := make([]chan struct{}, len(s.targets))
	for i, t := range s.targets {
		kicks[i] = make(chan struct{}, 1)
		s.wg.Add(1)
		go s.loop(ctx, t, kicks[i])
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case want := <-s.kick:
				for i, k := range kicks {
					if want != nil && !want[s.targets[i].ID.Kind] {
						continue
					}
					select {
					case k <- struct{}{}:
					default:
					}
				}
			}
		}
	}()
	<-ctx.Done()
	s.wg.Wait()
}

func (s *Scheduler) loop(ctx context.Context, t *Target, kick <-chan struct{}) {
	defer s.wg.Done()
	// Spread the first polls so sources do not all fire in the same instant.
	delay := time.Duration(rand.Int64N(int64(t.Interval)/10 + 1))
	failures := 0
	// One timer for the loop's life (Go ≥ 1.23: Reset needs no drain): a
	// fleet's thousands of sources made two new timers per poll.
	timer := time.NewTimer(delay)
	defer timer.Stop()
	for {
		timer.Reset(delay)
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-kick:
		}
		poll := s.start(ctx, t)
		if poll.done == nil {
			delay = t.Interval // still running: skipped, try again later
			continue
		}
		select {
		case <-ctx.Done():
			return
		case ok := <-poll.done:
			if ok {
				failures = 0
			} else {
				failures++
			}
		case <-resetTimer(timer, t.Interval):
			// Hung past an interval: leave it running and keep the cadence;
			// the next tick finds it in flight and skips. Say so now, or
			// the source reads "not polled yet" while it overruns.
			s.Record(poll.overrun(t, s.now()))
			failures++
		}
		delay = nextDelay(t.Interval, failures)
	}
}

// resetTimer restarts t to fire after d and returns its channel.
func resetTimer(t *time.Timer, d time.Duration) <-chan time.Time {
	t.Reset(d)
	return t.C
}

// yieldAfter is how long a poll holds its concurrency slot before it
// counts as waiting on its peer and gives the slot back.
func yieldAfter(timeout time.Duration) time.Duration {
	return max(min(timeout/20, 25*time.Millisecond), 5*time.Millisecond)
}

// nextDelay is the interval with ±10% jitter, doubled per consecutive
// failure up to MaxBackoff (but never below the interval).
func nextDelay(interval time.Duration, failures int) time.Duration {
	// A console must notice a recovery soon: back off to at most four
	// intervals (and never beyond MaxBackoff) rather than to minutes.
	ceiling := min(MaxBackoff, 4*interval)
	d := interval
	for i := 0; i < failures && d < ceiling; i++ {
		d *= 2
	}
	if d > ceiling && interval < ceiling {
		d = ceiling
	}
	jitter := time.Duration(rand.Int64N(int64(d)/5+1)) - d/10
	return d + jitter
}

// inFlightPoll is one poll started by start: done reports its success.
type inFlightPoll struct {
	done    <-chan bool
	gen     uint64
	started time.Time
}

// overrun is the result recorded for a poll still running past its
// source's interval. It carries the poll's own generation, so the real
// answer replaces it if it ever comes, and it is marked skipped: it is not
// an answer, so the data's age keeps growing.
func (p inFlightPoll) overrun(t *Target, now time.Time) cluster.Result {
	return cluster.Result{ID: t.ID, Address: t.Address, Generation: p.gen, Started: p.started,
		Duration: now.Sub(p.started), Skipped: true,
		Err: fmt.Sprintf("no answer: the poll has run %s, past its %s timeout, and is still running",
			now.Sub(p.started).Round(time.Millisecond), t.Timeout)}
}

// start launches one poll of t unless one is already in flight (then done
// is nil).
func (s *Scheduler) start(ctx context.Context, t *Target) inFlightPoll {
	gen, ok := s.begin(t)
	if !ok {
		return inFlightPoll{}
	}
	done := make(chan bool, 1)
	go func() { done <- s.run(ctx, t, gen) }()
	return inFlightPoll{done: done, gen: gen, started: s.now()}
}

// begin marks t in flight and numbers its poll, unless it is in flight.
func (s *Scheduler) begin(t *Target) (gen uint64, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inflight[t.ID] {
		return 0, false
	}
	s.inflight[t.ID] = true
	s.nextGen[t.ID]++
	return s.nextGen[t.ID], true
}

// run polls t (begun as gen), records the result and reports its success.
func (s *Scheduler) run(ctx context.Context, t *Target, gen uint64) bool {
	defer func() {
		s.mu.Lock()
		delete(s.inflight, t.ID)
		s.mu.Unlock()
	}()
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return false
	}
	var release sync.Once
	free := func() { release.Do(func() { <-s.sem }) }
	// A poll still waiting after a slice of its timeout is waiting on a
	// slow or hung peer, not using the machine: it gives its slot back so
	// a hung source cannot starve the healthy ones.
	yield := time.AfterFunc(yieldAfter(t.Timeout), free)
	r := s.probers.Poll(ctx, t)
	yield.Stop()
	free()
	r.Generation = gen
	if s.Log != nil && r.Err != "" {
		// Address is redacted by the probes and Err is operator words:
		// neither carries a secret.
		s.Log.Debug("poll failed", "source", r.ID.String(), "address", r.Address, "error", r.Err, "took", r.Duration)
	}
	if ctx.Err() == nil {
		s.Record(r)
	}
	return r.OK()
}

// Record stores a result unless a newer generation of the same source is
// already stored, and marks the snapshot for rebuilding. A result with a
// Fanout stores each of its results too, under the same generation.
func (s *Scheduler) Record(r cluster.Result) {
	s.mu.Lock()
	s.recordLocked(r)
	for _, sub := range r.Fanout {
		sub.Generation = r.Generation
		s.recordLocked(sub)
	}
	s.dirty = true
	// Results of one cycle arrive within a few hundred ms of each other:
	// signal once for the batch, not once per source, so the console
	// merges and repaints a few times per cycle instead of per result.
	if !s.notifyPending {
		s.notifyPending = true
		time.AfterFunc(UpdateBatch, s.notify)
	}
	s.mu.Unlock()
}

func (s *Scheduler) recordLocked(r cluster.Result) {
	st := s.inputs[r.ID]
	if st == nil {
		st = &cluster.SourceState{ID: r.ID, Since: s.now()}
		s.inputs[r.ID] = st
	}
	if st.Latest != nil && st.Latest.Generation > r.Generation {
		return
	}
	rc := r
	rc.Fanout = nil // each is stored under its own id
	if !cluster.SameData(st.Latest, &rc) {
		s.versions[r.ID.Cluster]++
	}
	st.Latest = &rc
	end := r.Started.Add(r.Duration)
	if !r.DataTime.IsZero() && r.DataTime.Before(end) {
		end = r.DataTime // the peer's data is this old, whenever it was asked
	}
	if !r.Skipped {
		st.LastAnswer = end
	}
	if r.OK() {
		st.LastGood = &rc
		st.LastSuccess = end
	}
}

// UpdateBatch is how long results are gathered before Updates signals.
const UpdateBatch = 150 * time.Millisecond

func (s *Scheduler) notify() {
	s.mu.Lock()
	s.notifyPending = false
	s.mu.Unlock()
	select {
	case s.updates <- struct{}{}:
	default:
	}
}

// PollOnce polls every target once, concurrently, and returns the snapshot
// when all have answered or timed out. Used by `hacon status`.
func (s *Scheduler) PollOnce(ctx context.Context) cluster.Snapshot {
	// Sources that failed last time start first: if they hang again, their
	// timeouts run alongside the healthy polls instead of after them.
	order := make([]*Target, 0, len(s.targets))
	var healthy []*Target
	s.mu.Lock()
	for _, t := range s.targets {
		if st := s.inputs[t.ID]; st != nil && st.Latest != nil && !st.Latest.OK() {
			order = append(order, t)
		} else {
			healthy = append(healthy, t)
		}
	}
	s.mu.Unlock()
	order = append(order, healthy...)
	var wg sync.WaitGroup
	for _, t := range order {
		wg.Add(1)
		go func(t *Target) {
			defer wg.Done()
			poll := s.start(ctx, t)
			if poll.done == nil {
				return
			}
			// A probe that ignores its deadline must not hold us past it.
			select {
			case <-poll.done:
			case <-time.After(t.Timeout + t.Timeout/10 + 50*time.Millisecond):
				s.Record(poll.overrun(t, s.now()))
			case <-ctx.Done():
			}
		}(t)
	}
	wg.Wait()
	return s.Rebuild()
}
