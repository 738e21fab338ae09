package app_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hacon/hacon/internal/app"
)

// --log wins over $HACON_LOG; the file is private and appended to.
func TestOpenLog(t *testing.T) {
	dir := t.TempDir()
	flagPath, envPath := filepath.Join(dir, "sub", "flag.log"), filepath.Join(dir, "env.log")
	t.Setenv(app.LogEnv, envPath)
	for i := 0; i < 2; i++ {
		log, f, err := app.OpenLog(flagPath)
		if err != nil {
			t.Fatal(err)
		}
		log.Debug("hello")
		f.Close()
	}
	b, err := os.ReadFile(flagPath)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "msg=hello"); n != 2 {
		t.Errorf("--log file has %d lines, want 2 (appended):\n%s", n, b)
	}
	if fi, _ := os.Stat(flagPath); fi.Mode().Perm() != 0o600 {
		t.Errorf("log file mode %v, want 0600", fi.Mode().Perm())
	}
	if _, err := os.Stat(envPath); !os.IsNotExist(err) {
		t.Errorf("$%s written although --log was given", app.LogEnv)
	}

	log, f, err := app.OpenLog("")
	if err != nil {
		t.Fatal(err)
	}
	log.Debug("from env")
	f.Close()
	if b, _ := os.ReadFile(envPath); !strings.Contains(string(b), "from env") {
		t.Errorf("$%s not used without --log: %q", app.LogEnv, b)
	}

	t.Setenv(app.LogEnv, "")
	if log, f, err := app.OpenLog(""); log != nil || err != nil || f.Close() != nil {
		t.Errorf("no --log, no $%s: logger %v err %v, want none", app.LogEnv, log, err)
	}
}
