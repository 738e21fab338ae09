package discover

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
)

var safeFilePath = regexp.MustCompile(`^/[A-Za-z0-9._/+-]*$`)

// oldestProcess is the lowest pid whose command name is comm (the master of
// a daemon that forks its workers), or 0.
func (r *runner) oldestProcess(ctx context.Context, comm string) int {
	out, err := r.run(ctx, ProcessArgv...)
	if err != nil {
		return 0
	}
	pid := 0
	for l := range strings.SplitSeq(string(out), "\n") {
		fs := strings.Fields(l)
		if len(fs) == 2 && fs[1] == comm {
			if n, err := strconv.Atoi(fs[0]); err == nil && n > 0 && (pid == 0 || n < pid) {
				pid = n
			}
		}
	}
	return pid
}

// configArgs are the configuration files a command line names: `-f FILE`,
// and keepalived's long forms `--use-file FILE` and `--use-file=FILE`. A
// path with anything but plain file-name characters, or climbing with
// "..", is not read: it goes on a command line.
func configArgs(cmdline []byte) []string {
	args := strings.Split(string(cmdline), "\x00")
	var paths []string
	for i := 0; i < len(args) && i < 1000; i++ {
		var p string
		switch {
		case (args[i] == "-f" || args[i] == "--use-file") && i+1 < len(args):
			p = args[i+1]
		case strings.HasPrefix(args[i], "--use-file="):
			p = strings.TrimPrefix(args[i], "--use-file=")
		default:
			continue
		}
		if p = path.Clean(p); safeFilePath.MatchString(p) && !strings.Contains(p, "..") {
			paths = append(paths, p)
		}
	}
	return paths
}

// processConfigs finds the oldest process named comm and the files its
// command line names, as seen through its /proc root so that a
// container's own paths resolve. root is that /proc root.
func (r *runner) processConfigs(ctx context.Context, comm string) (root string, paths []string) {
	pid := r.oldestProcess(ctx, comm)
	if pid == 0 {
		return "", nil
	}
	cmdline, err := r.run(ctx, "cat", fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return "", nil
	}
	return fmt.Sprintf("/proc/%d/root", pid), configArgs(cmdline)
}

// processFiles reads the files (or directories of *.cfg) a running
// daemon's command line names.
func (r *runner) processFiles(ctx context.Context, comm string) []NamedText {
	root, paths := r.processConfigs(ctx, comm)
	var files []NamedText
	for _, p := range paths {
		if text, err := r.run(ctx, "cat", root+p); err == nil {
			files = append(files, NamedText{Name: root + p, Text: text})
		} else {
			files = append(files, r.dirFiles(ctx, root+p)...)
		}
	}
	return files
}

// runningKeepalived reads the configuration a running keepalived was
// started with, when it is not where kolla or the distributions keep it
// (keepalived's default is /etc/keepalived/keepalived.conf).
func (r *runner) runningKeepalived(ctx context.Context, f *Facts) bool {
	for _, file := range r.processFiles(ctx, "keepalived") {
		ins, problems, err := ParseKeepalived(file.Name, file.Text)
		for _, pr := range problems {
			r.notes = append(r.notes, Note{What: "keepalived configuration", Why: pr})
		}
		if err != nil {
			r.notes = append(r.notes, Note{What: "keepalived configuration", Why: err.Error()})
			continue
		}
		f.Keepalived, f.KeepalivedSource = ins, file.Name
		return true
	}
	return false
}
