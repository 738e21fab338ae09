package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	fixture "github.com/hacon/hacon/cluster/clustertest"
	"github.com/hacon/hacon/views"
)

func TestNavigation(t *testing.T) {
	m := newModel(t, fixture.Degraded(), Options{Theme: "mono"}, 80, 24)
	m = press(m, "j", "j", "down", "k")
	if m.ov.Row != 2 || m.ov.Focus != views.PanelServices {
		t.Fatalf("row %d focus %v, want row 2 on services", m.ov.Row, m.ov.Focus)
	}
	m = press(m, "l", "right", "right", "h")
	if m.ov.Col != 1 {
		t.Fatalf("col %d, want 1 (clamped at the last controller, then back one)", m.ov.Col)
	}
	if !strings.Contains(plain(t, m), "▸nova-api") {
		t.Error("cursor row not marked on nova-api")
	}
	m = press(m, "enter")
	if m.screen != scrService || m.detail != "nova-api" || m.focus != "controller-1" {
		t.Fatalf("enter opened %v %q focus %q", m.screen, m.detail, m.focus)
	}
	if s := plain(t, m); !strings.Contains(s, "SERVICE nova-api") || !strings.Contains(s, "▪ controller-1") {
		t.Errorf("service detail not shown:\n%s", s)
	}
	m = press(m, "esc")
	if m.screen != scrOverview {
		t.Fatal("esc did not return to the overview")
	}
	m = press(m, "tab")
	if m.ov.Focus != views.PanelNodes {
		t.Fatalf("tab: focus %v", m.ov.Focus)
	}
	m = press(m, "enter")
	if m.screen != scrNode || m.detail != "controller-1" {
		t.Fatalf("enter on the node strip opened %v %q", m.screen, m.detail)
	}
	m = press(m, "esc", "tab", "j", "enter")
	if m.ov.Focus != views.PanelVIPs || m.screen != scrNode || m.detail != "controller-1" {
		t.Fatalf("VIP internal_api should open its holder controller-1, got %v %q", m.screen, m.detail)
	}
	m = press(m, "esc", "shift+tab", "shift+tab", "shift+tab")
	if m.ov.Focus != views.PanelAlerts {
		t.Fatalf("shift+tab wraps backwards: focus %v", m.ov.Focus)
	}
	m = press(m, "enter")
	if m.screen != scrService || m.detail != "keystone" {
		t.Fatalf("enter on the keystone alert opened %v %q", m.screen, m.detail)
	}
}

func TestScreensToggleAndScroll(t *testing.T) {
	m := newModel(t, fixture.Fenced(), Options{}, 80, 24)
	m = press(m, "H")
	if m.screen != scrHAProxy || !strings.Contains(plain(t, m), "HAPROXY") {
		t.Fatal("H did not open the HAProxy screen")
	}
	first := plain(t, m)
	m = press(m, "j", "j", "j")
	if m.scroll != 3 || plain(t, m) == first {
		t.Fatalf("scroll %d: the screen did not move", m.scroll)
	}
	m = press(m, "G")
	end := m.scroll
	m = press(m, "j")
	if m.scroll != end {
		t.Error("scrolled past the end")
	}
	m = press(m, "H")
	if m.screen != scrOverview {
		t.Error("H again should close the HAProxy screen")
	}
	m = press(m, "t", "?")
	if m.screen != scrHelp || !strings.Contains(plain(t, m), "KEYS") {
		t.Fatal("? did not open help")
	}
	m = press(m, "esc")
	if m.screen != scrTimeline {
		t.Errorf("esc from help should return to the timeline, got %v", m.screen)
	}
}

func TestHelpIsGeneratedFromKeyMap(t *testing.T) {
	m := newModel(t, fixture.Healthy(), Options{ReadOnly: true, Commands: demoCommands(nil)}, 200, 50)
	m = press(m, "?")
	var all []string
	for _, l := range m.screenLines() {
		all = append(all, l.Plain())
	}
	text := strings.Join(all, "\n")
	for _, b := range m.keys.All() {
		if !strings.Contains(text, b.Help().Key) || !strings.Contains(text, b.Help().Desc) {
			t.Errorf("help lacks binding %q %q", b.Help().Key, b.Help().Desc)
		}
	}
	if !strings.Contains(text, ":poweroff") || !strings.Contains(text, "read-only: refused") {
		t.Error("help lacks the registered dangerous command and its read-only note")
	}
}

func TestFilter(t *testing.T) {
	m := newModel(t, fixture.Degraded(), Options{Theme: "mono"}, 80, 24)
	m = press(m, "/")
	m = typeText(m, "sched")
	s := plain(t, m)
	if !strings.Contains(s, "nova-scheduler") || !strings.Contains(s, "cinder-scheduler") || strings.Contains(s, "keystone  ") {
		t.Fatalf("filter 'sched' shows the wrong rows:\n%s", s)
	}
	if !strings.Contains(s, "/sched█") {
		t.Error("the filter prompt is not shown")
	}
	m = press(m, "enter")
	if m.input != inputNone || m.ov.Filter != "sched" {
		t.Fatal("enter should keep the filter and close the prompt")
	}
	// A node filter keeps every service and shows one column.
	m = press(m, "esc", "/")
	m = typeText(m, "controller-2")
	m = press(m, "enter")
	s = plain(t, m)
	strip := strings.Split(s, "\n")[1]
	if strings.Contains(strip, "controller-0") || !strings.Contains(strip, "controller-2") || !strings.Contains(s, "keystone") {
		t.Fatalf("node filter:\n%s", s)
	}
	m = press(m, "esc")
	if m.ov.Filter != "" {
		t.Error("esc on the overview should clear the filter")
	}
}

func TestPaletteClusterAndCommands(t *testing.T) {
	calls := map[string][]string{}
	m := newModel(t, fixture.TwoClusters(), Options{Commands: demoCommands(calls)}, 80, 24)
	m = press(m, ":")
	m = typeText(m, "cluster edge-dc2")
	m = press(m, "enter")
	if m.cluster != 1 || !strings.Contains(plain(t, m), "edge-dc2") {
		t.Fatalf(":cluster edge-dc2 did not switch (cluster %d)", m.cluster)
	}
	m = press(m, "[")
	if m.cluster != 0 {
		t.Fatal("[ did not switch back")
	}
	m = press(m, ":")
	m = typeText(m, "cluster nowhere")
	m = press(m, "enter")
	if m.cluster != 0 || !strings.Contains(m.toast, "no cluster nowhere") {
		t.Fatalf("unknown cluster: toast %q", m.toast)
	}
	// A registered command runs with its arguments (not dangerous here; the
	// console is not read-only anyway).
	m = press(m, ":")
	m = typeText(m, "lat")
	m = press(m, "tab")
	if m.text() != "latency " {
		t.Fatalf("tab completion gave %q", m.text())
	}
	m = typeText(m, "keystone 300ms")
	m, cmd := sendCmd(m, keyMsg("enter"))
	if cmd == nil {
		t.Fatal("no command returned for :latency")
	}
	m = send(m, cmd())
	if got := calls["latency"]; strings.Join(got, " ") != "keystone 300ms" {
		t.Fatalf("latency called with %q", got)
	}
	if !strings.Contains(m.toast, "latency keystone 300ms: ok") {
		t.Errorf("toast %q", m.toast)
	}
	m = press(m, ":")
	m = typeText(m, "poweroff controller-1")
	m, cmd = sendCmd(m, keyMsg("enter"))
	m = send(m, cmd())
	if strings.Join(calls["poweroff"], " ") != "controller-1" {
		t.Errorf("a dangerous command must run when not read-only: %v", calls)
	}
	m = press(m, ":", "q", "enter")
	_ = m
}

func TestQuit(t *testing.T) {
	m := newModel(t, fixture.Healthy(), Options{}, 80, 24)
	if _, cmd := sendCmd(m, keyMsg("q")); !isQuit(cmd) {
		t.Error("q does not quit")
	}
	m = press(m, ":")
	m, cmd := sendCmd(m, keyMsg("ctrl+c"))
	if isQuit(cmd) {
		t.Fatal("ctrl+c with the palette open must ask for a second press")
	}
	if !strings.Contains(plain(t, m), "ctrl+c again") {
		t.Error("no hint after the first ctrl+c")
	}
	if _, cmd = sendCmd(m, keyMsg("ctrl+c")); !isQuit(cmd) {
		t.Error("second ctrl+c does not quit")
	}
	if _, cmd = sendCmd(newModel(t, fixture.Healthy(), Options{}, 80, 24), keyMsg("ctrl+c")); !isQuit(cmd) {
		t.Error("ctrl+c without a prompt does not quit at once")
	}
	m = press(newModel(t, fixture.Healthy(), Options{}, 80, 24), ":")
	m = typeText(m, "q")
	if _, cmd = sendCmd(m, keyMsg("enter")); !isQuit(cmd) {
		t.Error(":q does not quit")
	}
}

func isQuit(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	_, ok := cmd().(tea.QuitMsg)
	return ok
}

func TestReadOnlyRefusesDangerousCommand(t *testing.T) {
	calls := map[string][]string{}
	m := newModel(t, fixture.Healthy(), Options{ReadOnly: true, Commands: demoCommands(calls)}, 80, 24)
	m = press(m, ":")
	m = typeText(m, "poweroff controller-1")
	m, cmd := sendCmd(m, keyMsg("enter"))
	if cmd != nil {
		m = send(m, cmd())
	}
	if _, called := calls["poweroff"]; called {
		t.Fatal("a dangerous command ran in read-only mode")
	}
	if s := plain(t, m); !strings.Contains(s, "read-only") {
		t.Errorf("no visible read-only message:\n%s", s)
	}
	// A harmless command still runs.
	m = press(m, ":")
	m = typeText(m, "latency x")
	_, cmd = sendCmd(m, keyMsg("enter"))
	cmd()
	if _, called := calls["latency"]; !called {
		t.Error("a harmless command was refused in read-only mode")
	}
}

func TestReadOnlyRefusesDangerousBinding(t *testing.T) {
	m := newModel(t, fixture.Healthy(), Options{ReadOnly: true}, 80, 24)
	m.keys.Export.Dangerous = true // as an action binding would be
	m, cmd := sendCmd(m, keyMsg("e"))
	if cmd != nil || !strings.Contains(m.toast, "read-only") {
		t.Fatalf("dangerous binding not refused: toast %q", m.toast)
	}
}

func TestWallRefusesEverythingButQuitAndHelp(t *testing.T) {
	calls := map[string][]string{}
	m := newModel(t, fixture.Fenced(), Options{Wall: true, Commands: demoCommands(calls)}, 80, 24)
	for _, k := range []string{":", "/", "e", "j", "enter", "t", "H", "["} {
		var cmd tea.Cmd
		m, cmd = sendCmd(m, keyMsg(k))
		if cmd != nil {
			t.Errorf("key %q returned a command in wall mode", k)
		}
		if m.input != inputNone || m.screen != scrOverview {
			t.Fatalf("key %q changed the wall (input %v screen %v)", k, m.input, m.screen)
		}
		if !strings.Contains(plain(t, m), "read-only") {
			t.Errorf("key %q: no read-only message", k)
		}
	}
	// Typing a dangerous palette command blind must not run it either.
	m = typeText(m, "poweroff controller-1")
	m, cmd := sendCmd(m, keyMsg("enter"))
	if cmd != nil {
		cmd()
	}
	if len(calls) != 0 {
		t.Fatalf("wall mode ran a command: %v", calls)
	}
	m = press(m, "?")
	if m.screen != scrHelp {
		t.Fatal("? does not open help on the wall")
	}
	m = press(m, "?")
	if _, cmd = sendCmd(m, keyMsg("q")); !isQuit(cmd) {
		t.Error("q does not quit the wall")
	}
}

func TestWallRotatesAndDrifts(t *testing.T) {
	m := newModel(t, fixture.TwoClusters(), Options{Wall: true, Rotate: 15 * time.Second}, 80, 24)
	start := m.now
	m = send(m, tickMsg{now: start.Add(5 * time.Second)})
	if m.cluster != 0 {
		t.Fatal("rotated too early")
	}
	m = send(m, tickMsg{now: start.Add(15 * time.Second)})
	if m.cluster != 1 || !strings.Contains(plain(t, m), "edge-dc2") {
		t.Fatalf("did not rotate to edge-dc2 after 15s (cluster %d)", m.cluster)
	}
	m = send(m, tickMsg{now: start.Add(30 * time.Second)})
	if m.cluster != 0 {
		t.Fatal("did not rotate back")
	}
	a := plain(t, m)
	m = send(m, tickMsg{now: start.Add(3*time.Minute + 30*time.Second)})
	if b := plain(t, m); a == b {
		t.Error("the layout did not drift after three minutes")
	}
}

func TestSnapshotsMakeEventsAndLog(t *testing.T) {
	src := newFake(fixture.Healthy())
	dir := t.TempDir()
	logPath := filepath.Join(dir, "state", "hacon", "events.log")
	m := newModel(t, fixture.Healthy(), Options{Source: src, EventsLog: logPath}, 80, 24)
	src.set(fixture.Degraded())
	msg := waitSnapshot(src, m.snap)()
	if _, rearm := sendCmd(m, msg); rearm == nil {
		t.Fatal("a snapshot message must re-arm the wait for the next one")
	}
	m, cmd := m.applySnapshot(msg.(snapshotMsg).snap)
	if len(m.incidents.Incidents()) != 1 || cmd == nil {
		t.Fatal("no incident (or no log write) from healthy → degraded")
	}
	if err, ok := cmd().(logErrMsg); ok {
		t.Fatal(err.err)
	}
	data, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"change":"opened"`) || !strings.Contains(string(data), `"subject":"keystone@controller-1","what":"haproxy","from":"UP","to":"DOWN"`) {
		t.Errorf("events log:\n%s", data)
	}
	for path, want := range map[string]os.FileMode{logPath: 0o600, filepath.Dir(logPath): 0o700 | os.ModeDir} {
		if st, err := os.Stat(path); err != nil || st.Mode() != want {
			t.Errorf("%s mode %v, want %v", path, st.Mode(), want)
		}
	}
	// An older snapshot (lower sequence) is dropped.
	old := fixture.Healthy()
	old.Sequence = 0
	if m2 := send(m, snapshotMsg{old}); m2.snap.Sequence != m.snap.Sequence {
		t.Error("an older snapshot replaced a newer one")
	}
	// A tick rebuilds the snapshot through the source.
	m = send(m, tickMsg{now: m.now.Add(time.Second), snap: src.Rebuild(), ok: true})
	if src.rebuilds == 0 || m.snap.Sequence != src.Snapshot().Sequence {
		t.Error("tick did not take the rebuilt snapshot")
	}
}

func TestExport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "exports")
	m := newModel(t, fixture.Healthy(), Options{ExportDir: dir, Version: "test"}, 80, 24)
	d := fixture.Degraded()
	d.Sequence = 9
	m = send(m, snapshotMsg{d})
	m, cmd := sendCmd(m, keyMsg("e"))
	if cmd == nil {
		t.Fatal("e returned no command")
	}
	m = send(m, cmd())
	want := filepath.Join(dir, "hacon-overcloud-20260314T030405Z.md")
	if !strings.Contains(plain(t, m), "exported to") || !strings.Contains(m.toast, want) {
		t.Fatalf("toast %q, want the path %s", m.toast, want)
	}
	data, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"# Incident report: overcloud — 2026-03-14 03:04:05 UTC", "## Summary", "1 incident(s), 1 still open",
		"## Impact", "| keystone | 2 of 3 |", "## Timeline", "keystone on controller-1: HAProxy DOWN", "haproxy ● UP → ✖ DOWN: keystone on controller-1",
		"## Current state", "### Alerts", "keystone: 2 of 3 instances serving", "| keystone | A/A | 2/3 |"} {
		if !strings.Contains(string(data), s) {
			t.Errorf("export lacks %q", s)
		}
	}
	if st, _ := os.Stat(want); st.Mode().Perm() != 0o600 {
		t.Errorf("export mode %v", st.Mode())
	}
}
