package testpeers

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// RabbitMQ is a real single RabbitMQ node on loopback with its own epmd,
// node name, cookie, data and log directories.
type RabbitMQ struct {
	Dir      string
	Node     string   // e.g. hacon-1234-0@localhost
	Env      []string // what rabbitmqctl needs to reach the node (HOME for the cookie, ERL_EPMD_PORT)
	CtlPath  string   // rabbitmqctl without Debian's su wrapper
	server   *exec.Cmd
	epmd     *exec.Cmd
	done     chan struct{}
	epmdDone chan struct{}
}

// RabbitBin is where Debian keeps RabbitMQ's scripts without the wrapper
// that switches to the rabbitmq user (it could not read a test's tempdir).
const RabbitBin = "/usr/lib/rabbitmq/bin"

// RequireRabbitMQ skips without rabbitmq-server, except in CI where it
// must exist.
func RequireRabbitMQ(t testing.TB) {
	t.Helper()
	_, err1 := os.Stat(filepath.Join(RabbitBin, "rabbitmq-server"))
	_, err2 := exec.LookPath("epmd")
	if err1 == nil && err2 == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("rabbitmq-server not installed (CI=true): apt-get install -y rabbitmq-server")
	}
	t.Skip("rabbitmq-server not installed")
}

// StartRabbitMQ starts epmd and a RabbitMQ node on free loopback ports and
// waits until it runs; both stop at cleanup. A free port can be taken by a
// parallel test before the node binds it, so a node that dies while
// starting is tried once more on other ports.
func StartRabbitMQ(t testing.TB) *RabbitMQ {
	t.Helper()
	RequireRabbitMQ(t)
	for attempt := 1; ; attempt++ {
		r, err := startRabbitOnce(t)
		if err == nil {
			return r
		}
		if attempt == 2 {
			t.Fatal(err)
		}
		t.Logf("%v; trying other ports", err)
	}
}

func startRabbitOnce(t testing.TB) (*RabbitMQ, error) {
	dir := t.TempDir()
	r := &RabbitMQ{Dir: dir, CtlPath: filepath.Join(RabbitBin, "rabbitmqctl"), done: make(chan struct{}), epmdDone: make(chan struct{}),
		Node: fmt.Sprintf("hacon-%d-%d@localhost", os.Getpid(), time.Now().UnixNano()%1e6)}
	epmdPort, amqp, dist := FreePort(t), FreePort(t), FreePort(t)
	r.Env = []string{"HOME=" + dir, "ERL_EPMD_PORT=" + strconv.Itoa(epmdPort)}
	files := map[string]string{
		".erlang.cookie":  "HACONTESTCOOKIE" + strconv.Itoa(epmdPort),
		"rabbitmq.conf":   fmt.Sprintf("listeners.tcp.1 = 127.0.0.1:%d\n", amqp),
		"enabled_plugins": "[].\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r.epmd = exec.Command("epmd", "-address", "127.0.0.1", "-port", strconv.Itoa(epmdPort))
	r.epmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := r.epmd.Start(); err != nil {
		return nil, fmt.Errorf("start epmd: %v", err)
	}
	go func() { _ = r.epmd.Wait(); close(r.epmdDone) }()
	r.server = exec.Command(filepath.Join(RabbitBin, "rabbitmq-server"))
	r.server.Dir = dir
	r.server.Env = append(os.Environ(), append(r.Env, "RABBITMQ_NODENAME="+r.Node, "RABBITMQ_NODE_PORT="+strconv.Itoa(amqp),
		"RABBITMQ_DIST_PORT="+strconv.Itoa(dist), "RABBITMQ_MNESIA_BASE="+filepath.Join(dir, "mnesia"),
		"RABBITMQ_LOG_BASE="+filepath.Join(dir, "log"), "RABBITMQ_CONFIG_FILE="+filepath.Join(dir, "rabbitmq"),
		"RABBITMQ_ENABLED_PLUGINS_FILE="+filepath.Join(dir, "enabled_plugins"), "RABBITMQ_PID_FILE="+filepath.Join(dir, "rabbit.pid"),
		"ERL_EPMD_ADDRESS=127.0.0.1", "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}")...)
	r.server.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := r.server.Start(); err != nil {
		r.stopEpmd()
		return nil, fmt.Errorf("start rabbitmq-server: %v", err)
	}
	go func() { _ = r.server.Wait(); close(r.done) }()
	t.Cleanup(func() { r.Stop(t); r.stopEpmd() })
	type waited struct {
		out []byte
		err error
	}
	ready := make(chan waited, 1)
	go func() {
		out, err := r.run(60*time.Second, "wait", "--timeout", "60", filepath.Join(dir, "rabbit.pid"))
		ready <- waited{out, err}
	}()
	select {
	case w := <-ready:
		if w.err != nil {
			return nil, fmt.Errorf("rabbitmq node %s did not start: %v\n%s", r.Node, w.err, w.out)
		}
	case <-r.done:
		// The node died while starting (a port taken meanwhile): no need to
		// wait out rabbitmqctl's minute.
		log, _ := os.ReadFile(filepath.Join(dir, "log", r.Node+".log"))
		return nil, fmt.Errorf("rabbitmq node %s exited while starting: %s", r.Node, tail(log, 600))
	}
	return r, nil
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// CtlArgv is the rabbitmqctl command line (env included) that reaches this
// node, for a probe's command.
func (r *RabbitMQ) CtlArgv() []string {
	return append(append([]string{"env"}, r.Env...), r.CtlPath, "-n", r.Node)
}

func (r *RabbitMQ) run(timeout time.Duration, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	argv := append(r.CtlArgv(), args...)
	return exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
}

// Ctl runs rabbitmqctl against the node: the test's own hand on it.
func (r *RabbitMQ) Ctl(t testing.TB, args ...string) string {
	t.Helper()
	out, err := r.run(30*time.Second, args...)
	if err != nil {
		t.Fatalf("rabbitmqctl %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// PGID is the process group of the node (the script, erl and beam.smp),
// for measuring its CPU.
func (r *RabbitMQ) PGID() int { return r.server.Process.Pid }

// Stop stops the node (rabbitmqctl stop, then the process group).
func (r *RabbitMQ) Stop(t testing.TB) {
	select {
	case <-r.done:
		return
	default:
	}
	_, _ = r.run(20*time.Second, "stop")
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-r.server.Process.Pid, syscall.SIGKILL)
		<-r.done
	}
	// erl may leave its children (erl_child_setup, inet_gethost) behind.
	_ = syscall.Kill(-r.server.Process.Pid, syscall.SIGKILL)
}

func (r *RabbitMQ) stopEpmd() {
	_ = r.epmd.Process.Kill()
	<-r.epmdDone
}
