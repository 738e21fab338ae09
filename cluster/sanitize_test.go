package cluster

import (
	"strings"
	"testing"
)

func TestCleanTextRemovesEveryControlCharacter(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"plain ascii":                   "plain ascii",
		"héllo ✓ 日本":                    "héllo ✓ 日本",
		"\x1b[41mred\x1b[0m":            "\uFFFD[41mred\uFFFD[0m",
		"\x1b]0;title\x07":              "\uFFFD]0;title\uFFFD",
		"line1\nline2\ttab\r":           "line1 line2 tab ",
		"c1 \u009b31m csi":              "c1 \uFFFD31m csi",
		"bad utf8 \xff\xfe":             "bad utf8 \uFFFD\uFFFD",
		"del\x7f":                       "del\uFFFD",
		"^[[2J":                         "^[[2J",
		"\x1b[2J\x1b[31mboom\x1b]0;t\a": "\uFFFD[2J\uFFFD[31mboom\uFFFD]0;t\uFFFD",
	} {
		if got := CleanText(in); got != want {
			t.Errorf("CleanText(%q) = %q, want %q", in, got, want)
		}
	}
}

// Issue 11 #11: every string of a Result, however deep, is cleaned.
func TestResultSanitizeReachesEveryString(t *testing.T) {
	t.Parallel()
	esc := "\x1b[31mX"
	r := Result{
		Err: "503: " + esc,
		Pacemaker: &PacemakerStatus{
			DC:             esc,
			Nodes:          []PcmkNode{{Name: esc}},
			Failures:       []Failure{{Resource: esc, ExitReason: esc}},
			NodeAttributes: map[string]map[string]string{esc: {esc: esc}, "ok": {"k": "v"}},
		},
		LB:       &LoadBalancer{Backends: []LBBackend{{Name: esc}}, Servers: []LBServer{{Server: esc, Status: esc, CheckStatus: esc}}, Warning: esc},
		Endpoint: &EndpointResult{Error: esc},
		BMC:      &BMCStatus{Error: esc},
	}
	r.Sanitize()
	var bad []string
	collectStrings(&r, func(s string) {
		if strings.ContainsAny(s, "\x1b") {
			bad = append(bad, s)
		}
	})
	if len(bad) > 0 {
		t.Errorf("%d strings still carry ESC after Sanitize: %q", len(bad), bad)
	}
	if r.Pacemaker.NodeAttributes["ok"]["k"] != "v" || r.Pacemaker.NodeAttributes["\uFFFD[31mX"]["\uFFFD[31mX"] != "\uFFFD[31mX" {
		t.Errorf("node attributes after Sanitize: %q", r.Pacemaker.NodeAttributes)
	}
}

// collectStrings walks a value the test's own way (not with the code under
// test) and calls fn with every string field.
func collectStrings(r *Result, fn func(string)) {
	fn(r.Err)
	if p := r.Pacemaker; p != nil {
		fn(p.DC)
		for _, n := range p.Nodes {
			fn(n.Name)
		}
		for _, f := range p.Failures {
			fn(f.Resource)
			fn(f.ExitReason)
		}
		for k, m := range p.NodeAttributes {
			fn(k)
			for k2, v := range m {
				fn(k2)
				fn(v)
			}
		}
	}
	for _, b := range r.LB.Backends {
		fn(b.Name)
	}
	for _, s := range r.LB.Servers {
		fn(s.Server)
		fn(s.Status)
		fn(s.CheckStatus)
	}
	fn(r.LB.Warning)
	fn(r.Endpoint.Error)
	fn(r.BMC.Error)
}
