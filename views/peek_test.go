package views

import (
	"fmt"
	"os"
	"testing"

	"github.com/hacon/hacon/views/fixture"
)

func TestPeek(t *testing.T) {
	if os.Getenv("PEEK") == "" {
		t.Skip()
	}
	for _, sz := range [][2]int{{80, 24}, {200, 50}} {
		for _, snap := range []string{"healthy", "degraded", "fenced", "stale"} {
			s := map[string]func() any{}
			_ = s
			var sn = fixture.Healthy()
			switch snap {
			case "degraded":
				sn = fixture.Degraded()
			case "fenced":
				sn = fixture.Fenced()
			case "stale":
				sn = fixture.StaleSource()
			}
			c := &sn.Clusters[0]
			st := NewStyles("mono", true)
			w, h := sz[0], sz[1]
			out := Compose(st, w, h, Header(c, HeaderInfo{ReadOnly: true}, w), Overview(c, OverviewState{}, w, h-2), Footer(FooterInfo{Hints: []Hint{{"?", "help"}, {"tab", "panel"}}}, w))
			fmt.Printf("==== %s %dx%d\n%s\n", snap, w, h, out)
		}
	}
}
