package probes

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hacon/hacon/config"
)

// MaxPromResponse bounds one query's answer: 500 clusters' planes are a
// few MB; a runaway selector must not grow hacon without limit.
const MaxPromResponse = 64 << 20

// promTSLabel marks the series of a query's answer that carry scrape
// timestamps rather than values.
const promTSLabel = "hacon_ts"

// The metric families hacon reads, as the exporters name them.
const (
	famPcmkNodes     = "ha_cluster_pacemaker_nodes"
	famPcmkResources = "ha_cluster_pacemaker_resources"
	famPcmkStonith   = "ha_cluster_pacemaker_stonith_enabled"
	famHAProxyServer = "haproxy_server_status"
	famIPMIUp        = "ipmi_up"
	famIPMIPower     = "ipmi_chassis_power_state"
	famProbeSuccess  = "probe_success"
	famProbeDuration = "probe_duration_seconds"
	famVRRPState     = "keepalived_vrrp_state"
	famKeepalivedUp  = "keepalived_up"
)

// promFamily is one metric family and how it is asked for.
type promFamily struct {
	plane  string // the config plane it feeds
	metric string
	// expr wraps the selector: which of the family's series are wanted
	// (%[1]s is the selector, %[2]s the selector with extra matchers).
	expr  string
	extra string
	// tsExtra narrows the series the scrape timestamps are taken from:
	// one status word of the exporter's several is scraped just as
	// recently, and a fifth of the series is a fifth of the work.
	tsExtra string
	// group is the label the scrape timestamps are taken per: the
	// exporter instance whose scrape the series came from.
	group string
	// oneReporter keeps, per cluster, only the series of the instance with
	// the newest scrape: every ha_cluster_exporter reports the whole
	// cluster, and hacon reads one of them, so the others are a waste of
	// the server's time, the wire and hacon's decoding (two thirds).
	oneReporter bool
	// noStamps: the family's scrape times are not read; another family of
	// the same scrape gives them (blackbox's probe_success and
	// probe_duration_seconds come from one probe), and reading them twice
	// was 18,000 series of the server's time at 500 clusters.
	noStamps bool
}

// filtered reports whether the family's data is more than its series as
// they are: only then does a recording rule keep a filtered copy.
func (f promFamily) filtered() bool { return f.expr != "%[1]s" || f.oneReporter }

// families lists the queries of one refresh: only those some cluster of
// the group needs.
func (g *promGroup) families() []promFamily {
	want := g.planesWanted()
	s := g.settings
	var fams []promFamily
	if want[config.PromPacemaker] {
		fams = append(fams,
			// Each node's "online" series names it; of its other status
			// words only those set matter (a fifth of the series).
			promFamily{plane: config.PromPacemaker, metric: famPcmkNodes, expr: `%[2]s or %[1]s == 1`, extra: `status="online"`, group: "instance", tsExtra: `status="online"`, oneReporter: true},
			// Per instance, the "active" series says where it runs; of the
			// other flags only those set (failed, blocked) matter.
			promFamily{plane: config.PromPacemaker, metric: famPcmkResources, expr: `%[2]s or %[1]s == 1`, extra: `status="active"`, group: "instance", tsExtra: `status="active"`, oneReporter: true},
			promFamily{plane: config.PromPacemaker, metric: famPcmkStonith, expr: "%[1]s", group: "instance"})
	}
	if want[config.PromHAProxy] {
		fams = append(fams, promFamily{plane: config.PromHAProxy, metric: famHAProxyServer, expr: "%[1]s == 1", group: s.LBLabel, tsExtra: `state="UP"`})
	}
	if want[config.PromBMC] {
		fams = append(fams, promFamily{plane: config.PromBMC, metric: famIPMIUp, expr: "%[1]s", group: s.BMCLabel},
			promFamily{plane: config.PromBMC, metric: famIPMIPower, expr: "%[1]s", group: s.BMCLabel})
	}
	if want[config.PromKeepalived] {
		fams = append(fams, promFamily{plane: config.PromKeepalived, metric: famVRRPState, expr: "%[1]s", group: s.KeepalivedLabel},
			promFamily{plane: config.PromKeepalived, metric: famKeepalivedUp, expr: "%[1]s", group: s.KeepalivedLabel})
	}
	if want[config.PromEndpoint] {
		fams = append(fams, promFamily{plane: config.PromEndpoint, metric: famProbeSuccess, expr: "%[1]s", group: s.EndpointLabel},
			promFamily{plane: config.PromEndpoint, metric: famProbeDuration, expr: "%[1]s", group: s.EndpointLabel, noStamps: true})
	}
	return fams
}

// promQL is the family's one query: the wanted series of every cluster of
// the group, plus, marked with hacon_ts, the newest scrape timestamp per
// cluster and exporter instance (an instant query's own sample times are
// the evaluation time, not the scrape's). In recorded mode both parts are
// the series hacon's recording rules wrote.
func (g *promGroup) promQL(f promFamily) string {
	match := g.clusterMatch()
	var data, stamps string
	if g.settings.UsesRecorded() {
		data = selector(f.metric, match)
		if f.filtered() {
			data = selector(recordedName(f.metric, recordedData), match)
		}
		stamps = selector(recordedName(f.metric, recordedStamps), match)
	} else {
		data, stamps = g.promParts(f, match, "")
	}
	if f.noStamps {
		return data
	}
	return fmt.Sprintf(`(%s) or label_replace(%s, %q, "1", "", "")`, data, stamps, promTSLabel)
}

// clusterMatch is the matcher selecting the group's clusters' series.
func (g *promGroup) clusterMatch() string {
	vals := g.clusterValues()
	quoted := make([]string, len(vals))
	for i, v := range vals {
		quoted[i] = regexp.QuoteMeta(v)
	}
	return fmt.Sprintf("%s=~%s", g.settings.ClusterLabel, strconv.Quote(strings.Join(quoted, "|")))
}

// promParts is a family's data and scrape-time expressions over the series
// that match (empty: every series, as a recording rule sees them). The one
// reporter is chosen by the scrape times of stampsRef when given (a rule
// evaluated earlier in the same group), else computed in place.
func (g *promGroup) promParts(f promFamily, match, stampsRef string) (data, stamps string) {
	cl := g.settings.ClusterLabel
	sel := selector(f.metric, match)
	narrow, tsSel := sel, sel
	if f.extra != "" {
		narrow = selector(f.metric, match, f.extra)
	}
	if f.tsExtra != "" {
		tsSel = selector(f.metric, match, f.tsExtra)
	}
	by := cl
	if f.group != cl {
		by += ", " + f.group
	}
	stamps = fmt.Sprintf("max by (%s) (timestamp(%s))", by, tsSel)
	data = fmt.Sprintf(f.expr, sel, narrow)
	if f.oneReporter {
		reporters := stamps
		if stampsRef != "" {
			reporters = stampsRef
		}
		data = fmt.Sprintf("(%s) and on(%s) topk by (%s) (1, %s)", data, by, cl, reporters)
	}
	return data, stamps
}

// selector is metric{matchers…}, skipping empty ones.
func selector(metric string, matchers ...string) string {
	var ms []string
	for _, m := range matchers {
		if m != "" {
			ms = append(ms, m)
		}
	}
	if len(ms) == 0 {
		return metric
	}
	return metric + "{" + strings.Join(ms, ",") + "}"
}

// promSample is one series of an answer: the labels hacon reads, and its
// value.
type promSample struct {
	labels []promLabel
	value  float64
}

func (s promSample) label(name string) string {
	for _, l := range s.labels {
		if l.name == name {
			return l.value
		}
	}
	return ""
}

// promAnswer is one family's answer, split by cluster.
type promAnswer struct {
	err    string
	series map[string][]promSample         // cluster label value → series
	stamps map[string]map[string]time.Time // cluster label value → group label value → scrape time
}

func (g *promGroup) query(ctx context.Context, f promFamily) promAnswer {
	vec, err := g.promQuery(ctx, g.promQL(f))
	if err != nil {
		return promAnswer{err: fmt.Sprintf("prometheus %s: query %s: %s", g.address, f.metric, promErr(ctx, err))}
	}
	a := promAnswer{series: map[string][]promSample{}, stamps: map[string]map[string]time.Time{}}
	cl := g.settings.ClusterLabel
	for _, s := range vec {
		cv := s.label(cl)
		if g.clusters[cv] == nil {
			continue // another cluster's series (the regex matched more)
		}
		if s.label(promTSLabel) == "1" {
			sec := s.value
			if math.IsNaN(sec) || math.IsInf(sec, 0) {
				continue
			}
			m := a.stamps[cv]
			if m == nil {
				m = map[string]time.Time{}
				a.stamps[cv] = m
			}
			m[s.label(f.group)] = time.UnixMilli(int64(sec * 1000))
			continue
		}
		a.series[cv] = append(a.series[cv], s)
	}
	if g.settings.UsesRecorded() && !f.noStamps && len(a.stamps) == 0 {
		// No scrape time for any cluster: the rules are not loaded (or
		// predate this plane, or are not yet evaluated), or no exporter of
		// these clusters reports any more. Data without its scrape time
		// would pass as fresh: the family fails, naming both causes.
		return promAnswer{err: fmt.Sprintf("prometheus %s: no %s series for these clusters: are the recording rules of "+
			"`hacon prometheus-rules` loaded (prometheus.recorded is on), and do their exporters still report?",
			g.address, recordedName(f.metric, recordedStamps))}
	}
	return a
}

// promErr words a query failure for operators: the timeout as a timeout.
func promErr(ctx context.Context, err error) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "no answer within the timeout"
	}
	return err.Error()
}

// limitBody bounds every response body read through it.
type limitBody struct {
	next http.RoundTripper
	max  int64
}

func (l limitBody) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := l.next.RoundTrip(req)
	if err != nil || resp.Body == nil {
		return resp, err
	}
	resp.Body = &cappedBody{rc: resp.Body, left: l.max}
	return resp, nil
}

type cappedBody struct {
	rc   io.ReadCloser
	left int64
}

func (c *cappedBody) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, fmt.Errorf("answer larger than %d MiB", MaxPromResponse>>20)
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.rc.Read(p)
	c.left -= int64(n)
	return n, err
}

func (c *cappedBody) Close() error { return c.rc.Close() }
