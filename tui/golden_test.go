package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
	fixture "github.com/hacon/hacon/cluster/clustertest"
	"github.com/hacon/hacon/views"
)

var sizes = [][2]int{{80, 24}, {200, 50}}

var scenarios = map[string]func() cluster.Snapshot{
	"healthy":   fixture.Healthy,
	"degraded":  fixture.Degraded,
	"fenced":    fixture.Fenced,
	"stale":     fixture.StaleSource,
	"2clusters": fixture.TwoClusters,
	"fleet50":   fleet50,
}

// fleet50 is 50 clusters, a few in trouble: more than the fleet screen
// shows at 80x24, so it scrolls.
func fleet50() cluster.Snapshot {
	var cs []cluster.Cluster
	for i := range 50 {
		name := fmt.Sprintf("region-%02d", i+1)
		switch i {
		case 7:
			cs = append(cs, fixture.FencedCluster(name))
		case 12, 31:
			cs = append(cs, fixture.DegradedCluster(name))
		case 40:
			cs = append(cs, fixture.StaleCluster(name))
		default:
			cs = append(cs, fixture.HealthyCluster(name))
		}
	}
	return fixture.Snap(7, cs...)
}

// timelineModel has seen healthy → degraded → fenced, so its timeline holds
// real diffs.
func timelineModel(t testing.TB, opts Options, w, h int) Model {
	m := newModel(t, fixture.Healthy(), opts, w, h)
	d := fixture.Degraded()
	d.Sequence, d.Taken = 10, fixture.Taken.Add(10*time.Second)
	f := fixture.Fenced()
	f.Sequence, f.Taken = 11, fixture.Taken.Add(40*time.Second)
	return send(m, snapshotMsg{d}, snapshotMsg{f})
}

type goldenCase struct {
	name     string
	snap     string
	keys     []string
	opts     Options
	timeline bool
}

var prodEnv = map[string]views.Env{"overcloud": {Word: "production", Color: "red"}}

func goldenCases() []goldenCase {
	var cs []goldenCase
	for _, s := range []string{"healthy", "degraded", "fenced", "stale", "2clusters"} {
		gc := goldenCase{name: "overview_" + s, snap: s, opts: Options{ReadOnly: s == "stale"}}
		if s == "2clusters" {
			gc.keys = []string{"j", "enter"} // from the fleet (trouble first), the healthy overcloud
		}
		cs = append(cs, gc)
	}
	cs = append(cs,
		goldenCase{name: "service_degraded", snap: "degraded", keys: []string{"l", "enter"}},
		goldenCase{name: "service_fenced_galera", snap: "fenced", keys: []string{"/", "g", "a", "l", "e", "r", "a", "enter", "l", "l", "enter"}},
		goldenCase{name: "service_fenced_cinder", snap: "fenced", keys: []string{"/", "v", "o", "l", "enter", "enter"}},
		goldenCase{name: "node_fenced", snap: "fenced", keys: []string{"tab", "l", "l", "enter"}},
		goldenCase{name: "haproxy_degraded", snap: "degraded", keys: []string{"H"}},
		goldenCase{name: "haproxy_fenced", snap: "fenced", keys: []string{"H"}},
		goldenCase{name: "timeline", timeline: true, keys: []string{"t"}},
		goldenCase{name: "timeline_expanded", timeline: true, keys: []string{"t", "enter"}},
		goldenCase{name: "help", snap: "healthy", keys: []string{"?"}, opts: Options{ReadOnly: true, Commands: demoCommands(nil)}},
		goldenCase{name: "wall_fenced", snap: "fenced", opts: Options{Wall: true, Rotate: 15 * time.Second}},
		// The fleet: the first screen with more than one cluster.
		goldenCase{name: "fleet_2clusters", snap: "2clusters"},
		goldenCase{name: "fleet_50", snap: "fleet50", opts: Options{Environments: map[string]views.Env{"region-08": {Word: "production", Color: "red"}}}},
		goldenCase{name: "fleet_50_scrolled", snap: "fleet50", keys: []string{"G"}},
		goldenCase{name: "fleet_50_filter", snap: "fleet50", keys: []string{"/", "3", "enter"}},
		goldenCase{name: "wall_2clusters", snap: "2clusters", opts: Options{Wall: true, Rotate: 15 * time.Second}},
		goldenCase{name: "filter_nova", snap: "degraded", keys: []string{"/", "n", "o", "v", "a", "enter"}},
		// The environment cue: in the header, the footer and on the wall.
		goldenCase{name: "overview_production", snap: "degraded", opts: Options{Environments: prodEnv}},
		goldenCase{name: "wall_production", snap: "fenced", opts: Options{Wall: true, Environments: prodEnv}},
	)
	return cs
}

// demoCommands registers palette commands like the demo does; calls
// counts the invocations of each.
func demoCommands(calls map[string][]string) map[string]Command {
	rec := func(name string) func(_ context.Context, args []string) (string, error) {
		return func(_ context.Context, args []string) (string, error) {
			if calls != nil {
				calls[name] = append([]string{}, args...)
			}
			return name + " " + strings.Join(args, " ") + ": ok", nil
		}
	}
	return map[string]Command{
		"poweroff": {Help: "power a controller off (demo fault)", Dangerous: true, Run: rec("poweroff")},
		"latency":  {Help: "add endpoint latency (demo fault)", Run: rec("latency")},
	}
}

func TestGolden(t *testing.T) {
	for _, gc := range goldenCases() {
		for _, sz := range sizes {
			for _, theme := range []string{"mono", "dark"} {
				name := fmt.Sprintf("%s_%dx%d_%s", gc.name, sz[0], sz[1], theme)
				t.Run(name, func(t *testing.T) {
					t.Setenv("NO_COLOR", "")
					opts := gc.opts
					opts.Theme = theme
					var m Model
					if gc.timeline {
						m = timelineModel(t, opts, sz[0], sz[1])
					} else {
						m = newModel(t, scenarios[gc.snap](), opts, sz[0], sz[1])
					}
					m = press(m, gc.keys...)
					golden(t, name, rendered(t, m))
				})
			}
		}
	}
}

// TestOtherThemes keeps light and high-contrast honest at 80x24.
func TestOtherThemes(t *testing.T) {
	for _, theme := range []string{"light", "high-contrast"} {
		t.Run(theme, func(t *testing.T) {
			t.Setenv("NO_COLOR", "")
			m := newModel(t, fixture.Degraded(), Options{Theme: theme}, 80, 24)
			golden(t, "overview_degraded_80x24_"+theme, rendered(t, m))
		})
	}
}

// TestNoColorIsMono: NO_COLOR overrides any theme and prints no escape
// codes at all, and every state still reads (glyph and word).
func TestNoColorIsMono(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	m := newModel(t, fixture.Degraded(), Options{Theme: "dark"}, 80, 24)
	got := m.View().Content
	if strings.Contains(got, "\x1b[") {
		t.Fatalf("NO_COLOR output has escape codes: %q", got)
	}
	t.Setenv("NO_COLOR", "")
	mono := newModel(t, fixture.Degraded(), Options{Theme: "mono"}, 80, 24)
	if mono.View().Content != got {
		t.Error("NO_COLOR output differs from the mono theme")
	}
	for _, want := range []string{"✖DOWN", "✖fail", "▲Start", "●online", "✓fence", "→ controller-1"} {
		if !strings.Contains(got, want) {
			t.Errorf("monochrome overview lacks %q", want)
		}
	}
	colored := newModel(t, fixture.Degraded(), Options{Theme: "dark"}, 80, 24)
	if !strings.Contains(colored.View().Content, "\x1b[") {
		t.Error("the dark theme printed no colour at all")
	}
}
