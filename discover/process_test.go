package discover

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/remote"
)

func TestConfigArgsTakesEveryFormAndRefusesUnsafePaths(t *testing.T) {
	cmdline := strings.Join([]string{
		"keepalived", "-f", "/srv/lab/kctl-0/keepalived.conf",
		"--use-file", "/etc/a.conf", "--use-file=/etc/b.conf",
		"-f", "/etc/../root/x", "-f", "/etc/$(reboot)", "-f", "relative.conf",
		"-f", // a dangling flag at the end is no file
	}, "\x00")
	got := configArgs([]byte(cmdline))
	want := []string{"/srv/lab/kctl-0/keepalived.conf", "/etc/a.conf", "/etc/b.conf", "/root/x"}
	if !slices.Equal(got, want) {
		t.Fatalf("configArgs = %q, want %q", got, want)
	}
}

// files answers cat, ls and ps as a controller would, and fails the rest.
type files map[string]string

func (f files) Run(_ context.Context, _ config.Controller, tool []string) (remote.Output, error) {
	key := strings.Join(tool, " ")
	if text, ok := f[key]; ok {
		return remote.Output{Stdout: []byte(text)}, nil
	}
	return remote.Output{}, &remote.ExitError{Argv: tool, Code: 1, Stderr: "no such file: " + key}
}

// Without Pacemaker and with keepalived.conf in none of the usual places,
// the running keepalived's -f file is read (through its /proc root).
func TestGatherReadsTheRunningKeepalivedsFile(t *testing.T) {
	ctl := files{
		"ps -e -o pid=,comm=":                          "  1 sleep\n 40 keepalived\n 41 keepalived\n 30 haproxy\n",
		"cat /proc/40/cmdline":                         "keepalived\x00-f\x00/srv/kctl-0/keepalived.conf\x00-D\x00",
		"cat /proc/40/root/srv/kctl-0/keepalived.conf": kollaKeepalived,
	}
	f, notes, err := Gather(context.Background(), Options{Transport: ctl})
	if err != nil {
		t.Fatal(err)
	}
	if f.KeepalivedSource != "/proc/40/root/srv/kctl-0/keepalived.conf" || len(f.Keepalived) == 0 {
		t.Fatalf("keepalived from %q: %+v (notes %+v)", f.KeepalivedSource, f.Keepalived, notes)
	}
	if f.Keepalived[0].Name != "kolla_internal_vip_51" {
		t.Errorf("instance %+v", f.Keepalived[0])
	}
	delete(ctl, "cat /proc/40/root/srv/kctl-0/keepalived.conf")
	f, notes, _ = Gather(context.Background(), Options{Transport: ctl})
	if f.Keepalived != nil || !slices.ContainsFunc(notes, func(n Note) bool { return strings.Contains(n.Why, "nor from a running keepalived") }) {
		t.Errorf("unreadable file: keepalived %+v, notes %+v", f.Keepalived, notes)
	}
}

// The same servers as backups are another service (A/P, kolla's mariadb
// in the keepalived lab), while the same servers again are a second door
// (an external listener) to the first.
func TestSameServersAsBackupsAreAnotherService(t *testing.T) {
	cfg := "listen keystone_internal\n  bind 10.0.0.250:5000\n  server c0 10.0.0.11:5000 check\n  server c1 10.0.0.12:5000 check\n" +
		"listen keystone_external\n  bind 192.0.2.250:5000\n  server c0 10.0.0.11:5000 check\n  server c1 10.0.0.12:5000 check\n" +
		"listen mariadb\n  bind 10.0.0.250:3306\n  mode tcp\n  server c0 10.0.0.11:5000 check\n  server c1 10.0.0.12:5000 check backup\n"
	res, _ := buildLayout(t, []NamedText{{Name: "/etc/haproxy/haproxy.cfg", Text: []byte(cfg)}}, nil, "", "")
	var got []string
	for _, s := range res.Cluster.Services {
		got = append(got, s.Name+" "+string(s.Mode))
	}
	if want := []string{"keystone ", "galera active-passive"}; !slices.Equal(got, want) {
		t.Errorf("services %q, want %q", got, want)
	}
}

// crm_mon's "not connected" is a controller without Pacemaker, said so.
func TestNoPacemakerIsSaidInWords(t *testing.T) {
	notConnected := notConnectedCrmMon{files{}}
	_, notes, err := Gather(context.Background(), Options{Transport: notConnected})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(notes, func(n Note) bool {
		return n.What == "Pacemaker" && strings.Contains(n.Why, "not running on this controller")
	}) {
		t.Errorf("notes %+v", notes)
	}
}

type notConnectedCrmMon struct{ files }

func (n notConnectedCrmMon) Run(ctx context.Context, c config.Controller, tool []string) (remote.Output, error) {
	if tool[0] == "crm_mon" {
		return remote.Output{}, &remote.ExitError{Argv: append([]string{"ssh", "c0"}, tool...), Code: 102}
	}
	return n.files.Run(ctx, c, tool)
}
