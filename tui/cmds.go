package tui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/timeline"
)

// waitSnapshot blocks on the source's coalesced update signal and returns
// the newest snapshot as a message, unless it holds the very builds the
// console has (cluster.BuildCache's Rev): a quiet fleet's polls then cost
// no Update and no frame. It closes over the source and the snapshot only.
func waitSnapshot(src SnapshotSource, have cluster.Snapshot) tea.Cmd {
	if src == nil {
		return nil
	}
	return func() tea.Msg {
		for {
			if _, ok := <-src.Updates(); !ok {
				return sourceClosedMsg{}
			}
			if s := src.Snapshot(); !sameBuilds(have, s) {
				return snapshotMsg{snap: s}
			}
		}
	}
}

// sameBuilds reports whether next is made of the same cluster builds as
// prev, so nothing on screen would change; never for clusters built
// without a BuildCache (Rev 0).
func sameBuilds(prev, next cluster.Snapshot) bool {
	if len(prev.Clusters) != len(next.Clusters) {
		return false
	}
	for i := range next.Clusters {
		if r := next.Clusters[i].Rev; r == 0 || prev.Clusters[i].Rev != r {
			return false
		}
	}
	return true
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
