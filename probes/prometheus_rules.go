package probes

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
)

// Recorded mode: at hundreds of clusters, most of a refresh is the
// server reading the exporters' raw series (every state series of every
// HAProxy server to find the one set, every reporter's copy of the
// Pacemaker resources). Prometheus' own answer to an expensive query read
// often is a recording rule: the server evaluates it once per interval in
// the background, and readers read its small result. hacon writes the
// rules itself, from the same family table its queries come from, so the
// two cannot drift apart.

// The two kinds of recorded series per family.
const (
	recordedData   = "data"        // the family's filtered series, labels kept
	recordedStamps = "scrape_time" // the newest scrape time (Unix s) per cluster and exporter instance
)

// recordedName is the series a hacon recording rule writes, in
// Prometheus' level:metric:operation style.
func recordedName(metric, kind string) string { return "hacon:" + metric + ":" + kind }

// PromRule is one recording rule.
type PromRule struct {
	Record string `yaml:"record"`
	Expr   string `yaml:"expr"`
}

// PromRuleGroup is one rule group: a plane's rules, evaluated together.
type PromRuleGroup struct {
	Name     string     `yaml:"name"`
	Interval string     `yaml:"interval"`
	Rules    []PromRule `yaml:"rules"`
}

// PrometheusRules is the rule groups hacon's recorded mode reads, for
// every cluster of cfg that reads from the Prometheus at url (empty: the
// only one the config names): one group per plane, evaluated as often as
// the most frequent of those clusters refreshes. Clusters whose label
// mappings would need different rules under the same record name are an
// error naming both: one Prometheus holds one mapping.
func PrometheusRules(cfg *config.Config, url string) ([]PromRuleGroup, error) {
	url, err := rulesURL(cfg, url)
	if err != nil {
		return nil, err
	}
	type origin struct{ expr, cluster string }
	seen := map[string]origin{}
	byPlane := map[string][]PromRule{}
	var interval time.Duration
	for ci := range cfg.Clusters {
		cc := &cfg.Clusters[ci]
		set := cfg.PrometheusFor(cc)
		if set == nil || len(set.Planes) == 0 || set.URL != url {
			continue
		}
		if interval == 0 || set.Interval < interval {
			interval = set.Interval
		}
		g := &promGroup{settings: set, clusters: map[string]*promCluster{set.Cluster: {cc: cc, set: set}}}
		for _, r := range g.rules() {
			if prev, ok := seen[r.rule.Record]; ok {
				if prev.expr != r.rule.Expr {
					return nil, fmt.Errorf("clusters %s and %s need different rules for %s (their prometheus label settings differ); "+
						"recorded mode needs one mapping per Prometheus", prev.cluster, cc.Name, r.rule.Record)
				}
				continue
			}
			seen[r.rule.Record] = origin{r.rule.Expr, cc.Name}
			byPlane[r.plane] = append(byPlane[r.plane], r.rule)
		}
	}
	planes := make([]string, 0, len(byPlane))
	for p := range byPlane {
		planes = append(planes, p)
	}
	sort.Slice(planes, func(i, j int) bool { return planeOrder(planes[i]) < planeOrder(planes[j]) })
	out := make([]PromRuleGroup, 0, len(planes))
	for _, p := range planes {
		// Prometheus' own duration syntax: 1500ms is "1s500ms", not "1.5s".
		out = append(out, PromRuleGroup{Name: "hacon_" + p, Interval: model.Duration(interval).String(), Rules: byPlane[p]})
	}
	return out, nil
}

// rulesURL is the Prometheus the rules are for: the one asked for, which
// some cluster must read, or the config's only one.
func rulesURL(cfg *config.Config, url string) (string, error) {
	var urls []string
	for ci := range cfg.Clusters {
		if set := cfg.PrometheusFor(&cfg.Clusters[ci]); set != nil && len(set.Planes) > 0 && !slices.Contains(urls, set.URL) {
			urls = append(urls, set.URL)
		}
	}
	switch {
	case len(urls) == 0:
		return "", fmt.Errorf("no cluster reads from Prometheus (a clusters[].prometheus block): there is nothing to record")
	case url != "" && !slices.Contains(urls, url):
		return "", fmt.Errorf("no cluster reads from %s (the config's: %s)", cluster.RedactURL(url), redactAll(urls))
	case url == "" && len(urls) > 1:
		return "", fmt.Errorf("clusters read from %d Prometheus servers (%s): each needs its own rules, choose one with --url", len(urls), redactAll(urls))
	case url == "":
		return urls[0], nil
	}
	return url, nil
}

func redactAll(urls []string) string {
	out := make([]string, len(urls))
	for i, u := range urls {
		out[i] = cluster.RedactURL(u)
	}
	return strings.Join(out, ", ")
}

type planeRule struct {
	plane string
	rule  PromRule
}

// rules is the group's families as recording rules over every series (no
// cluster matcher: the rules serve every cluster the Prometheus holds).
// A family read as it is gets only its scrape times recorded.
func (g *promGroup) rules() []planeRule {
	var out []planeRule
	for _, f := range g.families() {
		// Scrape times first: rules of a group run in order, and the data
		// rule picks its one reporter from them instead of reading the
		// family again.
		ref := ""
		if !f.noStamps {
			ref = recordedName(f.metric, recordedStamps)
		}
		data, stamps := g.promParts(f, "", ref)
		if !f.noStamps {
			out = append(out, planeRule{f.plane, PromRule{Record: ref, Expr: stamps}})
		}
		if f.filtered() {
			out = append(out, planeRule{f.plane, PromRule{Record: recordedName(f.metric, recordedData), Expr: data}})
		}
	}
	return out
}

func planeOrder(p string) int {
	for i, q := range config.PromPlanes {
		if q == p {
			return i
		}
	}
	return len(config.PromPlanes)
}

// PrometheusRulesFile is PrometheusRules as a Prometheus rule file.
func PrometheusRulesFile(cfg *config.Config, url string) ([]byte, error) {
	groups, err := PrometheusRules(cfg, url)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(map[string]any{"groups": groups}); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
