package actions

import (
	"context"
	"fmt"
	"strings"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/haproxyapi"
	"github.com/hacon/hacon/remote"
)

// Plane is where a step runs.
type Plane string

// The planes actions drive.
const (
	PlanePacemaker Plane = "pacemaker"
	PlaneHAProxy   Plane = "haproxy"
	PlaneBMC       Plane = "bmc"
)

// Step is one exact command an action will run.
type Step struct {
	Plane Plane
	Hosts []string // where it may run, in the order tried (Pacemaker) or each one (HAProxy)
	Argv  []string // the tool's argv without the prefix (Pacemaker), or the runtime API line
	Shown string   // the exact command as the preview shows it, prefix included

	// SetServer is the HAProxy step's change, kept typed so that what runs
	// is built from checked names, never from the text shown.
	SetServer *haproxyapi.SetServer

	// Keepalived steps: what the step does (stop, wait, start) and the
	// VIP's address the wait watches.
	Role    string
	Address string
}

// Preview is everything the operator sees before confirming.
type Preview struct {
	Request       Request
	Title         string
	Steps         []Step
	Transition    []string // crm_simulate's Transition Summary lines
	TransitionErr string   // why there is no transition preview, if none
	Blast         []string // blast radius in words
	Warnings      []string
	TypeToConfirm string // non-empty: the operator must type this (the node name; in production cluster/node)
	Consequence   string // non-empty: an extra confirmation naming it (quorum loss, last node)
	Stale         string // non-empty: the data it depends on is stale; needs force
}

// Plan checks a request against the inventory and the current snapshot
// and describes what would happen. It changes nothing.
func (e *Executor) Plan(ctx context.Context, req Request, snap cluster.Snapshot) (*Preview, error) {
	cc, ok := e.cfg.ClusterByName(req.Cluster)
	if !ok {
		return nil, fmt.Errorf("unknown cluster %q", req.Cluster)
	}
	sc := snap.ClusterByName(req.Cluster)
	if sc == nil {
		return nil, fmt.Errorf("no data yet for cluster %q", req.Cluster)
	}
	p := &Preview{Request: req, Title: ":" + req.String()}
	verb, _ := LookupVerb(string(req.Kind))
	if err := promRefusal(e.cfg, cc, planeFor(verb, cc, sc, req), req.Node); err != nil {
		return nil, err
	}
	if err := e.resolve(cc, sc, &req); err != nil {
		return nil, err
	}
	p.Request = req
	var err error
	switch planeFor(verb, cc, sc, req) {
	case PlanePacemaker:
		err = e.planPacemaker(ctx, cc, sc, p)
	case PlaneHAProxy:
		err = e.planHAProxy(cc, sc, p)
	case PlaneBMC:
		err = e.planPower(cc, sc, p)
	case PlaneKeepalived:
		err = e.planKeepalivedVIP(cc, sc, p)
	default:
		err = fmt.Errorf("unknown action %q", req.Kind)
	}
	if err != nil {
		return nil, err
	}
	blastRadius(sc, p)
	p.Stale = staleness(sc, req)
	return p, nil
}

// resolve checks names and fills the Pacemaker resource of a VIP.
func (e *Executor) resolve(cc *config.Cluster, sc *cluster.Cluster, req *Request) error {
	if req.Node != "" && sc.Node(req.Node) == nil {
		return fmt.Errorf("unknown node %q in cluster %s", req.Node, req.Cluster)
	}
	switch req.Kind {
	case Move, Ban, Clear, Cleanup:
		if sc.HasPacemaker && sc.Resource(req.Resource) == nil {
			return fmt.Errorf("unknown resource %q (Pacemaker does not list it)", req.Resource)
		}
	case MoveVIP:
		v := sc.VIPByName(req.VIP)
		if v == nil {
			return fmt.Errorf("unknown VIP %q", req.VIP)
		}
		if v.Instance != "" {
			break // moved through keepalived: see planKeepalivedVIP
		}
		if v.Resource == "" {
			return fmt.Errorf("VIP %s has no Pacemaker resource to move", req.VIP)
		}
		req.Resource = v.Resource
	case Drain, Maint, Ready:
		s := sc.Service(req.Service)
		if s == nil {
			return fmt.Errorf("unknown service %q", req.Service)
		}
		if s.Backend == "" {
			return fmt.Errorf("service %s has no haproxy_backend in the config", req.Service)
		}
	case Fence:
		if cc.Pacemaker != nil {
			break
		}
		// Without Pacemaker, fencing is the BMC's power: off, or a cycle.
		req.Power = "cycle"
		if req.FenceOff {
			req.Power = "off"
		}
		fallthrough
	case Power:
		c, ok := cc.Controller(req.Node)
		if !ok || c.BMC == nil {
			return fmt.Errorf("node %s has no BMC in the config", req.Node)
		}
	}
	return nil
}

// pacemakerArgv is the tool argv of a Pacemaker action.
func pacemakerArgv(req Request) []string {
	switch req.Kind {
	case Move, MoveVIP:
		a := []string{"crm_resource", "--move", "--resource", req.Resource, "--node", req.Node}
		if req.Lifetime != "" {
			a = append(a, "--lifetime", req.Lifetime)
		}
		return a
	case Ban:
		return []string{"crm_resource", "--ban", "--resource", req.Resource, "--node", req.Node}
	case Clear:
		return []string{"crm_resource", "--clear", "--resource", req.Resource}
	case Cleanup:
		return []string{"crm_resource", "--cleanup", "--resource", req.Resource}
	case Standby:
		return []string{"crm_attribute", "--node", req.Node, "--name", "standby", "--update", "on"}
	case Unstandby:
		return []string{"crm_attribute", "--node", req.Node, "--name", "standby", "--update", "off"}
	case Fence:
		if req.FenceOff {
			return []string{"stonith_admin", "--fence", req.Node}
		}
		return []string{"stonith_admin", "--reboot", req.Node}
	}
	return nil
}

// pacemakerHosts is the order controllers are tried in. A node is never
// asked to fence itself: it would die before it could answer.
func pacemakerHosts(cc *config.Cluster, req Request) []config.Controller {
	var hosts []config.Controller
	for _, c := range cc.Controllers {
		if req.Kind == Fence && c.Name == req.Node {
			continue
		}
		hosts = append(hosts, c)
	}
	if len(hosts) == 0 {
		hosts = []config.Controller{{}}
	}
	return hosts
}

func (e *Executor) planPacemaker(ctx context.Context, cc *config.Cluster, sc *cluster.Cluster, p *Preview) error {
	if cc.Pacemaker == nil {
		return fmt.Errorf("cluster %s has no pacemaker section: Pacemaker actions are unavailable", cc.Name)
	}
	argv := pacemakerArgv(p.Request)
	hosts := pacemakerHosts(cc, p.Request)
	first, err := remote.Prefix{Command: cc.PacemakerCommand()}.Argv(hosts[0], argv)
	if err != nil {
		return err
	}
	st := Step{Plane: PlanePacemaker, Argv: argv, Shown: strings.Join(first, " ")}
	for _, h := range hosts {
		st.Hosts = append(st.Hosts, h.Name)
	}
	p.Steps = append(p.Steps, st)
	if p.Request.Kind == Fence {
		p.TypeToConfirm = typeToConfirm(cc, p.Request.Node)
		if n := sc.Node(p.Request.Node); n != nil && n.BMC != nil && !n.BMC.FenceReady {
			p.Warnings = append(p.Warnings, fmt.Sprintf("%s's BMC does not answer (%s): fencing will likely fail", n.Name, n.BMC.Error))
		}
	}
	if p.Request.Kind == Move || p.Request.Kind == MoveVIP {
		p.Warnings = append(p.Warnings, "the move leaves a cli-prefer constraint; clear it once verified (:clear "+p.Request.Resource+")")
	}
	p.Transition, p.TransitionErr = e.simulate(ctx, cc, hosts, p.Request)
	return nil
}

func (e *Executor) planHAProxy(cc *config.Cluster, sc *cluster.Cluster, p *Preview) error {
	svc := sc.Service(p.Request.Service)
	server := serverName(sc, svc, p.Request.Node)
	if server == "" {
		return fmt.Errorf("no HAProxy lists a server of backend %s on %s", svc.Backend, p.Request.Node)
	}
	op := haproxyapi.SetServer{Backend: svc.Backend, Server: server, State: runtimeState(p.Request.Kind)}
	if err := op.Validate(); err != nil {
		// The server name comes from a stats page: refuse it here, before
		// the operator is asked to confirm anything.
		return fmt.Errorf("cannot change %s on %s: %w", svc.Backend, p.Request.Node, err)
	}
	line := op.String()
	st := Step{Plane: PlaneHAProxy, Argv: []string{line}, Shown: line, SetServer: &op}
	missing := []string{}
	for _, h := range cc.HAProxy {
		if h.RuntimeAPI == "" {
			missing = append(missing, h.Controller)
			continue
		}
		st.Hosts = append(st.Hosts, h.Controller+" "+h.RuntimeAPI)
	}
	if len(st.Hosts) == 0 {
		return fmt.Errorf("no HAProxy of cluster %s has a runtime_api configured", cc.Name)
	}
	if len(missing) > 0 {
		p.Warnings = append(p.Warnings, "no runtime_api for the HAProxy on "+strings.Join(missing, ", ")+": it will not be changed")
	}
	st.Shown = fmt.Sprintf("%s   (on %d HAProxies)", line, len(st.Hosts))
	p.Steps = append(p.Steps, st)
	return nil
}

func runtimeState(k Kind) haproxyapi.State {
	switch k {
	case Drain:
		return haproxyapi.ServerDrain
	case Maint:
		return haproxyapi.ServerMaint
	}
	return haproxyapi.ServerReady
}

// serverName finds how the LBs name the server of a service on a node.
func serverName(sc *cluster.Cluster, svc *cluster.Service, node string) string {
	for _, c := range svc.Cells {
		if c.Node == node && len(c.LB) > 0 {
			return c.LB[0].Server.Server
		}
	}
	return ""
}

// typeToConfirm is what the operator types to fence or power off a node:
// its name, and in production the cluster's name too ("overcloud/
// controller-2"), so a terminal mistaken for staging cannot take a
// production node down with a name that exists in both.
func typeToConfirm(cc *config.Cluster, node string) string {
	if cc.Production() {
		return cc.Name + "/" + node
	}
	return node
}

func (e *Executor) planPower(cc *config.Cluster, sc *cluster.Cluster, p *Preview) error {
	c, _ := cc.Controller(p.Request.Node)
	shown := fmt.Sprintf("bmclib %s power %s → %s %s:%d", c.BMC.Driver, p.Request.Power, c.Name, c.BMC.Address, c.BMC.Port)
	p.Steps = append(p.Steps, Step{Plane: PlaneBMC, Hosts: []string{c.Name}, Argv: []string{"power", p.Request.Power}, Shown: shown})
	if p.Request.Power != "on" {
		p.TypeToConfirm = typeToConfirm(cc, c.Name)
		if cc.Pacemaker != nil {
			p.Warnings = append(p.Warnings, "this bypasses Pacemaker: prefer :fence "+c.Name+" unless Pacemaker cannot fence")
		}
	}
	if p.Request.Kind == Fence {
		keepalivedFenceBlast(sc, p)
	}
	if n := sc.Node(c.Name); n != nil && n.BMC != nil && !n.BMC.FenceReady {
		p.Warnings = append(p.Warnings, fmt.Sprintf("%s's BMC does not answer (%s)", c.Name, n.BMC.Error))
	}
	return nil
}
