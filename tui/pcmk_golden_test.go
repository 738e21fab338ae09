package tui

import (
	"fmt"
	"testing"

	fixture "github.com/hacon/hacon/cluster/clustertest"
)

// TestGoldenPacemakerOnly: a real TripleO state (bundle-order-fencing)
// polled with nothing configured but the controllers: the matrix holds an
// auto row per resource, the alerts name each failure, and the nodes show
// Pacemaker's own fencing apart from (absent) BMCs.
func TestGoldenPacemakerOnly(t *testing.T) {
	for _, gc := range []struct {
		name string
		keys []string
	}{
		{"pcmkonly_overview", nil},
		{"pcmkonly_node", []string{"tab", "enter"}},
		{"pcmkonly_service", []string{"l", "enter"}},
	} {
		for _, sz := range [][2]int{{80, 24}, {160, 48}} {
			name := fmt.Sprintf("%s_%dx%d_mono", gc.name, sz[0], sz[1])
			t.Run(name, func(t *testing.T) {
				t.Setenv("NO_COLOR", "")
				m := newModel(t, fixture.PacemakerOnly(), Options{Theme: "mono"}, sz[0], sz[1])
				golden(t, name, rendered(t, press(m, gc.keys...)))
			})
		}
	}
}
