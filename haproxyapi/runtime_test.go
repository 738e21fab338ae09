package haproxyapi

import (
	"context"
	"github.com/hacon/hacon/internal/testpeers"
	"strings"
	"testing"
	"time"
)

func TestRuntimeAPISetServerState(t *testing.T) {
	t.Parallel()
	replies := map[string]string{
		"set server be_api/ctl-0 state maint":  "\n",
		"set server be_api/ctl-0 state drain":  "\n",
		"set server be_api/nosuch state maint": "No such server.\n\n",
	}
	s := testpeers.StartFakeSocket(t, "unix", func(cmd string) (string, bool) {
		r, ok := replies[cmd]
		if !ok {
			return "Unknown command.\n\n", true
		}
		return r, true
	})
	api := RuntimeAPI{Address: "unix://" + s.Addr}
	ctx := context.Background()

	if err := api.SetServerState(ctx, "be_api", "ctl-0", ServerMaint); err != nil {
		t.Errorf("maint: %v", err)
	}
	if err := (RuntimeAPI{Address: s.Addr}).SetServerState(ctx, "be_api", "ctl-0", ServerDrain); err != nil {
		t.Errorf("drain over a bare path: %v", err)
	}
	err := api.SetServerState(ctx, "be_api", "nosuch", ServerMaint)
	if err == nil || !strings.Contains(err.Error(), "HAProxy said: No such server.") || !strings.Contains(err.Error(), "be_api/nosuch") {
		t.Errorf("unknown server: err = %v", err)
	}
	sent := len(s.Commands())
	if sent != 3 || s.Commands()[0] != "set server be_api/ctl-0 state maint\n" {
		t.Errorf("sent %q", s.Commands())
	}

	// Bad input is refused before anything reaches HAProxy.
	for _, bad := range [][3]string{
		{"be_api", "ctl-0", "up"},
		{"be_api", "ctl-0", ""},
		{"be api", "ctl-0", "maint"},
		{"be_api", "ctl-0;shutdown sessions server be_api/ctl-1", "maint"},
		{"be_api/x", "ctl-0", "maint"},
		{"", "ctl-0", "maint"},
		{"be_api", "ctl-0\nset weight be_api/ctl-1 0", "ready"},
		{"be_api", "ctl-0", "maint\nshutdown frontend fe"},
	} {
		if err := api.SetServerState(ctx, bad[0], bad[1], State(bad[2])); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := api.Command(ctx, "show info\nshutdown frontend fe"); err == nil {
		t.Error("a command with a line break was sent")
	}
	if got := len(s.Commands()); got != sent {
		t.Errorf("invalid requests reached the socket: %q", s.Commands()[sent:])
	}
}

func TestRuntimeAPICommandTimeout(t *testing.T) {
	t.Parallel()
	s := testpeers.StartFakeSocket(t, "tcp", testpeers.Hang)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := RuntimeAPI{Address: s.Addr}.Command(ctx, "show info")
	if err == nil || !strings.Contains(err.Error(), "timed out") || !strings.Contains(err.Error(), s.Addr) {
		t.Errorf("err = %v", err)
	}
}

// The reply of a real haproxy 2.6 (formats.md 1.5), one server per admin state.
const serversStateReply = `1
# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port
3 be_app 1 web1 127.0.0.1 0 1 1 1 4 8 2 0 6 0 0 0 - 5000 - 0 0 - - 0
3 be_app 2 web2 127.0.0.1 2 8 1 1 12 6 3 4 6 0 0 0 - 5001 - 0 0 - - 0
3 be_app 3 web3 127.0.0.1 2 0 50 1 1 1 0 2 0 0 0 0 - 5002 - 0 0 - - 0

`

func TestRuntimeAPIShowServersState(t *testing.T) {
	t.Parallel()
	s := testpeers.StartFakeSocket(t, "tcp", func(cmd string) (string, bool) {
		switch cmd {
		case "show servers state", "show servers state be_app":
			return serversStateReply, true
		}
		return "Can't find backend.\n\n", true
	})
	api := RuntimeAPI{Address: s.Addr}
	states, err := api.ShowServersState(context.Background(), "be_app")
	if err != nil {
		t.Fatal(err)
	}
	if len(states) != 3 {
		t.Fatalf("%+v", states)
	}
	web1, web2, web3 := states[0], states[1], states[2]
	if web1.Server != "web1" || web1.Backend != "be_app" || web1.BackendID != 3 || web1.Port != "5000" ||
		!web1.Maint() || web1.Drain() || web1.OpState != 0 || web1.LastChange != 4*time.Second {
		t.Errorf("web1 %+v", web1)
	}
	if web2.Maint() || !web2.Drain() || web2.OpState != 2 {
		t.Errorf("web2 %+v", web2)
	}
	if web3.Maint() || web3.Drain() || web3.UserWeight != 50 || web3.InitialWeight != 1 {
		t.Errorf("web3 %+v", web3)
	}
	_, err = api.ShowServersState(context.Background(), "nosuch")
	if err == nil || !strings.Contains(err.Error(), "Can't find backend.") {
		t.Errorf("unknown backend: err = %v", err)
	}
}

// Names come from a stats page hacon does not control: anything but what
// HAProxy itself allows in a name is refused, so no second command can
// ride along.
func TestSetServerValidate(t *testing.T) {
	t.Parallel()
	ok := SetServer{Backend: "keystone_public", Server: "controller-1.internalapi:5000", State: ServerDrain}
	if err := ok.Validate(); err != nil || ok.String() != "set server keystone_public/controller-1.internalapi:5000 state drain" {
		t.Errorf("%q: %v", ok, err)
	}
	for _, bad := range []string{"", "a b", "a;b", "a\nb", "a\rb", "a\tb", "a/b", "a#b", "a$(x)", "é", "a\x00"} {
		for _, op := range []SetServer{
			{Backend: bad, Server: "s", State: ServerReady},
			{Backend: "b", Server: bad, State: ServerReady},
			{Backend: "b", Server: "s", State: State(bad)},
		} {
			if err := op.Validate(); err == nil {
				t.Errorf("%+v accepted", op)
			}
		}
	}
}
