package actions

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/user"
	"strconv"
	"strings"
	"sync"
	"time"
)

// AuditEntry is one line of the audit log (a contract: JSON lines).
type AuditEntry struct {
	Time       string     `json:"time"`
	Phase      string     `json:"phase"` // intent | result
	Operator   Operator   `json:"operator"`
	Cluster    string     `json:"cluster"`
	Action     string     `json:"action"`
	Target     string     `json:"target"`
	Commands   [][]string `json:"commands"`
	OK         bool       `json:"ok"`
	Error      string     `json:"error"`
	DurationMS int64      `json:"duration_ms"`
	Verified   bool       `json:"verified"`
	Forced     bool       `json:"forced,omitempty"`
}

// Operator is who ran an action.
type Operator struct {
	User     string `json:"user"`                   // the real uid's user name, from the OS
	Claimed  string `json:"claimed_user,omitempty"` // USER or LOGNAME when they name someone else
	SudoUser string `json:"sudo_user,omitempty"`
	Client   string `json:"client,omitempty"` // from SSH_CONNECTION
}

// CurrentOperator names the operator from the real uid (the environment is
// unset under cron and some sudo and tmux setups, and anyone can set it),
// keeping USER/LOGNAME as a claim when it differs, plus SUDO_USER and the
// SSH client address.
func CurrentOperator() Operator {
	op := Operator{User: userOfUID(os.Getuid()), SudoUser: os.Getenv("SUDO_USER")}
	claimed := os.Getenv("USER")
	if claimed == "" {
		claimed = os.Getenv("LOGNAME")
	}
	if claimed != op.User {
		op.Claimed = claimed
	}
	if f := strings.Fields(os.Getenv("SSH_CONNECTION")); len(f) >= 2 {
		op.Client = net.JoinHostPort(f[0], f[1])
	}
	return op
}

// userOfUID is the account name of uid, or "uid N" when the system has none.
func userOfUID(uid int) string {
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil && u.Username != "" {
		return u.Username
	}
	return fmt.Sprintf("uid %d", uid)
}

// AuditLog appends entries to a 0600 file and fsyncs each one: an action
// whose intent cannot be made durable does not run.
type AuditLog struct {
	mu   sync.Mutex
	path string
}

// NewAuditLog returns a log at path (its directory is created 0700).
func NewAuditLog(path string) *AuditLog { return &AuditLog{path: path} }

// Path is where the log is written.
func (a *AuditLog) Path() string { return a.path }

// Write appends one entry durably.
func (a *AuditLog) Write(e AuditEntry) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if e.Time == "" {
		e.Time = time.Now().UTC().Format(time.RFC3339Nano)
	}
	if e.Commands == nil {
		e.Commands = [][]string{}
	}
	line, err := json.Marshal(e)
	if err != nil {
		return err
	}
	f, err := openAuditFile(a.path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("audit log %s: %w", a.path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("audit log %s: fsync: %w", a.path, err)
	}
	return nil
}
