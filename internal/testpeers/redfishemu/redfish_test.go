package redfishemu

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// rfClient talks to one emulator; no keep-alive so nothing idles after.
type rfClient struct {
	t    *testing.T
	base string
	hc   *http.Client
}

func newRFClient(t *testing.T, addr string, timeout time.Duration) *rfClient {
	return &rfClient{t: t, base: "http://" + addr,
		hc: &http.Client{Timeout: timeout, Transport: &http.Transport{DisableKeepAlives: true}}}
}

// do sends a request; auth is "basic:user:pass", "token:T" or "".
func (c *rfClient) do(method, path, auth, body string) (*http.Response, map[string]any, error) {
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	switch {
	case strings.HasPrefix(auth, "basic:"):
		up := strings.SplitN(strings.TrimPrefix(auth, "basic:"), ":", 2)
		req.SetBasicAuth(up[0], up[1])
	case strings.HasPrefix(auth, "token:"):
		req.Header.Set("X-Auth-Token", strings.TrimPrefix(auth, "token:"))
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(data, &m)
	return resp, m, nil
}

func (c *rfClient) must(method, path, auth, body string, want int) (*http.Response, map[string]any) {
	c.t.Helper()
	resp, m, err := c.do(method, path, auth, body)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	if resp.StatusCode != want {
		c.t.Fatalf("%s %s: HTTP %d, want %d (%v)", method, path, resp.StatusCode, want, m)
	}
	return resp, m
}

func startRF(t *testing.T, power PowerFunc, set SetPowerFunc) (*BMC, string) {
	t.Helper()
	b := New("admin", "rf-pass", power, set)
	addr, err := b.Start()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Fatalf("listening on %s, want 127.0.0.1", addr)
	}
	t.Cleanup(b.Close)
	return b, addr
}

func TestRedfishEmulatorProtocol(t *testing.T) {
	var mu sync.Mutex
	on, sets := true, []bool{}
	b, addr := startRF(t, func() bool { mu.Lock(); defer mu.Unlock(); return on },
		func(v bool) { mu.Lock(); defer mu.Unlock(); on = v; sets = append(sets, v) })
	c := newRFClient(t, addr, 5*time.Second)

	_, root := c.must("GET", "/redfish/v1/", "", "", 200)
	links, _ := root["Links"].(map[string]any)
	sess, _ := links["Sessions"].(map[string]any)
	sys, _ := root["Systems"].(map[string]any)
	if sess["@odata.id"] != sessionsPath || sys["@odata.id"] != systemsPath {
		t.Fatalf("service root: %v", root)
	}
	c.must("GET", systemsPath, "", "", 401)
	c.must("GET", systemsPath, "basic:admin:wrong", "", 401)
	_, coll := c.must("GET", systemsPath, "basic:admin:rf-pass", "", 200)
	if m, _ := coll["Members"].([]any); len(m) != 1 {
		t.Fatalf("systems: %v", coll)
	}

	c.must("POST", sessionsPath, "", `{"UserName":"admin","Password":"nope"}`, 401)
	resp, _ := c.must("POST", sessionsPath, "", `{"UserName":"admin","Password":"rf-pass"}`, 201)
	tok, loc := resp.Header.Get("X-Auth-Token"), resp.Header.Get("Location")
	if tok == "" || !strings.HasPrefix(loc, sessionsPath+"/") || b.Sessions() != 1 {
		t.Fatalf("session: token %q location %q sessions %d", tok, loc, b.Sessions())
	}
	_, s1 := c.must("GET", systemPath, "token:"+tok, "", 200)
	reset := s1["Actions"].(map[string]any)["#ComputerSystem.Reset"].(map[string]any)
	if s1["PowerState"] != "On" || reset["target"] != resetPath {
		t.Fatalf("system: %v", s1)
	}
	allowed := map[string]bool{}
	for _, v := range reset["ResetType@Redfish.AllowableValues"].([]any) {
		allowed[v.(string)] = true
	}
	for _, need := range []string{"On", "ForceOff", "GracefulShutdown", "ForceRestart", "PowerCycle"} {
		if !allowed[need] {
			t.Fatalf("allowable values lack %s", need)
		}
	}

	c.must("POST", resetPath, "token:"+tok, `{"ResetType":"ForceOff"}`, 204)
	if _, s := c.must("GET", systemPath, "token:"+tok, "", 200); s["PowerState"] != "Off" || b.On() {
		t.Fatalf("after ForceOff: %v", s)
	}
	c.must("POST", resetPath, "token:"+tok, `{"ResetType":"ForceRestart"}`, 409) // off: nothing to restart
	c.must("POST", resetPath, "token:"+tok, `{"ResetType":"Bogus"}`, 400)
	c.must("POST", resetPath, "basic:admin:rf-pass", `{"ResetType":"On"}`, 204)
	mu.Lock()
	got := append([]bool(nil), sets...)
	mu.Unlock()
	if len(got) != 2 || got[0] || !got[1] {
		t.Fatalf("power callbacks saw %v, want [false true]", got)
	}

	c.must("DELETE", loc, "token:"+tok, "", 204)
	c.must("GET", systemPath, "token:"+tok, "", 401)
	if b.Sessions() != 0 {
		t.Fatalf("%d sessions left", b.Sessions())
	}
}

func TestRedfishEmulatorCycleDelay(t *testing.T) {
	b, addr := startRF(t, nil, nil)
	b.SetCycleDelay(300 * time.Millisecond)
	c := newRFClient(t, addr, 5*time.Second)
	c.must("POST", resetPath, "basic:admin:rf-pass", `{"ResetType":"PowerCycle"}`, 204)
	if b.On() {
		t.Fatal("PowerCycle did not power off first")
	}
	deadline := time.Now().Add(2 * time.Second)
	for !b.On() {
		if time.Now().After(deadline) {
			t.Fatal("PowerCycle never powered on again")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRedfishEmulatorFaults(t *testing.T) {
	b, addr := startRF(t, nil, nil)
	c := newRFClient(t, addr, 5*time.Second)

	if err := b.SetFault(FaultFail); err != nil {
		t.Fatal(err)
	}
	c.must("GET", "/redfish/v1/", "", "", 500)

	if err := b.SetFault(FaultRefuse); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.do("GET", "/redfish/v1/", "", ""); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("refuse: got %v, want connection refused", err)
	}
	if err := b.SetFault(FaultNone); err != nil {
		t.Fatal(err)
	}
	if b.Addr() != addr {
		t.Fatalf("came back on %s, want %s", b.Addr(), addr)
	}
	c.must("GET", "/redfish/v1/", "", "", 200)

	// Hang: a request with a deadline times out; one without waits until
	// the fault clears and is then answered.
	if err := b.SetFault(FaultHang); err != nil {
		t.Fatal(err)
	}
	short := newRFClient(t, addr, 300*time.Millisecond)
	if _, _, err := short.do("GET", "/redfish/v1/", "", ""); !errors.Is(err, context.DeadlineExceeded) && !isTimeout(err) {
		t.Fatalf("hung request: %v, want the client's deadline to end it", err)
	}
	done := make(chan int, 1)
	go func() {
		resp, _, err := c.do("GET", "/redfish/v1/", "", "")
		if err != nil {
			done <- -1
			return
		}
		done <- resp.StatusCode
	}()
	select {
	case code := <-done:
		t.Fatalf("answered during hang: %d", code)
	case <-time.After(200 * time.Millisecond):
	}
	if err := b.SetFault(FaultNone); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != 200 {
			t.Fatalf("released request got %d", code)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("request still hung after the fault cleared")
	}
}

// Close must free hung requests and leave no goroutine behind.
func TestRedfishEmulatorCloseLeaksNothing(t *testing.T) {
	before := runtime.NumGoroutine()
	b := New("admin", "rf-pass", nil, nil)
	addr, err := b.Start()
	if err != nil {
		t.Fatal(err)
	}
	_ = b.SetFault(FaultHang)
	c := newRFClient(t, addr, 0)
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() { defer wg.Done(); _, _, _ = c.do("GET", "/redfish/v1/", "", "") }()
	}
	deadline := time.Now().Add(2 * time.Second)
	for b.Requests() < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if b.Requests() < 3 {
		t.Fatalf("only %d requests reached the emulator", b.Requests())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	closed := make(chan struct{})
	go func() { b.Close(); wg.Wait(); close(closed) }()
	select {
	case <-closed:
	case <-ctx.Done():
		t.Fatal("Close did not free the hung requests")
	}
	c.hc.CloseIdleConnections()
	for time.Now().Before(deadline.Add(2 * time.Second)) {
		if runtime.NumGoroutine() <= before {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	buf := make([]byte, 1<<16)
	t.Fatalf("goroutines: %d before, %d after Close\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
}

// isTimeout reports a net/http client timeout (Client.Timeout exceeded).
func isTimeout(err error) bool {
	var te interface{ Timeout() bool }
	return errors.As(err, &te) && te.Timeout()
}
