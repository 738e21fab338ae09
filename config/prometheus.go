package config

import (
	"net"
	"strconv"
	"strings"
	"time"

	promconfig "github.com/prometheus/common/config"
)

// Prometheus mode: a fleet read from one Prometheus-compatible query API
// (Prometheus, Thanos Querier, Mimir) instead of polling every controller.

// The planes a cluster may read from Prometheus.
const (
	PromPacemaker = "pacemaker" // ha_cluster_exporter
	PromHAProxy   = "haproxy"   // HAProxy's built-in exporter
	PromBMC       = "bmc"       // ipmi_exporter
	PromEndpoint  = "endpoint"  // blackbox_exporter
	// PromKeepalived is keepalived-exporter's keepalived_vrrp_state: the
	// VIP plane of clusters whose VIPs keepalived holds.
	PromKeepalived = "keepalived"
)

// PromPlanes lists every plane Prometheus can feed, in display order.
var PromPlanes = []string{PromPacemaker, PromHAProxy, PromBMC, PromEndpoint, PromKeepalived}

// Defaults of the prometheus block.
const (
	DefaultPromInterval      = 15 * time.Second
	DefaultPromTimeout       = 5 * time.Second
	DefaultPromClusterLabel  = "cluster"
	DefaultPromNodeLabel     = "node"     // ha_cluster_exporter names Pacemaker nodes here
	DefaultPromLBLabel       = "instance" // the HAProxy scrape target, host:port
	DefaultPromBMCLabel      = "instance" // ipmi_exporter's target (relabelled BMC address)
	DefaultPromEndpointLabel = "instance" // blackbox's probed URL
	DefaultPromVRRPLabel     = "instance" // the keepalived-exporter scrape target, host:port
	DefaultPromNodeTemplate  = "{{.Value}}"
	DefaultPromHostTemplate  = "{{.Host}}"
)

// Prometheus is the prometheus block, global or per cluster. A cluster's
// block overrides the global one key by key; planes and cluster exist only
// per cluster.
type Prometheus struct {
	URL      string                       `yaml:"url"`
	HTTP     *promconfig.HTTPClientConfig `yaml:"http"` // TLS, basic auth (password_file), bearer_token_file
	Interval time.Duration                `yaml:"interval"`
	Timeout  time.Duration                `yaml:"timeout"`
	// ClusterLabel is the label whose value says which cluster a series
	// belongs to (an external label, or job); Cluster is that value for
	// one cluster (default: the cluster's name).
	ClusterLabel string `yaml:"cluster_label"`
	Cluster      string `yaml:"cluster"`
	// Planes are what this cluster reads from Prometheus; a plane the
	// cluster also polls directly is read directly (direct wins).
	Planes []string `yaml:"planes"`
	// Which label names the controller in each exporter's series, and the
	// template turning its value into a controller name or address
	// ({{.Value}}, {{.Host}} without :port, {{.Short}} up to the first dot).
	NodeLabel          string `yaml:"node_label"`
	NodeTemplate       string `yaml:"node_template"`
	LBLabel            string `yaml:"lb_label"`
	LBTemplate         string `yaml:"lb_template"`
	BMCLabel           string `yaml:"bmc_label"`
	BMCTemplate        string `yaml:"bmc_template"`
	EndpointLabel      string `yaml:"endpoint_label"` // its value is matched against the services' endpoint URLs
	KeepalivedLabel    string `yaml:"keepalived_label"`
	KeepalivedTemplate string `yaml:"keepalived_template"`
	// Recorded reads the series hacon's recording rules (hacon
	// prometheus-rules) write instead of the exporters' own: the server
	// evaluates the filters once per rule interval in the background, and
	// a refresh reads only what hacon keeps.
	Recorded *bool `yaml:"recorded"`
}

// PromLabelData is what a mapping template expands from.
type PromLabelData struct {
	Value string // the label's value as Prometheus has it
	Host  string // Value without a :port suffix (instance labels)
	Short string // Host up to its first dot
}

// NewPromLabelData splits a label value for the mapping templates.
func NewPromLabelData(v string) PromLabelData {
	host := v
	if h, _, err := net.SplitHostPort(v); err == nil {
		host = h
	}
	short := host
	if net.ParseIP(host) == nil {
		short, _, _ = strings.Cut(host, ".")
	}
	return PromLabelData{Value: v, Host: host, Short: short}
}

// ExpandPromLabel applies a mapping template to a label value.
func ExpandPromLabel(tmpl, value string) (string, error) {
	return expandWith(tmpl, NewPromLabelData(value))
}

// PromSettings is one cluster's prometheus block with the global one and
// the defaults filled in.
type PromSettings struct {
	Prometheus
	Planes map[string]bool // only those not polled directly
}

// PrometheusFor resolves a cluster's Prometheus settings; nil when the
// cluster reads nothing from Prometheus.
func (c *Config) PrometheusFor(cc *Cluster) *PromSettings {
	if cc == nil || cc.Prometheus == nil {
		return nil
	}
	s := &PromSettings{Prometheus: *cc.Prometheus, Planes: map[string]bool{}}
	g := Prometheus{}
	if c.Prometheus != nil {
		g = *c.Prometheus
	}
	p := &s.Prometheus
	p.URL = first(p.URL, g.URL)
	if p.HTTP == nil {
		p.HTTP = g.HTTP
	}
	p.Interval = firstDur(p.Interval, g.Interval, DefaultPromInterval)
	p.Timeout = firstDur(p.Timeout, g.Timeout, DefaultPromTimeout)
	p.ClusterLabel = first(p.ClusterLabel, g.ClusterLabel, DefaultPromClusterLabel)
	p.Cluster = first(p.Cluster, cc.Name)
	p.NodeLabel = first(p.NodeLabel, g.NodeLabel, DefaultPromNodeLabel)
	p.NodeTemplate = first(p.NodeTemplate, g.NodeTemplate, DefaultPromNodeTemplate)
	p.LBLabel = first(p.LBLabel, g.LBLabel, DefaultPromLBLabel)
	p.LBTemplate = first(p.LBTemplate, g.LBTemplate, DefaultPromHostTemplate)
	p.BMCLabel = first(p.BMCLabel, g.BMCLabel, DefaultPromBMCLabel)
	p.BMCTemplate = first(p.BMCTemplate, g.BMCTemplate, DefaultPromHostTemplate)
	p.EndpointLabel = first(p.EndpointLabel, g.EndpointLabel, DefaultPromEndpointLabel)
	p.KeepalivedLabel = first(p.KeepalivedLabel, g.KeepalivedLabel, DefaultPromVRRPLabel)
	p.KeepalivedTemplate = first(p.KeepalivedTemplate, g.KeepalivedTemplate, DefaultPromHostTemplate)
	if p.Recorded == nil {
		p.Recorded = g.Recorded
	}
	planes := p.Planes
	if len(planes) == 0 {
		planes = PromPlanes
	}
	for _, pl := range planes {
		s.Planes[pl] = true
	}
	if cc.Pacemaker != nil {
		delete(s.Planes, PromPacemaker) // direct wins
	}
	// keepalived is asked directly whenever hacon can reach the
	// controllers (a keepalived section or a command prefix), and there
	// is nothing to read without keepalived VIPs.
	if !cc.UsesKeepalived() || cc.Keepalived != nil || len(cc.Command) > 0 {
		delete(s.Planes, PromKeepalived)
	}
	return s
}

// UsesRecorded reports whether the cluster reads hacon's recorded series.
func (s *PromSettings) UsesRecorded() bool { return s != nil && s.Recorded != nil && *s.Recorded }

// Has reports whether a plane is read from Prometheus (nil: none is).
func (s *PromSettings) Has(plane string) bool { return s != nil && s.Planes[plane] }

// PromLB reports whether the HAProxy on a controller is read from
// Prometheus: the plane is on and no direct stats source is configured.
func (s *PromSettings) PromLB(cc *Cluster, controller string) bool {
	if s == nil || !s.Planes[PromHAProxy] {
		return false
	}
	for _, h := range cc.HAProxy {
		if h.Controller == controller {
			return false
		}
	}
	return true
}

// PromBMC reports whether a controller's power is read from Prometheus.
func (s *PromSettings) PromBMC(c Controller) bool {
	return s != nil && s.Planes[PromBMC] && c.BMC == nil
}

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

func firstDur(vals ...time.Duration) time.Duration {
	for _, v := range vals {
		if v > 0 {
			return v
		}
	}
	return 0
}

// validatePrometheus checks the global block and every cluster's.
func (v *validator) validatePrometheus() {
	if g := v.cfg.Prometheus; g != nil {
		v.checkPromBlock("prometheus", g)
		if len(g.Planes) > 0 {
			v.bad("prometheus.planes", "planes are chosen per cluster (clusters[].prometheus.planes)")
		}
		if g.Cluster != "" {
			v.bad("prometheus.cluster", "the cluster label's value is per cluster (clusters[].prometheus.cluster)")
		}
	}
	seen := map[string]string{}
	for i := range v.cfg.Clusters {
		cc := &v.cfg.Clusters[i]
		if cc.Prometheus == nil {
			continue
		}
		p := "clusters[" + strconv.Itoa(i) + "].prometheus"
		v.checkPromBlock(p, cc.Prometheus)
		s := v.cfg.PrometheusFor(cc)
		if s.URL == "" {
			v.bad(p, "needs a url: here or in the global prometheus block")
		}
		for j, pl := range cc.Prometheus.Planes {
			if !isPromPlane(pl) {
				v.bad(p+".planes["+strconv.Itoa(j)+"]", "expected one of %s, got %q", strings.Join(PromPlanes, ", "), pl)
			}
		}
		key := s.URL + "\x00" + s.ClusterLabel + "\x00" + s.Cluster
		if prev, dup := seen[key]; dup {
			v.bad(p+".cluster", "clusters %s and %s would read the same series (%s=%q)", prev, cc.Name, s.ClusterLabel, s.Cluster)
		}
		seen[key] = cc.Name
	}
}

func (v *validator) checkPromBlock(p string, b *Prometheus) {
	if b.URL != "" {
		v.checkURL(p+".url", b.URL, "http", "https")
	}
	for key, label := range map[string]string{"cluster_label": b.ClusterLabel, "node_label": b.NodeLabel,
		"lb_label": b.LBLabel, "bmc_label": b.BMCLabel, "endpoint_label": b.EndpointLabel, "keepalived_label": b.KeepalivedLabel} {
		if label != "" && !isLabelName(label) {
			v.bad(p+"."+key, "not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*), got %q", label)
		}
	}
	if b.Cluster != "" {
		// The value lands inside a PromQL string: only name characters.
		v.checkName(p+".cluster", b.Cluster, "a label value hacon can match")
	}
	for key, t := range map[string]string{"node_template": b.NodeTemplate, "lb_template": b.LBTemplate, "bmc_template": b.BMCTemplate,
		"keepalived_template": b.KeepalivedTemplate} {
		if t == "" {
			continue
		}
		if _, err := ExpandPromLabel(t, "controller-0.example:9100"); err != nil {
			v.bad(p+"."+key, "bad template (only {{.Value}}, {{.Host}} and {{.Short}} exist): %v", err)
		}
	}
	if b.Interval > 0 && b.Timeout > b.Interval {
		v.bad(p+".timeout", "longer than the interval (%s)", b.Interval)
	}
}

func isPromPlane(s string) bool {
	for _, p := range PromPlanes {
		if p == s {
			return true
		}
	}
	return false
}

func isLabelName(s string) bool {
	if s == "" || strings.HasPrefix(s, "__") {
		return false
	}
	for i, r := range s {
		ok := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (i > 0 && r >= '0' && r <= '9')
		if !ok {
			return false
		}
	}
	return true
}
