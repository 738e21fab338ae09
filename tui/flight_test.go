package tui

import (
	"testing"
	"time"
)

// A command the program dropped at shutdown never starts: Wait gives up
// on it after the grace period instead of hanging hacon's exit.
func TestFlightWaitGivesUpOnDroppedCommand(t *testing.T) {
	var f Flight
	f.dispatch()
	start := time.Now()
	f.Wait(50 * time.Millisecond)
	if d := time.Since(start); d < 50*time.Millisecond || d > 2*time.Second {
		t.Fatalf("Wait returned after %s", d)
	}
	// A running one is waited for, however long the grace.
	f.start()
	go func() { time.Sleep(100 * time.Millisecond); f.finish(":move x y verified") }()
	start = time.Now()
	f.Wait(0)
	if time.Since(start) < 100*time.Millisecond || f.Busy() {
		t.Fatal("Wait did not wait for the running action")
	}
	if r := f.Results(); len(r) != 1 || r[0] != ":move x y verified" {
		t.Errorf("results %q", r)
	}
}
