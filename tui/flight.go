package tui

import (
	"sync"
	"time"
)

// Flight counts the executions the console handed to bubbletea and that
// have not finished. An action runs in a command goroutine the program
// does not wait for, so after Run returns the caller asks Busy and Waits:
// a quit (q, ctrl-c, a lost SSH session) must never abandon an action
// half done and unaudited.
type Flight struct {
	mu      sync.Mutex
	queued  int // dispatched by Update, command not started yet
	running int
	results []string      // one line per finished execution, in order
	changed chan struct{} // closed and replaced on every change
}

func (f *Flight) update(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn()
	if f.changed != nil {
		close(f.changed)
	}
	f.changed = make(chan struct{})
}

func (f *Flight) dispatch() { f.update(func() { f.queued++ }) }
func (f *Flight) start()    { f.update(func() { f.queued--; f.running++ }) }
func (f *Flight) finish(result string) {
	f.update(func() { f.running--; f.results = append(f.results, result) })
}

// Results are the one-line results of the finished executions, so the
// caller can print those that finished after the console closed.
func (f *Flight) Results() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.results...)
}

// Busy reports whether an execution is queued or running.
func (f *Flight) Busy() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.queued+f.running > 0
}

// Wait blocks until every running execution has finished. A command that
// has not started within grace was dropped by the program's shutdown (its
// context ended before the command was handed over): it never ran, so
// there is nothing to wait for.
func (f *Flight) Wait(grace time.Duration) {
	deadline := time.Now().Add(grace)
	for {
		f.mu.Lock()
		queued, running := f.queued, f.running
		if f.changed == nil {
			f.changed = make(chan struct{})
		}
		ch := f.changed
		f.mu.Unlock()
		left := time.Until(deadline)
		if running == 0 && (queued == 0 || left <= 0) {
			return
		}
		t := time.NewTimer(max(left, 10*time.Millisecond))
		select {
		case <-ch:
		case <-t.C:
		}
		t.Stop()
	}
}
