package probes

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/remote"
)

// TestOpenStackCorpus takes every CIB of the corpus whose nodes are
// controller-N (the TripleO-like ones, bundles included), makes it live
// with crm_simulate, polls it with the smallest config (the controllers and
// a CIB_file prefix) and holds the snapshot against crm_mon's own XML and
// the CIB itself: every non-stonith, non-VIP resource is a row, every
// resource with a failed instance is named in an alert, a controller is
// fence-ready exactly when a started stonith device targets it, and no
// device password reaches the report or the alerts.
func TestOpenStackCorpus(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "corpus", "pacemaker")
	ci := os.Getenv("CI") == "true"
	files := openStackCIBs(t, dir)
	if len(files) == 0 {
		if ci {
			t.Fatalf("no OpenStack-like CIBs under %s", dir)
		}
		t.Skipf("no OpenStack-like CIBs under %s", dir)
	}
	requirePcmkCLI(t)
	var mu sync.Mutex
	var tally ospTally
	sem := make(chan struct{}, 2) // two cores, shared
	var wg sync.WaitGroup
	for _, f := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			got, problems := checkOpenStackCIB(t.TempDir(), f)
			mu.Lock()
			defer mu.Unlock()
			tally.add(got)
			for _, p := range problems {
				t.Errorf("%s: %s", filepath.Base(f), p)
			}
		}()
	}
	wg.Wait()
	t.Logf("%d OpenStack-like CIBs: %d resources → %d auto rows; %d resources with failed instances, all named; %d of %d controllers fence-ready, as the oracle says (%d)",
		len(files), tally.resources, tally.rows, tally.failed, tally.ready, tally.controllers, tally.oracleReady)
}

type ospTally struct{ resources, rows, failed, ready, oracleReady, controllers int }

func (t *ospTally) add(o ospTally) {
	t.resources += o.resources
	t.rows += o.rows
	t.failed += o.failed
	t.ready += o.ready
	t.oracleReady += o.oracleReady
	t.controllers += o.controllers
}

var controllerUname = regexp.MustCompile(`uname="(controller-[0-9]+)"`)

func openStackCIBs(t *testing.T, dir string) []string {
	all, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
	var out []string
	for _, f := range all {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if controllerUname.Match(b) {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

func checkOpenStackCIB(tmp, file string) (ospTally, []string) {
	var tally ospTally
	live := filepath.Join(tmp, "live.xml")
	if out, err := exec.Command("crm_simulate", "-S", "-x", file, "-O", live).CombinedOutput(); err != nil {
		return tally, []string{fmt.Sprintf("crm_simulate: %v %.300s", err, out)}
	}
	cmd := exec.Command("crm_mon", "--one-shot", "--inactive", "--output-as=xml")
	cmd.Env = append(os.Environ(), "CIB_file="+live)
	monXML, err := cmd.Output()
	if err != nil {
		return tally, []string{"crm_mon (oracle): " + err.Error()}
	}
	mon, err := parseDOM(monXML)
	if err != nil {
		return tally, []string{"crm_mon XML: " + err.Error()}
	}
	cibXML, _ := os.ReadFile(live)
	cib, err := parseDOM(cibXML)
	if err != nil {
		return tally, []string{"CIB: " + err.Error()}
	}
	c, report, problems := pollMinimal(live, controllerNames(mon))
	if c == nil {
		return tally, problems
	}
	tally.controllers = len(controllerNames(mon))
	problems = append(problems, checkRows(mon, c, &tally)...)
	problems = append(problems, checkFailuresNamed(mon, c, &tally)...)
	problems = append(problems, checkFenceReady(mon, cib, c, &tally)...)
	problems = append(problems, checkNoPasswords(cib, report)...)
	return tally, problems
}

func controllerNames(mon *dom) []string {
	var out []string
	if nodes := mon.child("nodes"); nodes != nil {
		for _, n := range nodes.kids {
			if strings.HasPrefix(n.attrs["name"], "controller-") && n.attrs["type"] == "member" {
				out = append(out, n.attrs["name"])
			}
		}
	}
	return out
}

// pollMinimal polls a live CIB with nothing configured but the
// controllers and the prefix, and builds the snapshot.
func pollMinimal(live string, controllers []string) (*cluster.Cluster, string, []string) {
	cc := config.Cluster{Name: "osp", Pacemaker: &config.Pacemaker{Command: []string{"env", "CIB_file=" + live}}}
	for _, n := range controllers {
		cc.Controllers = append(cc.Controllers, config.Controller{Name: n})
	}
	cfg := &config.Config{Clusters: []config.Cluster{cc}}
	id := cluster.SourceID{Cluster: "osp", Kind: cluster.KindPacemaker, Name: "pacemaker"}
	tg := &Target{ID: id, Timeout: 60 * time.Second, Cluster: &cfg.Clusters[0], Deps: &Deps{Runner: remote.ExecRunner{}}}
	r := DefaultProbers().Poll(context.Background(), tg)
	if !r.OK() {
		return nil, "", []string{"probe: " + r.Err}
	}
	now := time.Now()
	snap := cluster.Build(cfg, cluster.Inputs{id: {ID: id, Interval: 2 * time.Second, Latest: &r, LastGood: &r, LastSuccess: now, LastAnswer: now, Since: now}}, now, 1)
	b, _ := json.Marshal(snap.Report())
	c := snap.Clusters[0]
	text := string(b)
	for _, a := range c.Alerts {
		text += "\n" + a.Message
	}
	return &c, text, nil
}

func isStonithDOM(r *dom) bool { return strings.HasPrefix(agentOf(r), "stonith:") }

// agentOf finds a top-level element's agent (its first primitive's).
func agentOf(r *dom) string {
	if a := r.attrs["resource_agent"]; a != "" {
		return strings.ReplaceAll(a, "::", ":")
	}
	for _, k := range r.kids {
		if a := agentOf(k); a != "" {
			return a
		}
	}
	return ""
}

// checkRows: every non-stonith, non-VIP top-level resource is exactly one row.
func checkRows(mon *dom, c *cluster.Cluster, tally *ospTally) []string {
	var problems []string
	rows := map[string]int{}
	for _, s := range c.Services {
		rows[s.Resource]++
	}
	res := mon.child("resources")
	if res == nil {
		return nil
	}
	for _, top := range res.kids {
		id := top.attrs["id"]
		vip := top.name == "resource" && strings.HasSuffix(agentOf(top), ":IPaddr2")
		tally.resources++
		switch {
		case isStonithDOM(top) || vip:
			if rows[id] != 0 {
				problems = append(problems, id+": a stonith device or VIP became a row")
			}
		case rows[id] != 1:
			problems = append(problems, fmt.Sprintf("%s (%s): %d rows, want 1", id, top.name, rows[id]))
		default:
			tally.rows++
		}
	}
	return problems
}

func domAnyFailed(r *dom) bool {
	if r.attrs["failed"] == "true" {
		return true
	}
	for _, k := range r.kids {
		if domAnyFailed(k) {
			return true
		}
	}
	return false
}

// checkFailuresNamed: every resource with a failed instance is named in an alert.
func checkFailuresNamed(mon *dom, c *cluster.Cluster, tally *ospTally) []string {
	var problems []string
	res := mon.child("resources")
	if res == nil {
		return nil
	}
	for _, top := range res.kids {
		if !domAnyFailed(top) {
			continue
		}
		tally.failed++
		id := top.attrs["id"]
		named := false
		for _, a := range c.Alerts {
			named = named || strings.Contains(a.Message, id)
		}
		if !named {
			problems = append(problems, id+" has a failed instance but no alert names it")
		}
	}
	return problems
}

// stonithTargets reads, from the CIB itself, whom each device names; nil
// targets (no list or map) mean the device is asked: any node.
func stonithTargets(cib *dom) map[string][]string {
	out := map[string][]string{}
	var walk func(n *dom)
	walk = func(n *dom) {
		if n.name == "primitive" && n.attrs["class"] == "stonith" {
			var targets []string
			for _, ia := range n.kids {
				for _, nv := range ia.kids {
					switch nv.attrs["name"] {
					case "pcmk_host_list":
						targets = append(targets, strings.FieldsFunc(nv.attrs["value"], func(r rune) bool { return r == ' ' || r == ',' || r == ';' })...)
					case "pcmk_host_map":
						for _, p := range strings.FieldsFunc(nv.attrs["value"], func(r rune) bool { return r == ' ' || r == ',' || r == ';' }) {
							targets = append(targets, strings.FieldsFunc(p, func(r rune) bool { return r == ':' || r == '=' })[0])
						}
					}
				}
			}
			out[n.attrs["id"]] = targets
			return
		}
		if n.name == "status" {
			return
		}
		for _, k := range n.kids {
			walk(k)
		}
	}
	walk(cib)
	return out
}

// checkFenceReady: a controller is fence-ready exactly when stonith is on
// and a device crm_mon shows started (and not failed) targets it.
func checkFenceReady(mon, cib *dom, c *cluster.Cluster, tally *ospTally) []string {
	var problems []string
	stonith := false
	if s := mon.child("summary"); s != nil {
		if o := s.child("cluster_options"); o != nil {
			stonith = o.attrs["stonith-enabled"] == "true"
		}
	}
	started := map[string]bool{}
	if res := mon.child("resources"); res != nil {
		for _, top := range res.kids {
			if top.name == "resource" && isStonithDOM(top) && top.attrs["role"] == "Started" && top.attrs["failed"] != "true" && top.child("node") != nil {
				started[top.attrs["id"]] = true
			}
		}
	}
	targets := stonithTargets(cib)
	for _, name := range controllerNames(mon) {
		want := false
		for dev, ts := range targets {
			want = want || stonith && started[dev] && (ts == nil || containsName(ts, name))
		}
		n := c.Node(name)
		got := n != nil && n.PacemakerFenceReady()
		if want {
			tally.oracleReady++
		}
		if got {
			tally.ready++
		}
		if got != want {
			why := ""
			if n != nil && n.Fencing != nil {
				why = n.Fencing.Why
			}
			problems = append(problems, fmt.Sprintf("%s: fence-ready %t, oracle says %t (%s)", name, got, want, why))
		}
	}
	return problems
}

func containsName(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkNoPasswords: no stonith device's password value appears in the
// JSON report or an alert.
func checkNoPasswords(cib *dom, report string) []string {
	var problems []string
	var walk func(n *dom, inStonith bool)
	walk = func(n *dom, inStonith bool) {
		inStonith = inStonith || (n.name == "primitive" && n.attrs["class"] == "stonith")
		if inStonith && n.name == "nvpair" && strings.Contains(n.attrs["name"], "passw") && n.attrs["value"] != "" {
			if strings.Contains(report, n.attrs["value"]) {
				problems = append(problems, "the password of "+n.attrs["id"]+" reached the report")
			}
		}
		for _, k := range n.kids {
			walk(k, inStonith)
		}
	}
	walk(cib, false)
	return problems
}
