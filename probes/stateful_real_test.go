package probes

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/internal/testpeers"
	"github.com/hacon/hacon/remote"
)

func pollReal(t *testing.T, cl *config.Cluster, kind cluster.SourceKind) cluster.Result {
	t.Helper()
	tg := statefulTarget(t, cl, kind, remote.ExecRunner{})
	tg.Timeout = 15 * time.Second
	return DefaultProbers().Poll(context.Background(), tg)
}

// A real single-node Galera: Synced and Primary through the mysql client
// with a defaults file, then with a password sent on stdin over TCP; after
// a clean stop, down with grastate.dat's seqno and safe_to_bootstrap.
func TestGaleraProbeAgainstRealMariaDB(t *testing.T) {
	t.Parallel()
	g := testpeers.StartGalera(t)
	ctl := []config.Controller{{Name: "c0"}, {Name: "c1"}}
	viaSocket := &config.Cluster{Name: "a", Controllers: ctl, Galera: &config.Galera{DefaultsFile: g.OptionFile, GrastateFile: g.Datadir + "/grastate.dat"}}
	r := pollReal(t, viaSocket, cluster.KindGalera)
	st := r.Galera
	if r.Err != "" || st == nil || !st.Answered || st.ClusterStatus != "Primary" || st.LocalState != "Synced" || st.ClusterSize != 1 ||
		st.Ready != "ON" || st.Connected != "ON" || len(st.StateUUID) != 36 {
		t.Fatalf("via socket: %+v %+v", r, st)
	}
	g.SQL(t, `CREATE USER 'hacon'@'127.0.0.1' IDENTIFIED BY 'p"w\\x y'; GRANT USAGE ON *.* TO 'hacon'@'127.0.0.1'`)
	pwFile := filepath.Join(t.TempDir(), "galera.pw")
	writePW := func(pw string) {
		if err := os.WriteFile(pwFile, []byte(pw+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writePW(`p"w\x y`)
	viaTCP := &config.Cluster{Name: "a", Controllers: ctl, Galera: &config.Galera{
		Command: []string{"mysql", "--host=127.0.0.1", "--port=" + strconv.Itoa(g.Port)}, User: "hacon", PasswordFile: pwFile}}
	if r := pollReal(t, viaTCP, cluster.KindGalera); r.Err != "" || r.Galera == nil || r.Galera.LocalState != "Synced" {
		t.Fatalf("password on stdin: %+v %+v", r, r.Galera)
	}
	writePW("wrong")
	if r := pollReal(t, viaTCP, cluster.KindGalera); !strings.Contains(r.Err, "refused hacon's credentials") {
		t.Errorf("wrong password: %+v", r)
	}
	g.Stop(t)
	r = pollReal(t, viaSocket, cluster.KindGalera)
	st = r.Galera
	if r.Err != "" || st == nil || st.Answered || st.Grastate == nil || st.Grastate.Error != "" || st.Grastate.Seqno < 0 || !st.Grastate.SafeToBootstrap {
		t.Fatalf("stopped: %+v %+v", r, st)
	}
	if !strings.Contains(st.Error, "ERROR 2002") {
		t.Errorf("stopped: client error %q", st.Error)
	}
}

// A real RabbitMQ node: running, then a memory alarm, then down.
func TestRabbitProbeAgainstRealRabbitMQ(t *testing.T) {
	t.Parallel()
	rq := testpeers.StartRabbitMQ(t)
	cl := &config.Cluster{Name: "a", Controllers: []config.Controller{{Name: "c0"}, {Name: "c1"}}, RabbitMQ: &config.RabbitMQ{Command: rq.CtlArgv()}}
	r := pollReal(t, cl, cluster.KindRabbitMQ)
	if r.Err != "" || r.RabbitMQ == nil || !r.RabbitMQ.Answered || len(r.RabbitMQ.Running) != 1 || r.RabbitMQ.Running[0] != rq.Node || len(r.RabbitMQ.Alarms) != 0 {
		t.Fatalf("running: %+v %+v", r, r.RabbitMQ)
	}
	rq.Ctl(t, "set_vm_memory_high_watermark", "0.00001")
	deadline := time.Now().Add(15 * time.Second)
	for {
		r = pollReal(t, cl, cluster.KindRabbitMQ)
		if r.RabbitMQ != nil && len(r.RabbitMQ.Alarms) == 1 && r.RabbitMQ.Alarms[0].Resource == "memory" && r.RabbitMQ.Alarms[0].Node == rq.Node {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("memory alarm not seen: %+v %+v", r, r.RabbitMQ)
		}
		time.Sleep(200 * time.Millisecond)
	}
	rq.Stop(t)
	r = pollReal(t, cl, cluster.KindRabbitMQ)
	if r.Err != "" || r.RabbitMQ == nil || r.RabbitMQ.Answered || !strings.Contains(r.RabbitMQ.Error, "not running") {
		t.Fatalf("stopped: %+v %+v", r, r.RabbitMQ)
	}
}
