package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// hacon --help and hacon help list every command with its line, then the
// console's flags.
func TestHelpListsEveryCommandThenTheConsoleFlags(t *testing.T) {
	root := newRootCmd(&invocation{stdout: io.Discard, stderr: io.Discard})
	for _, args := range [][]string{{"--help"}, {"help"}, {"-h"}, {"-help"}} {
		code, out, _ := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d", args, code)
		}
		for _, c := range root.Commands() {
			if c.Hidden {
				continue
			}
			if !strings.Contains(out, "\n  "+c.Name()+" ") || !strings.Contains(out, c.Short) {
				t.Errorf("%v does not list %s (%q):\n%s", args, c.Name(), c.Short, out)
			}
		}
		flags := strings.Index(out, "Flags:")
		if flags < 0 || flags < strings.Index(out, "Available Commands:") {
			t.Fatalf("%v: no console flags after the commands:\n%s", args, out)
		}
		for _, f := range []string{"--config", "--read-only", "--wall", "--theme", "--rotate", "--log"} {
			if !strings.Contains(out[flags:], f) {
				t.Errorf("%v: console flag %s missing:\n%s", args, f, out)
			}
		}
		if strings.Contains(out, "gen-docs") {
			t.Errorf("%v shows the build's hidden gen-docs", args)
		}
	}
}

// Each command has its own help with examples; `hacon help C` is the same.
func TestEveryCommandHasHelpWithExamples(t *testing.T) {
	for _, cmd := range [][]string{{"console"}, {"demo"}, {"status"}, {"check-config"}, {"export"}, {"audit", "verify"}, {"discover"}, {"version"}} {
		code, own, _ := runCLI(t, append(cmd, "--help")...)
		if code != 0 || !strings.Contains(own, "Examples:\n  hacon") || !strings.Contains(own, "Usage:\n  hacon "+strings.Join(cmd, " ")) {
			t.Errorf("%v --help: exit %d, no usage or examples:\n%s", cmd, code, own)
		}
		_, viaHelp, _ := runCLI(t, append([]string{"help"}, cmd...)...)
		if viaHelp != own {
			t.Errorf("hacon help %v differs from its --help", cmd)
		}
	}
	_, out, _ := runCLI(t, "discover", "--help")
	if !strings.Contains(out, "crm_mon --one-shot") {
		t.Errorf("discover's help does not list the commands it runs:\n%s", out)
	}
}

// A mistyped command or flag is one line naming the closest one; exit 2.
func TestUnknownCommandsAndFlagsNameTheClosest(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"stauts"}, `hacon: unknown command "stauts" (did you mean "status"?)`},
		{[]string{"exprot", "--demo"}, `hacon: unknown command "exprot" (did you mean "export"?)`},
		{[]string{"status", "--dmeo"}, `hacon status: unknown flag: --dmeo (did you mean --demo?)`},
		{[]string{"export", "--clust", "x"}, `hacon export: unknown flag: --clust (did you mean --cluster?)`},
		{[]string{"-wal"}, `hacon: unknown flag: --wal (did you mean --wall?)`},
		{[]string{"audit", "verify", "--fiel", "x"}, `hacon audit verify: unknown flag: --fiel (did you mean --file?)`},
		{[]string{"status", "--demo", "extra"}, `hacon status: unexpected argument "extra"`},
		{[]string{"zzzzzz"}, `hacon: unknown command "zzzzzz" (see hacon --help)`},
		{[]string{"help", "stauts"}, `hacon: unknown command "stauts" (did you mean "status"?)`},
		{[]string{"help", "audit", "vrify"}, `hacon audit: no command "vrify"`},
	} {
		code, _, errOut := runCLI(t, tc.args...)
		if code != 2 || errOut != tc.want+"\n" {
			t.Errorf("%v: exit %d, stderr %q; want exit 2, %q", tc.args, code, errOut, tc.want)
		}
	}
}

// Go's flag package took -name and --name, --o and -o: every command line
// that worked keeps working.
func TestOldFlagSpellingsStillParse(t *testing.T) {
	for _, args := range [][]string{
		{"status", "-demo", "-o", "json"},
		{"status", "--demo", "--o", "json"},
		{"status", "-demo", "-o=json"},
		{"status", "--demo=true", "--output", "json"},
	} {
		code, out, errOut := runCLI(t, args...)
		if code > 2 || !strings.Contains(out, `"clusters"`) {
			t.Errorf("%v: exit %d, stderr %q, not JSON:\n%.300s", args, code, errOut, out)
		}
	}
	code, _, errOut := runCLI(t, "check-config", "-config", filepath.Join(t.TempDir(), "none.yaml"))
	if code != 1 || !strings.Contains(errOut, "none.yaml") {
		t.Errorf("check-config -config: exit %d %q", code, errOut)
	}
}

// The prefix after discover's flags keeps its own flags (ssh -o …): the
// canonical rewrite stops at the first argument that is not a flag.
func TestCanonicalArgsStopAtThePrefix(t *testing.T) {
	root := newRootCmd(&invocation{stdout: io.Discard, stderr: io.Discard})
	got := canonicalArgs(root, []string{"discover", "-name", "x", "-o", "f.yaml", "ssh", "-name", "--o", "h"})
	want := []string{"discover", "--name", "x", "-o", "f.yaml", "ssh", "-name", "--o", "h"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %q, want %q", got, want)
	}
	got = canonicalArgs(root, []string{"status", "-o", "-demo"})
	if strings.Join(got, " ") != "status -o -demo" {
		t.Errorf("a flag's value was rewritten: %q", got)
	}
}

// Tab after --cluster offers the config's clusters (with their
// controllers); after --theme, the themes.
func TestCompletionOffersClustersFromTheConfig(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "c.yaml")
	body := "read_only: true\nclusters:\n  - name: overcloud\n    environment: production\n    controllers: [{name: ctl-a}, {name: ctl-b}]\n  - name: edge\n    controllers: [{name: e-0}]\n"
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	_, out, _ := runCLI(t, "__complete", "export", "--config", cfg, "--cluster", "")
	if !strings.Contains(out, "overcloud\tproduction: ctl-a, ctl-b\n") || !strings.Contains(out, "edge\te-0\n") {
		t.Errorf("export --cluster <TAB>:\n%s", out)
	}
	t.Setenv("HACON_CONFIG", cfg)
	_, out, _ = runCLI(t, "__complete", "export", "--cluster", "ov")
	if !strings.Contains(out, "overcloud\t") || strings.Contains(out, "edge") {
		t.Errorf("export --cluster ov<TAB> with $HACON_CONFIG:\n%s", out)
	}
	_, out, _ = runCLI(t, "__complete", "--theme", "")
	if !strings.Contains(out, "high-contrast\n") {
		t.Errorf("--theme <TAB>:\n%s", out)
	}
	_, out, _ = runCLI(t, "__complete", "sta")
	if !strings.HasPrefix(out, "status\t") {
		t.Errorf("sta<TAB>:\n%s", out)
	}
}

// hacon version prints no empty field (the old output had an empty branch
// and build user).
func TestVersionHasNoEmptyField(t *testing.T) {
	code, out, _ := runCLI(t, "version")
	if code != 0 || !strings.HasPrefix(out, "hacon, version ") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.HasSuffix(strings.TrimSpace(line), ":") || strings.Contains(line, ": ,") || strings.Contains(line, "()") {
			t.Errorf("empty field: %q in\n%s", line, out)
		}
	}
	if !strings.Contains(out, "platform:") || !strings.Contains(out, "go version:") {
		t.Errorf("no platform or go version:\n%s", out)
	}
}

// gen-docs writes hacon(1) naming every command, a page per command,
// hacon-config(5) from the README and the three completions.
func TestGenDocsWritesManPagesAndCompletions(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := runCLI(t, "gen-docs", "--readme", "../../README.md", dir); code != 0 {
		t.Fatalf("gen-docs: exit %d %s", code, errOut)
	}
	page := gunzip(t, filepath.Join(dir, "man/man1/hacon.1.gz"))
	for _, want := range []string{".TH \"HACON\" \"1\"", "hacon-status(1)", "hacon-demo(1)", "hacon-discover(1)", `\fB--read-only\fP`} {
		if !strings.Contains(page, want) {
			t.Errorf("hacon.1 lacks %q:\n%.2000s", want, page)
		}
	}
	if p := gunzip(t, filepath.Join(dir, "man/man1/hacon-export.1.gz")); !strings.Contains(p, `\fB--cluster\fP`) {
		t.Errorf("hacon-export.1 lacks --cluster:\n%s", p)
	}
	cfg := gunzip(t, filepath.Join(dir, "man/man5/hacon-config.5.gz"))
	for _, want := range []string{".TH \"HACON-CONFIG\" \"5\"", "password_env", "A real cluster with nothing but its controllers"} {
		if !strings.Contains(cfg, want) {
			t.Errorf("hacon-config.5 lacks %q", want)
		}
	}
	if strings.Contains(cfg, "The console") {
		t.Errorf("hacon-config.5 runs past the configuration reference")
	}
	for name, want := range map[string]string{"hacon.bash": "__start_hacon", "_hacon": "#compdef hacon", "hacon.fish": "complete -c hacon"} {
		b, err := os.ReadFile(filepath.Join(dir, "completions", name))
		if err != nil || !strings.Contains(string(b), want) {
			t.Errorf("completion %s: %v, lacks %q", name, err, want)
		}
	}
}

func gunzip(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
