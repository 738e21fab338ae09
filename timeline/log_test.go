package timeline_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hacon/hacon/timeline"
)

func TestLogAppendsOneLinePerEvent(t *testing.T) {
	if timeline.NewLog("-") != nil {
		t.Fatal(`"-" must disable the events log`)
	}
	path := filepath.Join(t.TempDir(), "state", "events.log")
	l := timeline.NewLog(path)
	at := time.Date(2026, 3, 14, 3, 4, 5, 0, time.UTC)
	ev := func(to string) timeline.Event {
		return timeline.Event{Time: at, Cluster: "oc", Subject: "VIP public", What: "node", From: "controller-0", To: to}
	}
	if err := l.Append([]timeline.Event{ev("controller-1")}); err != nil {
		t.Fatal(err)
	}
	if err := l.Append([]timeline.Event{ev(""), ev("controller-2")}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "2026-03-14T03:04:05Z oc VIP public node: controller-0 → controller-1\n" +
		"2026-03-14T03:04:05Z oc VIP public node: controller-0 → -\n" +
		"2026-03-14T03:04:05Z oc VIP public node: controller-0 → controller-2\n"
	if string(b) != want {
		t.Errorf("events log:\n%s\nwant:\n%s", b, want)
	}
	for p, mode := range map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != mode {
			t.Errorf("%s: mode %v, want %v", p, fi.Mode().Perm(), mode)
		}
	}
}
