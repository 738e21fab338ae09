package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/hacon/hacon/actions"
	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/internal/app"
	"github.com/hacon/hacon/internal/testpeers"
	"github.com/hacon/hacon/tui"
	"github.com/hacon/hacon/views"
)

// The hostile-peers suite (issue 11): every peer hacon reads — a stats page,
// a Prometheus page, crm_mon, a Redfish BMC, an endpoint — serves crafted
// names, terminal escape sequences, and endless output. Nothing they send
// may become a command, a control character on any output, or unbounded
// memory.

// escapes would retitle, clear and leave the alternate screen of the
// operator's terminal; none is anything hacon's own styling emits.
const escapes = "\x1b]0;pwned\x07\x1b[?1049l\x1b[2J"

var forbidden = []string{"\x1b]0;", "\x07", "\x1b[?1049l", "\x1b[2J"}

// injection is the stats page's server name that once made hacon send a
// second runtime-API command to every HAProxy.
const injection = "controller-1 state maint;set server keystone_public/controller-2"

func hostileStatsCSV() string {
	h := "# pxname,svname,status,check_status,addr\n"
	return h + "keystone_public,FRONTEND,OPEN,,\n" +
		"keystone_public," + injection + ",UP,L7OK,127.0.0.3:18080\n" +
		"keystone_public,controller-1,UP" + escapes + ",L7OK" + escapes + ",127.0.0.4:18080\n" +
		"keystone_public,BACKEND,UP,,\n"
}

func hostilePromText() string {
	return "haproxy_server_status{proxy=\"keystone_public\",server=\"controller-2" + strings.ReplaceAll(escapes, "\x07", "\\a") + "\",state=\"UP\"} 1\n" +
		"haproxy_server_status{proxy=\"keystone_public\",server=\"controller-2\",state=\"DOWN\"} 0\n"
}

// hostileCrmMon is crm_mon's XML with escapes in a node's attributes, a
// resource id and a failure's exit reason.
func hostileCrmMon() string {
	return `<pacemaker-result api-version="2.20" request="crm_mon --output-as=xml">
<summary><stack type="corosync"/><current_dc present="true" name="controller-0" with_quorum="true"/>
<nodes_configured number="3"/><resources_configured number="1"/><cluster_options stonith-enabled="false"/></summary>
<nodes>
<node name="controller-0" id="1" online="true" standby="false" maintenance="false" unclean="false" type="member"/>
<node name="controller-1" id="2" online="true" standby="false" maintenance="false" unclean="false" type="member"/>
<node name="controller-2" id="3" online="false" standby="false" maintenance="false" unclean="true" type="member"/>
</nodes>
<resources>
<resource id="openstack-keystone` + escapes + `" resource_agent="systemd:openstack-keystone" role="Started" active="true" failed="true" managed="true" blocked="false" nodes_running_on="1"><node name="controller-0" id="1" cached="true"/></resource>
</resources>
<failures><failure op_key="openstack-keystone_monitor_60000" node="controller-0" exitstatus="error" exitreason="` + escapes + `boom" exitcode="1" call="12" status="complete" last-rc-change="2026-11-30 03:00:00Z" queued="0" exec="10" interval="60000" task="monitor"/></failures>
<status code="0" message="OK"/>
</pacemaker-result>
`
}

func hostileServer(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// endless writes until the client goes away.
func endless(w http.ResponseWriter, r *http.Request) {
	chunk := bytes.Repeat([]byte("hacon "), 10000)
	for r.Context().Err() == nil {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

type hostileLab struct {
	dir, cfgPath string
	lb           *testpeers.HAProxy
}

func startHostileLab(t *testing.T) *hostileLab {
	t.Helper()
	l := &hostileLab{dir: t.TempDir()}
	l.lb = testpeers.StartHAProxy(t, map[string][]testpeers.Server{"keystone_public": {
		{Name: "controller-0", Addr: "127.0.0.3:18080"}, {Name: "controller-1", Addr: "127.0.0.4:18080"}, {Name: "controller-2", Addr: "127.0.0.5:18080"},
	}})
	stats := hostileServer(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, hostileStatsCSV()) })
	prom := hostileServer(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, hostilePromText()) })
	endlessStats := hostileServer(t, endless)
	api := hostileServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/controller-0/"):
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, escapes+"Service Unavailable")
		case strings.HasPrefix(r.URL.Path, "/controller-1/"):
			w.WriteHeader(http.StatusInternalServerError)
			endless(w, r)
		default:
			fmt.Fprint(w, `{"version": {"id": "v3.14", "status": "stable"}}`)
		}
	})
	// A Redfish service root that never ends: valid JSON so far, so the
	// reader has to keep going until the cap stops it.
	bmcAddr := hostileServer(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"Name": "`)
		endless(w, r)
	})
	crm := filepath.Join(l.dir, "crm_mon.xml")
	must(t, os.WriteFile(crm, []byte(hostileCrmMon()), 0o600))
	must(t, os.WriteFile(filepath.Join(l.dir, "bmc.pw"), []byte("s3cret-bmc\n"), 0o600))
	// The prefix ignores the tool's argv and prints the crafted XML; the
	// second cluster's prints without end.
	cfg := fmt.Sprintf(`audit_log: %[1]s/audit.log
events_log: "-"
clusters:
  - name: hostile
    interval: 60s  # one PollOnce: a long interval keeps its early answers from reading as silent
    timeout: 20s  # caps, not timeouts, must end the endless peers, even on a loaded machine
    controllers:
      - {name: controller-0, address: 127.0.0.3, bmc: {driver: redfish, address: "http://127.0.0.1", port: %[6]s, username: admin, password_file: %[1]s/bmc.pw, timeout: 20s}}
      - {name: controller-1, address: 127.0.0.4}
      - {name: controller-2, address: 127.0.0.5}
    pacemaker: {command: [sh, -c, 'cat %[2]s', "{{.Name}}"]}
    haproxy:
      - {controller: controller-0, stats_url: "http://%[3]s/;csv", runtime_api: "unix://%[4]s"}
      - {controller: controller-1, stats_url: "http://%[5]s/metrics"}
      - {controller: controller-2, stats_url: "http://%[7]s/;csv"}
    services:
      - {name: keystone, haproxy_backend: keystone_public, endpoint: "http://%[8]s/{{.Name}}/v3"}
  - name: endless
    timeout: 30s  # the cap, not the timeout, must stop it, even on a loaded machine
    controllers: [{name: controller-0}]
    pacemaker: {command: [sh, -c, 'exec yes "<crm_mon>"', x]}
`, l.dir, crm, stats, l.lb.Sock, prom, strings.Split(bmcAddr, ":")[1], endlessStats, api)
	l.cfgPath = filepath.Join(l.dir, "hostile.yaml")
	must(t, os.WriteFile(l.cfgPath, []byte(cfg), 0o600))
	return l
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestHostilePeers(t *testing.T) {
	l := startHostileLab(t)
	a, err := app.New(app.Options{ConfigPath: l.cfgPath})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	snap := a.Sched.PollOnce(ctx)

	t.Run("nothing becomes a command", func(t *testing.T) { checkNoInjection(t, a, snap, l) })
	t.Run("no control character reaches an output", func(t *testing.T) { checkNoEscapes(t, a, snap, l) })
	t.Run("endless output is cut and named", func(t *testing.T) { checkBounded(t, snap) })
}

func checkNoInjection(t *testing.T, a *app.App, snap cluster.Snapshot, l *hostileLab) {
	req, err := actions.Parse("hostile", []string{"drain", "keystone", "controller-0"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.Executor.Plan(context.Background(), req, snap)
	if err == nil {
		t.Fatalf("a drain of a server named by a hostile stats page was planned: %+v", p.Steps)
	}
	if !strings.Contains(err.Error(), "cannot change keystone_public on controller-0") {
		t.Errorf("refusal does not say what and where: %v", err)
	}
	state := testpeers.RuntimeCommand(t, l.lb.Sock, "show servers state keystone_public")
	for _, line := range strings.Split(state, "\n") {
		f := strings.Fields(line)
		// srv_admin_state (field 7) is 0 unless MAINT or DRAIN was set.
		if len(f) > 7 && strings.HasPrefix(f[3], "controller-") && f[6] != "0" {
			t.Errorf("the real HAProxy's %s has admin state %s: a command reached it", f[3], f[6])
		}
	}
}

func checkNoEscapes(t *testing.T, a *app.App, snap cluster.Snapshot, l *hostileLab) {
	outputs := map[string]string{}
	var text, js, errb bytes.Buffer
	run([]string{"status", "--config", l.cfgPath}, &text, &errb)
	run([]string{"status", "--config", l.cfgPath, "-o", "json"}, &js, &errb)
	outputs["status text"], outputs["status json"] = text.String(), js.String()
	for _, c := range snap.Clusters {
		outputs["markdown "+c.Name] = views.Markdown(views.Report{Cluster: &c, Taken: snap.Taken, Version: "test"})
	}
	for _, keys := range [][]string{nil, {"tab", "enter"}, {"H"}, {"enter"}} {
		outputs[fmt.Sprintf("console %v", keys)] = consoleScreen(a, keys)
	}
	for name, out := range outputs {
		for _, f := range forbidden {
			if strings.Contains(out, f) {
				t.Errorf("%s carries %q from a peer", name, f)
			}
		}
		if strings.Contains(out, "s3cret-bmc") {
			t.Errorf("%s shows the BMC password", name)
		}
	}
	if !strings.Contains(outputs["status text"], "keystone") {
		t.Errorf("status text lacks the cluster it should show:\n%s", outputs["status text"])
	}
}

// consoleScreen is the console's screen after keys, in the mono theme: any
// escape sequence in it came from a peer.
func consoleScreen(a *app.App, keys []string) string {
	var m tea.Model = tui.New(tui.Options{Source: a.Sched, Theme: "mono", EventsLog: "-", ReadOnly: true})
	m, _ = m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	for _, k := range keys {
		code := rune(k[0])
		switch k {
		case "tab":
			code = tea.KeyTab
		case "enter":
			code = tea.KeyEnter
		}
		m, _ = m.Update(tea.KeyPressMsg{Code: code, Text: strings.TrimPrefix(k, "\t")})
	}
	return m.View().Content
}

func checkBounded(t *testing.T, snap cluster.Snapshot) {
	want := map[string]string{
		"endless pacemaker":                      "larger than",
		"hostile bmc controller-0":               "larger than",
		"hostile haproxy controller-2":           "",
		"hostile endpoint keystone@controller-1": "larger than 1 MiB",
	}
	seen := func(key string, ok bool, words string) {
		if w, asked := want[key]; asked {
			if ok || !strings.Contains(words, w) {
				t.Errorf("%s: ok=%v error %q, want a failure naming %q", key, ok, words, w)
			}
			delete(want, key)
		}
	}
	for _, c := range snap.Clusters {
		for _, s := range c.Sources {
			key := c.Name + " " + string(s.Kind)
			if s.Kind != cluster.KindPacemaker {
				key += " " + s.Name
			}
			if s.Kind != cluster.KindEndpoint { // an endpoint source is ok when it answered at all
				seen(key, s.OK, s.Error)
			} else if strings.Contains(s.Name, "controller-1") {
				t.Logf("endpoint source %s: ok=%v error %q", s.Name, s.OK, s.Error) // for a missing result below
			}
		}
		for _, e := range c.Endpoints {
			seen(c.Name+" endpoint "+e.Service+"@"+e.Node, e.OK, e.Error)
		}
	}
	for key := range want {
		t.Errorf("no source %s in the snapshot", key)
	}
}
