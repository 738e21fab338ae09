package demo

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/remote"
)

// PrefixCommand is the first word of the demo's Pacemaker command prefix:
// `demo-ssh <node>` stands in for `ssh heat-admin@<node> sudo`.
const PrefixCommand = "demo-ssh"

// RebootDelay is how long a node fenced with --reboot stays off.
const RebootDelay = 6 * time.Second

// Runner answers Pacemaker CLI argv from the simulation. It implements
// remote.Runner, so the real Pacemaker probe and actions run unchanged.
type Runner struct{ c *Cluster }

var _ remote.Runner = Runner{}

func fail(argv []string, code int, msg string) ([]byte, []byte, error) {
	return nil, []byte(msg + "\n"), &remote.ExitError{Argv: argv, Code: code, Stderr: msg}
}

// Run implements remote.Runner.
func (r Runner) Run(ctx context.Context, argv []string) ([]byte, []byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	args := argv
	s := r.c.sim
	if len(args) >= 2 && args[0] == PrefixCommand && slices.Contains(KollaNodes, args[1]) && r.c.kolla != nil {
		return r.c.kolla.run(ctx, argv, args[1], args[2:])
	}
	if len(args) >= 2 && args[0] == PrefixCommand {
		node := args[1]
		s.mu.Lock()
		up, known := s.powered[node]
		s.mu.Unlock()
		if !known {
			return fail(argv, 255, "ssh: Could not resolve hostname "+node)
		}
		if !up {
			// A powered-off host does not answer: ssh waits, then gives up.
			select {
			case <-ctx.Done():
				return nil, nil, fmt.Errorf("ssh %s: timed out: %w", node, ctx.Err())
			case <-time.After(300 * time.Millisecond):
			}
			return fail(argv, 255, "ssh: connect to host "+node+" port 22: No route to host")
		}
		args = args[2:]
	}
	if len(args) == 0 {
		return fail(argv, 64, "no command")
	}
	// Local work on a CIB copy, as hacon's action preview does it.
	if len(args) >= 3 && args[0] == "env" && strings.HasPrefix(args[1], "CIB_file=") {
		return onCopy(strings.TrimPrefix(args[1], "CIB_file="), argv, args[2:])
	}
	if args[0] == "crm_simulate" {
		return crmSimulate(argv, args[1:])
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(argv) >= 2 && argv[0] == PrefixCommand {
		if answer := s.statefulCommand(argv, args, argv[1]); answer != nil {
			return answer()
		}
	}
	switch args[0] {
	case "crm_mon":
		return s.crmMonXML(), nil, nil
	case "cibadmin":
		switch {
		case has(args, "resources"):
			return s.cibResources(), nil, nil
		case has(args, "constraints"):
			return s.cibConstraints(), nil, nil
		case has(args, "fencing-topology"):
			// As a real CIB without fencing levels answers.
			return fail(argv, 105, "Call failed: No such device or address")
		case has(args, "--query") || has(args, "-Q"):
			return s.cibQuery(), nil, nil
		}
		return fail(argv, 64, "cibadmin: the demo answers only --query --scope resources|constraints")
	case "crm_resource":
		return s.crmResource(argv, args[1:])
	case "crm_attribute", "crm_standby":
		return s.crmAttribute(argv, args[1:])
	case "stonith_admin":
		return s.stonithAdmin(argv, args[1:])
	}
	return fail(argv, 127, args[0]+": command not found in the demo cluster")
}

func has(args []string, word string) bool {
	for _, a := range args {
		if a == word || strings.HasSuffix(a, "="+word) {
			return true
		}
	}
	return false
}

// flag returns the value of the first of names present (--x v or --x=v).
func flag(args []string, names ...string) string {
	for i, a := range args {
		for _, n := range names {
			if a == n && i+1 < len(args) {
				return args[i+1]
			}
			if strings.HasPrefix(a, n+"=") {
				return strings.TrimPrefix(a, n+"=")
			}
		}
	}
	return ""
}

func (s *sim) resourceKey(id string) (string, bool) {
	for _, sp := range specs {
		if id == sp.Resource || id == sp.Prim {
			return sp.Resource, true
		}
	}
	for _, v := range vipSpecs {
		if id == v.Resource {
			return v.Resource, true
		}
	}
	return "", false
}

func (s *sim) crmResource(argv, args []string) ([]byte, []byte, error) {
	rid := flag(args, "--resource", "-r")
	node := flag(args, "--node", "-N")
	res, ok := s.resourceKey(rid)
	if rid != "" && !ok {
		return fail(argv, 105, "crm_resource: Resource '"+rid+"' not found")
	}
	if node != "" && nodeID(node) == 0 {
		return fail(argv, 105, "crm_resource: Node '"+node+"' not found")
	}
	switch {
	case has(args, "--move") || has(args, "-M"):
		_, single := s.placement[res]
		if node == "" {
			if !single {
				return fail(argv, 64, "Resource '"+rid+"' not moved: active in 3 locations.")
			}
			node = s.placement[res]
			s.setConstraint(cluster.Constraint{ID: "cli-ban-" + res + "-on-" + node, Kind: "cli-ban", Resource: res, Node: node})
			s.replace()
			return []byte("WARNING: Creating rsc_location constraint 'cli-ban-" + res + "-on-" + node + "' with a score of -INFINITY for resource " + res + " on " + node + ".\n"), nil, nil
		}
		if single && s.placement[res] == node {
			return fail(argv, 108, "Error performing operation: Requested item already exists ("+rid+" is already active on "+node+")")
		}
		s.setConstraint(cluster.Constraint{ID: "cli-prefer-" + res, Kind: "cli-prefer", Resource: res, Node: node, Role: "Started", Score: "INFINITY"})
		s.replace()
		return nil, nil, nil
	case has(args, "--ban") || has(args, "-B"):
		if node == "" {
			node = s.placement[res]
		}
		s.setConstraint(cluster.Constraint{ID: "cli-ban-" + res + "-on-" + node, Kind: "cli-ban", Resource: res, Node: node})
		s.replace()
		return []byte("WARNING: Creating rsc_location constraint 'cli-ban-" + res + "-on-" + node + "' with a score of -INFINITY for resource " + res + " on " + node + ".\n"), nil, nil
	case has(args, "--clear") || has(args, "-U"):
		if rid == "" {
			return fail(argv, 64, "crm_resource: --clear needs --resource")
		}
		var out strings.Builder
		kept := s.constraints[:0]
		for _, c := range s.constraints {
			if c.Resource == res && (node == "" || c.Node == node) {
				fmt.Fprintf(&out, "Removing constraint: %s\n", c.ID)
				continue
			}
			kept = append(kept, c)
		}
		s.constraints = kept
		s.replace()
		return []byte(out.String()), nil, nil
	case has(args, "--cleanup") || has(args, "-C"):
		for k := range s.failcounts {
			if sp, ok := s.specByName(k.svc); ok && (rid == "" || sp.Resource == res) && (node == "" || k.node == node) {
				delete(s.failcounts, k)
			}
		}
		return []byte("Cleaned up " + rid + "\n"), nil, nil
	case has(args, "--locate") || has(args, "-W"):
		if n := s.placement[res]; n != "" {
			return []byte("resource " + rid + " is running on: " + n + "\n"), nil, nil
		}
		return []byte("resource " + rid + " is NOT running\n"), nil, nil
	}
	return fail(argv, 64, "crm_resource: the demo supports --move --ban --clear --cleanup --locate")
}

func (s *sim) setConstraint(c cluster.Constraint) {
	for i := range s.constraints {
		if s.constraints[i].ID == c.ID {
			s.constraints[i] = c
			return
		}
	}
	s.constraints = append(s.constraints, c)
}

func (s *sim) crmAttribute(argv, args []string) ([]byte, []byte, error) {
	node := flag(args, "--node", "-N")
	name := flag(args, "--name", "-n")
	val := flag(args, "--update", "-v")
	if argv[len(argv)-len(args)-1] == "crm_standby" {
		name = "standby"
	}
	if nodeID(node) == 0 {
		return fail(argv, 105, "crm_attribute: Could not map name="+node+" to a UUID")
	}
	if name != "standby" {
		return fail(argv, 64, "crm_attribute: the demo supports only the standby attribute")
	}
	switch {
	case has(args, "--delete") || has(args, "-D"):
		s.standby[node] = false
	case val == "on" || val == "true":
		s.standby[node] = true
	case val == "off" || val == "false":
		s.standby[node] = false
	default:
		return []byte(fmt.Sprintf("scope=nodes  name=standby value=%s\n", onOff(s.standby[node]))), nil, nil
	}
	s.replace()
	return nil, nil, nil
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func (s *sim) stonithAdmin(argv, args []string) ([]byte, []byte, error) {
	reboot := flag(args, "--reboot", "-B")
	off := flag(args, "--fence", "-F")
	target := reboot + off
	if target == "" {
		return fail(argv, 64, "stonith_admin: the demo supports --reboot NODE and --fence NODE")
	}
	if nodeID(target) == 0 {
		return fail(argv, 105, "stonith_admin: Node "+target+" not found")
	}
	if s.bmcCut[target] {
		s.fences = append(s.fences, cluster.FenceEvent{Target: target, Action: map[bool]string{true: "reboot", false: "off"}[reboot != ""], Status: "failed", Delegate: s.firstOnlineExcept(target), Client: "stonith_admin", Origin: s.firstOnlineExcept(target), Completed: time.Now().UTC().Format("2006-01-02 15:04:05Z"), Reason: "fence_redfish: Unable to connect/login to fencing device"})
		return fail(argv, 1, "stonith_admin: Couldn't fence "+target+": No such device")
	}
	s.setPower(target, false)
	if reboot != "" {
		s.timers = append(s.timers, time.AfterFunc(RebootDelay, func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.setPower(target, true)
		}))
	}
	return []byte("Node " + target + " fenced\n"), nil, nil
}
