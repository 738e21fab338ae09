package tui

import (
	"strings"
	"testing"

	"github.com/hacon/hacon/actions"
)

// The console's action keys, palette names and help come from the verb
// table: a verb added there is offered everywhere without touching tui.
func TestVerbTableDrivesConsole(t *testing.T) {
	m := fakeModel(t, &recorder{}, Options{}, 80, 24)
	var keyed []actions.Verb
	for _, v := range actions.Verbs() {
		if v.Key != "" {
			keyed = append(keyed, v)
		}
	}
	acts := m.keys.Acts()
	if len(acts) != len(keyed) {
		t.Fatalf("%d action keys for %d keyed verbs", len(acts), len(keyed))
	}
	for i, v := range keyed {
		if b := acts[i]; b.Action != v.Kind || b.Help().Key != v.Key || !b.Dangerous {
			t.Errorf("binding %d is %s %q, want %s %q", i, b.Action, b.Help().Key, v.Kind, v.Key)
		}
	}
	help := strings.Join(plainHelp(m), "\n")
	names := strings.Join(m.commandNames(), " ")
	for _, v := range actions.Verbs() {
		if !strings.Contains(help, ":"+v.Usage()) || !strings.Contains(help, v.Help) {
			t.Errorf("help lacks %s", v.Usage())
		}
		if !strings.Contains(" "+names+" ", " "+string(v.Kind)+" ") {
			t.Errorf("the palette does not offer %s", v.Kind)
		}
	}
}

func plainHelp(m Model) []string {
	var out []string
	for _, s := range m.helpSections() {
		for _, e := range s.Entries {
			out = append(out, e.Key+"  "+e.Desc)
		}
	}
	return out
}
