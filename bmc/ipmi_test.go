package bmc

import (
	"context"
	"errors"
	"fmt"
	"github.com/hacon/hacon/internal/testpeers"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
)

const simPass = "Ipmi-S3cret!pw"

// ipmiController is a controller whose BMC is the simulator, its password
// in a file (the env var path is covered elsewhere).
func ipmiController(t testing.TB, port int, pass string, timeout time.Duration) config.Controller {
	t.Helper()
	pf := filepath.Join(t.TempDir(), "bmc-password")
	if err := os.WriteFile(pf, []byte(pass+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return config.Controller{Name: "ctrl0", Address: "127.0.0.1", BMC: &config.BMC{
		Driver: "ipmi", Address: "127.0.0.1", Port: port, Username: "admin",
		PasswordFile: pf, CipherSuite: 3, Timeout: timeout}}
}

// noSecret fails if any string hacon hands out holds the password.
func noSecret(t *testing.T, secret string, things ...any) {
	t.Helper()
	for _, x := range things {
		if s := fmt.Sprintf("%+v", x); strings.Contains(s, secret) {
			t.Fatalf("password leaked in %s", s)
		}
	}
}

func testPool() *Pool {
	p := NewPool()
	p.pollEvery = 100 * time.Millisecond
	p.cycleGrace = time.Second
	return p
}

func TestIPMIPowerMatrix(t *testing.T) {
	sim := testpeers.StartIPMISim(t, simPass)
	p := testPool()
	defer p.Close()
	c := ipmiController(t, sim.Port, simPass, 5*time.Second)
	ctx := context.Background()

	st := p.Poll(ctx, "c1", c)
	if st.Power != PowerOn || !st.Reachable || !st.AuthOK || !st.FenceReady || st.Error != "" {
		t.Fatalf("first poll: %+v", st)
	}
	if st.Provider != "ipmitool" || st.RTT <= 0 || st.Driver != "ipmi" || st.ObservedAt.IsZero() {
		t.Fatalf("poll details: %+v", st)
	}

	steps := []struct {
		action, state, file string
	}{
		{ActionOff, PowerOff, "0"},
		{ActionOn, PowerOn, "1"},
		{ActionSoft, PowerOff, "0"}, // the script powers off on "set shutdown"
		{ActionOn, PowerOn, "1"},
	}
	for _, s := range steps {
		actx, cancel := context.WithTimeout(ctx, 10*time.Second)
		res, err := p.SetPower(actx, "c1", c, s.action)
		cancel()
		if err != nil || !res.Confirmed || res.Final != s.state || res.Provider != "ipmitool" {
			t.Fatalf("SetPower %s: %+v %v (calls: %s)", s.action, res, err, sim.Calls())
		}
		if got := sim.Power(t); got != s.file {
			t.Fatalf("after %s the simulator's state file says %q, want %q", s.action, got, s.file)
		}
		if st := p.Poll(ctx, "c1", c); st.Power != s.state || st.Error != "" {
			t.Fatalf("poll after %s: %+v", s.action, st)
		}
		noSecret(t, simPass, res, err)
	}

	// ipmi_sim's cycle: "set power 0" at once, "set power 1" about 1 s later.
	before := len(sim.Calls())
	actx, cancel := context.WithTimeout(ctx, 15*time.Second)
	res, err := p.SetPower(actx, "c1", c, ActionCycle)
	cancel()
	if err != nil || !res.Confirmed || !res.SawOff || res.Final != PowerOn {
		t.Fatalf("cycle: %+v %v (calls: %s)", res, err, sim.Calls())
	}
	if after := sim.Calls()[before:]; !strings.Contains(after, "set power 0\nget power\nset power 1") &&
		!(strings.Contains(after, "set power 0") && strings.Index(after, "set power 1") > strings.Index(after, "set power 0")) {
		t.Fatalf("cycle did not go off then on: %q", after)
	}
	if res.Elapsed < 500*time.Millisecond {
		t.Fatalf("cycle confirmed after %v, before ipmi_sim powered on again", res.Elapsed)
	}
	if sim.Power(t) != "1" {
		t.Fatal("machine not on after cycle")
	}

	// ipmi_sim's reset never reads off: confirmed on after the grace period.
	before = len(sim.Calls())
	actx, cancel = context.WithTimeout(ctx, 10*time.Second)
	res, err = p.SetPower(actx, "c1", c, ActionReset)
	cancel()
	if err != nil || !res.Confirmed || res.SawOff || res.Final != PowerOn || res.Elapsed < p.cycleGrace {
		t.Fatalf("reset: %+v %v", res, err)
	}
	if after := sim.Calls()[before:]; !strings.Contains(after, "set reset 1") {
		t.Fatalf("reset did not reach the chassis: %q", after)
	}
}

func TestIPMIWrongPassword(t *testing.T) {
	sim := testpeers.StartIPMISim(t, simPass)
	p := testPool()
	defer p.Close()
	const wrong = "Wr0ng-Passw0rd#"
	c := ipmiController(t, sim.Port, wrong, 5*time.Second)
	st := p.Poll(context.Background(), "c1", c)
	if st.Error != ErrAuth || !st.Reachable || st.AuthOK || st.FenceReady {
		t.Fatalf("wrong password: %+v", st)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := p.SetPower(ctx, "c1", c, ActionOff)
	if err == nil || res.Confirmed || !strings.Contains(res.Error, ErrAuth) {
		t.Fatalf("SetPower with wrong password: %+v %v", res, err)
	}
	if sim.Power(t) != "1" {
		t.Fatal("a refused command changed the power")
	}
	last, _ := p.Last("c1", "ctrl0")
	noSecret(t, wrong, st, res, err, last)
	noSecret(t, simPass, st, res, err, last)
}

func TestIPMICipherUnsupported(t *testing.T) {
	sim := testpeers.StartIPMISim(t, simPass)
	p := testPool()
	defer p.Close()
	c := ipmiController(t, sim.Port, simPass, 5*time.Second)
	c.BMC.CipherSuite = 17 // ipmi_sim offers no SHA-256 suites
	st := p.Poll(context.Background(), "c1", c)
	if st.Error != ErrCipher || st.FenceReady {
		t.Fatalf("cipher 17: %+v", st)
	}
}

func TestIPMIUnreachableWithinTimeout(t *testing.T) {
	testpeers.RequireIPMI(t)
	p := testPool()
	defer p.Close()
	const timeout = 1500 * time.Millisecond
	c := ipmiController(t, testpeers.FreeUDPPort(t), simPass, timeout) // nothing listens there
	// ErrTimeout is given only when the call's own deadline ended it
	// (classify reads ctx.Err()), so the timeout, not a hang, cut it short.
	st := p.Poll(context.Background(), "c1", c)
	if st.Error != ErrTimeout || st.Reachable || st.FenceReady || st.Power != PowerUnknown {
		t.Fatalf("nothing listening: %+v", st)
	}
}

func TestIPMIToolMissing(t *testing.T) {
	p := testPool()
	p.lookPath = func(string) (string, error) { return "", errors.New("not found") }
	st := p.Poll(context.Background(), "c1", ipmiController(t, 623, simPass, time.Second))
	if st.Error != ErrNoIpmitool || st.FenceReady {
		t.Fatalf("no ipmitool: %+v", st)
	}
}

func TestPasswordEnvUnsetIsAnErrorNotACrash(t *testing.T) {
	p := testPool()
	c := config.Controller{Name: "ctrl0", BMC: &config.BMC{Driver: "redfish", Address: "http://127.0.0.1",
		Port: 1, Username: "admin", PasswordEnv: "HACON_TEST_SURELY_UNSET_PW"}}
	st := p.Poll(context.Background(), "c1", c)
	if st.Error != "password_env HACON_TEST_SURELY_UNSET_PW is not set" || st.FenceReady {
		t.Fatalf("%+v", st)
	}
	if _, err := p.SetPower(context.Background(), "c1", c, ActionOff); err == nil || !strings.Contains(err.Error(), "is not set") {
		t.Fatalf("SetPower: %v", err)
	}
}

// A poll while another call holds the BMC is skipped at once and returns
// the previous status, flagged, with its age growing.
func TestPollSkippedWhileBusy(t *testing.T) {
	p := testPool()
	c := config.Controller{Name: "ctrl0", BMC: &config.BMC{Driver: "redfish", Address: "http://127.0.0.1", Port: 1}}
	e := p.entry("c1", "ctrl0")
	observed := time.Now().Add(-3 * time.Second)
	p.record(e, cluster.BMCStatus{Node: "ctrl0", Power: PowerOn, Reachable: true, AuthOK: true, FenceReady: true, ObservedAt: observed})
	e.slot <- struct{}{} // a call in flight, never finishing
	// The slot is never freed: a poll that waited for it would never
	// return, and the test would time out rather than pass.
	st := p.Poll(context.Background(), "c1", c)
	if !st.Skipped || st.Power != PowerOn || !st.ObservedAt.Equal(observed) || !strings.HasPrefix(st.Error, ErrSkipped) ||
		!strings.Contains(st.Error, "status from 3") {
		t.Fatalf("skipped poll: %+v", st)
	}
	<-e.slot
	if st := p.Poll(context.Background(), "c1", c); st.Skipped {
		t.Fatalf("poll after the call ended still skipped: %+v", st)
	}
}
