package main

import (
	"os"
	"runtime/pprof"
)

// startProfile writes a CPU profile to $HACON_CPUPROFILE when it is set: a
// way to see where the console spends its time on a real terminal.
func startProfile() func() {
	path := os.Getenv("HACON_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return func() {}
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}
