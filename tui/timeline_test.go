package tui

import (
	"strings"
	"testing"
)

// The timeline's / filters incidents by node, service, severity or
// cluster; esc clears it.
func TestTimelineFilter(t *testing.T) {
	m := timelineModel(t, Options{}, 100, 24)
	m = typeText(press(m, "t", "/"), "node:controller-1")
	m = press(m, "enter")
	s := plain(t, m)
	if !strings.Contains(s, "TIMELINE 1 incidents") || !strings.Contains(s, "keystone on controller-1") || strings.Contains(s, "controller-2 offline") {
		t.Errorf("filtered by node:\n%s", s)
	}
	m = press(m, "esc")
	if s := plain(t, m); !strings.Contains(s, "TIMELINE 2 incidents") {
		t.Errorf("esc did not clear the filter:\n%s", s)
	}
	m = typeText(press(m, "/"), "sev:crit")
	if s := plain(t, m); !strings.Contains(s, "TIMELINE 1 incidents") || !strings.Contains(s, "controller-2 offline") {
		t.Errorf("filtered by severity:\n%s", s)
	}
}
