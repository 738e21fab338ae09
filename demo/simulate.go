package demo

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/hacon/hacon/cluster"
)

// The demo has no real CIB, but hacon's action preview copies the CIB
// (`cibadmin --query`), changes the copy with `CIB_file=copy crm_resource …`
// and asks `crm_simulate -x copy -S` for the transition. The demo answers
// all three: its "CIB" is the simulation state as JSON (base and changed),
// so the preview shows the demo's own prediction in crm_simulate's words.

type simState struct {
	Powered     map[string]bool
	Standby     map[string]bool
	Placement   map[string]string
	Constraints []cluster.Constraint
}

type cibCopy struct {
	Base    simState
	Changed simState
}

func (s *sim) state() simState {
	st := simState{Powered: map[string]bool{}, Standby: map[string]bool{}, Placement: map[string]string{}, Constraints: append([]cluster.Constraint(nil), s.constraints...)}
	for k, v := range s.powered {
		st.Powered[k] = v
	}
	for k, v := range s.standby {
		st.Standby[k] = v
	}
	for k, v := range s.placement {
		st.Placement[k] = v
	}
	return st
}

func simFrom(st simState) *sim {
	s := newSim()
	s.powered, s.standby, s.placement, s.constraints = st.Powered, st.Standby, st.Placement, st.Constraints
	return s
}

// cibQuery is the demo's `cibadmin --query`.
func (s *sim) cibQuery() []byte {
	b, _ := json.Marshal(cibCopy{Base: s.state(), Changed: s.state()})
	return b
}

func readCopy(file string) (*cibCopy, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var c cibCopy
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%s is not a demo CIB copy", file)
	}
	return &c, nil
}

// onCopy runs a Pacemaker command against a CIB copy (CIB_file=...).
func onCopy(file string, argv, args []string) ([]byte, []byte, error) {
	c, err := readCopy(file)
	if err != nil {
		return fail(argv, 1, err.Error())
	}
	s := simFrom(c.Changed)
	var out []byte
	switch args[0] {
	case "crm_resource":
		out, _, err = s.crmResource(argv, args[1:])
	case "crm_attribute", "crm_standby":
		out, _, err = s.crmAttribute(argv, args[1:])
	default:
		return fail(argv, 64, args[0]+": not available on a demo CIB copy")
	}
	if err != nil {
		return nil, nil, err
	}
	c.Changed = s.state()
	b, _ := json.Marshal(c)
	if err := os.WriteFile(file, b, 0o600); err != nil {
		return fail(argv, 1, err.Error())
	}
	return out, nil, nil
}

// crmSimulate prints a crm_simulate-style Transition Summary from base to
// changed state (with --node-fail, the node is fenced first).
func crmSimulate(argv, args []string) ([]byte, []byte, error) {
	file := flag(args, "-x", "--xml-file")
	c, err := readCopy(file)
	if err != nil {
		return fail(argv, 1, err.Error())
	}
	after := simFrom(c.Changed)
	var lines []string
	if n := flag(args, "--node-fail", "-f"); n != "" {
		lines = append(lines, fmt.Sprintf("  * Fence (reboot) %s 'peer is no longer part of the cluster'", n))
		after.powered[n] = false
	}
	after.replace()
	before := simFrom(c.Base)
	lines = append(lines, transition(before, after)...)
	var b strings.Builder
	b.WriteString("Current cluster status:\n  * Node List:\n    * Online: [ " + strings.Join(onlineNodes(before), " ") + " ]\n\nTransition Summary:\n")
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	b.WriteString("\nExecuting Cluster Transition:\n\nRevised Cluster Status:\n  * Node List:\n    * Online: [ " + strings.Join(onlineNodes(after), " ") + " ]\n")
	return []byte(b.String()), nil, nil
}

func onlineNodes(s *sim) []string {
	var out []string
	for _, n := range NodeNames {
		if s.powered[n] {
			out = append(out, n)
		}
	}
	return out
}

// transition lists what changes between two states, in crm_simulate's form.
func transition(before, after *sim) []string {
	var lines []string
	for _, sp := range specs {
		switch sp.Kind {
		case "clone", "promotable":
			for i, n := range NodeNames {
				was, is := before.eligible(sp.Resource, n), after.eligible(sp.Resource, n)
				id := fmt.Sprintf("%s:%d", sp.Prim, i)
				switch {
				case was && !is:
					lines = append(lines, fmt.Sprintf("  * Stop       %-28s ( %s )  due to node availability", id, n))
				case !was && is:
					lines = append(lines, fmt.Sprintf("  * Start      %-28s ( %s )", id, n))
				}
			}
			if sp.Kind == "promotable" && sp.MaxProm == 1 {
				lines = append(lines, movePromoted(sp, before.placement[sp.Resource], after.placement[sp.Resource])...)
			}
		case "primitive":
			lines = append(lines, moveLine(sp.Prim, before.placement[sp.Resource], after.placement[sp.Resource])...)
		}
	}
	for _, v := range vipSpecs {
		lines = append(lines, moveLine(v.Resource, before.placement[v.Resource], after.placement[v.Resource])...)
	}
	return lines
}

func moveLine(id, from, to string) []string {
	switch {
	case from == to:
		return nil
	case from == "":
		return []string{fmt.Sprintf("  * Start      %-28s ( %s )", id, to)}
	case to == "":
		return []string{fmt.Sprintf("  * Stop       %-28s ( %s )", id, from)}
	}
	return []string{fmt.Sprintf("  * Move       %-28s ( %s -> %s )", id, from, to)}
}

func movePromoted(sp svcSpec, from, to string) []string {
	if from == to {
		return nil
	}
	var out []string
	if from != "" {
		out = append(out, fmt.Sprintf("  * Demote     %-28s ( Promoted -> Unpromoted %s )", fmt.Sprintf("%s:%d", sp.Prim, nodeID(from)-1), from))
	}
	if to != "" {
		out = append(out, fmt.Sprintf("  * Promote    %-28s ( Unpromoted -> Promoted %s )", fmt.Sprintf("%s:%d", sp.Prim, nodeID(to)-1), to))
	}
	return out
}
