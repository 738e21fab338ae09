package testpeers

import (
	"bytes"
	"context"
	"fmt"
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

// SSHD is a real OpenSSH sshd on loopback with its own host key, one
// authorized client key and its log in a file, for the current user.
type SSHD struct {
	Dir        string
	Port       int
	Addrs      []string // the loopback addresses it listens on
	User       string   // the user clients log in as (the test's own)
	ClientKey  string   // private key file the server accepts
	KnownHosts string   // a known_hosts file that trusts its host key
	Log        string   // sshd's log (-E): one "Accepted publickey" line per login
	cmd        *exec.Cmd
	done       chan struct{}
}

// RequireSSHD returns sshd's path; it skips without openssh-server, except
// in CI where it must exist.
func RequireSSHD(t testing.TB) string {
	t.Helper()
	for _, p := range []string{"sshd", "/usr/sbin/sshd"} {
		if path, err := exec.LookPath(p); err == nil {
			if _, err := exec.LookPath("ssh"); err == nil {
				return path
			}
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("sshd or ssh not installed (CI=true): apt-get install -y openssh-server openssh-client")
	}
	t.Skip("openssh-server not installed")
	return ""
}

// StartSSHD runs sshd on addrs (default 127.0.0.1) at a free port until
// the test ends.
func StartSSHD(t testing.TB, addrs ...string) *SSHD {
	t.Helper()
	bin := RequireSSHD(t)
	if len(addrs) == 0 {
		addrs = []string{"127.0.0.1"}
	}
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	// A short directory: ssh's control socket paths must stay short.
	dir, err := os.MkdirTemp("", "sshd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	hostKey := filepath.Join(dir, "host")
	clientKey := filepath.Join(dir, "client")
	for _, k := range []string{hostKey, clientKey} {
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", k).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v %s", err, out)
		}
	}
	if os.Geteuid() == 0 {
		// sshd as root wants its privilege-separation directory.
		_ = os.MkdirAll("/run/sshd", 0o755)
	}
	// A free port can be taken by a parallel test before sshd binds it:
	// then again, on another.
	for attempt := 1; ; attempt++ {
		s := &SSHD{Dir: dir, Port: FreePort(t), Addrs: addrs, User: u.Username, ClientKey: clientKey,
			KnownHosts: filepath.Join(dir, "known_hosts"), Log: filepath.Join(dir, "sshd.log"), done: make(chan struct{})}
		s.writeFiles(t, hostKey)
		s.cmd = exec.Command(bin, "-D", "-f", filepath.Join(dir, "sshd_config"), "-E", s.Log)
		s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		_ = os.Remove(s.Log)
		if err := s.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { s.cmd.Wait(); close(s.done) }()
		if !s.waitListening(t) {
			t.Cleanup(s.stop)
			return s
		}
		if attempt == 3 {
			t.Fatal("sshd: its port was taken three times in a row")
		}
	}
}

func (s *SSHD) writeFiles(t testing.TB, hostKey string) {
	t.Helper()
	pub, err := os.ReadFile(s.ClientKey + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	hostPub, err := os.ReadFile(hostKey + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	var cfg, kh strings.Builder
	fmt.Fprintf(&cfg, "Port %d\nHostKey %s\nAuthorizedKeysFile %s\nPidFile %s\n", s.Port, hostKey, filepath.Join(s.Dir, "authorized_keys"), filepath.Join(s.Dir, "sshd.pid"))
	for _, a := range s.Addrs {
		fmt.Fprintf(&cfg, "ListenAddress %s\n", a)
		fmt.Fprintf(&kh, "[%s]:%d %s", a, s.Port, hostPub)
	}
	// StrictModes: the test's files live under /tmp. UsePAM no: sshd runs
	// as the test's own user when that is not root.
	cfg.WriteString("StrictModes no\nUsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\nLogLevel INFO\nMaxStartups 100\n")
	for name, body := range map[string]string{"sshd_config": cfg.String(), "authorized_keys": string(pub), "known_hosts": kh.String()} {
		if err := os.WriteFile(filepath.Join(s.Dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// waitListening waits until sshd says it listens on every address (its
// own log, not a dial: a dial could reach whoever else holds the port);
// portTaken when it exited because the port was in use.
func (s *SSHD) waitListening(t testing.TB) (portTaken bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(s.Log)
		log := string(b)
		if strings.Count(log, "Server listening on ") >= len(s.Addrs) && strings.Contains(log, fmt.Sprintf(" port %d.", s.Port)) {
			return false
		}
		if strings.Contains(log, "Address already in use") {
			// With several addresses sshd keeps running on those it bound.
			s.stop()
			return true
		}
		select {
		case <-s.done:
			t.Fatalf("sshd exited: %s", log)
		default:
		}
		if time.Now().After(deadline) {
			s.stop()
			t.Fatalf("sshd not listening on port %d:\n%s", s.Port, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Prefix is a Pacemaker command prefix logging in to this sshd with the
// test's key and known_hosts, never the user's own; extra options go
// before the destination.
func (s *SSHD) Prefix(extra ...string) []string {
	p := []string{"ssh", "-F", "/dev/null", "-p", strconv.Itoa(s.Port), "-i", s.ClientKey,
		"-o", "IdentitiesOnly=yes", "-o", "UserKnownHostsFile=" + s.KnownHosts}
	p = append(p, extra...)
	return append(p, s.User+"@{{.Address}}")
}

// Logins counts the logins sshd accepted so far.
func (s *SSHD) Logins(t testing.TB) int {
	t.Helper()
	b, err := os.ReadFile(s.Log)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(b, []byte("Accepted publickey"))
}

// Signal sends sig to every sshd process of this server: the listener
// and the per-connection ones, which sshd puts in sessions of their own
// (SIGSTOP: it accepts connections, never answers).
func (s *SSHD) Signal(sig syscall.Signal) error {
	for _, pid := range append(descendants(s.cmd.Process.Pid), s.cmd.Process.Pid) {
		if err := syscall.Kill(pid, sig); err != nil && err != syscall.ESRCH {
			return err
		}
	}
	return nil
}

// descendants lists the processes under pid, read from /proc.
func descendants(pid int) []int {
	children := map[int][]int{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid …: comm may hold spaces, ")" ends it.
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(f) > 1 {
			if pp, err := strconv.Atoi(f[1]); err == nil {
				children[pp] = append(children[pp], p)
			}
		}
	}
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		out = append(out, children[p]...)
		queue = append(queue, children[p]...)
	}
	return out
}

func (s *SSHD) stop() {
	_ = s.Signal(syscall.SIGCONT)
	_ = s.Signal(syscall.SIGKILL)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
	}
}

// WaitSSH waits until ssh with prefix logs in and runs true, so a test
// starts from a server that answers.
func (s *SSHD) WaitSSH(t testing.TB, argv []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, argv[0], append(argv[1:], "true")...).CombinedOutput(); err != nil {
		t.Fatalf("%v: %v %s", argv, err, out)
	}
}
