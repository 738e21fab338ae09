package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hacon/hacon/remote"
)

// The demo's stateful plane: a Galera node and a RabbitMQ node on every
// controller, answering the mysql client and rabbitmqctl as the real ones
// print, so hacon's own probes and parsers read them.

// statefulSim is what the faults change; it lives under sim.mu.
type statefulSim struct {
	desynced    map[string]bool // Galera node is a donor (Donor/Desynced)
	partitioned bool            // RabbitMQ: the last node is cut off from the others
	alarm       map[string]bool // RabbitMQ memory alarm on a node
	seqno       map[string]int64
}

func newStatefulSim() statefulSim {
	st := statefulSim{desynced: map[string]bool{}, alarm: map[string]bool{}, seqno: map[string]int64{}}
	for i, n := range NodeNames {
		st.seqno[n] = 4711 + int64(i) // what grastate.dat says once the server stops
	}
	return st
}

const demoStateUUID = "5f2c9c36-7a1e-11ee-9d0e-0242ac120002"

// up reports whether svc's process runs on node (powered and not killed).
func (s *sim) up(svc, node string) bool {
	return s.powered[node] && !s.stopped[cellKey{svc, node}]
}

// galeraAnswer answers `mysql …` with the wsrep status, or the client's
// error when the server is down. Called with s.mu held.
func (s *sim) galeraAnswer(argv []string, node string) ([]byte, []byte, error) {
	if !s.up("galera", node) {
		return fail(argv, 1, "ERROR 2002 (HY000): Can't connect to local server through socket '/var/lib/mysql/mysql.sock' (2)")
	}
	size := 0
	for _, n := range NodeNames {
		if s.up("galera", n) {
			size++
		}
	}
	status, state := "Primary", "Synced"
	if size*2 <= len(NodeNames) {
		status, state = "non-Primary", "Initialized" // a minority left alone loses the Primary Component
	}
	if s.st.desynced[node] {
		state = "Donor/Desynced"
	}
	out := fmt.Sprintf("wsrep_last_committed\t%d\nwsrep_cluster_size\t%d\nwsrep_cluster_state_uuid\t%s\n"+
		"wsrep_cluster_status\t%s\nwsrep_connected\tON\nwsrep_local_state_comment\t%s\nwsrep_ready\tON\n",
		s.st.seqno[node], size, demoStateUUID, status, state)
	return []byte(out), nil, nil
}

// grastate answers `cat …/grastate.dat`.
func (s *sim) grastate(node string) ([]byte, []byte, error) {
	safe := 0
	if s.st.seqno[node] == s.maxSeqno() {
		safe = 1
	}
	return []byte(fmt.Sprintf("# GALERA saved state\nversion: 2.1\nuuid:    %s\nseqno:   %d\nsafe_to_bootstrap: %d\n", demoStateUUID, s.st.seqno[node], safe)), nil, nil
}

func (s *sim) maxSeqno() int64 {
	var m int64
	for _, v := range s.st.seqno {
		m = max(m, v)
	}
	return m
}

// rabbitAnswer answers `rabbitmqctl cluster_status --formatter json`.
func (s *sim) rabbitAnswer(argv []string, node string) ([]byte, []byte, error) {
	if !s.up("rabbitmq", node) {
		return fail(argv, 69, "Error: unable to perform an operation on node 'rabbit@"+node+"'.\n  * epmd reports: node 'rabbit' not running at all")
	}
	rn := func(n string) string { return "rabbit@" + n }
	last := NodeNames[len(NodeNames)-1]
	var running, disk []string
	partitions := map[string][]string{}
	for _, n := range NodeNames {
		disk = append(disk, rn(n))
		sameSide := !s.st.partitioned || (n == last) == (node == last)
		if s.up("rabbitmq", n) && sameSide {
			running = append(running, rn(n))
		}
		if s.st.partitioned && !sameSide && s.up("rabbitmq", n) {
			partitions[rn(node)] = append(partitions[rn(node)], rn(n))
		}
	}
	alarms := []map[string]string{}
	for _, n := range NodeNames {
		if s.st.alarm[n] && s.up("rabbitmq", n) {
			alarms = append(alarms, map[string]string{"node": rn(n), "resource": "memory", "type": "resource_limit"})
		}
	}
	doc, _ := json.Marshal(map[string]any{"running_nodes": running, "disk_nodes": disk, "ram_nodes": []string{},
		"partitions": partitions, "alarms": alarms, "cluster_name": "rabbit@" + NodeNames[0]})
	return doc, nil, nil
}

// statefulCommand returns the answer to a stateful plane's command, or
// nil when args is not one. Called with s.mu held.
func (s *sim) statefulCommand(argv, args []string, node string) func() ([]byte, []byte, error) {
	switch {
	case args[0] == "mysql":
		return func() ([]byte, []byte, error) { return s.galeraAnswer(argv, node) }
	case args[0] == "cat" && len(args) == 2 && strings.HasSuffix(args[1], "/grastate.dat"):
		return func() ([]byte, []byte, error) { return s.grastate(node) }
	case args[0] == "rabbitmqctl" && has(args, "cluster_status"):
		return func() ([]byte, []byte, error) { return s.rabbitAnswer(argv, node) }
	}
	return nil
}

var _ remote.InputRunner = Runner{}

// RunInput implements remote.InputRunner: the demo's mysql does not read
// its query, it knows what hacon asks.
func (r Runner) RunInput(ctx context.Context, argv []string, _ []byte) ([]byte, []byte, error) {
	return r.Run(ctx, argv)
}

// Desync makes the Galera node on node a donor (Donor/Desynced), or Synced
// again.
func (c *Cluster) Desync(svc, node string, on bool) error {
	if svc != "galera" {
		return fmt.Errorf("only galera desyncs (got %q)", svc)
	}
	if err := c.checkNode(node); err != nil {
		return err
	}
	c.sim.mu.Lock()
	defer c.sim.mu.Unlock()
	c.sim.st.desynced[node] = on
	return nil
}

// Partition cuts the last controller's RabbitMQ off from the others (or
// heals it).
func (c *Cluster) Partition(svc string, on bool) error {
	if svc != "rabbitmq" {
		return fmt.Errorf("only rabbitmq partitions (got %q)", svc)
	}
	c.sim.mu.Lock()
	defer c.sim.mu.Unlock()
	c.sim.st.partitioned = on
	return nil
}

// Alarm sets (or clears) a RabbitMQ memory alarm on node.
func (c *Cluster) Alarm(svc, node string, on bool) error {
	if svc != "rabbitmq" {
		return fmt.Errorf("only rabbitmq raises alarms (got %q)", svc)
	}
	if err := c.checkNode(node); err != nil {
		return err
	}
	c.sim.mu.Lock()
	defer c.sim.mu.Unlock()
	c.sim.st.alarm[node] = on
	return nil
}

// statefulFaults are the palette commands of the stateful plane.
func (c *Cluster) statefulFaults() []FaultCommand {
	svcNode := func(f func(string, string, bool) error, on bool, done string) func([]string) (string, error) {
		return func(a []string) (string, error) {
			if len(a) != 2 {
				return "", fmt.Errorf("usage: SERVICE NODE")
			}
			if err := f(a[0], a[1], on); err != nil {
				return "", err
			}
			return a[0] + " on " + a[1] + " " + done, nil
		}
	}
	part := func(on bool, done string) func([]string) (string, error) {
		return func(a []string) (string, error) {
			if len(a) != 1 {
				return "", fmt.Errorf("usage: SERVICE")
			}
			if err := c.Partition(a[0], on); err != nil {
				return "", err
			}
			return a[0] + " " + done, nil
		}
	}
	return []FaultCommand{
		{"desync", "demo: make a Galera node a donor (galera NODE)", svcNode(c.Desync, true, "desynced (Donor)")},
		{"resync", "demo: make a Galera node Synced again (galera NODE)", svcNode(c.Desync, false, "Synced")},
		{"partition", "demo: cut the last controller's RabbitMQ off (rabbitmq)", part(true, "partitioned")},
		{"unpartition", "demo: heal the RabbitMQ partition (rabbitmq)", part(false, "healed")},
		{"alarm", "demo: raise a RabbitMQ memory alarm (rabbitmq NODE)", svcNode(c.Alarm, true, "memory alarm raised")},
		{"clearalarm", "demo: clear a RabbitMQ memory alarm (rabbitmq NODE)", svcNode(c.Alarm, false, "memory alarm cleared")},
	}
}
