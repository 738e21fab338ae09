package app

import (
	"os"
	"runtime/debug"
)

// GCPercent is hacon's GOGC unless the operator sets one. Most of hacon's
// heap is one refresh's answers, garbage a moment later (a Prometheus
// fleet of 500 clusters decodes ~100 MB per refresh): the default 100
// lets the heap reach twice what is live, which on a shared jump host is
// memory for nothing; 50 keeps RSS within the 250 MB budget at 500
// clusters for about one percent of a core more GC.
const GCPercent = 50

// TuneRuntime applies GCPercent unless GOGC is set. Proportional rather
// than a memory limit: a bigger fleet needs a bigger heap, and a limit
// below it would make the collector spin.
func TuneRuntime() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
}
