package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/internal/testpeers"
)

// listenV6 listens on ::1, or skips where the machine has no IPv6 loopback.
func listenV6(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no IPv6 loopback in CI: %v", err)
		}
		t.Skipf("no IPv6 loopback: %v", err)
	}
	return ln
}

// Issue 11 #14: a control plane on IPv6 addresses. Controllers at ::1, an
// endpoint template expanded per controller, a real HAProxy checking its
// servers over IPv6 and serving its stats page on [::1].
func TestIPv6ControlPlaneEndToEnd(t *testing.T) {
	api := listenV6(t)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"version": {"id": "v3.14", "status": "stable"}}`)
	})}
	go srv.Serve(api)
	t.Cleanup(func() { srv.Close() })
	apiPort := api.Addr().(*net.TCPAddr).Port

	statsLn := listenV6(t)
	statsAddr := statsLn.Addr().String() // [::1]:port, free once closed
	statsLn.Close()
	testpeers.StartHAProxy(t, map[string][]testpeers.Server{
		"keystone_public": {{Name: "controller-0", Addr: api.Addr().String()}},
	}, testpeers.StatsPage(statsAddr))

	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "v6.yaml")
	cfg := fmt.Sprintf(`read_only: true
clusters:
  - name: v6
    interval: 1s
    controllers:
      - {name: controller-0, address: "::1"}
    haproxy:
      - {controller: controller-0, stats_url: "http://%s/;csv"}
    services:
      - name: keystone
        haproxy_backend: keystone_public
        endpoint: "http://{{.Address}}:%d/v3"
`, statsAddr, apiPort)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	run([]string{"check-config", "--config", cfgPath}, &stdout, &stderr)
	if !strings.Contains(stdout.String(), "valid") {
		t.Fatalf("check-config: %s %s", stdout.String(), stderr.String())
	}
	var report struct {
		Clusters []struct {
			Endpoints []struct {
				URL   string `json:"url"`
				OK    bool   `json:"ok"`
				Error string `json:"error"`
			} `json:"endpoints"`
			HAProxy []struct {
				Server, Status string
			} `json:"haproxy"`
			Sources []struct {
				Kind, Name, Error string
				OK                bool
			} `json:"sources"`
		} `json:"clusters"`
	}
	stdout.Reset()
	run([]string{"status", "--config", cfgPath, "-o", "json"}, &stdout, &stderr)
	if err := json.Unmarshal(stdout.Bytes(), &report); err != nil || len(report.Clusters) != 1 {
		t.Fatalf("status -o json: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	c := report.Clusters[0]
	want := fmt.Sprintf("http://[::1]:%d/v3", apiPort)
	if len(c.Endpoints) != 1 || c.Endpoints[0].URL != want || !c.Endpoints[0].OK {
		t.Errorf("endpoints = %+v, want %s answering", c.Endpoints, want)
	}
	if len(c.HAProxy) != 1 || c.HAProxy[0].Server != "controller-0" {
		t.Errorf("haproxy rows = %+v, want controller-0 read from the stats page on %s", c.HAProxy, statsAddr)
	}
	for _, s := range c.Sources {
		if !s.OK {
			t.Errorf("source %s %s failed: %s", s.Kind, s.Name, s.Error)
		}
	}
	// The ssh destination of the README's prefix takes the bare address.
	argv, err := config.ExpandArgs([]string{"ssh", "-o", "BatchMode=yes", "heat-admin@{{.Address}}", "sudo"}, config.Controller{Name: "controller-0", Address: "::1"})
	if err != nil || argv[3] != "heat-admin@::1" {
		t.Errorf("ssh destination = %q, %v", argv, err)
	}
}
