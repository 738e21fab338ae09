package probes

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/hacon/hacon/cluster"
)

// ErrNotHAProxyProm marks a metrics page without HAProxy's exporter series.
var ErrNotHAProxyProm = errors.New("not HAProxy Prometheus metrics")

// ParseHAProxyProm parses the text HAProxy's built-in Prometheus exporter
// serves on /metrics. The exporter has no backup flag and no address: the
// probe takes those from a CSV source when the config has one (mergeCSV).
//
// Status-like metrics (haproxy_server_status, _check_status,
// haproxy_backend_status) carry one series per possible state with value 1
// on the current one, so the state is the label of the series set to 1.
func ParseHAProxyProm(r io.Reader) (*cluster.LoadBalancer, error) {
	fams, err := promFamilies(r)
	if err != nil {
		return nil, err
	}
	lb := &cluster.LoadBalancer{}
	servers := map[[2]string]int{} // (proxy, server) → index in lb.Servers
	server := func(m *dto.Metric) *cluster.LBServer {
		key := [2]string{label(m, "proxy"), label(m, "server")}
		i, ok := servers[key]
		if !ok {
			i = len(lb.Servers)
			servers[key] = i
			lb.Servers = append(lb.Servers, cluster.LBServer{Backend: key[0], Server: key[1]})
		}
		return &lb.Servers[i]
	}
	backends := map[string]int{}
	backend := func(m *dto.Metric) *cluster.LBBackend {
		name := label(m, "proxy")
		i, ok := backends[name]
		if !ok {
			i = len(lb.Backends)
			backends[name] = i
			lb.Backends = append(lb.Backends, cluster.LBBackend{Name: name})
		}
		return &lb.Backends[i]
	}
	// Status first, so servers keep the exporter's order (backend by
	// backend, as in the config) rather than whatever order a map gives.
	each := func(name string, fn func(m *dto.Metric, v float64)) {
		isServer := name[len("haproxy_"):][:6] == "server"
		for _, m := range fams[name].GetMetric() {
			if label(m, "proxy") == "" || (isServer && label(m, "server") == "") {
				continue // not a series hacon can place
			}
			fn(m, value(m))
		}
	}
	each("haproxy_server_status", func(m *dto.Metric, v float64) {
		s := server(m)
		if v == 1 {
			s.Status = label(m, "state")
		}
	})
	each("haproxy_server_weight", func(m *dto.Metric, v float64) { server(m).Weight = toInt(v) })
	each("haproxy_server_current_sessions", func(m *dto.Metric, v float64) { server(m).Sessions = toInt(v) })
	each("haproxy_server_check_status", func(m *dto.Metric, v float64) {
		if v == 1 {
			server(m).CheckStatus = label(m, "state")
		}
	})
	each("haproxy_server_check_code", func(m *dto.Metric, v float64) {
		if c := toInt(v); c > 0 { // 0 means no layer 5–7 code, an empty CSV field
			server(m).CheckCode = strconv.Itoa(c)
		}
	})
	each("haproxy_server_check_duration_seconds", func(m *dto.Metric, v float64) {
		server(m).CheckDuration = seconds(v).Round(time.Millisecond)
	})
	each("haproxy_server_check_last_change_seconds", func(m *dto.Metric, v float64) {
		server(m).LastChange = seconds(v)
	})
	each("haproxy_backend_status", func(m *dto.Metric, v float64) {
		b := backend(m)
		if v == 1 {
			b.Status = label(m, "state")
		}
	})
	each("haproxy_backend_active_servers", func(m *dto.Metric, v float64) { backend(m).Active = toInt(v) })
	each("haproxy_backend_backup_servers", func(m *dto.Metric, v float64) { backend(m).Backup = toInt(v) })
	each("haproxy_backend_current_sessions", func(m *dto.Metric, v float64) { backend(m).Session = toInt(v) })
	return lb, nil
}

// promFamilies reads the exposition and checks it is HAProxy's.
func promFamilies(r io.Reader) (fams map[string]*dto.MetricFamily, err error) {
	// expfmt is third-party code fed by the network; a panic in it must not
	// take the console down, so it becomes an ordinary parse error.
	defer func() {
		if p := recover(); p != nil {
			fams, err = nil, fmt.Errorf("%w: parser panicked: %v", ErrNotHAProxyProm, p)
		}
	}()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err = parser.TextToMetricFamilies(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotHAProxyProm, err)
	}
	if fams["haproxy_server_status"] == nil && fams["haproxy_backend_status"] == nil {
		return nil, fmt.Errorf("%w: no haproxy_server_status or haproxy_backend_status series", ErrNotHAProxyProm)
	}
	return fams, nil
}

// mergeCSV copies what only the CSV knows — the backup flag and the server
// address — into servers parsed from Prometheus, matched by (backend, server).
func mergeCSV(prom, csv *cluster.LoadBalancer) {
	type key struct{ b, s string }
	idx := make(map[key]*cluster.LBServer, len(csv.Servers))
	for i := range csv.Servers {
		s := &csv.Servers[i]
		idx[key{s.Backend, s.Server}] = s
	}
	for i := range prom.Servers {
		p := &prom.Servers[i]
		if c, ok := idx[key{p.Backend, p.Server}]; ok {
			p.Backup = c.Backup
			if p.Address == "" {
				p.Address = c.Address
			}
		}
	}
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

func value(m *dto.Metric) float64 {
	switch {
	case m.GetGauge() != nil:
		return m.GetGauge().GetValue()
	case m.GetCounter() != nil:
		return m.GetCounter().GetValue()
	case m.GetUntyped() != nil:
		return m.GetUntyped().GetValue()
	}
	return math.NaN()
}

// toInt converts a sample to int, mapping NaN, negatives and absurd values
// (which only a broken or hostile exporter sends) to 0 or a ceiling.
func toInt(v float64) int {
	switch {
	case math.IsNaN(v) || v <= 0:
		return 0
	case v >= 1<<53:
		return 1 << 53
	}
	return int(v)
}

func seconds(v float64) time.Duration {
	switch {
	case math.IsNaN(v) || v <= 0:
		return 0
	case v >= math.MaxInt64/float64(time.Second):
		return math.MaxInt64
	}
	return time.Duration(v * float64(time.Second))
}
