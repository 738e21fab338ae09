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
	"syscall"
	"time"
)

// Audit phases: every action writes all three, each fsynced before hacon
// goes on.
const (
	PhaseIntent = "intent" // before anything runs
	PhaseResult = "result" // right after the commands return
	PhaseVerify = "verify" // what verification saw, or that it was abandoned
)

// Verify states of a verify line (and "pending" on a result line).
const (
	VerifySeen      = "seen"      // the effect was seen
	VerifyNotSeen   = "not_seen"  // the verify timeout passed first
	VerifyAbandoned = "abandoned" // hacon was ending (SIGHUP, SIGTERM, quit)
	VerifySkipped   = "skipped"   // the commands failed: nothing to verify
	VerifyPending   = "pending"   // on a result line: verification follows
)

// AuditEntry is one line of the audit log (a contract: JSON lines; keys are
// added, never renamed). The three lines of one action share action_id.
// Verified is only ever true on a verify line: a result line is written
// before verification, so its verified is false and verify_state "pending".
type AuditEntry struct {
	Time        string       `json:"time"`
	Phase       string       `json:"phase"` // intent | result | verify
	ActionID    string       `json:"action_id,omitempty"`
	Operator    Operator     `json:"operator"`
	Cluster     string       `json:"cluster"`
	Action      string       `json:"action"`
	Target      string       `json:"target"`
	Commands    [][]string   `json:"commands"`
	OK          bool         `json:"ok"`
	Error       string       `json:"error"`
	DurationMS  int64        `json:"duration_ms"`
	Verified    bool         `json:"verified"`
	Forced      bool         `json:"forced,omitempty"`
	Hosts       []HostResult `json:"hosts,omitempty"`        // result: per host
	VerifyState string       `json:"verify_state,omitempty"` // result: pending; verify: seen, not_seen, abandoned, skipped
	Verify      string       `json:"verify,omitempty"`       // verify: what was (or was not) seen
	PrevHash    string       `json:"prev_hash"`              // sha256 of the previous line ("" on the first)
}

// HostResult is one command's outcome on one host, as the result line
// records it: never more than a summary of its output.
type HostResult struct {
	Host   string `json:"host"`
	OK     bool   `json:"ok"`
	Exit   *int   `json:"exit,omitempty"` // the exit status, when a process ran
	Error  string `json:"error,omitempty"`
	Output string `json:"output,omitempty"` // first lines, at most outputSummaryMax bytes
}

// outputSummaryMax bounds the output kept per host in the audit log.
const outputSummaryMax = 512

// Operator is who ran an action.
type Operator struct {
	User     string `json:"user"`                   // the real uid's user name, from the OS
	Claimed  string `json:"claimed_user,omitempty"` // USER or LOGNAME when they name someone else
	SudoUser string `json:"sudo_user,omitempty"`
	Client   string `json:"client,omitempty"` // from SSH_CONNECTION
	TTY      string `json:"tty,omitempty"`    // the terminal hacon runs on
}

// String is the operator in one phrase: "alice (as root via sudo, from
// 198.51.100.7:52000 on /dev/pts/3)".
func (o Operator) String() string {
	s := o.User
	var extra []string
	if o.SudoUser != "" && o.SudoUser != o.User {
		extra = append(extra, "sudo from "+o.SudoUser)
	}
	if o.Claimed != "" {
		extra = append(extra, "claims "+o.Claimed)
	}
	if o.Client != "" {
		extra = append(extra, "from "+o.Client)
	}
	if o.TTY != "" {
		extra = append(extra, "on "+o.TTY)
	}
	if len(extra) > 0 {
		s += " (" + strings.Join(extra, ", ") + ")"
	}
	return s
}

// CurrentOperator names the operator from the real uid (the environment is
// unset under cron and some sudo and tmux setups, and anyone can set it),
// keeping USER/LOGNAME as a claim when it differs, plus SUDO_USER, the SSH
// client address and the terminal.
func CurrentOperator() Operator {
	op := Operator{User: userOfUID(os.Getuid()), SudoUser: os.Getenv("SUDO_USER"), TTY: terminalName()}
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

// terminalName is the terminal on stdin, stdout or stderr (from the
// kernel, not the environment), or "" when hacon runs without one.
func terminalName() string {
	for fd := 0; fd <= 2; fd++ {
		p, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(fd))
		if err != nil || !strings.HasPrefix(p, "/dev/") {
			continue
		}
		var st syscall.Stat_t
		if syscall.Fstat(fd, &st) == nil && st.Mode&syscall.S_IFMT == syscall.S_IFCHR && p != "/dev/null" {
			return p
		}
	}
	return ""
}

// userOfUID is the account name of uid, or "uid N" when the system has none.
func userOfUID(uid int) string {
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil && u.Username != "" {
		return u.Username
	}
	return fmt.Sprintf("uid %d", uid)
}

// AuditLog appends entries to a 0600 file and fsyncs each one: an action
// whose intent cannot be made durable does not run. Each line carries the
// hash of the line before it (VerifyAuditChain checks them), and each
// entry also goes to the system log, so an edit of the file can be told.
type AuditLog struct {
	mu     sync.Mutex
	path   string
	syslog *sysLog
}

// NewAuditLog returns a log at path (its directory is created 0700) that
// also copies every entry to the system log at /dev/log when there is one.
func NewAuditLog(path string) *AuditLog {
	return &AuditLog{path: path, syslog: newSysLog(defaultSyslogSocket)}
}

// NewAuditLogSyslog is NewAuditLog with the system log's socket given
// ("" sends nothing there): tests listen on their own.
func NewAuditLogSyslog(path, socket string) *AuditLog {
	return &AuditLog{path: path, syslog: newSysLog(socket)}
}

// Path is where the log is written.
func (a *AuditLog) Path() string { return a.path }

// Write appends one entry durably, chained to the line before it, and
// copies it to the system log (best effort: the file is the record).
func (a *AuditLog) Write(e AuditEntry) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if e.Time == "" {
		e.Time = time.Now().UTC().Format(time.RFC3339Nano)
	}
	if e.Commands == nil {
		e.Commands = [][]string{}
	}
	f, err := openAuditFile(a.path)
	if err != nil {
		return err
	}
	defer f.Close()
	// Another hacon may append to the same file: the lock keeps the
	// chain's read-last-line-then-append one step.
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("audit log %s: lock: %w", a.path, err)
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	last, err := lastLine(f)
	if err != nil {
		return fmt.Errorf("audit log %s: reading its last line: %w", a.path, err)
	}
	e.PrevHash = lineHash(last)
	line, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("audit log %s: %w", a.path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("audit log %s: fsync: %w", a.path, err)
	}
	a.syslog.send(line)
	return nil
}
