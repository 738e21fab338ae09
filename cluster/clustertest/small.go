package clustertest

import "github.com/hacon/hacon/cluster"

// Small is a healthy cluster small enough to reason about by hand: the
// three Controllers, keystone (an active/active clone behind every HAProxy,
// with an endpoint on port 5000) and cinder-volume (an active/passive
// primitive on controller-0), plus the four VIPs. It has no alerts; a
// test changes one thing, calls Finish and knows what Assess must say.
func Small(name string) cluster.Cluster {
	return Build(Spec{Name: name, Controllers: Controllers, Services: []Service{OpenStack[0], OpenStack[8]}})
}

// Servers is the backend's server on node in every HAProxy, in LB order.
func Servers(c *cluster.Cluster, backend, node string) []*cluster.LBServer {
	var out []*cluster.LBServer
	for li := range c.LBs {
		for si := range c.LBs[li].Servers {
			if s := &c.LBs[li].Servers[si]; s.Backend == backend && s.Server == node {
				out = append(out, s)
			}
		}
	}
	return out
}

// Endpoint is the service's endpoint result on node, or nil.
func Endpoint(c *cluster.Cluster, service, node string) *cluster.EndpointResult {
	for i := range c.Endpoints {
		if e := &c.Endpoints[i]; e.Service == service && e.Node == node {
			return e
		}
	}
	return nil
}

// Instance is the resource's instance on node, or nil.
func Instance(c *cluster.Cluster, resource, node string) *cluster.Instance {
	r := c.Resource(resource)
	if r == nil {
		return nil
	}
	for i := range r.Instances {
		if r.Instances[i].Node == node {
			return &r.Instances[i]
		}
	}
	return nil
}
