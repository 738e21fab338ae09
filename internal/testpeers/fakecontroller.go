package testpeers

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// FakeController is a controller reached through a command prefix that
// runs locally: Pacemaker's real CLI on a CIB file, and files read from
// Root/<node>/… as if they were the node's own. Every command it is asked
// to run is logged; anything but the read-only commands hacon discover may
// run is refused (exit 127), so a test can hold discover to them.
type FakeController struct {
	Root   string // Root/<node>/etc/haproxy/haproxy.cfg is controller <node>'s /etc/haproxy/haproxy.cfg
	Script string
	Log    string // one line per command asked for
	CIB    string
}

const fakeControllerScript = `#!/bin/sh
# fake controller NODE TOOL ARG...: see internal/testpeers/fakecontroller.go
node=$1
shift
printf '%s %s\n' "$node" "$*" >>"$FAKE_LOG"
[ -d "$FAKE_ROOT/$node" ] || { echo "fake controller: no node $node" >&2; exit 255; }
case "$1" in
cat) [ $# -eq 2 ] || exit 2; exec cat -- "$FAKE_ROOT/$node$2" ;;
ls) [ "$2" = -1 ] && [ $# -eq 3 ] || exit 2; exec ls -1 -- "$FAKE_ROOT/$node$3" ;;
ps) exit 0 ;;
crm_mon|cibadmin) exec "$@" ;;
esac
echo "fake controller: $1 is not a command discover may run" >&2
exit 127
`

// StartFakeController writes the script; cib is the CIB file Pacemaker's
// CLI answers from (CIB_file). Pacemaker's CLI must be installed (it skips
// outside CI otherwise).
func StartFakeController(t testing.TB, cib string) *FakeController {
	t.Helper()
	RequirePacemakerCLI(t)
	dir := t.TempDir()
	f := &FakeController{Root: filepath.Join(dir, "root"), Script: filepath.Join(dir, "controller"), Log: filepath.Join(dir, "commands.log"), CIB: cib}
	if err := os.MkdirAll(f.Root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.Script, []byte(fakeControllerScript), 0o755); err != nil {
		t.Fatal(err)
	}
	return f
}

// Prefix is the command prefix reaching node ("{{.Name}}" for the config).
func (f *FakeController) Prefix(node string) []string {
	return []string{"env", "CIB_file=" + f.CIB, "FAKE_ROOT=" + f.Root, "FAKE_LOG=" + f.Log, f.Script, node}
}

// WriteFile puts a file on node at path.
func (f *FakeController) WriteFile(t testing.TB, node, path string, data []byte) {
	t.Helper()
	p := filepath.Join(f.Root, node, path)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// AddNode makes node reachable (with no files yet).
func (f *FakeController) AddNode(t testing.TB, node string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(f.Root, node), 0o755); err != nil {
		t.Fatal(err)
	}
}

// Commands are the commands asked for so far, "node tool args".
func (f *FakeController) Commands(t testing.TB) []string {
	t.Helper()
	b, err := os.ReadFile(f.Log)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return strings.FieldsFunc(string(b), func(r rune) bool { return r == '\n' })
}

// RequirePacemakerCLI skips without crm_mon and cibadmin, except in CI
// where they must exist; /usr/sbin joins PATH when that is where they are.
func RequirePacemakerCLI(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("crm_mon"); err != nil {
		if _, err := os.Stat("/usr/sbin/crm_mon"); err == nil {
			t.Setenv("PATH", os.Getenv("PATH")+string(os.PathListSeparator)+"/usr/sbin")
		}
	}
	for _, tool := range []string{"crm_mon", "cibadmin"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s not installed (CI=true): apt-get install pacemaker-cli-utils", tool)
			}
			t.Skipf("%s not installed", tool)
		}
	}
}
