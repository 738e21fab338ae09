package testpeers

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Galera is a real single-node MariaDB Galera cluster (wsrep on,
// gcomm://) on loopback, with its own datadir, socket and ports.
type Galera struct {
	Dir, Datadir, Socket string
	Port                 int    // TCP port of the SQL listener on 127.0.0.1
	OptionFile           string // [client] socket and user=root, for the client
	cmd                  *exec.Cmd
	done                 chan struct{}
}

// GaleraProvider is Debian's galera-4 library.
const GaleraProvider = "/usr/lib/galera/libgalera_smm.so"

// RequireGalera skips without mariadb-server and galera-4, except in CI
// where they must exist.
func RequireGalera(t testing.TB) (mariadbd, installDB string) {
	t.Helper()
	mariadbd, err1 := exec.LookPath("/usr/sbin/mariadbd")
	installDB, err2 := exec.LookPath("mariadb-install-db")
	_, err3 := os.Stat(GaleraProvider)
	_, err4 := exec.LookPath("mysql")
	if err1 == nil && err2 == nil && err3 == nil && err4 == nil {
		return mariadbd, installDB
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("mariadb-server or galera-4 not installed (CI=true): apt-get install -y mariadb-server galera-4")
	}
	t.Skip("mariadb-server or galera-4 not installed")
	return "", ""
}

// FreePort returns a TCP port on 127.0.0.1 nobody listens on now.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// StartGalera initialises a datadir and starts mariadbd with wsrep on as a
// one-node cluster; it is stopped at cleanup.
func StartGalera(t testing.TB) *Galera {
	t.Helper()
	mariadbd, installDB := RequireGalera(t)
	dir := t.TempDir()
	g := &Galera{Dir: dir, Datadir: filepath.Join(dir, "data"), Socket: filepath.Join(dir, "mysqld.sock"), Port: FreePort(t), done: make(chan struct{})}
	self := "root"
	if u, err := user.Current(); err == nil {
		self = u.Username
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, installDB, "--no-defaults", "--datadir="+g.Datadir, "--user="+self,
		"--auth-root-authentication-method=socket", "--skip-test-db").CombinedOutput(); err != nil {
		t.Fatalf("mariadb-install-db: %v\n%s", err, out)
	}
	g.OptionFile = filepath.Join(dir, "client.cnf")
	if err := os.WriteFile(g.OptionFile, []byte(fmt.Sprintf("[client]\nsocket=%s\nuser=%s\n", g.Socket, self)), 0o600); err != nil {
		t.Fatal(err)
	}
	// A free port can be taken by a parallel test before mariadbd binds
	// it: then again, on other ports.
	for attempt := 1; !g.start(t, mariadbd, self); attempt++ {
		if attempt == 3 {
			t.Fatal("mariadbd: its ports were taken three times in a row")
		}
		g.Port, g.done = FreePort(t), make(chan struct{})
	}
	return g
}

// start runs mariadbd until it is Synced; false when a port it was given
// was taken before it could bind (it has exited).
func (g *Galera) start(t testing.TB, mariadbd, self string) bool {
	t.Helper()
	gcomm := FreePort(t)
	g.cmd = exec.Command(mariadbd, "--no-defaults", "--user="+self, "--datadir="+g.Datadir, "--socket="+g.Socket,
		"--bind-address=127.0.0.1", "--port="+strconv.Itoa(g.Port), "--pid-file="+filepath.Join(g.Dir, "mysqld.pid"),
		"--log-error="+filepath.Join(g.Dir, "error.log"), "--innodb-buffer-pool-size=16M", "--performance-schema=OFF",
		"--wsrep-on=ON", "--wsrep-provider="+GaleraProvider, "--wsrep-cluster-address=gcomm://",
		"--binlog-format=ROW", "--wsrep-node-address=127.0.0.1",
		fmt.Sprintf("--wsrep-provider-options=gmcast.listen_addr=tcp://127.0.0.1:%d;base_port=%d", gcomm, FreePort(t)))
	// Pdeathsig: a test binary that dies (a timeout, a panic) takes its server along.
	g.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := g.cmd.Start(); err != nil {
		t.Fatalf("start mariadbd: %v", err)
	}
	go func() { _ = g.cmd.Wait(); close(g.done) }()
	t.Cleanup(func() { g.Stop(t) })
	deadline := time.Now().Add(20 * time.Second)
	for {
		if g.synced() {
			return true
		}
		select {
		case <-g.done:
			log, _ := os.ReadFile(filepath.Join(g.Dir, "error.log"))
			if bytes.Contains(log, []byte("Address already in use")) {
				_ = os.Remove(filepath.Join(g.Dir, "error.log"))
				return false
			}
			t.Fatalf("mariadbd exited early:\n%s", log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("mariadbd socket %s not ready", g.Socket)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// synced reports whether the node accepts queries as a Synced member: the
// socket opens while it is still joining its one-node cluster.
func (g *Galera) synced() bool {
	c, err := net.Dial("unix", g.Socket)
	if err != nil {
		return false
	}
	c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "mysql", "--defaults-file="+g.OptionFile, "--batch", "--skip-column-names",
		"-e", "SHOW GLOBAL STATUS LIKE 'wsrep_local_state_comment'").Output()
	return err == nil && strings.Contains(string(out), "Synced")
}

// SQL runs statements as root through the socket: the test's own hand on
// the server, not hacon's.
func (g *Galera) SQL(t testing.TB, sql string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "mysql", "--defaults-file="+g.OptionFile, "--batch", "--skip-column-names", "-e", sql).CombinedOutput()
	if err != nil {
		t.Fatalf("mysql -e %q: %v\n%s", sql, err, out)
	}
	return string(out)
}

// PGID is the process group of the server, for measuring its CPU.
func (g *Galera) PGID() int { return g.cmd.Process.Pid }

// Stop shuts the server down cleanly (SIGTERM), as a service stop does, so
// grastate.dat records its seqno.
func (g *Galera) Stop(t testing.TB) {
	select {
	case <-g.done:
		return
	default:
	}
	_ = g.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-g.done:
	case <-time.After(20 * time.Second):
		_ = syscall.Kill(-g.cmd.Process.Pid, syscall.SIGKILL)
		<-g.done
		t.Errorf("mariadbd did not stop on SIGTERM within 20s")
	}
}
