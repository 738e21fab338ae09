package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/internal/testpeers"
)

// `hacon status --config F -o json` against real peers: crm_mon on a CIB
// file, a real HAProxy's stats socket and a real ipmi_sim BMC.
func TestStatusJSONFromRealPeers(t *testing.T) {
	if _, err := exec.LookPath("crm_simulate"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("crm_simulate missing in CI")
		}
		t.Skip("pacemaker-cli-utils not installed")
	}
	dir := t.TempDir()
	live := filepath.Join(dir, "live.xml")
	if out, err := exec.Command("crm_simulate", "-x", "../../probes/testdata/pcmk/cib-3node.xml", "-S", "-O", live).CombinedOutput(); err != nil {
		t.Fatalf("crm_simulate: %v %s", err, out)
	}
	const pass = "bmc-pass-for-test"
	sim := testpeers.StartIPMISim(t, pass)
	pwFile := filepath.Join(dir, "bmc.pw")
	os.WriteFile(pwFile, []byte(pass+"\n"), 0o600)
	var servers []testpeers.Server
	for _, n := range []string{"controller-0", "controller-1", "controller-2"} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		t.Cleanup(srv.Close)
		servers = append(servers, testpeers.Server{Name: n, Addr: srv.Listener.Addr().String(), Backup: n == "controller-2"})
	}
	lb := testpeers.StartHAProxy(t, map[string][]testpeers.Server{"keystone_public": servers})
	cfgText := fmt.Sprintf(`interval: 2s
clusters:
  - name: lab
    controllers:
      - name: controller-0
        address: 127.0.0.1
        bmc: {driver: ipmi, address: 127.0.0.1, port: %d, username: admin, password_file: %s, cipher_suite: 3}
      - name: controller-1
      - name: controller-2
    pacemaker:
      command: [env, "CIB_file=%s"]
    haproxy:
      - controller: controller-0
        stats_socket: %s
    services:
      - name: keystone
        pacemaker_resource: haproxy-clone
        haproxy_backend: keystone_public
    vips:
      - name: ctlplane
        address: 192.168.24.10
        pacemaker_resource: ip-192.168.24.10
`, sim.Port, pwFile, live, lb.Sock)
	cfgFile := filepath.Join(dir, "hacon.yaml")
	os.WriteFile(cfgFile, []byte(cfgText), 0o600)

	var stdout, stderr bytes.Buffer
	code := run([]string{"status", "--config", cfgFile, "-o", "json"}, &stdout, &stderr)
	var rep cluster.Report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("exit %d, bad JSON: %v\n%s\n%s", code, err, stdout.String(), stderr.String())
	}
	c := rep.Clusters[0]
	byNode := map[string]cluster.NodeReport{}
	for _, n := range c.Nodes {
		byNode[n.Name] = n
	}
	if n := byNode["controller-0"]; n.Power != "on" || !n.FenceReady || !n.Online {
		t.Errorf("controller-0 from ipmi_sim/crm_mon: %+v", n)
	}
	if n := byNode["controller-1"]; n.Power != "unknown" || !n.Online {
		t.Errorf("controller-1 (no BMC): %+v", n)
	}
	// Placement agrees with crm_mon's own words for the same file.
	text, _ := exec.Command("env", "CIB_file="+live, "crm_mon", "-1").CombinedOutput()
	if !strings.Contains(string(text), "ip-192.168.24.10\t(ocf:heartbeat:IPaddr2):\t Started controller-0") || c.VIPs[0].Node != "controller-0" {
		t.Errorf("VIP: hacon says %+v; crm_mon says:\n%s", c.VIPs, text)
	}
	got := map[string]bool{}
	for _, s := range c.HAProxy {
		got[s.Server+"/"+cluster.BaseStatus(s.Status)+fmt.Sprint(s.Backup)] = true
	}
	for _, want := range []string{"controller-0/UPfalse", "controller-1/UPfalse", "controller-2/UPtrue"} {
		if !got[want] && !got[strings.Replace(want, "UP", "DOWN", 1)] {
			t.Errorf("HAProxy servers %v lack %s", c.HAProxy, want)
		}
	}
	if strings.Contains(stdout.String(), pass) || strings.Contains(stderr.String(), pass) {
		t.Error("the BMC password leaked into status output")
	}
	for _, s := range c.Sources {
		if !s.OK {
			t.Errorf("source %s/%s failed: %s", s.Kind, s.Name, s.Error)
		}
	}
}

func TestStatusDemoJSONAndExitCode(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"status", "--demo", "-o", "json"}, &stdout, &stderr)
	var rep cluster.Report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, stderr.String())
	}
	if code != 0 || rep.Status != "OK" {
		t.Errorf("healthy demo: exit %d status %s alerts %+v", code, rep.Status, rep.Clusters[0].Alerts)
	}
	c := rep.Clusters[0]
	if len(c.Nodes) != 3 || len(c.Endpoints) == 0 || len(c.HAProxy) == 0 {
		t.Errorf("demo report incomplete: %d nodes %d endpoints %d servers", len(c.Nodes), len(c.Endpoints), len(c.HAProxy))
	}
	for _, n := range c.Nodes {
		if n.Power != "on" || !n.Online {
			t.Errorf("node %+v", n)
		}
	}
}

func TestCheckConfigReportsEveryProblem(t *testing.T) {
	f := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(f, []byte("interval: soon\nclusters:\n  - name: a\n    bogus: 1\n"), 0o600)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"check-config", "--config", f}, &stdout, &stderr); code != 1 {
		t.Errorf("exit %d", code)
	}
	for _, want := range []string{"bad.yaml:1: interval:", "bad.yaml:4: clusters[0].bogus: unknown key"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("missing %q in %s", want, stderr.String())
		}
	}
	stdout.Reset()
	good := filepath.Join(t.TempDir(), "good.yaml")
	os.WriteFile(good, []byte("clusters: [{name: a}]\n"), 0o600)
	if code := run([]string{"check-config", "--config", good}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "valid") {
		t.Errorf("valid config: exit %d %s", code, stdout.String())
	}
}

// Issue 11 #5: an audit log that is not a regular file is named by
// check-config and stops the console at start-up, not at the first action.
func TestAuditLogThatIsNotAFileIsRefusedAtStartUp(t *testing.T) {
	f := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(f, []byte("audit_log: /dev/null\nclusters: [{name: a}]\n"), 0o600)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"check-config", "--config", f}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "/dev/null: not a regular file") {
		t.Errorf("check-config: exit %d, stderr %q", code, stderr.String())
	}
	stderr.Reset()
	if code := run([]string{"--config", f}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "--read-only") {
		t.Errorf("console: exit %d, stderr %q", code, stderr.String())
	}
	ro := filepath.Join(t.TempDir(), "ro.yaml")
	os.WriteFile(ro, []byte("read_only: true\naudit_log: /dev/null\nclusters: [{name: a}]\n"), 0o600)
	stdout.Reset()
	if code := run([]string{"check-config", "--config", ro}, &stdout, &stderr); code != 0 {
		t.Errorf("a read-only config needs no audit log: exit %d", code)
	}
}
