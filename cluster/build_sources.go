package cluster

import (
	"net/url"
	"sort"
)

// The sources panel: every polled source with its health, error and ages,
// and the redaction that keeps user info out of every address shown.

func (m *merger) sources() {
	m.out.Sources = make([]Source, 0, len(m.own))
	for _, st := range m.own {
		id := st.ID
		// Endpoints and HAProxies are shown from their newest answer, so a
		// quick failure is fresh news; Pacemaker and BMCs are shown from
		// their last success, which is what may grow old.
		stale, age := st.Stale(m.now), m.age(id.Kind, id.Name)
		dataAge := age
		if id.Kind == KindEndpoint || id.Kind == KindHAProxy || id.Kind == KindKeepalived {
			stale = st.Silent(m.now)
			if !st.LastAnswer.IsZero() {
				dataAge = m.now.Sub(st.LastAnswer)
			}
		}
		src := Source{Kind: id.Kind, Name: id.Name, Address: st.Address, LastSuccess: st.LastSuccess, Age: age, DataAge: dataAge, Stale: stale, Interval: st.Interval}
		if st.Latest != nil {
			src.OK = st.Latest.OK()
			src.Error = st.Latest.Err
			src.LastAttempt = st.Latest.Started
			src.Latency = st.Latest.Duration
			if st.Latest.Skipped && src.Error == "" {
				src.Error = "still waiting for the previous poll"
			}
		} else {
			src.Error = "not polled yet"
		}
		src.Address = RedactURL(src.Address) // belt and braces: config refuses credentials in URLs
		m.out.Sources = append(m.out.Sources, src)
	}
	sort.Slice(m.out.Sources, func(i, j int) bool {
		a, b := m.out.Sources[i], m.out.Sources[j]
		if kindOrder[a.Kind] != kindOrder[b.Kind] {
			return kindOrder[a.Kind] < kindOrder[b.Kind]
		}
		return a.Name < b.Name
	})
}

// RedactURL drops user info from an address so no secret reaches the screen.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	u.User = nil
	return u.String()
}
