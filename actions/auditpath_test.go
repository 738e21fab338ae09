package actions

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Issue 11 #5: the audit log never opens or chmods what is not a regular file.
func TestAuditLogRefusesWhatIsNotARegularFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	before, err := os.Stat("/dev/null")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/dev/null", fifo, dir} {
		if err := CheckAuditPath(p); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("CheckAuditPath(%s) = %v, want refused", p, err)
		}
		if err := NewAuditLog(p).Write(AuditEntry{Phase: "intent"}); err == nil {
			t.Errorf("Write to %s succeeded", p)
		}
	}
	after, _ := os.Stat("/dev/null")
	if after.Mode() != before.Mode() {
		t.Errorf("/dev/null mode changed from %v to %v", before.Mode(), after.Mode())
	}
	if st, _ := os.Stat(fifo); st.Mode().Perm() != 0o644 {
		t.Errorf("fifo mode changed to %v", st.Mode().Perm())
	}
}

func TestAuditLogKeepsTheModeOfAnExistingFile(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "audit.log")
	if err := os.WriteFile(p, nil, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := NewAuditLog(p).Write(AuditEntry{Phase: "intent"}); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o640 {
		t.Errorf("mode of an existing log changed to %v", st.Mode().Perm())
	}
	created := filepath.Join(t.TempDir(), "sub", "audit.log")
	if err := CheckAuditPath(created); err != nil {
		t.Errorf("an absent log in a creatable directory: %v", err)
	}
	if err := NewAuditLog(created).Write(AuditEntry{Phase: "intent"}); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(created); st.Mode().Perm() != 0o600 {
		t.Errorf("a new log has mode %v, want 0600", st.Mode().Perm())
	}
}

func TestCheckAuditPathSaysWhenTheDirectoryIsNotADirectory(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := CheckAuditPath(filepath.Join(file, "audit.log")); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("CheckAuditPath under a file = %v", err)
	}
}

// Issue 11 #13: the operator comes from the real uid, not the environment;
// what the environment claims is kept beside it when it differs.
func TestOperatorIsTheRealUser(t *testing.T) {
	t.Setenv("USER", "")
	t.Setenv("LOGNAME", "")
	op := CurrentOperator()
	if op.User == "" || op.User != userOfUID(os.Getuid()) {
		t.Errorf("with USER unset the operator is %+v", op)
	}
	t.Setenv("USER", "someone-else")
	if op := CurrentOperator(); op.Claimed != "someone-else" || op.User == "someone-else" {
		t.Errorf("a spoofed USER became the operator: %+v", op)
	}
}
