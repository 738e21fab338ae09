package tui

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/hacon/hacon/cluster"
)

// updating reports -update: rewrite the golden files. teatest's golden
// package defines that flag too; share it rather than clash.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files")
	}
}

func TestMain(m *testing.M) {
	time.Local = time.UTC // golden clocks and timelines must not depend on the machine
	os.Exit(m.Run())
}

// fakeSource is a SnapshotSource the test drives.
type fakeSource struct {
	mu       sync.Mutex
	snap     cluster.Snapshot
	ch       chan struct{}
	rebuilds int
}

var _ SnapshotSource = (*fakeSource)(nil)

func newFake(s cluster.Snapshot) *fakeSource { return &fakeSource{snap: s, ch: make(chan struct{}, 1)} }

func (f *fakeSource) Snapshot() cluster.Snapshot {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.snap
}

func (f *fakeSource) Updates() <-chan struct{} { return f.ch }

func (f *fakeSource) Rebuild() cluster.Snapshot {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rebuilds++
	f.snap.Sequence++
	return f.snap
}

// set publishes a new snapshot with a higher sequence.
func (f *fakeSource) set(s cluster.Snapshot) {
	f.mu.Lock()
	s.Sequence = f.snap.Sequence + 1
	f.snap = s
	f.mu.Unlock()
	select {
	case f.ch <- struct{}{}:
	default:
	}
}

// newModel builds a console on a fixed snapshot at a size, writing its
// events log and exports into the test's temporary directory.
func newModel(t testing.TB, snap cluster.Snapshot, opts Options, w, h int) Model {
	t.Helper()
	if opts.Source == nil {
		opts.Source = newFake(snap)
	}
	dir := t.TempDir()
	if opts.EventsLog == "" {
		opts.EventsLog = filepath.Join(dir, "state", "events.log")
	}
	if opts.ExportDir == "" {
		opts.ExportDir = filepath.Join(dir, "exports")
	}
	if opts.ConfirmDelay == 0 {
		opts.ConfirmDelay = noConfirmDelay
	}
	return send(New(opts), tea.WindowSizeMsg{Width: w, Height: h})
}

// send feeds messages to Update and returns the resulting model.
func send(m Model, msgs ...tea.Msg) Model {
	for _, msg := range msgs {
		mm, _ := m.Update(msg)
		m = mm.(Model)
	}
	return m
}

// sendCmd feeds one message and returns the model and the command.
func sendCmd(m Model, msg tea.Msg) (Model, tea.Cmd) {
	mm, cmd := m.Update(msg)
	return mm.(Model), cmd
}

// keyMsg makes a key press from its name: "enter", "ctrl+c", "H", ...
func keyMsg(name string) tea.KeyPressMsg {
	special := map[string]tea.Key{
		"enter": {Code: tea.KeyEnter}, "esc": {Code: tea.KeyEscape}, "tab": {Code: tea.KeyTab},
		"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift}, "backspace": {Code: tea.KeyBackspace},
		"up": {Code: tea.KeyUp}, "down": {Code: tea.KeyDown}, "left": {Code: tea.KeyLeft}, "right": {Code: tea.KeyRight},
		"pgdown": {Code: tea.KeyPgDown}, "pgup": {Code: tea.KeyPgUp}, "ctrl+c": {Code: 'c', Mod: tea.ModCtrl},
	}
	if k, ok := special[name]; ok {
		return tea.KeyPressMsg(k)
	}
	r := []rune(name)[0]
	return tea.KeyPressMsg(tea.Key{Code: r, Text: string(r)})
}

// press sends key presses by name.
func press(m Model, names ...string) Model {
	for _, n := range names {
		m = send(m, keyMsg(n))
	}
	return m
}

// typeText types text character by character.
func typeText(m Model, text string) Model {
	for _, r := range text {
		m = send(m, tea.KeyPressMsg(tea.Key{Code: r, Text: string(r)}))
	}
	return m
}

// rendered returns the content and checks the size contract: no
// line wider than the terminal, no more lines than its height.
func rendered(t testing.TB, m Model) string {
	t.Helper()
	out := m.View().Content
	lines := strings.Split(out, "\n")
	if len(lines) > m.h {
		t.Errorf("%d lines for a height of %d", len(lines), m.h)
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > m.w {
			t.Errorf("line %d is %d cells wide (width %d): %q", i+1, w, m.w, ansi.Strip(l))
		}
	}
	return out
}

// plain is the screen without escape codes.
func plain(t testing.TB, m Model) string { return ansi.Strip(rendered(t, m)) }

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if updating() {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./tui -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file; got:\n%s\n(run go test ./tui -run %s -update after checking)", path, ansi.Strip(got), t.Name())
	}
}
