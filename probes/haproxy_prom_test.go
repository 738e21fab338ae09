package probes

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
)

func mustParseProm(t *testing.T, s string) *cluster.LoadBalancer {
	t.Helper()
	lb, err := ParseHAProxyProm(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return lb
}

// TestParseHAProxyPromMatchesCSV parses the exporter page and the socket CSV
// captured from the same real haproxy at the same moment: once the CSV-only
// fields are merged in, both must describe the same servers.
func TestParseHAProxyPromMatchesCSV(t *testing.T) {
	t.Parallel()
	prom, err := os.ReadFile("testdata/haproxy/metrics.txt")
	if err != nil {
		t.Fatal(err)
	}
	csvBody, err := os.ReadFile("testdata/haproxy/show-stat.csv")
	if err != nil {
		t.Fatal(err)
	}
	p := mustParseProm(t, string(prom))
	c := mustParseCSV(t, string(csvBody))
	if p.Servers[0].Address != "" || p.Servers[5].Backup {
		t.Fatal("the exporter has no address or backup flag; the parser invented them")
	}
	mergeCSV(p, c)
	clean := func(lb *cluster.LoadBalancer) []cluster.LBServer {
		out := append([]cluster.LBServer(nil), lb.Servers...)
		for i := range out { // timings differ by rounding between the two
			out[i].CheckDuration, out[i].LastChange = 0, 0
		}
		return out
	}
	if got, want := clean(p), clean(c); !reflect.DeepEqual(got, want) {
		t.Errorf("prometheus+csv:\n%+v\ncsv:\n%+v", got, want)
	}
	if !reflect.DeepEqual(p.Backends, c.Backends) {
		t.Errorf("backends differ:\n%+v\n%+v", p.Backends, c.Backends)
	}
}

func TestParseHAProxyPromStates(t *testing.T) {
	t.Parallel()
	in := `# TYPE haproxy_server_status gauge
haproxy_server_status{proxy="be_a",server="s1",state="DOWN"} 0
haproxy_server_status{proxy="be_a",server="s1",state="UP"} 1
haproxy_server_status{proxy="be_a",server="s2",state="MAINT"} 1
haproxy_server_status{proxy="be_a",server="s2",state="UP"} 0
haproxy_server_status{proxy="be_a",server="s3",state="DRAIN"} 1
haproxy_server_status{proxy="be_b",server="s4",state="NOLB"} 1
haproxy_server_weight{proxy="be_a",server="s1"} 50
haproxy_server_current_sessions{proxy="be_a",server="s1"} 7
haproxy_server_check_status{proxy="be_a",server="s1",state="L4CON"} 0
haproxy_server_check_status{proxy="be_a",server="s1",state="L7OK"} 1
haproxy_server_check_code{proxy="be_a",server="s1"} 200
haproxy_server_check_code{proxy="be_a",server="s3"} 0
haproxy_server_check_duration_seconds{proxy="be_a",server="s1"} 0.012
haproxy_server_check_last_change_seconds{proxy="be_a",server="s1"} 3600
haproxy_server_weight{proxy="be_a"} 3
haproxy_backend_status{proxy="be_a",state="UP"} 1
haproxy_backend_status{proxy="be_a",state="DOWN"} 0
haproxy_backend_active_servers{proxy="be_a"} 1
haproxy_backend_backup_servers{proxy="be_a"} 1
haproxy_backend_current_sessions{proxy="be_a"} 9
`
	want := &cluster.LoadBalancer{
		Servers: []cluster.LBServer{
			{Backend: "be_a", Server: "s1", Status: "UP", Weight: 50, Sessions: 7, CheckStatus: "L7OK", CheckCode: "200",
				CheckDuration: 12 * time.Millisecond, LastChange: time.Hour},
			{Backend: "be_a", Server: "s2", Status: "MAINT"},
			{Backend: "be_a", Server: "s3", Status: "DRAIN"},
			{Backend: "be_b", Server: "s4", Status: "NOLB"},
		},
		Backends: []cluster.LBBackend{{Name: "be_a", Status: "UP", Active: 1, Backup: 1, Session: 9}},
	}
	if got := mustParseProm(t, in); !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestParseHAProxyPromNotProm(t *testing.T) {
	t.Parallel()
	for in, words := range map[string]string{
		"":                         "no haproxy_server_status",
		"node_load1 0.5\n":         "no haproxy_server_status",
		"<html>503</html>":         "not HAProxy Prometheus",
		"haproxy_server_status{\n": "not HAProxy Prometheus",
	} {
		_, err := ParseHAProxyProm(strings.NewReader(in))
		if !errors.Is(err, ErrNotHAProxyProm) || !strings.Contains(err.Error(), words) {
			t.Errorf("%q: err = %v, want one mentioning %q", in, err, words)
		}
	}
}

func TestMergeCSVOnlyMatchingServers(t *testing.T) {
	t.Parallel()
	p := &cluster.LoadBalancer{Servers: []cluster.LBServer{{Backend: "a", Server: "s"}, {Backend: "b", Server: "s"}}}
	c := &cluster.LoadBalancer{Servers: []cluster.LBServer{{Backend: "b", Server: "s", Backup: true, Address: "10.0.0.1:80"}}}
	mergeCSV(p, c)
	if p.Servers[0].Backup || p.Servers[0].Address != "" || !p.Servers[1].Backup || p.Servers[1].Address != "10.0.0.1:80" {
		t.Errorf("%+v", p.Servers)
	}
}

func FuzzParseHAProxyProm(f *testing.F) {
	// The real exporter page is seeded trimmed to its haproxy_server/backend
	// status-like series (testdata/fuzz/FuzzParseHAProxyProm): whole, its
	// 96 KB slowed each fuzz run a hundredfold.
	f.Add([]byte("haproxy_server_status{proxy=\"a\",server=\"b\",state=\"UP\"} 1\nhaproxy_server_weight{proxy=\"a\",server=\"b\"} NaN\n"))
	f.Add([]byte("# TYPE haproxy_backend_status gauge\nhaproxy_backend_status{proxy=\"a\",state=\"DOWN\"} 1 1700000000000\n"))
	f.Add([]byte("haproxy_server_check_duration_seconds{proxy=\"a\",server=\"b\"} +Inf\nhaproxy_server_status{proxy=\"a\",server=\"b\",state=\"UP\"} -1e300\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		lb, err := ParseHAProxyProm(bytes.NewReader(in))
		if err != nil {
			return
		}
		for _, s := range lb.Servers {
			if s.Backend == "" || s.Server == "" || s.Weight < 0 || s.CheckDuration < 0 || s.LastChange < 0 {
				t.Fatalf("impossible server: %+v", s)
			}
		}
	})
}
