// Package testpeers starts the real peers hacon is tested against —
// OpenIPMI's ipmi_sim, HAProxy — on 127.0.0.1, for tests of every package.
package testpeers

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// IPMISim is one OpenIPMI ipmi_sim on 127.0.0.1 with a chassis control
// script that keeps the power state in a file, so tests can check what
// hacon's commands did to the "machine" independently of hacon's reads.
type IPMISim struct {
	Port      int
	Dir       string
	State     string // file holding 0 or 1
	CallsFile string // file logging every chassis script call
	cmd       *exec.Cmd
	done      chan struct{}
	once      sync.Once
}

// RequireIPMI skips without ipmi_sim/ipmitool, except in CI where the
// packages are installed and their absence is a failure.
func RequireIPMI(t testing.TB) {
	t.Helper()
	for _, bin := range []string{"ipmi_sim", "ipmitool"} {
		if _, err := exec.LookPath(bin); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s not installed (CI=true): apt-get install -y openipmi ipmitool", bin)
			}
			t.Skipf("%s not installed", bin)
		}
	}
}

// FreeUDPPort asks the kernel for a free UDP port on 127.0.0.1.
func FreeUDPPort(t testing.TB) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// chassisScript is ipmi_sim's chassis_control: it is popen'ed with "get
// power", "set power "0|1"", "set reset "1"" or "set shutdown "1"" after the
// configured words (our "0x20"). "get" must print power:<0|1>.
const chassisScript = `#!/bin/sh
[ "$1" = "0x20" ] && shift
dir=$(dirname "$0")
echo "$*" >> "$dir/calls.log"
case "$1 $2" in
"get power") printf 'power:%s\n' "$(cat "$dir/power")" ;;
"set power") printf '%s\n' "$3" | tr -d '"' > "$dir/power.tmp" && mv "$dir/power.tmp" "$dir/power" ;;
"set shutdown") echo 0 > "$dir/power.tmp" && mv "$dir/power.tmp" "$dir/power" ;;
"set reset") ;;
*) exit 1 ;;
esac
`

// StartIPMISim runs ipmi_sim with user admin/pass and power initially on.
func StartIPMISim(t testing.TB, pass string) *IPMISim {
	t.Helper()
	RequireIPMI(t)
	dir := t.TempDir()
	s := &IPMISim{Port: FreeUDPPort(t), Dir: dir, State: filepath.Join(dir, "power"),
		CallsFile: filepath.Join(dir, "calls.log"), done: make(chan struct{})}
	lan := fmt.Sprintf(`name "hacon-test"
set_working_mc 0x20
  startlan 1
    addr 127.0.0.1 %d
    priv_limit admin
    allowed_auths_callback none md2 md5 straight
    allowed_auths_user none md2 md5 straight
    allowed_auths_operator none md2 md5 straight
    allowed_auths_admin none md2 md5 straight
    guid a123456789abcdefa123456789abcdef
  endlan
  chassis_control "%s 0x20"
  user 1 true  ""      "test"   user  10 none md2 md5 straight
  user 2 true  "admin" "%s" admin 10 none md2 md5 straight
`, s.Port, filepath.Join(dir, "chassis.sh"), pass)
	emu := "mc_setbmc 0x20\nmc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr\nmc_enable 0x20\n"
	for name, body := range map[string]string{"lan.conf": lan, "emu.cmd": emu, "power": "1\n", "chassis.sh": chassisScript} {
		mode := os.FileMode(0o600)
		if name == "chassis.sh" {
			mode = 0o700
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), mode); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "state"), 0o700); err != nil {
		t.Fatal(err)
	}
	// -n: no console (with stdin closed ipmi_sim would die on an assertion).
	s.cmd = exec.Command("ipmi_sim", "-c", "lan.conf", "-f", "emu.cmd", "-s", "state", "-n", "-p")
	s.cmd.Dir = dir
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start ipmi_sim: %v", err)
	}
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	t.Cleanup(s.stopNow)
	s.waitReady(t, pass)
	return s
}

// waitReady retries ipmitool until the simulator answers (it binds its
// port a few ms after starting).
func (s *IPMISim) waitReady(t testing.TB, pass string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		cmd := exec.CommandContext(ctx, "ipmitool", "-I", "lanplus", "-C", "3", "-N", "1", "-R", "1",
			"-H", "127.0.0.1", "-p", fmt.Sprint(s.Port), "-U", "admin", "-E", "chassis", "power", "status")
		cmd.Env = []string{"IPMITOOL_PASSWORD=" + pass}
		out, err := cmd.CombinedOutput()
		cancel()
		if err == nil && strings.Contains(string(out), "Chassis Power is") {
			_ = os.Remove(s.CallsFile) // tests read only the calls hacon made
			return
		}
		select {
		case <-s.done:
			t.Fatalf("ipmi_sim exited early: %s", out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("ipmi_sim on port %d not ready: %v %s", s.Port, err, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stopNow sends SIGTERM, and SIGKILL if it is still there after ~1.5 s
// (it takes about 1 s to exit).
func (s *IPMISim) stopNow() {
	s.once.Do(func() {
		_ = s.cmd.Process.Signal(syscall.SIGCONT) // a paused one would keep SIGTERM pending
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(1500 * time.Millisecond):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	})
}

// Stop ends the simulator now (idempotent; cleanup also calls it).
func (s *IPMISim) Stop() { s.stopNow() }

// Power reads the state file: what the simulated machine really is.
func (s *IPMISim) Power(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(s.State)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// Calls returns the chassis script calls so far.
func (s *IPMISim) Calls() string {
	b, err := os.ReadFile(s.CallsFile)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err.Error()
	}
	return string(b)
}

// Pause stops the simulator (SIGSTOP): a BMC that takes packets and never
// answers, the nastiest hang there is.
func (s *IPMISim) Pause() error { return s.cmd.Process.Signal(syscall.SIGSTOP) }

// Resume continues a paused simulator.
func (s *IPMISim) Resume() error { return s.cmd.Process.Signal(syscall.SIGCONT) }
