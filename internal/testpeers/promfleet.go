package testpeers

import (
	"fmt"
	"strings"
	"time"
)

// Fleet describes synthetic exporter series for many clusters, as a fleet
// Prometheus holds them: per cluster, every controller's
// ha_cluster_exporter (each reporting the whole cluster), HAProxy exporter,
// ipmi_exporter target and blackbox probes of every service.
type Fleet struct {
	Clusters    int
	Controllers int
	Services    int
	End         time.Time     // the newest sample's time
	Samples     int           // samples per series, Step apart, ending at End
	Step        time.Duration // the scrape interval they imitate
	// Old lists clusters whose every sample is Age older (a scrape that
	// stopped); Down lists "cluster/controller" nodes offline and their
	// servers DOWN, power off.
	Old  map[string]bool
	Age  time.Duration
	Down map[string]bool
	// Recorded makes Config read hacon's recorded series (the rules of
	// hacon prometheus-rules) instead of the exporters' own.
	Recorded bool
}

// ClusterName is the name (and cluster label value) of cluster i.
func (f Fleet) ClusterName(i int) string { return fmt.Sprintf("fleet-%03d", i) }

// ControllerName is the name of controller j of every cluster.
func ControllerName(j int) string { return fmt.Sprintf("controller-%d", j) }

// ServiceName is the name of service k (its resource, backend and port).
func ServiceName(k int) string { return fmt.Sprintf("svc%02d", k) }

// resourceStatuses are ha_cluster_exporter's flags per resource instance.
func resourceStatuses() []string {
	return []string{"active", "orphaned", "blocked", "failed", "failure_ignored"}
}

var nodeStatuses = []string{"online", "standby", "standby_onfail", "maintenance", "pending", "unclean", "shutdown", "expected_up", "dc"}

// OpenMetrics renders the fleet for promtool tsdb create-blocks-from
// openmetrics.
func (f Fleet) OpenMetrics() string {
	var b strings.Builder
	for _, fam := range fleetFamilies() {
		fmt.Fprintf(&b, "# TYPE %s gauge\n", fam)
		for i := 0; i < f.Clusters; i++ {
			f.family(&b, fam, f.ClusterName(i))
		}
	}
	b.WriteString("# EOF\n")
	return b.String()
}

// Exposition is cluster i's series as one scrape of its exporters would
// give them (text format, no timestamps: the scrape's time is theirs), for
// a Prometheus that scrapes the fleet live.
func (f Fleet) Exposition(i int) string {
	f.Samples = 0
	var b strings.Builder
	for _, fam := range fleetFamilies() {
		fmt.Fprintf(&b, "# TYPE %s gauge\n", fam)
		f.family(&b, fam, f.ClusterName(i))
	}
	return b.String()
}

func fleetFamilies() []string {
	return []string{"ha_cluster_pacemaker_nodes", "ha_cluster_pacemaker_resources", "ha_cluster_pacemaker_stonith_enabled",
		"haproxy_server_status", "ipmi_up", "ipmi_chassis_power_state", "probe_success", "probe_duration_seconds"}
}

func (f Fleet) family(b *strings.Builder, fam, cl string) {
	end := f.End
	if f.Old[cl] {
		end = end.Add(-f.Age)
	}
	emit := func(labels string, v float64) {
		if f.Samples == 0 {
			fmt.Fprintf(b, "%s{cluster=%q,%s} %g\n", fam, cl, labels, v)
		}
		for s := f.Samples - 1; s >= 0; s-- {
			ts := end.Add(-time.Duration(s) * f.Step)
			fmt.Fprintf(b, "%s{cluster=%q,%s} %g %.3f\n", fam, cl, labels, v, float64(ts.UnixMilli())/1000)
		}
	}
	for j := 0; j < f.Controllers; j++ {
		ctl := ControllerName(j)
		down := f.Down[cl+"/"+ctl]
		switch fam {
		case "ha_cluster_pacemaker_nodes":
			f.nodes(emit, cl, ctl)
		case "ha_cluster_pacemaker_resources":
			f.resources(emit, cl, ctl)
		case "ha_cluster_pacemaker_stonith_enabled":
			emit(fmt.Sprintf("instance=%q,job=\"hacluster\"", ctl+":9664"), 1)
		case "haproxy_server_status":
			f.servers(emit, cl, ctl)
		case "ipmi_up":
			emit(fmt.Sprintf("collector=\"chassis\",instance=%q,job=\"ipmi\"", ctl), 1)
		case "ipmi_chassis_power_state":
			emit(fmt.Sprintf("instance=%q,job=\"ipmi\"", ctl), b2f(!down))
		case "probe_success", "probe_duration_seconds":
			for k := 0; k < f.Services; k++ {
				v := b2f(!down)
				if fam == "probe_duration_seconds" {
					v = 0.012
				}
				emit(fmt.Sprintf("instance=%q,job=\"blackbox\"", fmt.Sprintf("http://%s:%d/", ctl, 5000+k)), v)
			}
		}
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// nodes: the exporter on controller rep reports every node of the cluster.
func (f Fleet) nodes(emit func(string, float64), cl, rep string) {
	for n := 0; n < f.Controllers; n++ {
		node := ControllerName(n)
		down := f.Down[cl+"/"+node]
		for _, st := range nodeStatuses {
			on := (st == "online" || st == "expected_up") && !down || st == "dc" && n == 0
			emit(fmt.Sprintf("instance=%q,job=\"hacluster\",node=%q,status=%q,type=\"member\"", rep+":9664", node, st), b2f(on))
		}
	}
}

// resources: every service is a clone running on every node that is up.
func (f Fleet) resources(emit func(string, float64), cl, rep string) {
	for k := 0; k < f.Services; k++ {
		svc := ServiceName(k)
		for n := 0; n < f.Controllers; n++ {
			node := ControllerName(n)
			role, active := "started", 1.0
			if f.Down[cl+"/"+node] {
				node, role, active = "", "stopped", 0
			}
			// One series per status flag, as ha_cluster_exporter 1.3
			// writes them: active says where it runs, the rest are 0 here.
			for _, st := range resourceStatuses() {
				v := 0.0
				if st == "active" {
					v = active
				}
				emit(fmt.Sprintf("agent=\"systemd:%s\",clone=%q,group=\"\",instance=%q,job=\"hacluster\",managed=\"true\",node=%q,resource=%q,role=%q,status=%q",
					svc, svc+"-clone", rep+":9664", node, svc, role, st), v)
			}
		}
	}
}

// servers: every LB lists every service's server on every controller, one
// series per state as HAProxy's exporter does.
func (f Fleet) servers(emit func(string, float64), cl, lb string) {
	for k := 0; k < f.Services; k++ {
		for n := 0; n < f.Controllers; n++ {
			state := "UP"
			if f.Down[cl+"/"+ControllerName(n)] {
				state = "DOWN"
			}
			for _, st := range []string{"DOWN", "UP", "MAINT", "DRAIN", "NOLB"} {
				emit(fmt.Sprintf("instance=%q,job=\"haproxy\",proxy=%q,server=%q,state=%q", lb+":8404", ServiceName(k), ControllerName(n), st), b2f(st == state))
			}
		}
	}
}

// Config is the hacon inventory reading the whole fleet from promURL.
func (f Fleet) Config(promURL string, interval time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "prometheus:\n  url: %s\n  interval: %s\n  timeout: %s\n  recorded: %v\nclusters:\n", promURL, interval, interval*2/3, f.Recorded)
	for i := 0; i < f.Clusters; i++ {
		fmt.Fprintf(&b, "  - name: %s\n    prometheus: {}\n    controllers:\n", f.ClusterName(i))
		for j := 0; j < f.Controllers; j++ {
			fmt.Fprintf(&b, "      - name: %s\n", ControllerName(j))
		}
		b.WriteString("    services:\n")
		for k := 0; k < f.Services; k++ {
			svc := ServiceName(k)
			fmt.Fprintf(&b, "      - {name: %s, pacemaker_resource: %s-clone, haproxy_backend: %s, endpoint: \"http://{{.Name}}:%d/\"}\n", svc, svc, svc, 5000+k)
		}
	}
	return b.String()
}
