package main

import (
	"os"
	"runtime/pprof"
)

// startProfile writes a CPU profile to $HACON_CPUPROFILE and, at exit, a
// heap profile to $HACON_HEAPPROFILE when they are set: a way to see where
// the console spends its time and memory on a real terminal.
func startProfile() func() {
	stopCPU := func() {}
	if path := os.Getenv("HACON_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				stopCPU = func() { pprof.StopCPUProfile(); f.Close() }
			} else {
				f.Close()
			}
		}
	}
	return func() {
		stopCPU()
		if path := os.Getenv("HACON_HEAPPROFILE"); path != "" {
			if f, err := os.Create(path); err == nil {
				_ = pprof.Lookup("heap").WriteTo(f, 0)
				f.Close()
			}
		}
	}
}
