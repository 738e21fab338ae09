package main

import (
	"context"
	"fmt"
	"io"
)

// cmdConsole runs the interactive console (the TUI lands with its issue;
// until then it prints the snapshot as status does, every interval).
func cmdConsole(ctx context.Context, args []string, useDemo bool, stdout, stderr io.Writer) int {
	fs := newFlagSet("console", stderr)
	path := fs.String("config", "", "config file")
	_ = fs.Bool("read-only", false, "never run actions")
	_ = fs.Bool("wall", false, "read-only wall display")
	_ = fs.String("theme", "dark", "dark, light, high-contrast or mono")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	src, err := newSources(*path, useDemo)
	if err != nil {
		fmt.Fprintln(stderr, "hacon:", err)
		return 1
	}
	defer src.close()
	snap := src.sched.PollOnce(ctx)
	printStatus(stdout, &snap)
	return 0
}
