package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/internal/testpeers"
)

const discoverBMCPass = "disc-bmc-pass-7"

// discoverRig is three fake controllers (127.0.0.1-3) behind one command
// prefix: Pacemaker's real CLI on a live CIB whose fence devices point at a
// real ipmi_sim, and on each a real HAProxy started from the configuration
// file the fake controller serves at /etc/haproxy/haproxy.cfg.
type discoverRig struct {
	fc  *testpeers.FakeController
	dir string
}

func newDiscoverRig(t *testing.T) *discoverRig {
	testpeers.RequirePacemakerCLI(t)
	bin := testpeers.RequireHAProxy(t)
	testpeers.RequireIPMI(t)
	dir := t.TempDir()
	sim := testpeers.StartIPMISim(t, discoverBMCPass)
	cib := liveCIBWithBMCs(t, dir, sim.Port)
	fc := testpeers.StartFakeController(t, cib)
	apiPort := serveAPI(t)
	statsPort := testpeers.FreePort(t)
	for n := 0; n < 3; n++ {
		node := fmt.Sprintf("controller-%d", n)
		sock := filepath.Join(dir, node+".sock")
		var b strings.Builder
		fmt.Fprintf(&b, "global\n  stats socket %s mode 600 level admin\n\ndefaults\n  mode http\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\n\n", sock)
		fmt.Fprintf(&b, "listen stats\n  bind 127.0.0.%d:%d\n  stats enable\n  stats uri /\n\n", n+1, statsPort)
		fmt.Fprintf(&b, "listen keystone_public\n  bind 127.0.0.%d:%d\n  option httpchk GET /v3\n", n+1, testpeers.FreePort(t))
		for m := 0; m < 3; m++ {
			fmt.Fprintf(&b, "  server controller-%d 127.0.0.%d:%d check inter 200ms\n", m, m+1, apiPort)
		}
		fc.WriteFile(t, node, "/etc/haproxy/haproxy.cfg", []byte(b.String()))
		startHAProxy(t, bin, filepath.Join(fc.Root, node, "etc/haproxy/haproxy.cfg"), sock)
	}
	return &discoverRig{fc: fc, dir: dir}
}

// liveCIBWithBMCs: probes' 3-node CIB, its fence devices given the BMC
// parameters (password included) of the ipmi_sim, made live.
func liveCIBWithBMCs(t *testing.T, dir string, port int) string {
	b, err := os.ReadFile("../../probes/testdata/pcmk/cib-3node.xml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for n := 0; n < 3; n++ {
		id := fmt.Sprintf("fence-controller-%d", n)
		old := fmt.Sprintf(`<nvpair id="%s-host" name="pcmk_host_list" value="controller-%d"/>`, id, n)
		params := old
		for _, kv := range [][2]string{{"ip", "127.0.0.1"}, {"ipport", strconv.Itoa(port)}, {"username", "admin"},
			{"password", discoverBMCPass}, {"lanplus", "1"}, {"cipher", "3"}} {
			params += fmt.Sprintf(`<nvpair id="%s-%s" name="%s" value="%s"/>`, id, kv[0], kv[0], kv[1])
		}
		if !strings.Contains(text, old) {
			t.Fatalf("cib-3node.xml changed: no %s", old)
		}
		text = strings.Replace(text, old, params, 1)
	}
	src, live := filepath.Join(dir, "cib.xml"), filepath.Join(dir, "live.xml")
	if err := os.WriteFile(src, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("crm_simulate", "-x", src, "-S", "-O", live).CombinedOutput(); err != nil {
		t.Fatalf("crm_simulate: %v %s", err, out)
	}
	return live
}

// serveAPI answers like an API on 127.0.0.1-3, one port.
func serveAPI(t *testing.T) int {
	port := 0
	for n := 1; n <= 3; n++ {
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:%d", n, port))
		if err != nil {
			t.Fatal(err)
		}
		port = l.Addr().(*net.TCPAddr).Port
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), ReadHeaderTimeout: time.Second}
		go func() { _ = srv.Serve(l) }()
		t.Cleanup(func() { srv.Close() })
	}
	return port
}

func startHAProxy(t *testing.T, bin, cfg, sock string) {
	cmd := exec.Command(bin, "-f", cfg, "-db")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-done })
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			return
		}
		select {
		case <-done:
			t.Fatalf("haproxy exited early (config %s)", cfg)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("haproxy socket %s not ready", sock)
		}
	}
}

// From zero to `status -o json`: discover writes the config, check-config
// accepts it, and one poll through it sees every node, BMC, HAProxy,
// endpoint and VIP — with nothing added but the BMC password variable.
func TestDiscoverEndToEnd(t *testing.T) {
	rig := newDiscoverRig(t)
	cfgFile := filepath.Join(rig.dir, "new.yaml")
	var stdout, stderr bytes.Buffer
	args := append([]string{"discover", "-o", cfgFile, "--"}, rig.fc.Prefix("controller-0")...)
	if code := run(args, &stdout, &stderr); code != 0 {
		t.Fatalf("discover exit %d: %s", code, stderr.String())
	}
	text, _ := os.ReadFile(cfgFile)
	t.Logf("discover said:\n%s", stderr.String())
	if strings.Contains(string(text), discoverBMCPass) || strings.Contains(stderr.String(), discoverBMCPass) {
		t.Fatalf("the BMC password left the CIB:\n%s", text)
	}
	for _, c := range rig.fc.Commands(t) {
		if tool := strings.Fields(c)[1]; !slices.Contains([]string{"crm_mon", "cibadmin", "cat", "ls", "ps"}, tool) {
			t.Errorf("discover ran %q on a controller", c)
		}
	}
	stdout.Reset()
	if code := run([]string{"check-config", "--config", cfgFile}, &stdout, &stderr); code != 0 {
		t.Fatalf("check-config exit %d: %s\n%s", code, stderr.String(), text)
	}
	t.Setenv("HACON_OVERCLOUD_BMC_PASSWORD", discoverBMCPass)
	t.Setenv("XDG_STATE_HOME", rig.dir)
	stdout.Reset()
	run([]string{"status", "--config", cfgFile, "-o", "json"}, &stdout, &stderr)
	var rep cluster.Report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("bad JSON: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	checkDiscoveredStatus(t, rep, string(text))
}

func checkDiscoveredStatus(t *testing.T, rep cluster.Report, cfg string) {
	t.Helper()
	if len(rep.Clusters) != 1 || rep.Clusters[0].Name != "overcloud" {
		t.Fatalf("clusters %+v", rep.Clusters)
	}
	c := rep.Clusters[0]
	for _, s := range c.Sources {
		if !s.OK {
			t.Errorf("source %s %s failed: %s\nconfig:\n%s", s.Kind, s.Name, s.Error, cfg)
		}
	}
	ready := 0
	for _, n := range c.Nodes {
		if n.Controller && n.Online && n.Power == "on" && n.BMCFenceReady != nil && *n.BMCFenceReady {
			ready++
		}
	}
	if ready != 3 {
		t.Errorf("%d controllers online with their BMC on and fence-ready, want 3: %+v", ready, c.Nodes)
	}
	servers := 0
	for _, s := range c.HAProxy {
		if s.Backend == "keystone_public" {
			servers++
		}
	}
	if servers != 9 {
		t.Errorf("%d keystone_public servers seen, want 3 on each of 3 HAProxies: %+v", servers, c.HAProxy)
	}
	endpoints := 0
	for _, e := range c.Endpoints {
		if e.Service == "keystone" && e.OK {
			endpoints++
		}
	}
	if endpoints != 3 {
		t.Errorf("%d keystone endpoints answered, want 3: %+v", endpoints, c.Endpoints)
	}
	vips := map[string]string{}
	for _, v := range c.VIPs {
		vips[v.Name] = v.Address
	}
	if vips["ip-192.168.24.10"] != "192.168.24.10" || vips["ip-10.0.0.5"] != "10.0.0.5" || vips["mgmt-ip"] == "" {
		t.Errorf("VIPs %v", vips)
	}
}

// --append adds the cluster after the existing ones and keeps every byte of
// the file; a second run refuses the same name, and -o never overwrites.
func TestDiscoverAppend(t *testing.T) {
	rig := newDiscoverRig(t)
	cfgFile := filepath.Join(rig.dir, "hacon.yaml")
	existing := "# my clusters\ninterval: 3s\nclusters:\n    # the lab\n    - name: lab\n      controllers:\n        - name: c0\n# trailing words\nread_only: true\n"
	if err := os.WriteFile(cfgFile, []byte(existing), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	prefix := rig.fc.Prefix("controller-0")
	if code := run(append([]string{"discover", "-o", cfgFile, "--"}, prefix...), &stdout, &stderr); code == 0 || !strings.Contains(stderr.String(), "exists") {
		t.Fatalf("-o on an existing file without --append: exit %d %s", code, stderr.String())
	}
	if code := run(append([]string{"discover", "-o", cfgFile, "--append", "--"}, prefix...), &stdout, &stderr); code != 0 {
		t.Fatalf("discover --append exit %d: %s", code, stderr.String())
	}
	got, _ := os.ReadFile(cfgFile)
	head := "# my clusters\ninterval: 3s\nclusters:\n    # the lab\n    - name: lab\n      controllers:\n        - name: c0\n"
	if !strings.HasPrefix(string(got), head) || !strings.HasSuffix(string(got), "# trailing words\nread_only: true\n") {
		t.Errorf("the existing content was not kept:\n%s", got)
	}
	if st, _ := os.Stat(cfgFile); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want the file's own 0600", st.Mode().Perm())
	}
	cfg, err := config.Load(cfgFile)
	if err != nil {
		t.Fatalf("appended config invalid: %v\n%s", err, got)
	}
	if len(cfg.Clusters) != 2 || cfg.Clusters[1].Name != "overcloud" || len(cfg.Clusters[1].Controllers) != 3 || !cfg.ReadOnly {
		t.Errorf("appended config: %+v", cfg)
	}
	stderr.Reset()
	if code := run(append([]string{"discover", "-o", cfgFile, "--append", "--"}, prefix...), &stdout, &stderr); code == 0 || !strings.Contains(stderr.String(), `already has a cluster "overcloud"`) {
		t.Errorf("a second --append of the same name: exit %d %s", code, stderr.String())
	}
}
