package main

import (
	"runtime/debug"

	"github.com/prometheus/common/version"
)

// init fills prometheus/common/version from the Go build info when the
// build did not set it with -ldflags, so `hacon version` always says which
// commit is running.
func init() {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return
	}
	if version.Version == "" {
		version.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			if version.Revision == "" || version.Revision == "unknown" {
				version.Revision = s.Value
			}
		case "vcs.time":
			if version.BuildDate == "" {
				version.BuildDate = s.Value
			}
		case "vcs.modified":
			if s.Value == "true" && version.Revision != "" {
				version.Revision += "-dirty"
			}
		}
	}
}
