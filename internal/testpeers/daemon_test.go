package testpeers

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A daemon whose port another process holds when it binds exits, and is
// started again on another port; the one that answers is ours, not the
// holder of the first port.
func TestDaemonStartsAgainWhenItsPortIsTaken(t *testing.T) {
	bin := RequireBinary(t, "prometheus-blackbox-exporter", "prometheus-blackbox-exporter")
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "blackbox.yml")
	if err := os.WriteFile(cfg, []byte("modules:\n  http_2xx:\n    prober: http\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var tried []string
	d := StartDaemon(t, dir, "/-/healthy", nil, func(addr string) []string {
		if len(tried) == 0 {
			addr = held.Addr().String() // as if a parallel test took it first
		}
		tried = append(tried, addr)
		return []string{bin, "--config.file=" + cfg, "--web.listen-address=" + addr}
	})
	if len(tried) != 2 || d.Addr != tried[1] {
		t.Fatalf("attempts %v, daemon on %s: want a second attempt on another port", tried, d.Addr)
	}
	if strings.Contains(d.Log(), "already in use") {
		t.Errorf("the running daemon's log is the failed attempt's:\n%s", d.Log())
	}
}
