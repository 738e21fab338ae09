package haproxyapi

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// RuntimeAPI talks to HAProxy's runtime API (the admin-level stats socket)
// at Address: unix:///path, /path or tcp://host:port. Each call opens its
// own connection, sends one command and reads until HAProxy closes, so a
// RuntimeAPI is safe for concurrent use. Every call is bounded by its
// context, or by a default deadline when the context has none.
type RuntimeAPI struct {
	Address string
}

// State is a server state the runtime API's "set server … state" takes.
type State string

// The states SetServer accepts, as the runtime API names them.
const (
	ServerReady State = "ready"
	ServerDrain State = "drain"
	ServerMaint State = "maint"
)

// Command sends one command and returns HAProxy's reply with its trailing
// blank line removed. HAProxy replies carry no status code: whether a reply
// means failure depends on the command, so judging it is the caller's job.
// A command with a line break is refused before anything is sent.
func (a RuntimeAPI) Command(ctx context.Context, cmd string) (string, error) {
	if strings.TrimSpace(cmd) == "" {
		return "", fmt.Errorf("runtime API %s: empty command", a.Address)
	}
	body, err := Exchange(ctx, "runtime API", a.Address, cmd)
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(body), "\n"), nil
}

// SetServer is one "set server B/S state S" change, kept typed from plan
// to socket so the names in it — which come from a stats page hacon does
// not control — are checked before any command line is built.
type SetServer struct {
	Backend string
	Server  string
	State   State
}

// Validate accepts only the three states and names HAProxy itself allows,
// which keeps spaces, "/", ";" (a command separator) and line breaks out
// of the command line.
func (op SetServer) Validate() error {
	switch op.State {
	case ServerReady, ServerDrain, ServerMaint:
	default:
		return fmt.Errorf("server state %q: expected ready, drain or maint", op.State)
	}
	if err := checkProxyName("backend", op.Backend); err != nil {
		return err
	}
	return checkProxyName("server", op.Server)
}

// String is the runtime API line, as previews and the audit show it. It is
// sent only after Validate.
func (op SetServer) String() string {
	return "set server " + op.Backend + "/" + op.Server + " state " + string(op.State)
}

// ReplyError is HAProxy refusing a change: it answers success with an
// empty line, so any text it sends back ("No such server.", "Permission
// denied.") is a refusal.
type ReplyError struct {
	Addr, Command, Reply string
}

func (e *ReplyError) Error() string {
	return fmt.Sprintf("runtime API %s: %s: HAProxy said: %s", e.Addr, e.Command, e.Reply)
}

// Set validates op and sends it.
func (a RuntimeAPI) Set(ctx context.Context, op SetServer) error {
	if err := op.Validate(); err != nil {
		return err
	}
	cmd := op.String()
	reply, err := a.Command(ctx, cmd)
	if err != nil {
		return err
	}
	if reply = strings.TrimSpace(reply); reply != "" {
		return &ReplyError{Addr: a.Address, Command: cmd, Reply: reply}
	}
	return nil
}

// SetServerState runs "set server backend/server state ready|drain|maint"
// after checking every part (see SetServer).
func (a RuntimeAPI) SetServerState(ctx context.Context, backend, server string, state State) error {
	return a.Set(ctx, SetServer{Backend: backend, Server: server, State: state})
}

// checkProxyName accepts the characters HAProxy allows in proxy and server
// names: letters, digits, '-', '_', '.' and ':'.
func checkProxyName(what, name string) error {
	if name == "" {
		return fmt.Errorf("%s name is empty", what)
	}
	for _, c := range name {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == ':'
		if !ok {
			return fmt.Errorf("%s name %q: HAProxy names use only letters, digits, '-', '_', '.' and ':'", what, name)
		}
	}
	return nil
}

// ServerState is one row of "show servers state".
type ServerState struct {
	BackendID     int
	Backend       string
	ServerID      int
	Server        string
	Address       string
	Port          string
	OpState       int // 0 stopped, 1 starting, 2 running, 3 stopping
	AdminState    int // bit set, see the Admin* constants
	UserWeight    int
	InitialWeight int
	LastChange    time.Duration
	CheckStatus   int
	CheckResult   int
	CheckHealth   int
}

// Admin state bits of "show servers state" (management guide §9.3).
const (
	AdminForcedMaint   = 0x01 // set server … state maint / disable server
	AdminInheritMaint  = 0x02 // tracks a server in maintenance
	AdminConfigMaint   = 0x04 // "disabled" in the config
	AdminForcedDrain   = 0x08 // set server … state drain
	AdminInheritDrain  = 0x10
	AdminResolverMaint = 0x20 // DNS resolution failed
	AdminHostnameMaint = 0x40
)

// Maint reports whether any maintenance bit is set.
func (s ServerState) Maint() bool {
	return s.AdminState&(AdminForcedMaint|AdminInheritMaint|AdminConfigMaint|AdminResolverMaint|AdminHostnameMaint) != 0
}

// Drain reports whether the server is draining (forced or inherited).
func (s ServerState) Drain() bool { return s.AdminState&(AdminForcedDrain|AdminInheritDrain) != 0 }

// ShowServersState runs "show servers state [backend]" (all backends when
// backend is empty) and parses its rows, looking columns up by header name.
func (a RuntimeAPI) ShowServersState(ctx context.Context, backend string) ([]ServerState, error) {
	cmd := "show servers state"
	if backend != "" {
		if err := checkProxyName("backend", backend); err != nil {
			return nil, err
		}
		cmd += " " + backend
	}
	reply, err := a.Command(ctx, cmd)
	if err != nil {
		return nil, err
	}
	states, err := parseServersState(reply)
	if err != nil {
		return nil, fmt.Errorf("runtime API %s: %s: %w", a.Address, cmd, err)
	}
	return states, nil
}

func parseServersState(reply string) ([]ServerState, error) {
	sc := bufio.NewScanner(strings.NewReader(reply))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	var col map[string]int
	var out []ServerState
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
			continue
		case col == nil && strings.HasPrefix(line, "# "):
			col = map[string]int{}
			for i, name := range strings.Fields(line[2:]) {
				col[name] = i
			}
			continue
		case col == nil:
			if _, err := strconv.Atoi(line); err == nil {
				continue // the format version line ("1") before the header
			}
			return nil, fmt.Errorf("HAProxy said: %s", line)
		}
		f := strings.Fields(line)
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(f) {
				return f[i]
			}
			return ""
		}
		num := func(name string) int { n, _ := strconv.Atoi(get(name)); return n }
		out = append(out, ServerState{
			BackendID:     num("be_id"),
			Backend:       get("be_name"),
			ServerID:      num("srv_id"),
			Server:        get("srv_name"),
			Address:       get("srv_addr"),
			Port:          get("srv_port"),
			OpState:       num("srv_op_state"),
			AdminState:    num("srv_admin_state"),
			UserWeight:    num("srv_uweight"),
			InitialWeight: num("srv_iweight"),
			LastChange:    time.Duration(num("srv_time_since_last_change")) * time.Second,
			CheckStatus:   num("srv_check_status"),
			CheckResult:   num("srv_check_result"),
			CheckHealth:   num("srv_check_health"),
		})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if col == nil {
		return nil, fmt.Errorf("no header line in the reply")
	}
	return out, nil
}
