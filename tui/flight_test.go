package tui

import (
	"testing"
	"testing/synctest"
	"time"
)

// A command the program dropped at shutdown never starts: Wait gives up
// on it after the grace period instead of hanging hacon's exit. The
// bubble's fake clock makes the durations exact, however loaded the
// machine.
func TestFlightWaitGivesUpOnDroppedCommand(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var f Flight
		f.dispatch()
		start := time.Now()
		f.Wait(50 * time.Millisecond)
		if d := time.Since(start); d != 50*time.Millisecond {
			t.Fatalf("Wait returned after %s, want the 50ms grace", d)
		}
		// A running one is waited for, however long the grace.
		f.start()
		go func() { time.Sleep(100 * time.Millisecond); f.finish(":move x y verified") }()
		start = time.Now()
		f.Wait(0)
		if d := time.Since(start); d < 100*time.Millisecond || f.Busy() {
			t.Fatalf("Wait returned after %s with the action still running", d)
		}
		if r := f.Results(); len(r) != 1 || r[0] != ":move x y verified" {
			t.Errorf("results %q", r)
		}
	})
}
