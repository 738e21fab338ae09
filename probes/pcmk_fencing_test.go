package probes

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hacon/hacon/cluster"
)

const stonithCIB = `<resources>
  <primitive id="ipmi-0" class="stonith" type="fence_ipmilan">
    <instance_attributes id="i0"><nvpair id="i0-l" name="pcmk_host_list" value="controller-0, controller-9"/>
      <nvpair id="i0-p" name="passwd" value="Sup3r-s3cret-ipmi"/><nvpair id="i0-a" name="login" value="admin-login-x"/></instance_attributes>
  </primitive>
  <primitive id="map" class="stonith" type="fence_ipmilan">
    <instance_attributes id="i1"><nvpair id="i1-m" name="pcmk_host_map" value="controller-1:6231;controller-2=6232"/>
      <nvpair id="i1-p" name="password" value="Sup3r-s3cret-map"/></instance_attributes>
    <meta_attributes id="m1"><nvpair id="m1-t" name="target-role" value="Stopped"/></meta_attributes>
  </primitive>
  <primitive id="xvm" class="stonith" type="fence_xvm">
    <instance_attributes id="i2"><nvpair id="i2-p" name="port" value="compute-0"/></instance_attributes>
  </primitive>
  <primitive id="web" class="ocf" provider="heartbeat" type="apache"/>
</resources>`

func TestParseCIBStonithKeepsTargetsNeverPasswords(t *testing.T) {
	devs, err := ParseCIBStonith(strings.NewReader(stonithCIB))
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("%+v", devs)
	for _, secret := range []string{"Sup3r-s3cret", "admin-login-x"} {
		if strings.Contains(got, secret) {
			t.Fatalf("a device parameter other than its targets was kept: %s", got)
		}
	}
	if len(devs) != 3 {
		t.Fatalf("devices %s", got)
	}
	want := []string{
		"ipmi-0 stonith:fence_ipmilan [controller-0 controller-9] static-list false",
		"map stonith:fence_ipmilan [controller-1 controller-2] static-list true",
		"xvm stonith:fence_xvm [compute-0] dynamic-list false",
	}
	for i, d := range devs {
		if s := fmt.Sprintf("%s %s %v %s %t", d.ID, d.Agent, d.Targets, d.HostCheck, d.Disabled); s != want[i] {
			t.Errorf("device %d: %s, want %s", i, s, want[i])
		}
	}
}

func TestApplyFencingJoinsCrmMon(t *testing.T) {
	devs, _ := ParseCIBStonith(strings.NewReader(stonithCIB))
	st := &cluster.PacemakerStatus{Resources: []cluster.Resource{
		{ID: "ipmi-0", Instances: []cluster.Instance{{Node: "controller-2", Role: cluster.RoleStarted}}},
		{ID: "xvm", Instances: []cluster.Instance{{Node: "controller-1", Role: cluster.RoleStarted, Failed: true}}},
	}}
	levels, err := ParseCIBFencingLevels(strings.NewReader(`<fencing-topology><fencing-level id="l" index="2" target="controller-0" devices="ipmi-0,map"/></fencing-topology>`))
	if err != nil || len(levels) != 1 || levels[0].Index != 2 || strings.Join(levels[0].Devices, " ") != "ipmi-0 map" {
		t.Fatalf("levels %+v %v", levels, err)
	}
	ApplyFencing(st, devs, levels, false)
	f := st.Fencing
	if d := f.Device("ipmi-0"); !d.Started || d.Node != "controller-2" || !d.Usable() {
		t.Errorf("ipmi-0: %+v", d)
	}
	if d := f.Device("xvm"); !d.Failed || d.Usable() {
		t.Errorf("xvm: %+v", d)
	}
	if d := f.Device("map"); d.Known || d.Started {
		t.Errorf("map (not in crm_mon): %+v", d)
	}
}
