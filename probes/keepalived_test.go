package probes

import (
	"bytes"
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/remote"
)

// The files under testdata/keepalived were captured from Debian's
// keepalived 2.2.7 running kolla's settings (unicast peers, nopreempt,
// BACKUP everywhere, a check_alive script, a track_file) in three network
// namespaces: healthy, with the holder's check failing and a track file
// set on another node (fault-*), and with VRRP dropped on the bridge
// (split-*).
func readKA(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/keepalived/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseRealKeepalivedDump(t *testing.T) {
	in, warning, err := ParseKeepalivedJSON(readKA(t, "healthy-dump-0.json"))
	if err != nil || warning != "" || len(in) != 1 {
		t.Fatalf("parse: %v %q %d", err, warning, len(in))
	}
	got := in[0]
	if got.Name != "kolla_internal_vip_51" || got.VRID != 51 || got.State != cluster.VRRPMaster || got.Interface != "eth0" ||
		got.BasePriority != 1 || got.EffectivePriority != 1 || !got.NoPreempt || got.BecameMaster != 1 {
		t.Errorf("master instance = %+v", got)
	}
	if !slices.Equal(got.VIPs, []string{"169.254.109.10", "169.254.109.11"}) {
		t.Errorf("vips = %v", got.VIPs)
	}
	if got.LastTransition.Unix() != 1796066333 {
		t.Errorf("last transition = %v", got.LastTransition)
	}
	backup, _, _ := ParseKeepalivedJSON(readKA(t, "healthy-dump-1.json"))
	if backup[0].State != cluster.VRRPBackup || backup[0].MasterPriority != 1 || backup[0].EffectivePriority != 2 {
		t.Errorf("backup instance = %+v", backup[0])
	}
	for _, f := range []string{"split-dump-0.json", "split-dump-1.json", "split-dump-2.json"} {
		in, _, _ := ParseKeepalivedJSON(readKA(t, f))
		if in[0].State != cluster.VRRPMaster {
			t.Errorf("%s: VRRP dropped, every node should be MASTER, got %s", f, in[0].State)
		}
	}
}

func TestParseRealIPAddr(t *testing.T) {
	addrs, err := ParseIPAddr(bytes.NewReader(readKA(t, "ipaddr-0.json")))
	if err != nil {
		t.Fatal(err)
	}
	st := cluster.KeepalivedStatus{Addresses: addrs}
	if !st.HasAddress("169.254.109.10") || !st.HasAddress("169.254.109.11") || !st.HasAddress("127.0.0.1") {
		t.Errorf("holder's addresses = %+v", addrs)
	}
	addrs, _ = ParseIPAddr(bytes.NewReader(readKA(t, "ipaddr-1.json")))
	st = cluster.KeepalivedStatus{Addresses: addrs}
	if st.HasAddress("169.254.109.10") || !st.HasAddress("169.254.109.2") {
		t.Errorf("backup's addresses = %+v", addrs)
	}
	if _, err := ParseIPAddr(strings.NewReader("Object \"addr\" is unknown")); err == nil {
		t.Error("text accepted as ip -j output")
	}
}

func TestParseRealDataDumpNamesFailingChecks(t *testing.T) {
	f0 := ParseKeepalivedData(bytes.NewReader(readKA(t, "fault-data-0.txt")))
	if got := f0["kolla_internal_vip_51"]; !slices.Equal(got, []string{"script check_alive"}) {
		t.Errorf("node 0 (haproxy check failing) = %v", got)
	}
	f1 := ParseKeepalivedData(bytes.NewReader(readKA(t, "fault-data-1.txt")))
	if got := f1["kolla_internal_vip_51"]; !slices.Equal(got, []string{"track file hacon_release"}) {
		t.Errorf("node 1 (track file set) = %v", got)
	}
}

func TestHostileDumpInstancesAreLeftOut(t *testing.T) {
	dump := `[{"data":{"iname":"x; reboot","vrid":1,"state":1}},
	{"data":{"iname":"ok","vrid":300,"state":1}},
	{"data":{"iname":"ok2","vrid":2,"state":9}},
	{"data":{"iname":"good","vrid":3,"state":2,"base_priority":100,"effective_priority":100,"ifp_ifname":"eth0\u001b[2J","vips":["not-an-ip","10.0.0.1/24 dev eth0"]}}]`
	in, warning, err := ParseKeepalivedJSON([]byte(dump))
	if err != nil || len(in) != 1 || in[0].Name != "good" {
		t.Fatalf("got %+v, %v", in, err)
	}
	if !strings.Contains(warning, "3 VRRP instance(s) left out") || !strings.Contains(warning, "outside 1..255") {
		t.Errorf("warning = %q", warning)
	}
	if strings.ContainsRune(in[0].Interface, 0x1b) || !slices.Equal(in[0].VIPs, []string{"10.0.0.1"}) {
		t.Errorf("instance = %+v", in[0])
	}
	if _, _, err := ParseKeepalivedJSON([]byte(`{"data":1}`)); err == nil {
		t.Error("an object accepted as the dump's list")
	}
}

// scriptedRunner answers ip and the dump script by argv, recording them.
type scriptedRunner struct {
	ipOut, dumpOut []byte
	dumpErr        error
	argvs          [][]string
}

func (r *scriptedRunner) Run(_ context.Context, argv []string) ([]byte, []byte, error) {
	r.argvs = append(r.argvs, argv)
	if slices.Contains(argv, "ip") {
		return r.ipOut, nil, nil
	}
	return r.dumpOut, nil, r.dumpErr
}

func kaTarget(r remote.Runner) *Target {
	cc := &config.Cluster{Name: "k", Command: []string{"ssh", "{{.Address}}", "sudo"},
		Keepalived:  &config.Keepalived{Command: []string{"podman", "exec", "keepalived"}},
		Controllers: []config.Controller{{Name: "kctl-0", Address: "169.254.101.1"}}}
	return &Target{ID: cluster.SourceID{Cluster: "k", Kind: cluster.KindKeepalived, Name: "kctl-0"}, Timeout: 2 * time.Second,
		Cluster: cc, Controller: &cc.Controllers[0], Deps: &Deps{Runner: r}}
}

func TestKeepalivedProbeRunsThroughPrefixAndExec(t *testing.T) {
	dump := append(readKA(t, "fault-dump-0.json"), []byte(dataMarker)...)
	dump = append(dump, readKA(t, "fault-data-0.txt")...)
	r := &scriptedRunner{ipOut: readKA(t, "fault-ipaddr-0.json"), dumpOut: dump}
	res := DefaultProbers().Poll(context.Background(), kaTarget(r))
	if !res.OK() || res.Keepalived == nil || !res.Keepalived.DumpOK {
		t.Fatalf("result = %+v", res)
	}
	if got := strings.Join(r.argvs[0], " "); got != "ssh 169.254.101.1 sudo ip -j addr show" {
		t.Errorf("address argv = %q", got)
	}
	if got := strings.Join(r.argvs[1][:6], " "); got != "ssh 169.254.101.1 sudo 'podman' 'exec' 'keepalived'" || r.argvs[1][6] != "'sh'" {
		t.Errorf("dump argv = %q", r.argvs[1])
	}
	in := res.Keepalived.Instances[0]
	if in.State != cluster.VRRPFault || !slices.Equal(in.FailingChecks, []string{"script check_alive"}) {
		t.Errorf("instance = %+v", in)
	}
}

func TestKeepalivedProbeFallsBackToAddressesOnly(t *testing.T) {
	r := &scriptedRunner{ipOut: readKA(t, "ipaddr-0.json"), dumpErr: &remote.ExitError{Argv: []string{"ssh"}, Code: 3, Stderr: "keepalived is not running"}}
	res := DefaultProbers().Poll(context.Background(), kaTarget(r))
	if !res.OK() || res.Keepalived.DumpOK || !res.Keepalived.HasAddress("169.254.109.10") {
		t.Fatalf("result = %+v", res)
	}
	if !strings.Contains(res.Keepalived.DumpError, "showing addresses only") || !strings.Contains(res.Keepalived.DumpError, "not running") {
		t.Errorf("dump error = %q", res.Keepalived.DumpError)
	}
	r = &scriptedRunner{ipOut: []byte("garbage")}
	if res := DefaultProbers().Poll(context.Background(), kaTarget(r)); res.OK() {
		t.Error("unparseable addresses accepted")
	}
	r = &scriptedRunner{ipOut: readKA(t, "ipaddr-0.json"), dumpErr: errors.New("x"), dumpOut: nil}
	if res := DefaultProbers().Poll(context.Background(), kaTarget(r)); !res.OK() {
		t.Error("a failing dump failed the whole source")
	}
}

func FuzzParseKeepalived(f *testing.F) {
	for _, n := range []string{"healthy-dump-0.json", "fault-dump-1.json", "split-dump-2.json", "ipaddr-0.json", "fault-data-0.txt"} {
		if b, err := os.ReadFile("testdata/keepalived/" + n); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		j, d := splitDump(in)
		insts, _, err := ParseKeepalivedJSON(j)
		if err == nil {
			for _, x := range insts {
				if config.NameProblem(x.Name) != "" || x.State == "" || x.VRID < 1 || x.VRID > 255 {
					t.Fatalf("invalid instance accepted: %+v", x)
				}
			}
		}
		for inst, checks := range ParseKeepalivedData(bytes.NewReader(d)) {
			if config.NameProblem(inst) != "" || len(checks) == 0 {
				t.Fatalf("bad failing-check entry %q %v", inst, checks)
			}
		}
		if addrs, err := ParseIPAddr(bytes.NewReader(in)); err == nil {
			for _, a := range addrs {
				if a.Address == "" {
					t.Fatal("empty address accepted")
				}
			}
		}
	})
}

// Through ssh the remote shell parses the words again: the dump script
// must arrive as one word, whatever quotes it holds.
func TestDumpArgvIsQuotedForSSH(t *testing.T) {
	argv := ForRemoteShell([]string{"/usr/bin/ssh", "h", "sudo"}, []string{"sh", "-c", "echo 'a b' $x"})
	if strings.Join(argv, " ") != `'sh' '-c' 'echo '\''a b'\'' $x'` {
		t.Errorf("quoted = %q", argv)
	}
	if got := ForRemoteShell([]string{"ip", "netns", "exec", "n"}, []string{"sh", "-c", "a b"}); got[2] != "a b" {
		t.Errorf("a local prefix got quotes: %q", got)
	}
}
