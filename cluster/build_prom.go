package cluster

import "github.com/hacon/hacon/config"

// What a cluster read from Prometheus can and cannot show.

// PromNotAvailable lists what Prometheus mode cannot show: the exporters
// do not carry it, and hacon has no controller to ask.
var promNotAvailable = []string{
	"bundles",
	"colocation/order constraints and cli-ban/cli-prefer",
	"fencing history and stonith devices",
	"crm_simulate preview",
}

// PromNotAvailable is what a cluster whose Pacemaker plane is read from
// Prometheus cannot show (a fresh slice each call).
func PromNotAvailable() []string { return append([]string(nil), promNotAvailable...) }

// prometheusPlanes records which planes came from Prometheus and, when
// Pacemaker did, what is therefore not available.
func (m *merger) prometheusPlanes() {
	if m.prom == nil {
		return
	}
	for _, p := range config.PromPlanes {
		if m.prom.Planes[p] {
			m.out.Prometheus = append(m.out.Prometheus, p)
		}
	}
	if m.prom.Planes[config.PromPacemaker] {
		m.out.NotAvailable = PromNotAvailable()
	}
}

// lbControllers are the controllers whose HAProxy is watched: those with
// a direct stats source, then those read from Prometheus.
func (m *merger) lbControllers() []string {
	out := make([]string, 0, len(m.cc.Controllers))
	for _, h := range m.cc.HAProxy {
		out = append(out, h.Controller)
	}
	for _, c := range m.cc.Controllers {
		if m.prom.PromLB(m.cc, c.Name) {
			out = append(out, c.Name)
		}
	}
	return out
}

func bmcDriver(c config.Controller) string {
	if c.BMC == nil {
		return "ipmi_exporter"
	}
	return c.BMC.Driver
}
