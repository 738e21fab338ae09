package probes

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/internal/testpeers"
)

func TestHAProxyTransportErrors(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "no", "admin.sock")
	refused := fmt.Sprintf("tcp://127.0.0.1:%d", testpeers.FreePort(t))
	garbage := testpeers.StartFakeSocket(t, "tcp", func(string) (string, bool) { return "hello world\n", true })
	denied := testpeers.StartFakeSocket(t, "unix", func(string) (string, bool) { return "Permission denied\n\n", true })
	notFound := httptest.NewServer(http.NotFoundHandler())
	defer notFound.Close()
	junk := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "<html>hi</html>") }))
	defer junk.Close()
	secret := strings.Replace(notFound.URL, "http://", "http://admin:s3cret@", 1)

	for _, tc := range []struct {
		name  string
		h     config.HAProxy
		words []string
	}{
		{"socket missing", config.HAProxy{StatsSocket: missing}, []string{missing, "no such socket file"}},
		{"unix:// missing", config.HAProxy{StatsSocket: "unix://" + missing}, []string{missing, "no such socket file"}},
		{"refused", config.HAProxy{StatsSocket: refused}, []string{refused, "connection refused"}},
		{"garbage", config.HAProxy{StatsSocket: garbage.Addr}, []string{garbage.Addr, "not HAProxy CSV", "hello world"}},
		{"operator socket", config.HAProxy{StatsSocket: denied.Addr}, []string{"not HAProxy CSV", "Permission denied"}},
		{"HTTP 404", config.HAProxy{StatsURL: notFound.URL + "/stats;csv"}, []string{notFound.URL, "HTTP 404 Not Found"}},
		{"HTML page", config.HAProxy{StatsURL: junk.URL + "/stats"}, []string{junk.URL + "/stats;csv", "not HAProxy CSV", "<html>"}},
		{"metrics junk", config.HAProxy{StatsURL: junk.URL + "/metrics"}, []string{"not HAProxy Prometheus"}},
		{"password hidden", config.HAProxy{StatsURL: secret + "/stats;csv"}, []string{"HTTP 404"}},
		{"bad socket form", config.HAProxy{StatsSocket: "unix://relative.sock"}, []string{"expected unix:///absolute/path"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := pollHAProxy(t, tc.h, 2*time.Second)
			if r.OK() || r.LB != nil {
				t.Fatalf("want an error, got %+v", r)
			}
			for _, w := range tc.words {
				if !strings.Contains(r.Err, w) {
					t.Errorf("error %q does not say %q", r.Err, w)
				}
			}
			if strings.Contains(r.Err, "s3cret") {
				t.Errorf("error leaks the password: %q", r.Err)
			}
		})
	}
}

// TestHAProxyTransportTimeout: a peer that accepts and never answers costs
// the poll its timeout, no more, and the error says so.
func TestHAProxyTransportTimeout(t *testing.T) {
	tcp := testpeers.StartFakeSocket(t, "tcp", testpeers.Hang)
	unix := testpeers.StartFakeSocket(t, "unix", testpeers.Hang)
	web := testpeers.StartFakeSocket(t, "tcp", testpeers.Hang) // speaks no HTTP either
	const timeout = 300 * time.Millisecond
	for name, h := range map[string]config.HAProxy{
		"tcp socket":  {StatsSocket: tcp.Addr},
		"unix socket": {StatsSocket: unix.Addr},
		"stats page":  {StatsURL: "http://" + strings.TrimPrefix(web.Addr, "tcp://") + "/stats;csv"},
		"prometheus":  {StatsURL: "http://" + strings.TrimPrefix(web.Addr, "tcp://") + "/metrics", StatsSocket: tcp.Addr},
	} {
		t.Run(name, func(t *testing.T) {
			// The words are the deadline's own: the timeout ended the poll.
			r := pollHAProxy(t, h, timeout)
			if r.OK() || !strings.Contains(r.Err, "timed out after ") {
				t.Errorf("err = %q, want it to say it timed out", r.Err)
			}
		})
	}
	if got := tcp.Commands(); len(got) == 0 || got[0] != "show stat\n" {
		t.Errorf("the socket was sent %q, want show stat", got)
	}
}

func TestHAProxyTransportBodyCap(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 4096)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, big) }))
	defer srv.Close()
	_, err := fetchHTTPCapped(context.Background(), srv.Client(), srv.URL+"/stats;csv", 1024)
	if err == nil || !strings.Contains(err.Error(), "reply larger than 1024 bytes") {
		t.Errorf("err = %v, want the size cap", err)
	}
}

func TestHAProxyTransportPermissionDenied(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		t.Skip("root ignores socket file permissions")
	}
	s := testpeers.StartFakeSocket(t, "unix", func(string) (string, bool) { return "", true })
	if err := os.Chmod(s.Addr, 0); err != nil {
		t.Fatal(err)
	}
	r := pollHAProxy(t, config.HAProxy{StatsSocket: s.Addr}, time.Second)
	if !strings.Contains(r.Err, "permission denied") || !strings.Contains(r.Err, s.Addr) {
		t.Errorf("err = %q", r.Err)
	}
}

// TestHAProxyPromCSVSourceDown: the exporter answers but the socket that
// should supply backup flags does not; the poll succeeds with a warning.
func TestHAProxyPromCSVSourceDown(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile("testdata/haproxy/metrics.txt")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(body) }))
	defer srv.Close()
	missing := filepath.Join(t.TempDir(), "admin.sock")
	r := pollHAProxy(t, config.HAProxy{StatsURL: srv.URL + "/metrics", StatsSocket: missing}, time.Second)
	if !r.OK() || len(r.LB.Servers) != 8 || r.LB.Source != SourcePrometheus {
		t.Fatalf("%+v", r)
	}
	if w := r.LB.Warning; !strings.Contains(w, "backup flags unknown") || !strings.Contains(w, "no such socket file") {
		t.Errorf("warning %q", w)
	}
}

func TestHAProxyURLs(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"http://h:8404/stats":                "http://h:8404/stats;csv",
		"http://h:8404/stats;csv":            "http://h:8404/stats;csv",
		"http://h:8404/stats;csv;norefresh":  "http://h:8404/stats;csv;norefresh",
		"https://u:p@h/haproxy?stats":        "https://u:p@h/haproxy?stats;csv",
		"http://h:8404/metrics":              "http://h:8404/metrics",
		"http://h:8404/metrics?scope=server": "http://h:8404/metrics?scope=server",
	} {
		prom := strings.Contains(in, "/metrics")
		if isPromURL(in) != prom {
			t.Errorf("isPromURL(%s) = %v", in, !prom)
		}
		if !prom && csvURL(in) != want {
			t.Errorf("csvURL(%s) = %s, want %s", in, csvURL(in), want)
		}
	}
}
