package probes

import (
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
)

func TestConstraintsCacheFollowsLastChange(t *testing.T) {
	t.Parallel()
	t0 := time.Now()
	s := &pcmkState{}
	const lc = "Wed Nov 25 03:00:00 2026"
	if s.constraintsFresh(lc, t0) {
		t.Fatal("nothing cached yet")
	}
	// Read in the same second the value was first seen: not trusted, since
	// a second change within that second would not move last_change.
	s.cons, s.consFor, s.consAt = []cluster.Constraint{}, lc, t0.Add(500*time.Millisecond)
	if s.constraintsFresh(lc, t0.Add(2*time.Second)) {
		t.Error("a read within a second of the change was trusted")
	}
	s.consAt = t0.Add(1500 * time.Millisecond)
	if !s.constraintsFresh(lc, t0.Add(2*time.Second)) {
		t.Error("an unchanged CIB was read again")
	}
	if s.constraintsFresh(lc, t0.Add(1500*time.Millisecond+ConstraintsMaxAge+time.Second)) {
		t.Error("a cache older than ConstraintsMaxAge was trusted")
	}
	if s.constraintsFresh("Wed Nov 25 03:00:05 2026", t0.Add(6*time.Second)) {
		t.Error("a moved last_change did not invalidate the cache")
	}
	if s.constraintsFresh("", t0) {
		t.Error("no last_change (CIB_file) must always read")
	}
}
