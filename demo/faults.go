package demo

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Fault injection: the same calls serve tests and the demo's palette
// commands, so what a newcomer can break by hand is what the tests break.

func (c *Cluster) checkNode(node string) error {
	if nodeID(node) == 0 {
		return fmt.Errorf("unknown node %q (have %s)", node, strings.Join(NodeNames, ", "))
	}
	return nil
}

func (c *Cluster) checkService(svc string) error {
	if _, ok := c.sim.specByName(svc); !ok {
		var names []string
		for _, sp := range specs {
			names = append(names, sp.Name)
		}
		return fmt.Errorf("unknown service %q (have %s)", svc, strings.Join(names, ", "))
	}
	return nil
}

// SetPower powers a node on or off directly (as pulling its plug would).
func (c *Cluster) SetPower(node string, on bool) error {
	if err := c.checkNode(node); err != nil {
		return err
	}
	c.sim.mu.Lock()
	defer c.sim.mu.Unlock()
	c.sim.setPower(node, on)
	return nil
}

// StopService kills a service's process on a node (or starts it again).
// On a kolla node, the service is keepalived or haproxy.
func (c *Cluster) StopService(svc, node string, stopped bool) error {
	if slices.Contains(KollaNodes, node) && c.kolla != nil {
		return c.kolla.setDaemon(svc, node, !stopped)
	}
	return c.cellFault(svc, node, func(k cellKey) {
		c.sim.stopped[k] = stopped
		if stopped {
			c.sim.failcounts[k]++
		}
	})
}

// HangEndpoint makes a service's endpoint on a node accept and never answer.
func (c *Cluster) HangEndpoint(svc, node string, hung bool) error {
	return c.cellFault(svc, node, func(k cellKey) { c.sim.hung[k] = hung })
}

// cellFault checks the names, then changes one service-on-node fault under
// the simulation's lock.
func (c *Cluster) cellFault(svc, node string, change func(cellKey)) error {
	if err := c.checkNode(node); err != nil {
		return err
	}
	if err := c.checkService(svc); err != nil {
		return err
	}
	c.sim.mu.Lock()
	defer c.sim.mu.Unlock()
	change(cellKey{svc, node})
	c.sim.replace()
	return nil
}

// CutBMC makes a node's BMC unreachable (or brings it back); fencing it
// through Pacemaker then fails, as it would.
func (c *Cluster) CutBMC(node string, cut bool) error {
	if err := c.checkNode(node); err != nil {
		return err
	}
	c.sim.mu.Lock()
	c.sim.bmcCut[node] = cut
	c.sim.mu.Unlock()
	c.mu.Lock()
	b := c.bmcs[node]
	c.mu.Unlock()
	if b != nil {
		b.cut(cut)
	}
	return nil
}

// Heal undoes every injected fault and powers every node on.
func (c *Cluster) Heal() {
	for _, n := range NodeNames {
		_ = c.CutBMC(n, false)
	}
	if c.kolla != nil {
		c.kolla.heal()
	}
	c.sim.mu.Lock()
	defer c.sim.mu.Unlock()
	c.sim.stopped = map[cellKey]bool{}
	c.sim.hung = map[cellKey]bool{}
	c.sim.st = newStatefulSim()
	for _, n := range NodeNames {
		c.sim.setPower(n, true)
	}
	c.sim.replace()
}

// FaultCommand is one demo palette command.
type FaultCommand struct {
	Name string
	Help string
	Run  func(args []string) (string, error)
}

// FaultCommands lists the demo's fault-injection commands for the console's
// palette (e.g. `:poweroff controller-1`, `:stop keystone controller-1`).
func (c *Cluster) FaultCommands() []FaultCommand {
	node1 := func(f func(string) error, done string) func([]string) (string, error) {
		return func(a []string) (string, error) {
			if len(a) != 1 {
				return "", fmt.Errorf("usage: NODE")
			}
			if err := f(a[0]); err != nil {
				return "", err
			}
			return a[0] + " " + done, nil
		}
	}
	svcNode := func(f func(string, string) error, done string) func([]string) (string, error) {
		return func(a []string) (string, error) {
			if len(a) != 2 {
				return "", fmt.Errorf("usage: SERVICE NODE")
			}
			if err := f(a[0], a[1]); err != nil {
				return "", err
			}
			return a[0] + " on " + a[1] + " " + done, nil
		}
	}
	cmds := []FaultCommand{
		{"poweroff", "demo: pull a node's power (NODE)", node1(func(n string) error { return c.SetPower(n, false) }, "powered off")},
		{"poweron", "demo: power a node back on (NODE)", node1(func(n string) error { return c.SetPower(n, true) }, "powered on")},
		{"cutbmc", "demo: make a node's BMC unreachable (NODE)", node1(func(n string) error { return c.CutBMC(n, true) }, "BMC cut off")},
		{"fixbmc", "demo: reconnect a node's BMC (NODE)", node1(func(n string) error { return c.CutBMC(n, false) }, "BMC reconnected")},
		{"kill", "demo: kill a service on a node (SERVICE NODE)", svcNode(func(s, n string) error { return c.StopService(s, n, true) }, "killed")},
		{"revive", "demo: restart a killed service (SERVICE NODE)", svcNode(func(s, n string) error { return c.StopService(s, n, false) }, "restarted")},
		{"hang", "demo: make an endpoint hang (SERVICE NODE)", svcNode(func(s, n string) error { return c.HangEndpoint(s, n, true) }, "hangs")},
		{"unhang", "demo: make an endpoint answer again (SERVICE NODE)", svcNode(func(s, n string) error { return c.HangEndpoint(s, n, false) }, "answers")},
		{"splitbrain", "demo: drop VRRP between the kolla nodes (every one becomes MASTER)", func([]string) (string, error) {
			c.SplitBrain(true)
			return "VRRP dropped between " + strings.Join(KollaNodes, ", "), nil
		}},
		{"heal", "demo: undo every injected fault", func([]string) (string, error) { c.Heal(); return "demo cluster healed", nil }},
	}
	cmds = append(cmds, c.statefulFaults()...)
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].Name < cmds[j].Name })
	return cmds
}

// SplitBrain drops VRRP between the kolla nodes (or lets it through again).
func (c *Cluster) SplitBrain(split bool) {
	if c.kolla != nil {
		c.kolla.setSplit(split)
	}
}
