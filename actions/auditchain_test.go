package actions

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func writeEntries(t *testing.T, a *AuditLog, n int) {
	t.Helper()
	for i := range n {
		if err := a.Write(AuditEntry{Phase: PhaseIntent, Cluster: "oc", Action: "standby", Target: "standby c" + strconv.Itoa(i), Operator: Operator{User: "alice"}}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAuditChainHoldsAndBreaksWhereEdited(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "audit.log")
	a := NewAuditLogSyslog(path, "")
	writeEntries(t, a, 5)
	rep, err := VerifyAuditChain(path)
	if err != nil || !rep.OK() || rep.Lines != 5 || rep.Unhashed != 0 {
		t.Fatalf("intact log: %+v, %v", rep, err)
	}
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")

	// Someone changes who did it on line 2.
	edited := append([]string(nil), lines...)
	edited[1] = strings.Replace(edited[1], `"user":"alice"`, `"user":"bob"`, 1)
	os.WriteFile(path, []byte(strings.Join(edited, "\n")+"\n"), 0o600)
	rep, err = VerifyAuditChain(path)
	if err != nil || rep.OK() || len(rep.Breaks) != 1 || rep.Breaks[0].Line != 3 || !strings.Contains(rep.Breaks[0].Why, "line 2 was changed") {
		t.Fatalf("edited line 2: %+v, %v", rep, err)
	}

	// Someone removes line 3.
	removed := append(append([]string(nil), lines[:2]...), lines[3:]...)
	os.WriteFile(path, []byte(strings.Join(removed, "\n")+"\n"), 0o600)
	if rep, _ = VerifyAuditChain(path); len(rep.Breaks) != 1 || rep.Breaks[0].Line != 3 {
		t.Fatalf("removed line 3: %+v", rep)
	}

	// Someone removes the first line.
	os.WriteFile(path, []byte(strings.Join(lines[1:], "\n")+"\n"), 0o600)
	if rep, _ = VerifyAuditChain(path); len(rep.Breaks) != 1 || rep.Breaks[0].Line != 1 {
		t.Fatalf("removed line 1: %+v", rep)
	}
}

// A log from before the chain keeps working: its old lines count as
// unhashed, and the first new line chains to the last old one.
func TestAuditChainContinuesALegacyLog(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "audit.log")
	legacy := `{"time":"2026-01-01T00:00:00Z","phase":"intent","operator":{"user":""},"cluster":"oc","action":"vip","target":"vip public c1","commands":[],"ok":false,"error":"","duration_ms":0,"verified":false}` + "\n" +
		`{"time":"2026-01-01T00:00:01Z","phase":"result","operator":{"user":""},"cluster":"oc","action":"vip","target":"vip public c1","commands":[],"ok":true,"error":"","duration_ms":900,"verified":true}` + "\n"
	os.WriteFile(path, []byte(legacy), 0o600)
	writeEntries(t, NewAuditLogSyslog(path, ""), 2)
	rep, err := VerifyAuditChain(path)
	if err != nil || !rep.OK() || rep.Unhashed != 2 || rep.Lines != 4 {
		t.Fatalf("%+v, %v", rep, err)
	}
}

func TestAuditEntriesGoToTheSystemLog(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sock := filepath.Join(dir, "log")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	a := NewAuditLogSyslog(filepath.Join(dir, "audit.log"), sock)
	writeEntries(t, a, 1)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 64*1024)
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	msg := string(buf[:n])
	if !strings.Contains(msg, "hacon["+strconv.Itoa(os.Getpid())+"]") || !strings.Contains(msg, `"target":"standby c0"`) {
		t.Errorf("syslog message %q", msg)
	}
	// <85> is authpriv (10<<3) + notice (5).
	if !strings.HasPrefix(msg, "<85>") {
		t.Errorf("priority of %q, want authpriv.notice <85>", msg)
	}
	// No system log: the file is still written.
	b := NewAuditLogSyslog(filepath.Join(dir, "other.log"), filepath.Join(dir, "absent"))
	writeEntries(t, b, 1)
	if rep, err := VerifyAuditChain(b.Path()); err != nil || rep.Lines != 1 {
		t.Errorf("without a system log: %+v %v", rep, err)
	}
}
