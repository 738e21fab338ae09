package probes

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/haproxyapi"
)

// How a load balancer was read, for LoadBalancer.Source.
const (
	SourceStatsPage   = "stats page CSV"
	SourceStatsSocket = "stats socket"
	SourcePrometheus  = "prometheus"
)

func probeHAProxy(ctx context.Context, t *Target) cluster.Result {
	if t.HAProxy == nil {
		return cluster.Result{Err: "no haproxy settings for this source"}
	}
	// A target built without Deps (tests, one-off commands) gets a plain
	// client of its own; the context bounds every request it makes.
	client := &http.Client{}
	if t.Deps != nil && t.Deps.HTTP != nil {
		c, err := t.Deps.HTTP.For(t.Cluster, nil)
		if err != nil {
			return cluster.Result{Err: err.Error()}
		}
		client = c
	}
	lb, err := FetchLoadBalancer(ctx, t.HAProxy, client)
	if err != nil {
		return cluster.Result{Err: err.Error()}
	}
	return cluster.Result{LB: lb}
}

// FetchLoadBalancer reads one HAProxy through its configured source:
//   - stats_url ending in /metrics: the Prometheus exporter, with the backup
//     flag and addresses taken from a CSV source (stats_socket, else
//     runtime_api) when one is configured, since the exporter has neither;
//   - any other stats_url: the stats page as CSV (";csv" added if missing);
//   - stats_socket alone: "show stat" on the runtime API.
func FetchLoadBalancer(ctx context.Context, h *config.HAProxy, client *http.Client) (*cluster.LoadBalancer, error) {
	var lb *cluster.LoadBalancer
	var err error
	switch {
	case h.StatsURL != "" && isPromURL(h.StatsURL):
		lb, err = fetchPromWithCSV(ctx, h, client)
	case h.StatsURL != "":
		lb, err = fetchCSVPage(ctx, client, h.StatsURL)
	case h.StatsSocket != "":
		lb, err = fetchShowStat(ctx, h.StatsSocket)
	default:
		err = errors.New("neither stats_url nor stats_socket is set")
	}
	if err != nil {
		return nil, err
	}
	lb.Name = h.Controller
	return lb, nil
}

func fetchPromWithCSV(ctx context.Context, h *config.HAProxy, client *http.Client) (*cluster.LoadBalancer, error) {
	csvAddr := h.StatsSocket
	if csvAddr == "" {
		csvAddr = h.RuntimeAPI
	}
	type csvResult struct {
		lb  *cluster.LoadBalancer
		err error
	}
	// Both fetches share the poll's deadline, so they run side by side.
	var csvDone chan csvResult
	if csvAddr != "" {
		csvDone = make(chan csvResult, 1)
		go func() {
			lb, err := fetchShowStat(ctx, csvAddr)
			csvDone <- csvResult{lb, err}
		}()
	}
	lb, err := fetchPromPage(ctx, client, h.StatsURL)
	if csvDone == nil {
		if err == nil {
			lb.Warning = "backup flags unknown: the Prometheus exporter has none and no stats_socket or runtime_api is configured"
		}
		return lb, err
	}
	c := <-csvDone
	if err != nil {
		return nil, err
	}
	if c.err != nil {
		lb.Warning = "backup flags unknown: " + c.err.Error()
		return lb, nil
	}
	mergeCSV(lb, c.lb)
	return lb, nil
}

func fetchPromPage(ctx context.Context, client *http.Client, u string) (*cluster.LoadBalancer, error) {
	body, err := fetchHTTP(ctx, client, u)
	if err != nil {
		return nil, err
	}
	lb, err := ParseHAProxyProm(bytes.NewReader(body))
	if err != nil {
		return nil, &haproxyapi.TransportError{What: "stats page", Addr: cluster.RedactURL(u), Words: err.Error(), Err: err}
	}
	lb.Source = SourcePrometheus
	return lb, nil
}

func fetchCSVPage(ctx context.Context, client *http.Client, u string) (*cluster.LoadBalancer, error) {
	u = csvURL(u)
	body, err := fetchHTTP(ctx, client, u)
	if err != nil {
		return nil, err
	}
	lb, err := ParseHAProxyCSV(bytes.NewReader(body))
	if err != nil {
		return nil, &haproxyapi.TransportError{What: "stats page", Addr: cluster.RedactURL(u), Words: err.Error(), Err: err}
	}
	lb.Source = SourceStatsPage
	return lb, nil
}

// fetchShowStat asks a runtime API socket for "show stat" and parses it.
func fetchShowStat(ctx context.Context, addr string) (*cluster.LoadBalancer, error) {
	body, err := haproxyapi.Exchange(ctx, "stats socket", addr, "show stat")
	if err != nil {
		return nil, err
	}
	lb, err := ParseHAProxyCSV(bytes.NewReader(body))
	if err != nil {
		return nil, &haproxyapi.TransportError{What: "stats socket", Addr: addr, Words: err.Error(), Err: err}
	}
	lb.Source = SourceStatsSocket
	return lb, nil
}

func isPromURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && strings.HasSuffix(strings.TrimSuffix(u.Path, "/"), "/metrics")
}

// csvURL makes sure a stats page URL asks for CSV: the HTML page is what
// operators bookmark, so "/stats" is accepted and becomes "/stats;csv".
// HAProxy matches "stats uri" as a prefix of the whole URI, query included,
// and looks for options after it, so "/haproxy?stats" needs "?stats;csv".
func csvURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || strings.Contains(u.Path, ";csv") || strings.Contains(u.RawQuery, ";csv") {
		return raw
	}
	if u.RawQuery != "" {
		u.RawQuery += ";csv"
	} else {
		u.Path += ";csv"
	}
	return u.String()
}
