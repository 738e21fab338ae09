package probes

import (
	"fmt"
	"strings"
	"testing"
)

// The memo answers what CurrentVersion answers, per exact body, and stays
// bounded however many different bodies it sees.
func TestVersionMemoAnswersLikeCurrentVersion(t *testing.T) {
	t.Parallel()
	bodies := []string{
		`{"version": {"id": "v3.14", "status": "stable"}}`,
		`{"versions": {"values": [{"id": "v3.14", "status": "stable"}]}}`,
		`{"versions": [{"id": "v2.1", "status": "CURRENT"}, {"id": "v2.0", "status": "SUPPORTED"}]}`,
		`{"versions": [{"id": "v2.0", "status": "SUPPORTED"}]}`,
		`not json`,
		`{"versions": [{"id": "` + strings.Repeat("x", maxMemoBody) + `", "status": "CURRENT"}]}`,
	}
	var memo versionMemo
	for round := range 2 {
		for i, b := range bodies {
			if got, want := memo.current([]byte(b)), CurrentVersion([]byte(b)); got != want {
				t.Errorf("round %d body %d: memo %q, CurrentVersion %q", round, i, got, want)
			}
		}
	}
	if memo.m[bodies[2]] != "v2.1" {
		t.Errorf("the memo did not keep a decoded body: %v", memo.m)
	}
	for i := range 3 * maxMemoEntries {
		b := fmt.Sprintf(`{"version": {"id": "v%d"}}`, i)
		if got := memo.current([]byte(b)); got != fmt.Sprintf("v%d", i) {
			t.Fatalf("body %d: %q", i, got)
		}
	}
	if len(memo.m) > maxMemoEntries {
		t.Errorf("memo holds %d bodies, over its bound %d", len(memo.m), maxMemoEntries)
	}
}
