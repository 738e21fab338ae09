package sshmux

import (
	"path/filepath"
	"strings"
)

// sshFlagsWithArg are the ssh(1) options that take an argument (OpenSSH
// 9.x ssh.c getopt string "1246ab:c:e:fgi:kl:m:no:p:qstvxAB:CD:E:F:GI:J:KL:MNO:P:Q:R:S:TVw:W:XYy").
const sshFlagsWithArg = "bceilmopBDEFIJLOPQRSWw"

// sshLine is a prefix whose command is ssh, split the way ssh reads it:
// options, the destination, more options (ssh reads options after the
// destination until the first word that is not one), then the remote
// command words.
type sshLine struct {
	prog string   // argv[0] as configured ("ssh", "/usr/bin/ssh")
	opts []string // every option word, in order, before and after dest
	dest string   // [user@]host or ssh://…; "" when the prefix names none
	rest []string // the remote command words the prefix starts with (sudo …)
	// set holds the lower-cased -o keys the prefix gives, and "-X" for
	// each single-letter flag it uses (-S, -M, -F …).
	set map[string]bool
}

// isSSH reports whether a prefix's program is ssh.
func isSSH(argv []string) bool {
	return len(argv) > 0 && filepath.Base(argv[0]) == "ssh"
}

// parseSSH splits an ssh prefix. It never fails: a word it cannot place
// stays where it was, and ssh itself reports a bad line.
func parseSSH(argv []string) sshLine {
	l := sshLine{prog: argv[0], set: map[string]bool{}}
	words := argv[1:]
	i := l.readOpts(words, 0)
	if i < len(words) {
		l.dest = words[i]
		i = l.readOpts(words, i+1)
	}
	if i < len(words) {
		l.rest = words[i:]
	}
	return l
}

// readOpts consumes option words from words[i:] and returns the index of
// the first word that is not an option.
func (l *sshLine) readOpts(words []string, i int) int {
	for i < len(words) {
		w := words[i]
		if w == "--" {
			l.opts = append(l.opts, w)
			return i + 1
		}
		if len(w) < 2 || w[0] != '-' {
			return i
		}
		l.opts = append(l.opts, w)
		i++
		for j := 1; j < len(w); j++ {
			f := w[j]
			l.set["-"+string(f)] = true
			if !strings.ContainsRune(sshFlagsWithArg, rune(f)) {
				continue
			}
			arg := w[j+1:]
			if arg == "" && i < len(words) {
				arg = words[i]
				l.opts = append(l.opts, arg)
				i++
			}
			if f == 'o' {
				l.set[optionKey(arg)] = true
			}
			break
		}
	}
	return i
}

// optionKey is the lower-cased keyword of an -o argument ("Key=Value",
// "Key Value", "Key = Value").
func optionKey(arg string) string {
	arg = strings.TrimSpace(arg)
	if k := strings.IndexAny(arg, "= \t"); k >= 0 {
		arg = arg[:k]
	}
	return strings.ToLower(arg)
}

// has reports whether the prefix sets an -o keyword (any case).
func (l sshLine) has(key string) bool { return l.set[strings.ToLower(key)] }

// userOpts is the prefix's options without the ones that forbid a prompt:
// what an operator types to accept a host key by hand.
func (l sshLine) userOpts() []string {
	var out []string
	for i := 0; i < len(l.opts); i++ {
		w := l.opts[i]
		if w == "-o" && i+1 < len(l.opts) && optionKey(l.opts[i+1]) == "batchmode" {
			i++
			continue
		}
		if strings.HasPrefix(w, "-o") && len(w) > 2 && optionKey(w[2:]) == "batchmode" {
			continue
		}
		out = append(out, w)
	}
	return out
}

// shellWords joins words for a message an operator copies into a shell,
// quoting the ones a shell would split or expand.
func shellWords(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		if w != "" && strings.Trim(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%_+=:,./-[]") == "" {
			q[i] = w
			continue
		}
		q[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}
