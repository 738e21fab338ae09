package tui

import (
	"bytes"
	"context"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	fixture "github.com/hacon/hacon/cluster/clustertest"
)

// These run the real bubbletea program (teatest) for the flows that need
// its loop: snapshots arriving through Updates(), typed keys, quitting.
// Screen content is tested on View() directly in the golden tests.

func waitText(t *testing.T, tm *teatest.TestModel, want string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains([]byte(ansi.Strip(string(b))), []byte(want))
	}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}

func TestFlowUpdatesHelpQuit(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	src := newFake(fixture.Healthy())
	m := New(Options{Source: src, EventsLog: "-", ExportDir: t.TempDir()})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	waitText(t, tm, "keystone")
	src.set(fixture.Degraded())
	waitText(t, tm, "DOWN")
	tm.Type("t")
	waitText(t, tm, "TIMELINE")
	tm.Type("?")
	waitText(t, tm, "KEYS")
	tm.Type("q")
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	if final.screen != scrHelp || len(final.incidents.Incidents()) == 0 {
		t.Errorf("final screen %v with %d incidents", final.screen, len(final.incidents.Incidents()))
	}
}

func TestFlowWallRefusesDangerousCommand(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	var calls atomic.Int32
	cmds := map[string]Command{"poweroff": {Help: "power off", Dangerous: true, Run: func(context.Context, []string) (string, error) {
		calls.Add(1)
		return "", nil
	}}}
	m := New(Options{Source: newFake(fixture.Fenced()), Wall: true, Commands: cmds, EventsLog: "-", ExportDir: t.TempDir()})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	waitText(t, tm, "C R I T I C A L")
	tm.Type(":poweroff controller-1")
	tm.Send(tea.KeyPressMsg(tea.Key{Code: tea.KeyEnter}))
	waitText(t, tm, "read-only")
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	if calls.Load() != 0 {
		t.Fatal("wall mode ran a dangerous command")
	}
}
