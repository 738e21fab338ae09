package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/prometheus/common/version"

	"github.com/hacon/hacon/tui"
	"github.com/hacon/hacon/views"
)

// cmdConsole runs the interactive console, on a config or on the demo.
func cmdConsole(ctx context.Context, args []string, useDemo bool, stdout, stderr io.Writer) int {
	fs := newFlagSet("console", stderr)
	path := "" // the demo has no config file
	if !useDemo {
		fs.StringVar(&path, "config", "", "config file")
	}
	readOnly := fs.Bool("read-only", false, "never run actions")
	wall := fs.Bool("wall", false, "read-only wall display for a NOC screen")
	theme := fs.String("theme", "dark", "dark, light, high-contrast or mono (NO_COLOR forces mono)")
	rotate := fs.Duration("rotate", 15*time.Second, "wall mode: switch clusters this often")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if !validTheme(*theme) {
		fmt.Fprintf(stderr, "hacon: unknown theme %q (have %v)\n", *theme, views.Themes)
		return 2
	}
	src, err := newSources(path, useDemo)
	if err != nil {
		fmt.Fprintln(stderr, "hacon:", err)
		return 1
	}
	defer src.close()
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { src.sched.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	opts := tui.Options{
		Source:    src.sched,
		ReadOnly:  *readOnly || *wall || src.cfg.ReadOnly,
		Wall:      *wall,
		Theme:     *theme,
		Rotate:    *rotate,
		EventsLog: src.cfg.EventsLog,
		Commands:  map[string]tui.Command{},
		Version:   version.Version,
	}
	if src.demo != nil {
		for _, f := range src.demo.FaultCommands() {
			f := f
			opts.Commands[f.Name] = tui.Command{Help: f.Help, Dangerous: true,
				Run: func(_ context.Context, args []string) (string, error) { return f.Run(args) }}
		}
	}
	if err := tui.Run(ctx, opts); err != nil {
		fmt.Fprintln(stderr, "hacon:", err)
		return 1
	}
	return 0
}

func validTheme(t string) bool {
	for _, name := range views.Themes {
		if name == t {
			return true
		}
	}
	return false
}

var _ = os.Stdout
