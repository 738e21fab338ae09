package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadFullExample(t *testing.T) {
	cfg, err := Load("testdata/full.yaml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.Interval != 2*time.Second || cfg.Timeout != 1500*time.Millisecond {
		t.Errorf("interval/timeout = %v/%v", cfg.Interval, cfg.Timeout)
	}
	c := cfg.Clusters[0]
	if c.Name != "overcloud" || len(c.Controllers) != 2 || c.Controllers[0].BMC.Port != 623 || c.Controllers[0].BMC.CipherSuite != 3 {
		t.Errorf("cluster decoded wrong: %+v", c)
	}
	if got := strings.Join(c.Pacemaker.Command, " "); got != "ssh -o BatchMode=yes heat-admin@{{.Address}} sudo" {
		t.Errorf("pacemaker command = %q", got)
	}
	if c.Services[0].HTTP == nil || !c.Services[0].HTTP.TLSConfig.InsecureSkipVerify {
		t.Errorf("service http settings not decoded: %+v", c.Services[0].HTTP)
	}
	if !strings.HasSuffix(cfg.AuditLog, ".local/state/hacon/audit.log") || strings.HasPrefix(cfg.AuditLog, "~") {
		t.Errorf("audit log not expanded: %q", cfg.AuditLog)
	}
	if got := cfg.TimeoutFor(&c, 0, 0); got != 1500*time.Millisecond {
		t.Errorf("TimeoutFor = %v", got)
	}
	u, err := Expand(c.Services[0].Endpoint, c.Controllers[1])
	if err != nil || u != "http://192.0.2.11:5000/v3" {
		t.Errorf("Expand = %q, %v", u, err)
	}
}

func TestDefaultTimeoutIsThreeQuartersOfInterval(t *testing.T) {
	cfg, err := Parse("x.yaml", []byte("interval: 4s\nclusters: [{name: a}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.TimeoutFor(&cfg.Clusters[0], 0, 0); got != 3*time.Second {
		t.Errorf("default timeout = %v, want 3s", got)
	}
}

func TestOnlyNamesRequired(t *testing.T) {
	for _, y := range []string{
		"clusters:\n  - name: a\n    pacemaker:\n      command: [env, CIB_file=/x]\n",
		"clusters:\n  - name: a\n    controllers: [{name: c0}]\n    haproxy: [{controller: c0, stats_socket: /run/h.sock}]\n",
		"clusters:\n  - name: a\n    controllers: [{name: c0, bmc: {driver: ipmi, address: 127.0.0.1, password_env: X}}]\n",
	} {
		if _, err := Parse("min.yaml", []byte(y)); err != nil {
			t.Errorf("minimal config rejected:\n%s\n%v", y, err)
		}
	}
}

func TestProblems(t *testing.T) {
	dir := t.TempDir()
	loose := filepath.Join(dir, "loose.pw")
	if err := os.WriteFile(loose, []byte("s3cret"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, yaml string
		want       []string // each must appear in one problem line
	}{
		{"unknown key", "clusters:\n  - name: a\n    colour: red\n", []string{"x.yaml:3: clusters[0].colour: unknown key"}},
		{"wrong type", "clusters:\n  - name: a\n    controllers:\n      - name: c0\n        bmc: {driver: ipmi, address: h, port: abc}\n", []string{"x.yaml:5: clusters[0].controllers[0].bmc.port: expected an integer, got \"abc\""}},
		{"bad duration", "interval: fast\nclusters: [{name: a}]\n", []string{"x.yaml:1: interval: expected a positive duration"}},
		{"duplicate cluster", "clusters:\n  - name: a\n  - name: a\n", []string{"x.yaml:3: clusters[1].name: duplicate cluster name \"a\" (first at line 2)"}},
		{"duplicate controller", "clusters:\n  - name: a\n    controllers:\n      - name: c0\n      - name: c0\n", []string{"x.yaml:5: clusters[0].controllers[1].name: duplicate controller"}},
		{"unknown controller", "clusters:\n  - name: a\n    controllers: [{name: c0}]\n    haproxy:\n      - controller: c9\n        stats_socket: /x\n", []string{"x.yaml:5: clusters[0].haproxy[0].controller: unknown controller \"c9\""}},
		{"inline password", "clusters:\n  - name: a\n    controllers:\n      - name: c0\n        bmc:\n          driver: ipmi\n          address: h\n          password: hunter2\n", []string{"x.yaml:8: clusters[0].controllers[0].bmc.password: a password may not be given inline"}},
		{"loose secret file", "clusters:\n  - name: a\n    controllers:\n      - name: c0\n        bmc:\n          driver: redfish\n          address: h\n          password_file: " + loose + "\n", []string{"clusters[0].controllers[0].bmc.password_file: secret file " + loose + " is readable by group or others (mode 0644)"}},
		{"bad driver", "clusters:\n  - name: a\n    controllers: [{name: c0, bmc: {driver: ilo, address: h}}]\n", []string{"x.yaml:3: clusters[0].controllers[0].bmc.driver: expected ipmi or redfish, got \"ilo\""}},
		{"bad mode", "clusters:\n  - name: a\n    services: [{name: s, mode: hot}]\n", []string{"clusters[0].services[0].mode: expected active-active or active-passive"}},
		{"bad template", "clusters:\n  - name: a\n    services: [{name: s, endpoint: \"http://{{.Host}}/\"}]\n", []string{"clusters[0].services[0].endpoint: bad template"}},
		{"missing name", "clusters:\n  - controllers: []\n", []string{"clusters[0].name: a cluster needs a name"}},
		{"bad vip", "clusters:\n  - name: a\n    vips: [{name: v, address: 300.1.1.1}]\n", []string{"clusters[0].vips[0].address: expected an IP address"}},
		{"syntax", "clusters:\n  - name: a\n   bad: [\n", []string{"x.yaml:1: YAML syntax: did not find expected"}},
		{"http inline password", "clusters:\n  - name: a\n    http:\n      basic_auth: {username: u, password: p}\n", []string{"clusters[0].http.basic_auth.password: a password may not be given inline"}},
		{"no clusters", "interval: 2s\n", []string{"clusters: at least one cluster is required"}},
		{"credentials in a URL", "clusters:\n  - name: a\n    controllers: [{name: c0}]\n    haproxy: [{controller: c0, stats_url: \"http://admin:hunter2@h:1993/;csv\"}]\n", []string{"x.yaml:4: clusters[0].haproxy[0].stats_url: credentials may not be given in a URL"}},
		{"credentials in a BMC address", "clusters:\n  - name: a\n    controllers: [{name: c0, bmc: {driver: redfish, address: \"https://root:hunter2@bmc\", password_env: X}}]\n", []string{"clusters[0].controllers[0].bmc.address: credentials may not be part of the address"}},
		{"BMC without password", "clusters:\n  - name: a\n    controllers: [{name: c0, bmc: {driver: ipmi, address: h}}]\n", []string{"clusters[0].controllers[0].bmc: needs password_env or password_file"}},
		{"address template without address", "clusters:\n  - name: a\n    controllers: [{name: c0, address: 10.0.0.1}, {name: c1}]\n    services: [{name: s, endpoint: \"http://{{.Address}}:5000/\"}]\n", []string{"clusters[0].services[0].endpoint: uses {{.Address}} but controller \"c1\" has no address"}},
		{"oauth2 inline secret", "clusters:\n  - name: a\n    http:\n      oauth2: {client_id: x, client_secret: hunter2, token_url: \"http://h/t\"}\n", []string{"clusters[0].http.oauth2.client_secret: a secret may not be given inline"}},
		{"several at once", "interval: x\nclusters:\n  - name: a\n    bogus: 1\n    controllers: [{name: c0, bmc: {driver: ipmi, address: h, port: 70000}}]\n", []string{"x.yaml:1: interval", "x.yaml:4: clusters[0].bogus: unknown key", "clusters[0].controllers[0].bmc.port: expected a port between 1 and 65535, got 70000"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(tc.yaml))
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("want Problems, got %v", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("missing %q in:\n%s", w, err)
				}
			}
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "s3cret") {
				t.Errorf("a secret leaked into the error: %s", err)
			}
		})
	}
}

func TestLocateOrder(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("HACON_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", dir)
	if p, _ := Locate("/explicit.yaml"); p != "/explicit.yaml" {
		t.Errorf("--config not first: %q", p)
	}
	t.Setenv("HACON_CONFIG", "/from/env.yaml")
	if p, _ := Locate(""); p != "/from/env.yaml" {
		t.Errorf("HACON_CONFIG not used: %q", p)
	}
	t.Setenv("HACON_CONFIG", "")
	xdg := filepath.Join(dir, "hacon", "config.yaml")
	os.MkdirAll(filepath.Dir(xdg), 0o755)
	os.WriteFile(xdg, []byte("clusters: [{name: a}]\n"), 0o600)
	if p, _ := Locate(""); p != xdg {
		t.Errorf("XDG config not found: %q", p)
	}
}
