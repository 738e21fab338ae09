package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Issue 11 #12: a config that is not a regular file, or is huge, is refused
// at once instead of blocking or growing hacon.
func TestLoadRefusesWhatIsNotARegularFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"/dev/zero": "character device",
		fifo:        "named pipe",
		dir:         "directory",
	} {
		_, err := Load(path)
		if err == nil || !strings.Contains(err.Error(), "not a regular file") || !strings.Contains(err.Error(), want) {
			t.Errorf("Load(%s) = %v, want a refusal naming %q", path, err, want)
		}
	}
}

func TestLoadRefusesAnOversizedConfig(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "big.yaml")
	data := []byte("# " + strings.Repeat("x", MaxConfigSize) + "\nclusters: [{name: a}]\n")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), "larger than 16 MiB") {
		t.Fatalf("Load of a %d-byte config = %v, want refused as too large", len(data), err)
	}
}

// Issue 11 #7: 3,000 cluster aliases of 33 service aliases of 8 unknown
// keys once made 162 MB of error text; now problems and expansion are bounded.
func TestAliasBombIsBounded(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("svc: &s {name: s")
	for k := 0; k < 8; k++ {
		fmt.Fprintf(&b, ", bogus%d: 1", k)
	}
	b.WriteString("}\ncl: &c {name: c, services: [")
	for i := 0; i < 33; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("*s")
	}
	b.WriteString("]}\nclusters: [")
	for i := 0; i < 3000; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("*c")
	}
	b.WriteString("]\n")
	_, err := Parse("bomb.yaml", []byte(b.String()))
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("Parse = %v, want Problems", err)
	}
	if len(ps) > maxProblems+1 {
		t.Errorf("%d problems listed, want at most %d and a count", len(ps), maxProblems+1)
	}
	if n := len(err.Error()); n > 64<<10 {
		t.Errorf("error text is %d bytes, want bounded (< 64 KiB)", n)
	}
	if !strings.Contains(err.Error(), "more problem(s) not listed") {
		t.Errorf("the count of problems left out is missing:\n%s", err.Error()[len(err.Error())-300:])
	}
}

func TestProblemsAreCappedWithACount(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("clusters:\n  - name: a\n")
	for i := 0; i < 250; i++ {
		fmt.Fprintf(&b, "    bogus%d: 1\n", i)
	}
	_, err := Parse("many.yaml", []byte(b.String()))
	var ps Problems
	if !errors.As(err, &ps) || len(ps) != maxProblems+1 {
		t.Fatalf("got %d problems, want %d listed + 1 count line", len(ps), maxProblems)
	}
	if last := ps[len(ps)-1].Msg; !strings.Contains(last, "150 more problem(s)") {
		t.Errorf("last line = %q, want it to count the 150 left out", last)
	}
}

// Issue 11 #8: names and addresses reach ssh, crm_resource and HAProxy's
// runtime API; ones that could change a command line are refused.
func TestHostileNamesAndAddressesAreRefused(t *testing.T) {
	t.Parallel()
	cases := []struct{ yaml, path string }{
		{`{name: c0, address: "-oProxyCommand=touch /tmp/PWNED"}`, "controllers[0].address"},
		{`{name: "$(reboot)", address: 192.0.2.1}`, "controllers[0].name"},
		{`{name: "ctl 0", address: 192.0.2.1}`, "controllers[0].name"},
		{`{name: "-x", address: 192.0.2.1}`, "controllers[0].name"},
		{`{name: c0, address: "host;id"}`, "controllers[0].address"},
		{`{name: c0, address: "a b"}`, "controllers[0].address"},
		{`{name: c0, bmc: {driver: ipmi, address: "-oX", password_env: P}}`, "controllers[0].bmc.address"},
	}
	for _, c := range cases {
		y := "clusters:\n  - name: a\n    controllers:\n      - " + c.yaml + "\n"
		_, err := Parse("h.yaml", []byte(y))
		if err == nil || !strings.Contains(err.Error(), "clusters[0]."+c.path) {
			t.Errorf("%s: err = %v, want a problem at %s", c.yaml, err, c.path)
		}
	}
	for _, bad := range []string{"pacemaker_resource: \"x --force\"", "haproxy_backend: \"b/s;shutdown\""} {
		y := "clusters:\n  - name: a\n    services:\n      - {name: s, " + bad + "}\n"
		if _, err := Parse("h.yaml", []byte(y)); err == nil {
			t.Errorf("service with %s accepted", bad)
		}
	}
}

func TestOrdinaryNamesAndAddressesAreAccepted(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{"192.0.2.10", "::1", "fe80::1", "ctl-0.example.com", "127.0.0.1:18080", "[::1]:8080", "overcloud-controller-0"} {
		if msg := addressProblem(addr); msg != "" {
			t.Errorf("address %q refused: %s", addr, msg)
		}
	}
	for _, addr := range []string{"http://127.0.0.1", "https://bmc-0.example.com:8443", "https://[fe80::1]", "https://[::1]:8443"} {
		if msg := bmcAddressProblem(addr); msg != "" {
			t.Errorf("BMC address %q refused: %s", addr, msg)
		}
	}
	for _, addr := range []string{"ftp://x", "http://-oX", "http://a b"} {
		if msg := bmcAddressProblem(addr); msg == "" {
			t.Errorf("BMC address %q accepted", addr)
		}
	}
	for _, name := range []string{"controller-0", "overcloud-controller-0.localdomain", "ip-192.0.2.5", "galera-bundle", "keystone_public", "rabbitmq:0"} {
		if msg := nameProblem(name); msg != "" {
			t.Errorf("name %q refused: %s", name, msg)
		}
	}
}

func TestExpandArgsNeverProducesAnOption(t *testing.T) {
	t.Parallel()
	prefix := []string{"ssh", "-o", "BatchMode=yes", "{{.Address}}", "sudo"}
	if _, err := ExpandArgs(prefix, Controller{Name: "c0", Address: "-oProxyCommand=id"}); err == nil {
		t.Error("an address starting with '-' reached the ssh destination")
	}
	if _, err := ExpandArgs([]string{"ip", "netns", "exec", "{{.Name}}"}, Controller{Name: "-n"}); err == nil {
		t.Error("a name starting with '-' reached the command line")
	}
	got, err := ExpandArgs(prefix, Controller{Name: "c0", Address: "192.0.2.10"})
	if err != nil || strings.Join(got, " ") != "ssh -o BatchMode=yes 192.0.2.10 sudo" {
		t.Errorf("ExpandArgs = %q, %v", got, err)
	}
}

// Issue 11 #14: an IPv6 controller address lands in a URL in brackets, and
// check-config checks the expanded URL of every controller.
func TestIPv6AddressIsBracketedInURLs(t *testing.T) {
	t.Parallel()
	u, err := ExpandURL("http://{{.Address}}:5000/v3", Controller{Name: "c0", Address: "::1"})
	if err != nil || u != "http://[::1]:5000/v3" {
		t.Errorf("ExpandURL = %q, %v; want http://[::1]:5000/v3", u, err)
	}
	u, err = ExpandURL("http://{{.Address}}:5000/v3", Controller{Name: "c0", Address: "192.0.2.1"})
	if err != nil || u != "http://192.0.2.1:5000/v3" {
		t.Errorf("ExpandURL(v4) = %q, %v", u, err)
	}
	y := "clusters:\n  - name: a\n    controllers: [{name: c0, address: \"::1\"}]\n" +
		"    services: [{name: k, endpoint: \"http://{{.Address}}:5000/v3\"}]\n"
	if _, err := Parse("v6.yaml", []byte(y)); err != nil {
		t.Errorf("an IPv6 cluster was refused: %v", err)
	}
	y = "clusters:\n  - name: a\n    controllers: [{name: c0, address: \"192.0.2.1:80\"}]\n" +
		"    services: [{name: k, endpoint: \"http://{{.Address}}:5000/v3\"}]\n"
	if _, err := Parse("port.yaml", []byte(y)); err == nil || !strings.Contains(err.Error(), "c0") {
		t.Errorf("an endpoint that expands to host:port:port was accepted: %v", err)
	}
}

// Issue 11 #15: a problem inside an http block names the file's line, not the
// line counted from the start of the block.
func TestHTTPBlockProblemsNameFileLines(t *testing.T) {
	t.Parallel()
	y := `clusters:
  - name: a
    services:
      - name: k
        http:
          follow_redirects: true
          bogus_key: 1
          tls_config:
            insecure_skip_verify: notabool
`
	_, err := Parse("h.yaml", []byte(y))
	if err == nil {
		t.Fatal("bad http block accepted")
	}
	for _, want := range []string{"h.yaml:7: clusters[0].services[0].http: invalid http client settings: field bogus_key", "h.yaml:9: clusters[0].services[0].http: invalid http client settings: cannot unmarshal"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}
