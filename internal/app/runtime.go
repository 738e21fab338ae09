package app

import (
	"os"
	"runtime/debug"

	"github.com/hacon/hacon/config"
)

// GCPercent is hacon's GOGC when it reads planes from Prometheus, unless
// the operator sets one. There most of the heap is one refresh's answers,
// garbage a moment later (a fleet of 500 clusters decodes ~100 MB per
// refresh): the default 100 lets the heap reach twice what is live, which
// on a shared jump host is memory for nothing; 50 keeps RSS within the
// 250 MB budget at 500 clusters for about one percent of a core more GC.
// Polling directly, the heap is mostly what is live and every collection
// costs: there the default stays (at 50 clusters GOGC 50 would be a tenth
// more CPU, issue 18).
const GCPercent = 50

// TuneRuntime applies GCPercent to a config reading from Prometheus, unless
// GOGC is set. Proportional rather than a memory limit: a bigger fleet
// needs a bigger heap, and a limit below it would make the collector spin.
func TuneRuntime(cfg *config.Config) {
	if os.Getenv("GOGC") == "" && readsPrometheus(cfg) {
		debug.SetGCPercent(GCPercent)
	}
}

func readsPrometheus(cfg *config.Config) bool {
	if cfg == nil {
		return false
	}
	for i := range cfg.Clusters {
		if cfg.PrometheusFor(&cfg.Clusters[i]) != nil {
			return true
		}
	}
	return false
}
