package sshmux

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseSSH(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		argv             []string
		opts, dest, rest string
		set              []string
	}{
		{[]string{"ssh", "-o", "BatchMode=yes", "heat-admin@192.0.2.11", "sudo"},
			"-o BatchMode=yes", "heat-admin@192.0.2.11", "sudo", []string{"batchmode", "-o"}},
		{[]string{"/usr/bin/ssh", "-p2222", "-oControlPath=none", "-tt", "-i", "/k", "h", "-v", "sudo", "-n"},
			"-p2222 -oControlPath=none -tt -i /k -v", "h", "sudo -n", []string{"controlpath", "-p", "-t", "-i", "-v"}},
		{[]string{"ssh", "-o", "ControlMaster no", "-S", "/s", "-F", "cfg", "ssh://u@h:22"},
			"-o ControlMaster no -S /s -F cfg", "ssh://u@h:22", "", []string{"controlmaster", "-S", "-F"}},
		{[]string{"ssh", "-4Cqi", "key", "--", "h", "cmd"}, "-4Cqi key --", "h", "cmd", []string{"-4", "-C", "-q", "-i"}},
		{[]string{"ssh"}, "", "", "", nil},
	} {
		l := parseSSH(c.argv)
		if strings.Join(l.opts, " ") != c.opts || l.dest != c.dest || strings.Join(l.rest, " ") != c.rest {
			t.Errorf("%q: opts %q dest %q rest %q", c.argv, l.opts, l.dest, l.rest)
		}
		for _, k := range c.set {
			if !l.set[k] {
				t.Errorf("%q: %s not seen in %v", c.argv, k, l.set)
			}
		}
	}
}

// The options hacon adds never override the prefix's, and the socket is
// added only when hacon shares the connection.
func TestArgvAddsOnlyWhatThePrefixLeaves(t *testing.T) {
	t.Parallel()
	tr := &transport{timeout: 6 * time.Second, persist: time.Minute}
	ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
	defer cancel()
	l := newLink("oc", "c0", parseSSH([]string{"ssh", "-o", "batchmode=no", "-o", "ServerAliveInterval 9", "u@h", "sudo"}))
	got := strings.Join(l.argv(ctx, tr, []string{"crm_mon", "-1"}), " ")
	want := "ssh -o ConnectTimeout=2 -o ServerAliveCountMax=3 -o batchmode=no -o ServerAliveInterval 9 u@h sudo crm_mon -1"
	if got != want {
		t.Errorf("argv\n%s\nwant\n%s", got, want)
	}
	l = newLink("oc", "c0", parseSSH([]string{"ssh", "u@h"}))
	l.sock = "/run/user/0/hacon/1-ab"
	got = strings.Join(l.argv(context.Background(), tr, []string{"true"}), " ")
	want = "ssh -o BatchMode=yes -o ConnectTimeout=6 -o ServerAliveInterval=2 -o ServerAliveCountMax=3 " +
		"-o ControlMaster=auto -o ControlPath=/run/user/0/hacon/1-ab -o ControlPersist=60 u@h true"
	if got != want {
		t.Errorf("argv\n%s\nwant\n%s", got, want)
	}
}

func TestUserMux(t *testing.T) {
	t.Parallel()
	def := "user root\ncontrolmaster false\ncontrolpersist no\nbatchmode no\n"
	if k := userMux([]byte(def)); k != "" {
		t.Errorf("defaults read as %q", k)
	}
	for _, extra := range []string{"controlpath /home/u/.ssh/cm-abc\n", "controlmaster auto\n", "controlpersist 600\n"} {
		if k := userMux([]byte(def + extra)); k == "" {
			t.Errorf("%q not seen as the user's own sharing", extra)
		}
	}
}

func TestExplain(t *testing.T) {
	t.Parallel()
	l := parseSSH([]string{"ssh", "-o", "BatchMode=yes", "-p", "2222", "heat-admin@192.0.2.11", "sudo"})
	for _, c := range []struct{ stderr, want string }{
		{"Host key verification failed.\r\n", "host key not known: run `ssh -p 2222 heat-admin@192.0.2.11` once to accept it"},
		{"@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@\nHost key verification failed.\n",
			"host key changed (controller reinstalled, or someone in the middle): check it, then remove the old key with `ssh-keygen -R 192.0.2.11` and run `ssh -p 2222 heat-admin@192.0.2.11` once to accept the new one"},
		{"heat-admin@192.0.2.11: Permission denied (publickey).\n", "login refused (heat-admin@192.0.2.11: Permission denied (publickey).): hacon's ssh"},
		{"no such identity: /k: No such file or directory\nu@h: Permission denied (publickey).\n", "key file missing (/k: No such file or directory)"},
		{"ssh: connect to host 192.0.2.11 port 2222: Connection refused\n", "connection refused by 192.0.2.11 port 2222: is sshd running there?"},
		{"Connection timed out during banner exchange\nConnection to 192.0.2.11 port 2222 timed out\n", "ssh connection timed out (Connection to 192.0.2.11 port 2222 timed out)"},
		{"kex_exchange_identification: read: Connection reset by peer\n\x1b[2J", "ssh failed: \ufffd[2J"},
	} {
		if got := explain(c.stderr, l).Error(); !strings.HasPrefix(got, c.want) {
			t.Errorf("%q:\n got %s\nwant %s", c.stderr, got, c.want)
		}
	}
}

func TestShellWords(t *testing.T) {
	t.Parallel()
	got := shellWords([]string{"ssh", "-o", "UserKnownHostsFile=/a b", "[::1]", "it's"})
	if got != `ssh -o 'UserKnownHostsFile=/a b' [::1] 'it'\''s'` {
		t.Errorf("%s", got)
	}
	if u := parseSSH([]string{"ssh", "-oBatchMode=yes", "-o", "BatchMode no", "-p", "1", "h"}).userOpts(); !slices.Equal(u, []string{"-p", "1"}) {
		t.Errorf("userOpts %q", u)
	}
}
