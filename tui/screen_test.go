package tui

import (
	"slices"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/hacon/hacon/actions"
)

// Every screen keeps the contract: its title is in the header, the hints
// in the footer are its key map's short help, and every hinted key is one
// the screen lists in its full help.
func TestEveryScreenKeepsTheContract(t *testing.T) {
	standby := &actions.Preview{Title: ":standby controller-1", Request: actions.Request{Kind: actions.Standby, Node: "controller-1"}}
	base := func(opts Options) Model { return fakeModel(t, &recorder{preview: standby}, opts, 200, 50) }
	cases := []struct {
		name  string
		m     Model
		title string
	}{
		{"overview", base(Options{}), ""},
		{"service", press(base(Options{}), "enter"), "service "},
		{"node", press(base(Options{}), "tab", "enter"), "node "},
		{"haproxy", press(base(Options{}), "H"), "haproxy"},
		{"timeline", press(base(Options{}), "t"), "timeline"},
		{"help", press(base(Options{}), "?"), "help"},
		{"wall", base(Options{Wall: true}), ""},
		{"wall help", press(base(Options{Wall: true}), "?"), "help"},
		{"dialog", palette(base(Options{}), "standby controller-1"), "confirm action"},
	}
	for _, c := range cases {
		s := c.m.active()
		lines := strings.Split(plain(t, c.m), "\n")
		if got := s.title(c.m); !strings.HasPrefix(got, c.title) || (c.title != "" && !strings.Contains(lines[0], got)) {
			t.Errorf("%s: title %q, header %q", c.name, got, lines[0])
		}
		km := s.keyMap(c.m)
		var full []string
		for _, group := range km.FullHelp() {
			for _, b := range group {
				full = append(full, b.Keys()...)
			}
		}
		_, ownsTerminal := s.(fullScreen)
		for _, h := range km.ShortHelp() {
			if !ownsTerminal && !strings.Contains(lines[len(lines)-1], h.Help().Key+" "+h.Help().Desc) {
				t.Errorf("%s: footer %q lacks hint %q", c.name, lines[len(lines)-1], h.Help().Key+" "+h.Help().Desc)
			}
			for _, k := range h.Keys() {
				if !slices.Contains(full, k) && k != "ctrl+c" {
					t.Errorf("%s: hinted key %q is not in the screen's key map", c.name, k)
				}
			}
		}
	}
}

// The footer is generated from the key map: relabel a binding and the
// footer says so.
func TestFooterHintsComeFromKeyMap(t *testing.T) {
	m := fakeModel(t, &recorder{}, Options{}, 200, 50)
	m.keys.Help.Hint = "assist"
	lines := strings.Split(plain(t, m), "\n")
	if footer := lines[len(lines)-1]; !strings.Contains(footer, "? assist") {
		t.Errorf("footer %q", footer)
	}
}

// The dialog and the prompt answer their key maps, not fixed strings.
func TestDialogAndPromptKeysComeFromKeyMaps(t *testing.T) {
	standby := &actions.Preview{Title: ":standby controller-1", Request: actions.Request{Kind: actions.Standby, Node: "controller-1"}}
	rec := &recorder{preview: standby, outcome: actions.Outcome{OK: true, Verified: true}}
	m := fakeModel(t, rec, Options{}, 80, 24)
	m.keys.Dialog.Confirm = key.NewBinding(key.WithKeys("o"))
	m.keys.Prompt.Cancel = key.NewBinding(key.WithKeys("ctrl+g"))

	m = typeText(press(m, ":"), "standby")
	if m = press(m, "esc"); m.input != inputPalette {
		t.Fatal("esc closed the prompt although the key map cancels with ctrl+g")
	}
	if m = send(m, tea.KeyPressMsg(tea.Key{Code: 'g', Mod: tea.ModCtrl})); m.input != inputNone {
		t.Fatal("ctrl+g did not cancel the prompt")
	}

	m = palette(m, "standby controller-1")
	m, cmd := sendCmd(m, keyMsg("y"))
	if m = run(m, cmd); m.dlg.kind != dlgPreview {
		t.Fatal("y confirmed although the key map confirms with o")
	}
	m, cmd = sendCmd(m, keyMsg("o"))
	run(m, cmd)
	if _, execs := rec.calls(); execs != 1 {
		t.Fatalf("o did not confirm: %d executions", execs)
	}
}
