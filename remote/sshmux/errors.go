package sshmux

import (
	"regexp"
	"strings"

	"github.com/hacon/hacon/cluster"
)

// Error is ssh's own failure (exit 255) in words that name the fix. The
// raw stderr is kept for the debug log.
type Error struct {
	Msg    string
	Stderr string
}

func (e *Error) Error() string { return e.Msg }

var (
	reNoIdentity = regexp.MustCompile(`no such identity: ([^\r\n]*)`)
	reRefused    = regexp.MustCompile(`connect to host (\S+) port (\d+): Connection refused`)
)

// explain turns what ssh printed when it exited 255 into one sentence for
// the sources panel. l is the prefix ssh ran with, for the command that
// fixes a host-key problem.
func explain(stderr string, l sshLine) *Error {
	s := stderr
	byHand := shellWords(append(append([]string{"ssh"}, l.userOpts()...), l.dest))
	msg := ""
	switch {
	case strings.Contains(s, "REMOTE HOST IDENTIFICATION HAS CHANGED") || strings.Contains(s, "has changed and you have requested strict checking"):
		msg = "host key changed (controller reinstalled, or someone in the middle): check it, then remove the old key with `ssh-keygen -R " +
			hostOf(l.dest) + "` and run `" + byHand + "` once to accept the new one"
	case strings.Contains(s, "Host key verification failed"):
		msg = "host key not known: run `" + byHand + "` once to accept it"
	case reNoIdentity.MatchString(s):
		msg = "key file missing (" + strings.TrimSpace(reNoIdentity.FindStringSubmatch(s)[1]) + "): fix -i or IdentityFile, or load the key into ssh-agent"
	case strings.Contains(s, "Permission denied"):
		msg = "login refused (" + lastLine(s, "Permission denied") + "): hacon's ssh never prompts (BatchMode), so the key must work without a passphrase prompt — " +
			"load it with ssh-add, and check the user's authorized_keys on the controller"
	case strings.Contains(s, "Too many authentication failures"):
		msg = "login refused (too many authentication failures): name the key with -i and IdentitiesOnly=yes"
	case reRefused.MatchString(s):
		m := reRefused.FindStringSubmatch(s)
		msg = "connection refused by " + m[1] + " port " + m[2] + ": is sshd running there?"
	case strings.Contains(s, "banner exchange") || strings.Contains(s, "Connection timed out") || strings.Contains(s, "timed out"):
		msg = "ssh connection timed out (" + lastLine(s, "timed out") + "): controller down, sshd hung, or the network cut"
	case strings.Contains(s, "Could not resolve hostname"):
		msg = "host name not resolved (" + lastLine(s, "Could not resolve hostname") + ")"
	case strings.Contains(s, "No route to host") || strings.Contains(s, "Network is unreachable"):
		msg = "no route to the controller (" + lastLine(s, "") + ")"
	default:
		msg = "ssh failed: " + lastLine(s, "")
	}
	return &Error{Msg: cluster.CleanText(msg), Stderr: stderr}
}

// lastLine is the last non-empty line of s containing sub (any line when
// sub is ""), trimmed and cut to a readable length.
func lastLine(s, sub string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r", ""), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if l != "" && strings.Contains(l, sub) {
			if len(l) > 200 {
				l = l[:200] + "…"
			}
			return l
		}
	}
	return "no message"
}

// hostOf is the host part of a destination, in the form ssh-keygen -R
// takes.
func hostOf(dest string) string {
	dest = strings.TrimPrefix(dest, "ssh://")
	if i := strings.LastIndexByte(dest, '@'); i >= 0 {
		dest = dest[i+1:]
	}
	return dest
}
