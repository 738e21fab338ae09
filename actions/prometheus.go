package actions

import (
	"errors"
	"fmt"

	"github.com/hacon/hacon/config"
)

// ErrPrometheusOnly refuses an action on a plane hacon only reads through
// Prometheus: a query API can show a fleet, never change it.
var ErrPrometheusOnly = errors.New("read from Prometheus only")

// promRefusal says why an action on plane cannot run when the cluster
// reads that plane from Prometheus and has no direct access to it: no
// Pacemaker prefix, no HAProxy runtime API, no BMC.
func promRefusal(cfg *config.Config, cc *config.Cluster, plane Plane, node string) error {
	prom := cfg.PrometheusFor(cc)
	if prom == nil {
		return nil
	}
	what, need := "", ""
	switch plane {
	case PlanePacemaker:
		if cc.Pacemaker == nil && prom.Has(config.PromPacemaker) {
			what, need = "Pacemaker", "a pacemaker section with its command prefix"
		}
	case PlaneHAProxy:
		if !hasRuntimeAPI(cc) && prom.Has(config.PromHAProxy) {
			what, need = "HAProxy", "an haproxy entry with runtime_api"
		}
	case PlaneBMC:
		if c, ok := cc.Controller(node); ok && c.BMC == nil && prom.Has(config.PromBMC) {
			what, need = "the power of "+node, "the controller's bmc in the config"
		}
	}
	if what == "" {
		return nil
	}
	return fmt.Errorf("%w: cluster %s reads %s from Prometheus, which cannot act; actions need direct access (%s); nothing was run",
		ErrPrometheusOnly, cc.Name, what, need)
}

func hasRuntimeAPI(cc *config.Cluster) bool {
	for _, h := range cc.HAProxy {
		if h.RuntimeAPI != "" {
			return true
		}
	}
	return false
}

// checkDirect refuses a preview whose steps need direct access the
// cluster lacks, whoever built it: Execute checks it again, not just Plan.
func (e *Executor) checkDirect(p *Preview) error {
	cc, ok := e.cfg.ClusterByName(p.Request.Cluster)
	if !ok {
		return fmt.Errorf("unknown cluster %q", p.Request.Cluster)
	}
	for _, st := range p.Steps {
		if err := promRefusal(e.cfg, cc, st.Plane, p.Request.Node); err != nil {
			return err
		}
	}
	return nil
}
