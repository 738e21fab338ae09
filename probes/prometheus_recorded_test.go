package probes

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/internal/testpeers"
)

// Recorded mode against a real Prometheus: the rules hacon writes for the
// fleet's config pass promtool's check, the server evaluates them over 40
// clusters of exporter series (one scrape stopped, one controller dead),
// and what hacon reads from the recorded series is, cluster by cluster,
// what it reads from the exporters' own.
func TestPrometheusRecordedAgreesWithRaw(t *testing.T) {
	now := time.Now()
	f := testpeers.Fleet{Clusters: 40, Controllers: 3, Services: 12, End: now.Add(-10 * time.Second), Samples: 4, Step: 15 * time.Second,
		Old: map[string]bool{"fleet-007": true}, Age: 3 * time.Minute, Down: map[string]bool{"fleet-011/controller-2": true}}
	// The rules as hacon writes them, evaluated every second rather than
	// every 15 s: the test waits for one evaluation, and the samples
	// (which must end before now: a rule's output older than the newest
	// block is refused) must stay well within three refreshes of fresh.
	rules, records := fleetRules(t, f)
	rules = []byte(strings.ReplaceAll(string(rules), "interval: 15s", "interval: 1s"))
	prom := testpeers.StartPrometheusWithRules(t, f.OpenMetrics(), rules)
	url := "http://" + prom.Addr
	waitForRecorded(t, url, records)

	raw, _ := pollFleet(t, f.Config(url, 15*time.Second))
	f.Recorded = true
	rec, _ := pollFleet(t, f.Config(url, 15*time.Second))
	if len(raw.Clusters) != 40 || len(rec.Clusters) != 40 {
		t.Fatalf("clusters: raw %d, recorded %d", len(raw.Clusters), len(rec.Clusters))
	}
	for i := range raw.Clusters {
		want, got := fleetView(&raw.Clusters[i]), fleetView(&rec.Clusters[i])
		if d := diffLines(want, got); d != "" {
			t.Errorf("%s: recorded differs from raw:\n%s", raw.Clusters[i].Name, d)
		}
	}
	// The view is not empty: the checks the raw fleet test makes hold here.
	for _, c := range rec.Clusters {
		checkFleetCluster(t, &c)
	}
	down := rec.ClusterByName("fleet-011").Node("controller-2")
	if down.PcmkState() != "offline" || down.Power() != cluster.PowerOff {
		t.Errorf("fleet-011/controller-2 from the recorded series: pacemaker %s power %s", down.PcmkState(), down.Power())
	}
	if src := rec.ClusterByName("fleet-007").Source(cluster.KindPacemaker, "pacemaker"); src == nil || !src.Stale || src.Age < 2*time.Minute {
		t.Errorf("the recorded scrape time must keep a stopped scrape stale with its age: %+v", src)
	}
}

// fleetRules is what hacon prometheus-rules prints for the fleet's config,
// and the series its rules record.
func fleetRules(t *testing.T, f testpeers.Fleet) ([]byte, []string) {
	t.Helper()
	cfg, err := config.Parse("fleet.yaml", []byte(f.Config("http://127.0.0.1:9090", 15*time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	out, err := PrometheusRulesFile(cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	groups, err := PrometheusRules(cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	var records []string
	for _, g := range groups {
		for _, r := range g.Rules {
			records = append(records, r.Record)
		}
	}
	return out, records
}

// waitForRecorded waits until every rule has written its series (the last
// of each group is evaluated last).
func waitForRecorded(t *testing.T, url string, records []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, name := range records {
		for {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/api/v1/query?query="+name, nil)
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				vec, derr := decodePromVectorFrom(resp.Body, map[string]string{"cluster": "cluster"})
				resp.Body.Close()
				if derr == nil && len(vec) > 0 {
					break
				}
			}
			if ctx.Err() != nil {
				t.Fatalf("the rules wrote no %s within a minute", name)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
}

// fleetView is what a cluster's overview shows that both reads must agree
// on, as sorted lines.
func fleetView(c *cluster.Cluster) []string {
	var v []string
	add := func(format string, args ...any) { v = append(v, fmt.Sprintf(format, args...)) }
	add("dc %s quorum %t worst %s", c.DC, c.Quorum, c.Worst())
	for _, n := range c.Nodes {
		add("node %s pacemaker %s power %s stale %t", n.Name, n.PcmkState(), n.Power(), n.Stale)
	}
	for _, s := range c.Services {
		for i, cell := range s.Cells {
			add("cell %s/%d role %s lb %s endpoint %t", s.Name, i, cell.Role, cell.LBStatus(), cell.Endpoint != nil && cell.Endpoint.OK)
		}
	}
	for _, lb := range c.LBs {
		for _, s := range lb.Servers {
			add("lb %s %s/%s %s", lb.Name, s.Backend, s.Server, s.Status)
		}
	}
	// Ages differ by the seconds between the two polls; staleness is
	// compared, and the stopped scrape's age is checked on its own.
	for _, s := range c.Sources {
		add("source %s/%s ok %t stale %t", s.Kind, s.Name, s.OK, s.Stale)
	}
	for _, a := range c.Alerts {
		add("alert %s %s", a.Severity, a.Subject)
	}
	slices.Sort(v)
	return v
}

func diffLines(want, got []string) string {
	var out []string
	for _, w := range want {
		if !slices.Contains(got, w) {
			out = append(out, "  only raw:      "+w)
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			out = append(out, "  only recorded: "+g)
		}
	}
	return strings.Join(out, "\n")
}

// A cluster's own recorded: false overrides the global true: it is read
// from the exporters' series, in its own query group, while the others
// read the rules' series (and the families read as they are stay raw).
func TestRecordedIsPerClusterAndReadsTheRulesSeries(t *testing.T) {
	cfg, err := config.Parse("fleet.yaml", []byte(`prometheus: {url: "http://127.0.0.1:9090", recorded: true}
clusters:
  - name: a
    prometheus: {planes: [haproxy, endpoint]}
    controllers: [{name: controller-0}]
    services: [{name: keystone, haproxy_backend: keystone_public, endpoint: "http://{{.Name}}:5000/v3"}]
  - name: b
    prometheus: {planes: [haproxy], recorded: false}
    controllers: [{name: controller-0}]
    services: [{name: keystone, haproxy_backend: keystone_public}]
`))
	if err != nil {
		t.Fatal(err)
	}
	ts, err := Targets(cfg, &Deps{HTTP: NewHTTPClients()})
	if err != nil {
		t.Fatal(err)
	}
	queries := map[bool][]string{}
	for _, tg := range ts {
		if tg.prom == nil {
			continue
		}
		for _, f := range tg.prom.families() {
			queries[tg.prom.settings.UsesRecorded()] = append(queries[tg.prom.settings.UsesRecorded()], tg.prom.promQL(f))
		}
	}
	rec, raw := strings.Join(queries[true], "\n"), strings.Join(queries[false], "\n")
	for _, want := range []string{`hacon:haproxy_server_status:data{cluster=~"a"}`, `hacon:probe_success:scrape_time{cluster=~"a"}`,
		`probe_duration_seconds{cluster=~"a"}`} {
		if !strings.Contains(rec, want) {
			t.Errorf("recorded queries lack %s:\n%s", want, rec)
		}
	}
	if strings.Contains(rec, "timestamp(") || strings.Contains(rec, "probe_duration_seconds:") {
		t.Errorf("recorded queries still compute scrape times, or read a copy of a family read as it is:\n%s", rec)
	}
	if !strings.Contains(raw, `haproxy_server_status{cluster=~"b"} == 1`) || strings.Contains(raw, "hacon:") {
		t.Errorf("cluster b (recorded: false) must read the exporters' series:\n%s", raw)
	}
}
