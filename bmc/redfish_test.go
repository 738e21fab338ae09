package bmc_test

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hacon/hacon/bmc"
	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/internal/testpeers/redfishemu"
	"github.com/hacon/hacon/probes"
)

// The Pool is what the BMC probe polls through.
var _ probes.BMCPoller = bmc.NewPool()

const rfPass = "Redf1sh-S3cret%pw"

// startEmulator runs a demo Redfish BMC (admin/rfPass, power on) on
// 127.0.0.1 and returns it with its port.
func startEmulator(t testing.TB) (*redfishemu.BMC, int) {
	t.Helper()
	b := redfishemu.New("admin", rfPass, nil, nil)
	addr, err := b.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	_, port, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(port)
	return b, n
}

// rfController points a controller at an emulator over plain HTTP, the
// password in an env var.
func rfController(t testing.TB, name string, port int, env string, timeout time.Duration) config.Controller {
	return config.Controller{Name: name, Address: "127.0.0.1", BMC: &config.BMC{
		Driver: "redfish", Address: "http://127.0.0.1", Port: port, Username: "admin",
		PasswordEnv: env, Timeout: timeout}}
}

func leakFree(t *testing.T, secrets []string, things ...any) {
	t.Helper()
	for _, x := range things {
		s := fmt.Sprintf("%+v", x)
		for _, sec := range secrets {
			if strings.Contains(s, sec) {
				t.Fatalf("password leaked in %s", s)
			}
		}
	}
}

func TestRedfishPowerMatrix(t *testing.T) {
	t.Setenv("HACON_TEST_RF_PW", rfPass)
	emu, port := startEmulator(t)
	emu.SetCycleDelay(400 * time.Millisecond) // a real machine is off for a while
	p := bmc.NewPool()
	defer p.Close()
	c := rfController(t, "ctrl0", port, "HACON_TEST_RF_PW", 5*time.Second)
	ctx := context.Background()

	st := p.Poll(ctx, "c1", c)
	if st.Power != bmc.PowerOn || !st.Reachable || !st.AuthOK || !st.FenceReady || st.Error != "" || st.Provider != "gofish" {
		t.Fatalf("first poll: %+v", st)
	}
	if emu.Sessions() != 0 {
		t.Fatalf("poll left %d Redfish sessions open", emu.Sessions())
	}
	for _, s := range []struct {
		action, state string
		on            bool
	}{
		{bmc.ActionOff, bmc.PowerOff, false},
		{bmc.ActionOn, bmc.PowerOn, true},
		{bmc.ActionSoft, bmc.PowerOff, false}, // gofish reports soft as failed though it worked
		{bmc.ActionOn, bmc.PowerOn, true},
	} {
		actx, cancel := context.WithTimeout(ctx, 10*time.Second)
		res, err := p.SetPower(actx, "c1", c, s.action)
		cancel()
		if err != nil || !res.Confirmed || res.Final != s.state || res.Provider != "gofish" {
			t.Fatalf("SetPower %s: %+v %v", s.action, res, err)
		}
		if emu.On() != s.on {
			t.Fatalf("after %s the emulator is on=%v", s.action, emu.On())
		}
		if st := p.Poll(ctx, "c1", c); st.Power != s.state {
			t.Fatalf("poll after %s: %+v", s.action, st)
		}
	}
	for _, action := range []string{bmc.ActionCycle, bmc.ActionReset} {
		actx, cancel := context.WithTimeout(ctx, 10*time.Second)
		res, err := p.SetPower(actx, "c1", c, action)
		cancel()
		if err != nil || !res.Confirmed || !res.SawOff || res.Final != bmc.PowerOn || !emu.On() {
			t.Fatalf("%s: %+v %v", action, res, err)
		}
		if res.Elapsed < 400*time.Millisecond {
			t.Fatalf("%s confirmed after %v, before the machine came back", action, res.Elapsed)
		}
	}
	if emu.Sessions() != 0 {
		t.Fatalf("actions left %d Redfish sessions open", emu.Sessions())
	}
}

func TestRedfishWrongPassword(t *testing.T) {
	const wrong = "Wr0ng!Redfish-pw"
	t.Setenv("HACON_TEST_RF_WRONG", wrong)
	emu, port := startEmulator(t)
	p := bmc.NewPool()
	defer p.Close()
	c := rfController(t, "ctrl0", port, "HACON_TEST_RF_WRONG", 5*time.Second)
	st := p.Poll(context.Background(), "c1", c)
	if st.Error != bmc.ErrAuth || !st.Reachable || st.AuthOK || st.FenceReady {
		t.Fatalf("wrong password: %+v", st)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := p.SetPower(ctx, "c1", c, bmc.ActionOff)
	if err == nil || res.Confirmed || !strings.Contains(res.Error, bmc.ErrAuth) || !emu.On() {
		t.Fatalf("SetPower with wrong password: %+v %v (on=%v)", res, err, emu.On())
	}
	last, _ := p.Last("c1", "ctrl0")
	leakFree(t, []string{wrong, rfPass}, st, res, err, last)
}

func TestRedfishFailures(t *testing.T) {
	t.Setenv("HACON_TEST_RF_PW", rfPass)
	emu, port := startEmulator(t)
	p := bmc.NewPool()
	defer p.Close()
	const timeout = time.Second
	c := rfController(t, "ctrl0", port, "HACON_TEST_RF_PW", timeout)

	_ = emu.SetFault(redfishemu.FaultFail)
	if st := p.Poll(context.Background(), "c1", c); st.Error != "BMC answered HTTP 500" || !st.Reachable || st.FenceReady {
		t.Fatalf("HTTP 500: %+v", st)
	}
	// ErrUnreachable, not ErrTimeout: the refusal was seen at once rather
	// than waited out (classify names a deadline first).
	_ = emu.SetFault(redfishemu.FaultRefuse)
	if st := p.Poll(context.Background(), "c1", c); st.Error != bmc.ErrUnreachable || st.Reachable || st.FenceReady {
		t.Fatalf("refused: %+v", st)
	}
	_ = emu.SetFault(redfishemu.FaultNone)
	if st := p.Poll(context.Background(), "c1", c); !st.FenceReady || st.Power != bmc.PowerOn {
		t.Fatalf("after recovery: %+v", st)
	}

	// Nothing ever listened on this port.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	st := p.Poll(context.Background(), "c1", rfController(t, "ctrl9", dead, "HACON_TEST_RF_PW", timeout))
	if st.Error != bmc.ErrUnreachable || st.FenceReady {
		t.Fatalf("nothing listening: %+v", st)
	}
}

// One hanging BMC must not delay the others, and its own poll returns at
// its timeout, skipping later polls while the stuck call is still there.
// The test asserts what happens before what, never how long anything took:
// the healthy BMCs answer while the hung poll is still waiting.
func TestRedfishHangDoesNotDelayOthers(t *testing.T) {
	t.Setenv("HACON_TEST_RF_PW", rfPass)
	goroutines := runtime.NumGoroutine()
	const timeout = 2 * time.Second
	var ctls []config.Controller
	var emus []*redfishemu.BMC
	for i := range 4 {
		emu, port := startEmulator(t)
		emus = append(emus, emu)
		ctls = append(ctls, rfController(t, fmt.Sprintf("ctrl%d", i), port, "HACON_TEST_RF_PW", timeout))
	}
	p := bmc.NewPool()
	for _, c := range ctls {
		if st := p.Poll(context.Background(), "c1", c); !st.FenceReady || st.Power != bmc.PowerOn {
			t.Fatalf("%s before the hang: %+v", c.Name, st)
		}
	}
	_ = emus[0].SetFault(redfishemu.FaultHang)
	asked := emus[0].Requests()
	hung := make(chan cluster.BMCStatus, 1)
	go func() { hung <- p.Poll(context.Background(), "c1", ctls[0]) }()
	for emus[0].Requests() == asked {
		time.Sleep(5 * time.Millisecond) // until the hung BMC holds the call
	}
	var wg sync.WaitGroup
	for _, c := range ctls[1:] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if st := p.Poll(context.Background(), "c1", c); !st.FenceReady || st.Power != bmc.PowerOn {
				t.Errorf("%s beside a hung BMC: %+v", c.Name, st)
			}
		}()
	}
	wg.Wait()
	select {
	case st := <-hung:
		t.Fatalf("the hung poll returned (%+v) before the healthy ones: they waited for it", st)
	default:
	}
	if st := <-hung; st.Error != bmc.ErrTimeout || st.FenceReady {
		t.Errorf("hung BMC: %+v", st)
	}

	// The abandoned call ends once its connection is cut; until then polls
	// are skipped, never stacked.
	_ = emus[0].SetFault(redfishemu.FaultNone)
	st := p.Poll(context.Background(), "c1", ctls[0])
	for wait := time.Now().Add(5 * time.Second); st.Skipped && time.Now().Before(wait); {
		if !strings.HasPrefix(st.Error, bmc.ErrSkipped) || !strings.Contains(st.Error, bmc.ErrTimeout) {
			t.Fatalf("skipped poll: %+v", st)
		}
		time.Sleep(10 * time.Millisecond)
		st = p.Poll(context.Background(), "c1", ctls[0])
	}
	if !st.FenceReady {
		t.Fatalf("after the hang cleared: %+v", st)
	}
	p.Close()
	for _, e := range emus {
		e.Close()
	}
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > goroutines && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > goroutines {
		t.Errorf("goroutines: %d before, %d after closing everything", goroutines, n)
	}
}

// While an action holds a BMC, polls are skipped (one session per BMC) yet
// show the states the action reads; afterwards polls run again.
func TestRedfishPollDuringAction(t *testing.T) {
	t.Setenv("HACON_TEST_RF_PW", rfPass)
	emu, port := startEmulator(t)
	emu.SetCycleDelay(800 * time.Millisecond)
	p := bmc.NewPool()
	defer p.Close()
	c := rfController(t, "ctrl0", port, "HACON_TEST_RF_PW", 5*time.Second)
	type out struct {
		res bmc.PowerResult
		err error
	}
	done := make(chan out, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		res, err := p.SetPower(ctx, "c1", c, bmc.ActionCycle)
		done <- out{res, err}
	}()
	skipped, sawOff := 0, false
	for {
		select {
		case o := <-done:
			if o.err != nil || !o.res.Confirmed || !o.res.SawOff {
				t.Fatalf("cycle: %+v %v", o.res, o.err)
			}
			if skipped == 0 || !sawOff {
				t.Fatalf("polls during the action: %d skipped, saw off %v", skipped, sawOff)
			}
			if st := p.Poll(context.Background(), "c1", c); st.Skipped || st.Power != bmc.PowerOn {
				t.Fatalf("poll after the action: %+v", st)
			}
			return
		case <-time.After(50 * time.Millisecond):
		}
		st := p.Poll(context.Background(), "c1", c)
		if st.Skipped {
			skipped++
			sawOff = sawOff || st.Power == bmc.PowerOff
		}
	}
}
