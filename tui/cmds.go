package tui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/hacon/hacon/timeline"
)

// waitSnapshot blocks on the source's coalesced update signal and returns
// the newest snapshot as a message. It closes over the source only.
func waitSnapshot(src SnapshotSource) tea.Cmd {
	if src == nil {
		return nil
	}
	return func() tea.Msg {
		if _, ok := <-src.Updates(); !ok {
			return sourceClosedMsg{}
		}
		return snapshotMsg{snap: src.Snapshot()}
	}
}

// tick rebuilds the snapshot once a second so ages and staleness move even
// when no poll finishes.
func tick(src SnapshotSource, every time.Duration) tea.Cmd {
	return tea.Tick(every, func(t time.Time) tea.Msg {
		if src == nil {
			return tickMsg{now: t}
		}
		return tickMsg{now: t, snap: src.Rebuild(), ok: true}
	})
}

// runCommand runs a palette command off the UI goroutine.
func runCommand(ctx context.Context, name string, run func(context.Context, []string) (string, error), args []string) tea.Cmd {
	return func() tea.Msg {
		out, err := run(ctx, args)
		return commandDoneMsg{name: name, out: strings.TrimSpace(out), err: err}
	}
}

// exportCmd writes an export file (0600, directory 0700).
func exportCmd(dir, name, content string) tea.Cmd {
	return func() tea.Msg {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return exportDoneMsg{err: err}
		}
		path := filepath.Join(dir, name)
		err := os.WriteFile(path, []byte(content), 0o600)
		return exportDoneMsg{path: path, err: err}
	}
}

func appendLog(l *timeline.Log, recs []timeline.Record) tea.Cmd {
	if l == nil || len(recs) == 0 {
		return nil
	}
	return func() tea.Msg {
		if err := l.Append(recs); err != nil {
			return logErrMsg{err: err}
		}
		return nil
	}
}
