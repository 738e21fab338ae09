package tui

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/hacon/hacon/actions"
)

// Issue 11 #4: every screen and dialog renders at every size from 1x1 up:
// no panic, no line wider than the terminal, no more lines than its height.
// (The confirm dialog once indexed [-1] at 80x4, 40x4 and 20x5.)
func TestEveryScreenRendersAtEverySize(t *testing.T) {
	t.Parallel()
	widths := []int{1, 2, 3, 4, 5, 8, 10, 13, 20, 21, 30, 40, 41, 60, 79, 80, 81, 120, 200}
	heights := []int{1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 23, 24, 25, 40, 60}
	for name, build := range screensUnderTest(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			base := build()
			for _, w := range widths {
				for _, h := range heights {
					renderAt(t, name, base, w, h)
				}
			}
		})
	}
}

func renderAt(t *testing.T, name string, m Model, w, h int) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("%s at %dx%d panicked: %v", name, w, h, r)
		}
	}()
	m = send(m, tea.WindowSizeMsg{Width: w, Height: h})
	rendered(t, m)
	if t.Failed() {
		t.Fatalf("%s at %dx%d broke the size contract", name, w, h)
	}
}

// screensUnderTest builds, at 80x24, one model per screen and dialog.
func screensUnderTest(t *testing.T) map[string]func() Model {
	screens := map[string]func() Model{}
	for _, c := range goldenCases() {
		screens[c.name] = func() Model {
			if c.timeline {
				return press(timelineModel(t, c.opts, 80, 24), c.keys...)
			}
			return press(newModel(t, scenarios[c.snap](), c.opts, 80, 24), c.keys...)
		}
	}
	preview := func() Model {
		rec := &recorder{preview: fencePreview(), outcome: actions.Outcome{OK: true, Verified: true, Verify: "controller-0 offline"}}
		return palette(fakeModel(t, rec, Options{ConfirmDelay: -1}, 80, 24), "fence controller-0")
	}
	screens["dialog_preview"] = preview
	screens["dialog_typed_name"] = func() Model { return press(preview(), "y") }
	screens["dialog_consequence"] = func() Model {
		return press(typeText(press(preview(), "y"), "controller-0"), "enter")
	}
	screens["dialog_result"] = func() Model {
		rec := &recorder{preview: movePreview(), outcome: actions.Outcome{OK: true, Verified: true, Verify: "seen", Duration: 3 * time.Second}}
		m := palette(fakeModel(t, rec, Options{ConfirmDelay: -1}, 80, 24), "move openstack-cinder-volume controller-2")
		m, cmd := sendCmd(m, keyMsg("y"))
		return press(run(m, cmd), "R")
	}
	screens["palette_open"] = func() Model {
		return typeText(press(newModel(t, scenarios["degraded"](), Options{}, 80, 24), ":"), "move ")
	}
	screens["filter_open"] = func() Model {
		return typeText(press(newModel(t, scenarios["fenced"](), Options{}, 80, 24), "/"), "nov")
	}
	for _, s := range []string{"healthy", "fenced"} {
		screens[fmt.Sprintf("node_%s", s)] = func() Model {
			return press(newModel(t, scenarios[s](), Options{}, 80, 24), "tab", "enter")
		}
	}
	return screens
}
