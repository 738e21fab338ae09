package cluster

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/config"
)

// statefulCluster is three controllers with a Galera bundle under
// Pacemaker and a RabbitMQ without a service row of its own.
func statefulCluster() *config.Config {
	return &config.Config{Interval: 2 * time.Second, Clusters: []config.Cluster{{
		Name:        "oc",
		Controllers: []config.Controller{{Name: "c0"}, {Name: "c1"}, {Name: "c2"}},
		Pacemaker:   &config.Pacemaker{},
		Services:    []config.Service{{Name: "galera", PacemakerResource: "galera-bundle"}},
		Galera:      &config.Galera{},
		RabbitMQ:    &config.RabbitMQ{},
	}}}
}

func synced(node string) *GaleraStatus {
	return &GaleraStatus{Node: node, Via: "mysql", Answered: true, ClusterStatus: "Primary", LocalState: "Synced",
		ClusterSize: 3, Ready: "ON", Connected: "ON", StateUUID: "aaaaaaaa-1111", LastCommitted: 10}
}

func rabbitOK(node string) *RabbitStatus {
	all := []string{"rabbit@c0", "rabbit@c1", "rabbit@c2"}
	return &RabbitStatus{Node: node, Answered: true, Running: all, Disk: all}
}

// viewOf is a RabbitMQ node that answers and sees only the nodes named.
func viewOf(node string, running ...string) *RabbitStatus {
	r := rabbitOK(node)
	r.Running = nil
	for _, n := range running {
		r.Running = append(r.Running, "rabbit@"+n)
	}
	return r
}

type statefulCase struct {
	name   string
	galera map[string]*GaleraStatus // overrides of the healthy node
	rabbit map[string]*RabbitStatus
	role   map[string]string // Pacemaker role of galera-bundle per node (default Promoted)
	want   []string          // alert texts, each "severity: message part"
	words  map[string]string // galera cell word per node
}

func buildStateful(t *testing.T, tc statefulCase) Cluster {
	t.Helper()
	now := time.Date(2026, 3, 14, 3, 4, 5, 0, time.UTC)
	i := &inputs{in: Inputs{}, now: now}
	var inst []Instance
	for _, n := range []string{"c0", "c1", "c2"} {
		role := RolePromoted
		if r, ok := tc.role[n]; ok {
			role = r
		}
		inst = append(inst, Instance{Node: n, Role: role})
		g, r := synced(n), rabbitOK(n)
		if o, ok := tc.galera[n]; ok {
			g = o
		}
		if o, ok := tc.rabbit[n]; ok {
			r = o
		}
		i.put(KindGalera, n, Result{Galera: g})
		i.put(KindRabbitMQ, n, Result{RabbitMQ: r})
	}
	i.put(KindPacemaker, "pacemaker", Result{Pacemaker: &PacemakerStatus{HasQuorum: true, StonithEnabled: true, DC: "c0",
		Nodes:     []PcmkNode{{Name: "c0", Online: true}, {Name: "c1", Online: true}, {Name: "c2", Online: true}},
		Resources: []Resource{{ID: "galera-bundle", Kind: KindBundle, Instances: inst}}}})
	return Build(statefulCluster(), i.in, now, 1).Clusters[0]
}

func down(node string, seqno int64, safe bool) *GaleraStatus {
	return &GaleraStatus{Node: node, Via: "mysql", Error: "ERROR 2002 (HY000): Can't connect", LastCommitted: -1,
		Grastate: &Grastate{UUID: "aaaaaaaa-1111", Seqno: seqno, SafeToBootstrap: safe}}
}

func TestStatefulAlerts(t *testing.T) {
	t.Parallel()
	desynced := synced("c1")
	desynced.LocalState = "Donor/Desynced"
	isolated := synced("c2")
	isolated.ClusterStatus, isolated.ClusterSize, isolated.LocalState = "non-Primary", 1, "Initialized"
	twoOfThree := func(n string) *GaleraStatus { g := synced(n); g.ClusterSize = 2; return g }
	splitB := synced("c2")
	splitB.StateUUID = "bbbbbbbb-2222"
	minority := rabbitOK("c2")
	minority.Running, minority.Partitions = []string{"rabbit@c2"}, []RabbitPartition{{Node: "rabbit@c2", CutFrom: []string{"rabbit@c0", "rabbit@c1"}}}
	majority := func(n string) *RabbitStatus {
		r := rabbitOK(n)
		r.Running = []string{"rabbit@c0", "rabbit@c1"}
		r.Partitions = []RabbitPartition{{Node: "rabbit@" + n, CutFrom: []string{"rabbit@c2"}}}
		return r
	}
	alarmed := func(n string) *RabbitStatus {
		r := rabbitOK(n)
		r.Alarms = []RabbitAlarm{{Node: "rabbit@c1", Resource: "memory"}}
		return r
	}
	cases := []statefulCase{
		{name: "healthy", words: map[string]string{"c0": "Synced", "c1": "Synced", "c2": "Synced"}},
		{name: "donor", galera: map[string]*GaleraStatus{"c1": desynced},
			want: []string{"warning: galera on c1 is Donor/Desynced, not Synced"}, words: map[string]string{"c1": "Donor/Desynced"}},
		{name: "non-Primary", galera: map[string]*GaleraStatus{"c0": twoOfThree("c0"), "c1": twoOfThree("c1"), "c2": isolated},
			want:  []string{"critical: galera on c2 is non-Primary: it left the Primary Component", "warning: galera cluster size is 2, fewer than the 3 controllers"},
			words: map[string]string{"c2": "non-Primary"}},
		{name: "split UUID", galera: map[string]*GaleraStatus{"c2": splitB},
			want: []string{"critical: galera is split: Primary Components with different state UUIDs (c0, c1 on aaaaaaaa…; c2 on bbbbbbbb…)"}},
		{name: "cross-plane", galera: map[string]*GaleraStatus{"c1": down("c1", 5, false)},
			want: []string{"critical: galera on c1: Pacemaker says Promoted but Galera does not answer (ERROR 2002 (HY000): Can't connect; grastate.dat seqno 5, safe_to_bootstrap 0): the planes disagree"}},
		{name: "down and stopped", role: map[string]string{"c1": RoleStopped}, galera: map[string]*GaleraStatus{"c1": down("c1", 5, false)},
			want: []string{"warning: galera on c1 does not answer"}},
		{name: "full outage, highest seqno", role: map[string]string{"c0": RoleStopped, "c1": RoleStopped, "c2": RoleStopped},
			galera: map[string]*GaleraStatus{"c0": down("c0", 10, false), "c1": down("c1", 12, false), "c2": down("c2", 11, false)},
			want:   []string{"critical: galera is down on every controller: bootstrap from c1 (grastate.dat seqno 12, safe_to_bootstrap 0): first set safe_to_bootstrap: 1 in its grastate.dat, then `pcs resource cleanup galera-bundle`"}},
		{name: "full outage, safe_to_bootstrap wins", role: map[string]string{"c0": RoleStopped, "c1": RoleStopped, "c2": RoleStopped},
			galera: map[string]*GaleraStatus{"c0": down("c0", 10, true), "c1": down("c1", 12, false), "c2": down("c2", 11, false)},
			want:   []string{"critical: galera is down on every controller: bootstrap from c0 (grastate.dat seqno 10, safe_to_bootstrap 1): `pcs resource cleanup galera-bundle`"}},
		{name: "full outage after a crash", role: map[string]string{"c0": RoleStopped, "c1": RoleStopped, "c2": RoleStopped},
			galera: map[string]*GaleraStatus{"c0": down("c0", -1, false), "c1": down("c1", -1, false), "c2": down("c2", -1, false)},
			want:   []string{"critical: galera is down on every controller: no grastate.dat holds a seqno (-1: the nodes crashed)"}},
		{name: "rabbit partition", rabbit: map[string]*RabbitStatus{"c0": majority("c0"), "c1": majority("c1"), "c2": minority},
			want: []string{"critical: rabbitmq is partitioned: sides {rabbit@c0, rabbit@c1} | {rabbit@c2}"}},
		{name: "rabbit cut, sides not met again", rabbit: map[string]*RabbitStatus{"c0": viewOf("c0", "c0", "c1"), "c1": viewOf("c1", "c0", "c1"), "c2": viewOf("c2", "c2")},
			want: []string{"critical: rabbitmq is partitioned: sides {rabbit@c0, rabbit@c1} | {rabbit@c2} (c0 cannot see rabbit@c2; c1 cannot see rabbit@c2; c2 cannot see rabbit@c0, rabbit@c1)"}},
		{name: "rabbit node rejoining: overlapping views are no partition", rabbit: map[string]*RabbitStatus{"c0": viewOf("c0", "c0", "c1")}},
		{name: "rabbit alarm", rabbit: map[string]*RabbitStatus{"c0": alarmed("c0"), "c1": alarmed("c1"), "c2": alarmed("c2")},
			want: []string{"critical: rabbitmq: memory alarm on rabbit@c1: publishers are blocked"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := buildStateful(t, tc)
			var got []string
			for _, a := range c.Alerts {
				if a.Subject == "galera" || a.Subject == "rabbitmq" {
					got = append(got, a.Severity.String()+": "+a.Message)
				}
			}
			if len(tc.want) == 0 && len(got) > 0 {
				t.Errorf("alerts on a healthy plane: %q", got)
			}
			for _, w := range tc.want {
				found := false
				for _, g := range got {
					found = found || strings.HasPrefix(g, w)
				}
				if !found {
					t.Errorf("missing %q in\n%s", w, strings.Join(got, "\n"))
				}
			}
			svc := c.Service("galera")
			for node, word := range tc.words {
				for _, cell := range svc.Cells {
					if cell.Node == node && (cell.Plane == nil || cell.Plane.Word != word) {
						t.Errorf("%s cell on %s: plane %+v, want %q", svc.Name, node, cell.Plane, word)
					}
				}
			}
		})
	}
}

// RabbitMQ has no service in the inventory: it gets a row of its own, and
// a plane that is not OK counts against serving.
func TestStatefulRowAndReport(t *testing.T) {
	t.Parallel()
	c := buildStateful(t, statefulCase{galera: map[string]*GaleraStatus{"c1": down("c1", 5, true)}})
	rmq := c.Service("rabbitmq")
	if rmq == nil || rmq.Serving != 3 || rmq.Expected != 3 || len(rmq.Cells) != 3 || rmq.Cells[0].Plane.Word != PlaneRunning {
		t.Fatalf("rabbitmq row %+v", rmq)
	}
	if g := c.Service("galera"); g.Serving != 2 {
		t.Errorf("galera serving %d, want 2 (c1 does not answer)", g.Serving)
	}
	snap := Snapshot{Clusters: []Cluster{c}}
	data, err := json.Marshal(snap.Report())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"stateful":[{"service":"galera","kind":"galera","nodes":[{"node":"c0","state":"Synced","ok":true`,
		`{"node":"c1","state":"down","ok":false,"stale":false,"detail":"ERROR 2002 (HY000): Can't connect; grastate.dat seqno 5, safe_to_bootstrap 1","seqno":5,"safe_to_bootstrap":true}`,
		`{"service":"rabbitmq","kind":"rabbitmq","nodes":[{"node":"c0","state":"running","ok":true`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("report lacks %s\n%s", want, data)
		}
	}
}

// While a cut lasts, every cell of the rabbitmq row says partitioned.
func TestRabbitCutCellsSayPartitioned(t *testing.T) {
	t.Parallel()
	c := buildStateful(t, statefulCase{rabbit: map[string]*RabbitStatus{"c0": viewOf("c0", "c0", "c1"), "c1": viewOf("c1", "c0", "c1"), "c2": viewOf("c2", "c2")}})
	for _, cell := range c.Service("rabbitmq").Cells {
		if cell.Plane == nil || cell.Plane.Word != PlanePartitioned {
			t.Errorf("rabbitmq cell on %s: %+v, want %q", cell.Node, cell.Plane, PlanePartitioned)
		}
	}
}
