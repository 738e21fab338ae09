package probes

import "sync"

// versionMemo remembers the CURRENT version found in a version document's
// exact bytes. Every controller of every cluster serves the same few
// documents poll after poll; decoding each answer's JSON again was 3 % of
// hacon's CPU at 50 clusters (issue 18).
type versionMemo struct {
	mu sync.Mutex
	m  map[string]string
}

// Bounds: documents larger than maxMemoBody are decoded every time, and
// the memo starts over past maxMemoEntries (a fleet has a few dozen).
const (
	maxMemoBody    = 8 << 10
	maxMemoEntries = 512
)

// current is CurrentVersion(body), from the memo when these bytes were seen.
func (v *versionMemo) current(body []byte) string {
	if v == nil || len(body) > maxMemoBody {
		return CurrentVersion(body)
	}
	v.mu.Lock()
	ver, ok := v.m[string(body)]
	v.mu.Unlock()
	if ok {
		return ver
	}
	ver = CurrentVersion(body)
	v.mu.Lock()
	if v.m == nil || len(v.m) >= maxMemoEntries {
		v.m = map[string]string{}
	}
	v.m[string(body)] = ver
	v.mu.Unlock()
	return ver
}
