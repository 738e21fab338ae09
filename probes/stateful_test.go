package probes

import (
	"context"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/remote"
)

const wsrepSynced = "wsrep_last_committed\t42\nwsrep_cluster_size\t3\nwsrep_cluster_state_uuid\t463621a9-ecf3-11f1-89f2-275127aeaa31\n" +
	"wsrep_cluster_status\tPrimary\nwsrep_connected\tON\nwsrep_local_state_comment\tSynced\nwsrep_ready\tON\n"

func TestParseWsrepStatus(t *testing.T) {
	t.Parallel()
	var st cluster.GaleraStatus
	if err := ParseWsrepStatus(strings.NewReader(wsrepSynced), &st); err != nil {
		t.Fatal(err)
	}
	want := cluster.GaleraStatus{ClusterStatus: "Primary", LocalState: "Synced", ClusterSize: 3, Ready: "ON", Connected: "ON",
		StateUUID: "463621a9-ecf3-11f1-89f2-275127aeaa31", LastCommitted: 42}
	if !reflect.DeepEqual(st, want) {
		t.Errorf("got %+v\nwant %+v", st, want)
	}
	st = cluster.GaleraStatus{}
	if err := ParseWsrepStatus(strings.NewReader(""), &st); err != nil || !st.WsrepOff {
		t.Errorf("a MariaDB without wsrep: %+v %v", st, err)
	}
	if err := ParseWsrepStatus(strings.NewReader(strings.Repeat("x\ty\n", maxStatusLines+1)), &st); err == nil {
		t.Error("endless status accepted")
	}
}

func TestParseGrastate(t *testing.T) {
	t.Parallel()
	gs, err := ParseGrastate(strings.NewReader("# GALERA saved state\nversion: 2.1\nuuid:    463621a9-ecf3-11f1-89f2-275127aeaa31\nseqno:   1234\nsafe_to_bootstrap: 1\n"))
	if err != nil || gs.Seqno != 1234 || !gs.SafeToBootstrap || gs.UUID != "463621a9-ecf3-11f1-89f2-275127aeaa31" {
		t.Errorf("got %+v %v", gs, err)
	}
	gs, err = ParseGrastate(strings.NewReader("seqno:   -1\nsafe_to_bootstrap: 0\n"))
	if err != nil || gs.Seqno != -1 || gs.SafeToBootstrap {
		t.Errorf("crashed node: %+v %v", gs, err)
	}
	for _, bad := range []string{"", "seqno: many\n", "seqno: -7\n"} {
		if _, err := ParseGrastate(strings.NewReader(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParseRabbitClusterStatus(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/rabbitmq-3.10-cluster_status.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var st cluster.RabbitStatus
	if err := ParseRabbitClusterStatus(f, &st); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(st.Running, []string{"hacon-t1@localhost"}) || len(st.Partitions) != 0 || len(st.Alarms) != 0 {
		t.Errorf("got %+v", st)
	}
	st = cluster.RabbitStatus{}
	doc := `{"running_nodes":["rabbit@c0","rabbit@c1"],"disk_nodes":["rabbit@c0","rabbit@c1","rabbit@c2"],` +
		`"partitions":{"rabbit@c1":["rabbit@c2"],"rabbit@c0":["rabbit@c2"]},` +
		`"alarms":[{"node":"rabbit@c1","resource":"memory","type":"resource_limit"}]}`
	if err := ParseRabbitClusterStatus(strings.NewReader(doc), &st); err != nil {
		t.Fatal(err)
	}
	wantP := []cluster.RabbitPartition{{Node: "rabbit@c0", CutFrom: []string{"rabbit@c2"}}, {Node: "rabbit@c1", CutFrom: []string{"rabbit@c2"}}}
	if !reflect.DeepEqual(st.Partitions, wantP) || !reflect.DeepEqual(st.Alarms, []cluster.RabbitAlarm{{Node: "rabbit@c1", Resource: "memory"}}) {
		t.Errorf("partitions %+v alarms %+v", st.Partitions, st.Alarms)
	}
	for _, bad := range []string{"", "{}", "not json", `{"running_nodes":["a"],"partitions":"x"}`} {
		if err := ParseRabbitClusterStatus(strings.NewReader(bad), &cluster.RabbitStatus{}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// fakeInputRunner answers by the argv's program and records argv and stdin.
type fakeInputRunner struct {
	mu     sync.Mutex
	argv   [][]string
	stdin  [][]byte
	answer func(argv []string) ([]byte, []byte, error)
}

func (f *fakeInputRunner) Run(ctx context.Context, argv []string) ([]byte, []byte, error) {
	return f.RunInput(ctx, argv, nil)
}

func (f *fakeInputRunner) RunInput(_ context.Context, argv []string, stdin []byte) ([]byte, []byte, error) {
	f.mu.Lock()
	f.argv, f.stdin = append(f.argv, argv), append(f.stdin, stdin)
	f.mu.Unlock()
	return f.answer(argv)
}

func statefulTarget(t *testing.T, cl *config.Cluster, kind cluster.SourceKind, r remote.Runner) *Target {
	t.Helper()
	cfg := &config.Config{Clusters: []config.Cluster{*cl}}
	ts, err := Targets(cfg, &Deps{Runner: r})
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range ts {
		if tg.ID.Kind == kind && tg.ID.Name == "c1" {
			tg.Timeout = 5 * time.Second
			return tg
		}
	}
	t.Fatalf("no %s target for c1 in %d targets", kind, len(ts))
	return nil
}

func TestGaleraProbeSendsThePasswordOnStdinOnly(t *testing.T) {
	t.Setenv("HACON_TEST_DB_PW", `p"w\x`)
	f := &fakeInputRunner{answer: func([]string) ([]byte, []byte, error) { return []byte(wsrepSynced), nil, nil }}
	cl := &config.Cluster{Name: "a", Controllers: []config.Controller{{Name: "c0"}, {Name: "c1"}},
		Pacemaker: &config.Pacemaker{Command: []string{"ssh", "{{.Name}}", "sudo"}},
		Galera:    &config.Galera{Command: []string{"podman", "exec", "-i", "galera-bundle-podman-{{.Index}}", "mysql"}, User: "monitor", PasswordEnv: "HACON_TEST_DB_PW"}}
	r := DefaultProbers().Poll(context.Background(), statefulTarget(t, cl, cluster.KindGalera, f))
	if r.Err != "" || r.Galera == nil || !r.Galera.Answered || r.Galera.LocalState != "Synced" {
		t.Fatalf("result %+v", r)
	}
	want := "ssh c1 sudo podman exec -i galera-bundle-podman-1 mysql --defaults-extra-file=/dev/stdin --user=monitor"
	if got := strings.Join(f.argv[0], " "); got != want {
		t.Errorf("argv\n%s\nwant\n%s", got, want)
	}
	if in := string(f.stdin[0]); !strings.Contains(in, `password="p\"w\\x"`) || !strings.Contains(in, "execute="+galeraQuery) {
		t.Errorf("stdin %q", in)
	}
}

func TestGaleraDownReadsGrastate(t *testing.T) {
	t.Parallel()
	f := &fakeInputRunner{answer: func(argv []string) ([]byte, []byte, error) {
		if argv[len(argv)-2] == "cat" {
			return []byte("uuid: 4636\nseqno: 77\nsafe_to_bootstrap: 0\n"), nil, nil
		}
		msg := "ERROR 2002 (HY000): Can't connect to local server through socket '/run/mysqld/mysqld.sock' (2)"
		return nil, []byte(msg), &remote.ExitError{Argv: argv, Code: 1, Stderr: msg}
	}}
	cl := &config.Cluster{Name: "a", Controllers: []config.Controller{{Name: "c0"}, {Name: "c1"}}, Galera: &config.Galera{DefaultsFile: "/root/.my.cnf"}}
	r := DefaultProbers().Poll(context.Background(), statefulTarget(t, cl, cluster.KindGalera, f))
	g := r.Galera
	if r.Err != "" || g == nil || g.Answered || !strings.HasPrefix(g.Error, "ERROR 2002") || g.Grastate == nil || g.Grastate.Seqno != 77 {
		t.Fatalf("result %+v galera %+v", r, g)
	}
	if got := strings.Join(f.argv[0], " "); got != "mysql --defaults-extra-file=/root/.my.cnf --batch --skip-column-names" {
		t.Errorf("argv %q", got)
	}
	if got := strings.Join(f.argv[1], " "); got != "cat "+config.DefaultGrastateFile {
		t.Errorf("grastate argv %q", got)
	}
	if string(f.stdin[0]) != galeraQuery+";\n" {
		t.Errorf("stdin %q", f.stdin[0])
	}
}

func TestRefusedCredentialsAreTheSourcesFailure(t *testing.T) {
	t.Parallel()
	msg := "ERROR 1045 (28000): Access denied for user 'monitor'@'localhost' (using password: YES)"
	f := &fakeInputRunner{answer: func(argv []string) ([]byte, []byte, error) {
		return nil, []byte(msg), &remote.ExitError{Argv: argv, Code: 1, Stderr: msg}
	}}
	cl := &config.Cluster{Name: "a", Controllers: []config.Controller{{Name: "c0"}, {Name: "c1"}}, Galera: &config.Galera{}}
	r := DefaultProbers().Poll(context.Background(), statefulTarget(t, cl, cluster.KindGalera, f))
	if r.Galera != nil || !strings.Contains(r.Err, "refused hacon's credentials") || len(f.argv) != 1 {
		t.Errorf("result %+v after %d commands", r, len(f.argv))
	}
}

func TestRabbitProbeNodeDownAndHostileNames(t *testing.T) {
	t.Parallel()
	down := true
	f := &fakeInputRunner{answer: func(argv []string) ([]byte, []byte, error) {
		if down {
			msg := "Error: unable to perform an operation on node 'rabbit@c1'.\n  * epmd reports: node 'rabbit' not running at all\n"
			return nil, []byte(msg), &remote.ExitError{Argv: argv, Code: 69, Stderr: msg}
		}
		return []byte(`{"running_nodes":["rabbit@c1\u001b[2J"],"disk_nodes":[],"partitions":{},"alarms":[{"node":"rabbit@c1","resource":"disk\u0007"}]}`), nil, nil
	}}
	cl := &config.Cluster{Name: "a", Controllers: []config.Controller{{Name: "c0"}, {Name: "c1"}},
		RabbitMQ: &config.RabbitMQ{Command: []string{"docker", "exec", "rabbitmq", "rabbitmqctl"}}}
	tg := statefulTarget(t, cl, cluster.KindRabbitMQ, f)
	r := DefaultProbers().Poll(context.Background(), tg)
	if r.Err != "" || r.RabbitMQ == nil || r.RabbitMQ.Answered || r.RabbitMQ.Error != "epmd reports: node 'rabbit' not running at all" {
		t.Fatalf("down: %+v %+v", r, r.RabbitMQ)
	}
	// The target's 5 s timeout, less the Erlang VM's start: rabbitmqctl
	// gives up on the controller too.
	if got := strings.Join(f.argv[0], " "); got != "docker exec rabbitmq rabbitmqctl cluster_status --formatter json --timeout 3" {
		t.Errorf("argv %q", got)
	}
	down = false
	r = DefaultProbers().Poll(context.Background(), tg)
	if r.RabbitMQ == nil || !r.RabbitMQ.Answered || strings.ContainsAny(r.RabbitMQ.Running[0]+r.RabbitMQ.Alarms[0].Resource, "\x1b\x07") {
		t.Errorf("hostile names not cleaned: %+v", r.RabbitMQ)
	}
}

// A node waiting on a peer it cannot reach answers rabbitmqctl's timeout
// with exit 75: the probe fails (the node is not down).
func TestRabbitProbeTimeoutOnTheControllerIsNotDown(t *testing.T) {
	t.Parallel()
	f := &fakeInputRunner{answer: func(argv []string) ([]byte, []byte, error) {
		msg := "Error: operation cluster_status on node rabbit@c1 timed out. Timeout value used: 3000\n"
		return nil, []byte(msg), &remote.ExitError{Argv: argv, Code: 75, Stderr: msg}
	}}
	cl := &config.Cluster{Name: "a", Controllers: []config.Controller{{Name: "c0"}, {Name: "c1"}}, RabbitMQ: &config.RabbitMQ{}}
	r := DefaultProbers().Poll(context.Background(), statefulTarget(t, cl, cluster.KindRabbitMQ, f))
	if r.RabbitMQ != nil || !strings.Contains(r.Err, "timed out on the controller") {
		t.Errorf("exit 75: %+v %+v", r, r.RabbitMQ)
	}
}

func FuzzParseWsrepStatus(f *testing.F) {
	f.Add([]byte(wsrepSynced))
	f.Add([]byte("wsrep_cluster_size\t-3\nwsrep_ready\n\t\t"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var st cluster.GaleraStatus
		if err := ParseWsrepStatus(strings.NewReader(string(data)), &st); err == nil && st.ClusterSize < 0 {
			t.Errorf("negative size %d", st.ClusterSize)
		}
	})
}

func FuzzParseGrastate(f *testing.F) {
	f.Add([]byte("uuid: x\nseqno: 12\nsafe_to_bootstrap: 1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		gs, err := ParseGrastate(strings.NewReader(string(data)))
		if err == nil && gs.Seqno < -1 {
			t.Errorf("seqno %d", gs.Seqno)
		}
	})
}

func FuzzParseRabbitClusterStatus(f *testing.F) {
	data, _ := os.ReadFile("testdata/rabbitmq-3.10-cluster_status.json")
	f.Add(data)
	f.Add([]byte(`{"running_nodes":[],"partitions":[{"node":"a","partitions":["b"]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var st cluster.RabbitStatus
		if err := ParseRabbitClusterStatus(strings.NewReader(string(data)), &st); err == nil {
			if len(st.Running) > maxRabbitNodes || len(st.Partitions) > maxRabbitNodes {
				t.Errorf("unbounded lists: %d %d", len(st.Running), len(st.Partitions))
			}
		}
	})
}

// rabbitmqctl starts an Erlang VM per run: it is polled every 10 s unless
// the config says otherwise, with a timeout of 75% of that.
func TestRabbitMQPolledSlowerByDefault(t *testing.T) {
	t.Parallel()
	cl := config.Cluster{Name: "a", Controllers: []config.Controller{{Name: "c0"}}, RabbitMQ: &config.RabbitMQ{}, Galera: &config.Galera{}}
	ts, err := Targets(&config.Config{Interval: 2 * time.Second, Clusters: []config.Cluster{cl}}, &Deps{})
	if err != nil || len(ts) != 2 {
		t.Fatalf("%d targets, %v", len(ts), err)
	}
	for _, tg := range ts {
		want := 2 * time.Second
		if tg.ID.Kind == cluster.KindRabbitMQ {
			want = config.DefaultRabbitMQInterval
		}
		if tg.Interval != want || tg.Timeout != want*3/4 {
			t.Errorf("%s: interval %v timeout %v, want %v and 3/4 of it", tg.ID, tg.Interval, tg.Timeout, want)
		}
	}
}
