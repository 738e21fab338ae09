// Package packaging holds the .deb/.rpm definition (nfpm.yaml), the
// example config they install, and the test that installs the .deb.
package packaging

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

const bashCompletion = "/usr/share/bash-completion/bash_completion"

// needRoot skips outside CI and fails in CI when the test cannot install a
// package (it needs root, dpkg and man-db).
func needRoot(t *testing.T) {
	t.Helper()
	why := ""
	if os.Getuid() != 0 {
		why = "installing the .deb needs root"
	}
	if _, err := os.Stat(bashCompletion); err != nil && why == "" {
		why = "bash-completion is missing (scripts/install-test-deps.sh installs it)"
	}
	for _, tool := range []string{"dpkg", "man", "bash"} {
		if _, err := exec.LookPath(tool); err != nil && why == "" {
			why = tool + " is missing (scripts/install-test-deps.sh installs it)"
		}
	}
	if why == "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal(why)
	}
	t.Skip(why)
}

// sh runs argv with a deadline and returns its combined output.
func sh(t *testing.T, env []string, argv ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// dpkg runs dpkg, waiting out another dpkg or apt holding its lock (the
// machine's package manager is shared) for up to a minute.
func dpkg(t *testing.T, args ...string) (string, error) {
	t.Helper()
	for wait := 0; ; wait++ {
		out, err := sh(t, nil, append([]string{"dpkg"}, args...)...)
		if err == nil || !strings.Contains(out, "lock") || wait == 30 {
			return out, err
		}
		time.Sleep(2 * time.Second)
	}
}

func must(t *testing.T, env []string, argv ...string) string {
	t.Helper()
	out, err := sh(t, env, argv...)
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out)
	}
	return out
}

// make package builds the host's .deb; dpkg installs it; the installed
// hacon, its man pages, its completions and its example config work; dpkg
// removes it all.
func TestDebInstallsAWorkingHacon(t *testing.T) {
	needRoot(t)
	if _, err := os.Stat("/usr/bin/hacon"); err == nil {
		if out, _ := sh(t, nil, "dpkg", "-S", "/usr/bin/hacon"); !strings.HasPrefix(out, "hacon:") {
			t.Fatalf("/usr/bin/hacon exists and is not from the hacon package: not overwriting it (%s)", out)
		}
	}
	dist := t.TempDir()
	start := time.Now()
	must(t, nil, "make", "-C", "..", "package", "ARCHES="+runtime.GOARCH, "DIST="+dist)
	t.Logf("make package (%s only): %s", runtime.GOARCH, time.Since(start).Round(time.Second))
	debs, _ := filepath.Glob(filepath.Join(dist, "*_"+runtime.GOARCH+".deb"))
	rpms, _ := filepath.Glob(filepath.Join(dist, "*.rpm"))
	if len(debs) != 1 || len(rpms) != 1 {
		t.Fatalf("make package made debs %v, rpms %v", debs, rpms)
	}
	info := must(t, nil, "dpkg-deb", "--field", debs[0], "Package", "Version", "Recommends")
	if !strings.Contains(info, "Recommends: openssh-client, ipmitool") {
		t.Errorf("the .deb does not recommend what hacon runs:\n%s", info)
	}

	t.Cleanup(func() {
		if out, err := dpkg(t, "-r", "hacon"); err != nil {
			t.Errorf("dpkg -r hacon: %v\n%s", err, out)
		}
		if _, err := os.Stat("/usr/bin/hacon"); err == nil {
			t.Errorf("/usr/bin/hacon is still there after dpkg -r")
		}
	})
	if out, err := dpkg(t, "-i", debs[0]); err != nil {
		t.Fatalf("dpkg -i: %v\n%s", err, out)
	}

	home := t.TempDir()
	env := []string{"HOME=" + home, "XDG_CONFIG_HOME=" + home, "XDG_STATE_HOME=" + home, "HACON_CONFIG=", "NO_COLOR=1"}
	commit := strings.TrimSpace(must(t, nil, "git", "rev-parse", "HEAD"))
	if v := must(t, env, "/usr/bin/hacon", "version"); !strings.Contains(v, "revision: "+commit) || !strings.Contains(v, "build date:") {
		t.Errorf("the installed hacon does not say its commit %s and date:\n%s", commit, v)
	}
	// The demo is healthy: OK, unless a loaded machine makes a poll late
	// (WARNING); either way the installed binary polled all of it.
	if out, _ := sh(t, env, "/usr/bin/hacon", "status", "--demo"); !strings.HasPrefix(out, "HACON OK") && !strings.HasPrefix(out, "HACON WARNING") ||
		!strings.Contains(out, "cluster demo-overcloud") || !strings.Contains(out, "VIP public") {
		t.Errorf("installed hacon status --demo:\n%s", out)
	}
	example := "/usr/share/doc/hacon/examples/config.yaml"
	if out := must(t, env, "/usr/bin/hacon", "check-config", "--config", example); !strings.Contains(out, "valid (1 clusters, 3 controllers)") {
		t.Errorf("the installed example config: %s", out)
	}
	checkManPages(t, env)
	checkCompletions(t, env)
}

func checkManPages(t *testing.T, env []string) {
	t.Helper()
	for page, file := range map[string]string{"hacon": "/usr/share/man/man1/hacon.1.gz", "hacon-config": "/usr/share/man/man5/hacon-config.5.gz", "hacon-status": "/usr/share/man/man1/hacon-status.1.gz"} {
		if got := strings.TrimSpace(must(t, env, "man", "-w", page)); got != file {
			t.Errorf("man -w %s = %q, want %s", page, got, file)
		}
	}
	text := must(t, append(env, "MANWIDTH=100"), "man", "-P", "cat", "hacon")
	for _, want := range []string{"demo", "status", "discover", "--read-only"} {
		if !strings.Contains(text, want) {
			t.Errorf("man hacon does not mention %s:\n%s", want, text)
		}
	}
}

// checkCompletions: the three shells' files are where their shells look,
// and bash's, sourced, completes commands and a config's cluster names
// through the installed hacon.
func checkCompletions(t *testing.T, env []string) {
	t.Helper()
	for _, f := range []string{"/usr/share/bash-completion/completions/hacon", "/usr/share/zsh/vendor-completions/_hacon", "/usr/share/fish/vendor_completions.d/hacon.fish"} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("completion: %v", err)
		}
	}
	cfg := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(cfg, []byte("read_only: true\nclusters:\n  - {name: overcloud, controllers: [{name: c0}]}\n  - {name: undercloud, controllers: [{name: u0}]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	complete := func(line string) string {
		// As an interactive bash does: bash-completion loads hacon's
		// file from where the package put it.
		script := `source /usr/share/bash-completion/bash_completion
__load_completion hacon || { echo "bash-completion did not load hacon's completion"; exit 1; }
fn=$(complete -p hacon | sed -E 's/.* -F ([^ ]+) .*/\1/')
COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}
read -ra COMP_WORDS <<<"$COMP_LINE"; [[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$((${#COMP_WORDS[@]}-1))
"$fn" hacon "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"`
		return must(t, append(env, "PATH=/usr/bin:/bin"), "bash", "-c", script, "bash", line)
	}
	if got := complete("hacon sta"); !strings.Contains(got, "status") {
		t.Errorf("bash: hacon sta<TAB> = %q", got)
	}
	got := complete("hacon export --config " + cfg + " --cluster ")
	if !strings.Contains(got, "overcloud") || !strings.Contains(got, "undercloud") {
		t.Errorf("bash: hacon export --cluster <TAB> = %q", got)
	}
}
