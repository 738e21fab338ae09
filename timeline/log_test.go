package timeline_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/timeline"
)

func TestLogAppendsOneJSONLinePerRecord(t *testing.T) {
	if timeline.NewLog("-") != nil {
		t.Fatal(`"-" must disable the events log`)
	}
	path := filepath.Join(t.TempDir(), "state", "events.log")
	// An events log from before incidents: its text lines are kept and
	// skipped when read.
	os.MkdirAll(filepath.Dir(path), 0o700)
	os.WriteFile(path, []byte("2026-03-14T03:04:05Z oc VIP public node: controller-0 → controller-1\n"), 0o600)
	l := timeline.NewLog(path)
	at := time.Date(2026, 3, 14, 3, 4, 5, 0, time.UTC)
	rec := func(change string) timeline.Record {
		return timeline.Record{Time: at, Change: change, Incident: "i1", Cluster: "oc", Severity: "warning", Title: "x", Opened: at,
			Events: []timeline.Event{{Time: at, Subject: "VIP public", What: "node", From: "controller-0", To: "controller-1"}}}
	}
	if err := l.Append([]timeline.Record{rec("opened")}); err != nil {
		t.Fatal(err)
	}
	if err := l.Append([]timeline.Record{rec("updated"), rec("closed")}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines:\n%s", len(lines), b)
	}
	var r timeline.Record
	if err := json.Unmarshal([]byte(lines[3]), &r); err != nil || r.Change != "closed" || r.Events[0].To != "controller-1" {
		t.Errorf("last line %q: %+v %v", lines[3], r, err)
	}
	incs, skipped, err := timeline.ReadIncidents(path, "")
	if err != nil || skipped != 1 || len(incs) != 1 || len(incs[0].Events) != 3 {
		t.Errorf("read back %d incidents, %d skipped, %v", len(incs), skipped, err)
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
