package actions

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/probes"
	"github.com/hacon/hacon/remote"
)

// Running a keepalived VIP move on the holder: stop, wait for the address
// to leave, start again (the start always runs).

// runKeepalivedStep runs one step on the holder. The wait polls the
// holder's addresses; its failure does not stop the start that follows
// (runKeepalivedSteps makes sure keepalived is never left stopped).
func (e *Executor) runKeepalivedStep(ctx context.Context, cc *config.Cluster, st Step) StepResult {
	c, _ := cc.Controller(st.Hosts[0])
	h := remote.Host{Transport: remote.Prefix{Command: cc.Command, Runner: e.runner}, Controller: c}
	if st.Role == kaWait {
		return e.waitAddressGone(ctx, h, st)
	}
	ctx, cancel := context.WithTimeout(ctx, e.ActionTimeout)
	defer cancel()
	out, err := h.Run(ctx, st.Argv)
	r := StepResult{Host: c.Name, Argv: out.Argv, OK: err == nil, Output: strings.TrimSpace(string(out.Stdout))}
	if r.Argv == nil {
		r.Argv = st.Argv
	}
	if err != nil {
		r.Error = err.Error()
	}
	return r
}

func (e *Executor) waitAddressGone(ctx context.Context, h remote.Host, st Step) StepResult {
	ctx, cancel := context.WithTimeout(ctx, addressGoneTimeout)
	defer cancel()
	r := StepResult{Host: h.Controller.Name, Argv: st.Argv}
	tick := time.NewTicker(addressGoneEvery)
	defer tick.Stop()
	last := "not checked yet"
	for {
		out, err := h.Run(ctx, st.Argv)
		if err == nil {
			addrs, perr := probes.ParseIPAddr(strings.NewReader(string(out.Stdout)))
			ka := cluster.KeepalivedStatus{Addresses: addrs}
			switch {
			case perr != nil:
				last = perr.Error()
			case !ka.HasAddress(st.Address):
				r.OK, r.Argv, r.Output = true, out.Argv, st.Address+" has left "+h.Controller.Name
				return r
			default:
				last = st.Address + " still on " + h.Controller.Name
			}
		} else {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			r.Error = fmt.Sprintf("not gone within %s: %s", addressGoneTimeout, last)
			return r
		case <-tick.C:
		}
	}
}

// tcpPort is the port to try through a VIP: the first service whose
// vip_endpoint names the VIP's address.
func tcpPort(cc *config.Cluster, address string) string {
	for _, s := range cc.Services {
		u, err := url.Parse(s.VIPEndpoint)
		if err != nil || u.Hostname() != address {
			continue
		}
		if p := u.Port(); p != "" {
			return p
		}
		if u.Scheme == "https" {
			return "443"
		}
		return "80"
	}
	return ""
}

// tcpThrough opens a TCP connection through the VIP: the address answers,
// wherever it now lives.
func tcpThrough(ctx context.Context, address, port string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", net.JoinHostPort(address, port))
	if err != nil {
		return err
	}
	return conn.Close()
}

// runKeepalived runs stop, wait, start on the holder. Whatever happens to
// the stop or the wait, the start runs: a move must never leave keepalived
// stopped on a controller.
func (e *Executor) runKeepalived(ctx context.Context, cc *config.Cluster, p *Preview, out Outcome) Outcome {
	var errs []string
	skipWait := false
	for _, st := range p.Steps {
		if st.Role == kaWait && skipWait {
			continue
		}
		r := e.runKeepalivedStep(ctx, cc, st)
		r.Output, r.Error = cluster.CleanText(r.Output), cluster.CleanText(r.Error)
		e.logStep(p.Request, st.Plane, r)
		out.Steps = append(out.Steps, r)
		if !r.OK {
			errs = append(errs, st.Role+" on "+r.Host+": "+r.Error)
			skipWait = st.Role == kaStop
		}
	}
	if len(errs) > 0 {
		out.OK, out.Error = false, strings.Join(errs, "; ")
	}
	return out
}

// keepalivedFenceBlast says which keepalived VIPs a fenced node holds and
// who would take them.
func keepalivedFenceBlast(sc *cluster.Cluster, p *Preview) {
	for i := range sc.VIPs {
		v := &sc.VIPs[i]
		if v.Instance == "" || len(v.Holders) != 1 || v.Holders[0] != p.Request.Node {
			continue
		}
		w, _ := nextHolder(v, p.Request.Node)
		next := "no healthy BACKUP would take it: it goes down"
		if w.node != "" {
			next = fmt.Sprintf("%s (priority %d) takes it", w.node, w.priority)
		}
		p.Blast = append(p.Blast, fmt.Sprintf("%s holds VIP %s (%s): %s", p.Request.Node, v.Name, v.Address, next))
	}
}

// keepalivedVIPVerified: the address is on the target and on no other
// controller.
func keepalivedVIPVerified(v *cluster.VIP, node string) (bool, string) {
	if v.Stale {
		return false, "VIP state unknown"
	}
	what := fmt.Sprintf("%s on %s", v.Address, strings.Join(v.Holders, " and "))
	if len(v.Holders) == 0 {
		what = v.Address + " on no controller"
	}
	return len(v.Holders) == 1 && v.Holders[0] == node, what
}

// fencedByPower verifies a fence of a node without Pacemaker: its BMC
// read off (or, for a reboot, the node dropped out once) and no keepalived
// VIP left on it.
func fencedByPower(c *cluster.Cluster, req Request, seen *progress) (bool, string) {
	n := c.Node(req.Node)
	if n == nil {
		return false, "node unknown"
	}
	if n.Power() == cluster.PowerOff || n.Keepalived == nil {
		seen.sawDown = true
	}
	var holds []string
	for _, v := range c.VIPs {
		for _, h := range v.Holders {
			if h == req.Node {
				holds = append(holds, v.Name)
			}
		}
	}
	what := fmt.Sprintf("%s power %s", n.Name, n.Power())
	if len(holds) > 0 {
		what += ", still holds VIP " + strings.Join(holds, ", ")
	} else {
		what += ", holds no VIP"
	}
	down := seen.sawDown
	if req.FenceOff {
		down = n.Power() == cluster.PowerOff
	}
	return down && len(holds) == 0, what
}

// throughVIP completes a keepalived VIP move's verification with a TCP
// connection through the address (when a service's vip_endpoint names a
// port on it).
func (e *Executor) throughVIP(ctx context.Context, req Request, c *cluster.Cluster, what string) (bool, string) {
	v := c.VIPByName(req.VIP)
	if req.Kind != MoveVIP || v == nil || v.Instance == "" {
		return true, what
	}
	cc, ok := e.cfg.ClusterByName(req.Cluster)
	if !ok {
		return true, what
	}
	port := tcpPort(cc, v.Address)
	if port == "" {
		return true, what + " (no vip_endpoint names a port on it: TCP not tried)"
	}
	if err := tcpThrough(ctx, v.Address, port); err != nil {
		return false, what + ", but TCP through it fails: " + err.Error()
	}
	return true, what + ", TCP to " + net.JoinHostPort(v.Address, port) + " answers"
}

// noUnknownRival refuses a plan when a controller whose VRRP state is
// unknown might take the address instead: only a node whose BMC reads
// power off is known to take nothing.
func noUnknownRival(sc *cluster.Cluster, v *cluster.VIP, holder, target string) error {
	for _, x := range v.VRRP {
		if x.Known || x.Node == holder || x.Node == target {
			continue
		}
		if n := sc.Node(x.Node); n != nil && n.Power() == cluster.PowerOff {
			continue
		}
		return fmt.Errorf("%w: %s's keepalived state is unknown (it did not answer): it might take %s instead of %s; retry when it answers, or power it off",
			ErrRefused, x.Node, v.Address, target)
	}
	return nil
}
