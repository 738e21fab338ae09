//go:build lab

package lab

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
)

// Prometheus mode on the lab: lab/up runs a real Prometheus scraping the
// lab every promScrape (lab/lib/prom.sh) — ha_cluster_exporter in each
// controller, each HAProxy's /metrics, ipmi_exporter against the BMCs and
// blackbox against the endpoints — and the harness runs a second hacon
// reading the same cluster from it alone (hacon-prom.yaml). Both views
// must say the same things; a fault must show in the Prometheus one
// within one scrape interval and one refresh of the direct one.

// promScrape is the lab Prometheus' scrape_interval (LAB_PROM_INTERVAL).
const promScrape = 2 * time.Second

// promSlack covers what one scrape and one query take (ha_cluster_exporter
// runs crm_mon, ipmi_exporter one IPMI session; the query a few ms): a
// change shows at most a scrape interval, a scrape, a refresh and a
// query after it happened.
const promSlack = time.Second

// promSnap is the Prometheus-fed hacon's newest view of the lab cluster.
func (h *harness) promSnap() *cluster.Cluster {
	s := h.psched.Snapshot()
	return s.ClusterByName(clusterName)
}

// recSnap is the view of the hacon reading the recording rules' series.
func (h *harness) recSnap() *cluster.Cluster {
	s := h.rsched.Snapshot()
	return s.ClusterByName(clusterName)
}

// recLimit adds one rule evaluation interval to promLimit: the generated
// groups run at hacon-prom.yaml's interval, 2 s, as the lab scrapes.
func (h *harness) recLimit() time.Duration { return h.promLimit() + promScrape }

// promLimit is how long after the direct view shows a change the
// Prometheus view may take: one scrape interval plus one refresh.
func (h *harness) promLimit() time.Duration {
	return promScrape + h.promCfg.PrometheusFor(h.promCC).Interval + promSlack
}

// labView is what hacon shows of the lab that both sources can know, as
// sorted comparable lines.
type labView map[string][]string

func viewOf(c *cluster.Cluster) labView {
	v := labView{}
	add := func(k, line string) { v[k] = append(v[k], line) }
	add("dc", c.DC)
	for _, n := range c.Nodes {
		state := "unknown"
		if n.Pacemaker != nil {
			state = map[bool]string{true: "online", false: "offline"}[n.Pacemaker.Online]
		}
		add("nodes", n.Name+" "+state)
		add("power", n.Name+" "+n.Power())
	}
	v["placements"] = placements(c)
	for _, lb := range c.LBs {
		for _, s := range lb.Servers {
			add("servers", lb.Name+" "+s.Backend+"/"+s.Server+" "+s.Status)
		}
	}
	for _, e := range c.Endpoints {
		add("endpoints", fmt.Sprintf("%s@%s ok=%t", e.Service, e.Node, e.OK))
	}
	for k := range v {
		sort.Strings(v[k])
	}
	return v
}

// diff says where two views differ ("" when they agree).
func (v labView) diff(w labView, keys ...string) string {
	var out []string
	for _, k := range keys {
		if !slices.Equal(v[k], w[k]) {
			out = append(out, fmt.Sprintf("%s: direct %v, prometheus %v", k, v[k], w[k]))
		}
	}
	return strings.Join(out, "\n")
}

var allViewKeys = []string{"dc", "nodes", "power", "placements", "servers", "endpoints"}

// 7. The steady lab: the Prometheus view agrees with the direct one on the
// nodes, the roles per node, every server of every HAProxy, power and
// every endpoint — and each agrees with the truth (crm_mon, show stat).
func TestLab7PrometheusAgrees(t *testing.T) {
	h := lab
	h.requireHealthy(t)
	var dv, pv labView
	d := eventually(t, 3*h.promLimit(), "the Prometheus view agrees with the direct one", func() (bool, string) {
		_, dc := h.snap()
		pc := h.promSnap()
		if pc == nil {
			return false, "no Prometheus snapshot"
		}
		dv, pv = viewOf(dc), viewOf(pc)
		diff := dv.diff(pv, allViewKeys...)
		return diff == "" && len(pv["servers"]) == 45 && len(pv["endpoints"]) == 20, diff
	})
	record(t, "prometheus: healthy lab, both views agree", d)
	d = eventually(t, 3*h.recLimit(), "the recorded view agrees with the direct one", func() (bool, string) {
		_, dc := h.snap()
		rc := h.recSnap()
		if rc == nil {
			return false, "no snapshot from the recording rules"
		}
		rv := viewOf(rc)
		return viewOf(dc).diff(rv, allViewKeys...) == "" && len(rv["servers"]) == 45, viewOf(dc).diff(rv, allViewKeys...)
	})
	record(t, "prometheus recorded: healthy lab, agrees with direct", d)
	for _, s := range h.recSnap().Sources {
		if !s.OK || s.Stale {
			t.Errorf("source read from the recording rules %s %s: ok=%t stale=%t error %q", s.Kind, s.Name, s.OK, s.Stale, s.Error)
		}
	}
	truth, err := h.crmMon()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pv["placements"], truth.Placements) {
		t.Errorf("placements: prometheus %v, crm_mon %v", pv["placements"], truth.Placements)
	}
	for _, n := range nodes {
		if !slices.Contains(pv["nodes"], n+" online") || !slices.Contains(pv["power"], n+" on") {
			t.Errorf("%s: prometheus nodes %v power %v", n, pv["nodes"], pv["power"])
		}
		st, err := h.showStat(n)
		if err != nil {
			t.Fatal(err)
		}
		for key, status := range st {
			if !slices.Contains(pv["servers"], n+" "+key+" "+status) {
				t.Errorf("HAProxy on %s: %s is %s in show stat, not in the Prometheus view", n, key, status)
			}
		}
	}
	pc := h.promSnap()
	for _, s := range pc.Sources {
		if !s.OK || s.Stale || !strings.HasPrefix(s.Address, "prometheus http://169.254.100.254:") {
			t.Errorf("Prometheus-fed source %s %s: ok=%t stale=%t address %q error %q", s.Kind, s.Name, s.OK, s.Stale, s.Address, s.Error)
		}
	}
	if len(pc.NotAvailable) == 0 {
		t.Errorf("the Prometheus view does not say what it cannot show")
	}
}

// promFollows waits until the Prometheus view, then the recorded one,
// shows what the direct view showed at directAt (cond on all), records
// how long after the direct one each did, and fails past one scrape
// interval and one refresh (plus one rule evaluation, recorded).
func (h *harness) promFollows(t *testing.T, what string, directAt time.Time, cond func(c *cluster.Cluster) (bool, string)) {
	t.Helper()
	if _, dc := h.snap(); dc != nil {
		if ok, why := cond(dc); !ok {
			t.Errorf("%s: the direct view no longer shows it: %s", what, why)
		}
	}
	follow(t, "prometheus", what, directAt, h.promLimit(), h.promSnap, cond)
	follow(t, "prometheus recorded", what, directAt, h.recLimit(), h.recSnap, cond)
}

func follow(t *testing.T, view, what string, directAt time.Time, limit time.Duration, snap func() *cluster.Cluster,
	cond func(c *cluster.Cluster) (bool, string)) {
	t.Helper()
	for {
		ok, last := cond(snap())
		if ok {
			record(t, fmt.Sprintf("%s: %s (after direct; limit %s)", view, what, limit), time.Since(directAt))
			return
		}
		if time.Since(directAt) > limit {
			t.Errorf("%s: the %s view does not show it %s after the direct one: %s", what, view, limit, last)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// serverEverywhere holds when every LB of c lists backend/server in state.
func serverEverywhere(key, state string) func(c *cluster.Cluster) (bool, string) {
	return func(c *cluster.Cluster) (bool, string) {
		if c == nil {
			return false, "no snapshot"
		}
		var seen []string
		for _, lb := range c.LBs {
			for _, s := range lb.Servers {
				if s.Backend+"/"+s.Server == key {
					seen = append(seen, lb.Name+" "+s.Status)
				}
			}
		}
		for _, s := range seen {
			if !strings.HasSuffix(s, " "+state) {
				return false, fmt.Sprint(seen)
			}
		}
		return len(seen) == len(nodes), fmt.Sprint(seen)
	}
}

// nodeDown holds when c shows the node offline and powered off.
func nodeDown(node string) func(c *cluster.Cluster) (bool, string) {
	return func(c *cluster.Cluster) (bool, string) {
		if c == nil {
			return false, "no snapshot"
		}
		n := c.Node(node)
		if n == nil {
			return false, "no node " + node
		}
		off := n.Pacemaker != nil && !n.Pacemaker.Online && n.Power() == cluster.PowerOff
		return off, fmt.Sprintf("pacemaker %s power %s", n.PcmkState(), n.Power())
	}
}

// samePlacements holds when c places the resources as the direct view
// does now.
func (h *harness) samePlacements(c *cluster.Cluster) (bool, string) {
	if c == nil {
		return false, "no snapshot"
	}
	_, dc := h.snap()
	want, got := placements(dc), placements(c)
	return slices.Equal(want, got), fmt.Sprintf("direct %v, prometheus %v", want, got)
}
