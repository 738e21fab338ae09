package main

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/prometheus/common/version"
	"github.com/spf13/cobra"
)

// init fills prometheus/common/version from the Go build info when the
// build did not set it with -ldflags (make build, make package do), so
// `hacon version` always says which commit is running.
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
			if s.Value == "true" && version.Revision != "" && !strings.HasSuffix(version.Revision, "-dirty") {
				version.Revision += "-dirty"
			}
		}
	}
}

func newVersionCmd(inv *invocation) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "build information: version, commit, build date, Go version, platform",
		Example: "  hacon version",
		Args:    noArgs,
		Run: inv.do(func([]string) int {
			fmt.Fprint(inv.stdout, versionText())
			return 0
		}),
	}
}

// versionText is the build information, one line per field the build
// knows: a field it does not (branch, build user) is left out, not shown
// empty.
func versionText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "hacon, version %s", orUnknown(version.Version))
	if version.Revision != "" {
		fmt.Fprintf(&b, " (revision: %s)", version.Revision)
	}
	b.WriteString("\n")
	for _, f := range []struct{ name, value string }{
		{"branch", version.Branch},
		{"build user", version.BuildUser},
		{"build date", version.BuildDate},
		{"go version", version.GoVersion},
		{"platform", version.GoOS + "/" + version.GoArch},
	} {
		if f.value != "" {
			fmt.Fprintf(&b, "  %-12s%s\n", f.name+":", f.value)
		}
	}
	return b.String()
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
