package views

import (
	"strings"
	"testing"

	"github.com/hacon/hacon/cluster"
)

func kaCluster(holders ...string) *cluster.Cluster {
	ka := &cluster.KeepalivedStatus{Node: "kctl-1", DumpOK: true, Addresses: []cluster.IfAddr{{Address: "169.254.101.10"}},
		Instances: []cluster.VRRPInstance{{Name: "kolla_internal_vip_51", VRID: 51, Interface: "eth0", State: cluster.VRRPFault,
			BasePriority: 2, EffectivePriority: 2, NoPreempt: true, FailingChecks: []string{"script check_alive"}}}}
	return &cluster.Cluster{Name: "kolla", HasKeepalived: true,
		Nodes: []cluster.Node{{Name: "kctl-1", Controller: true, Keepalived: ka}},
		VIPs: []cluster.VIP{{Name: "internal", Address: "169.254.101.10", Instance: "kolla_internal_vip_51", Holders: holders,
			VRRP: []cluster.VRRPView{{Node: "kctl-0", Known: true, State: cluster.VRRPMaster, EffectivePriority: 1, BasePriority: 1},
				{Node: "kctl-1", Known: true, State: cluster.VRRPFault, EffectivePriority: 2, BasePriority: 2}, {Node: "kctl-2"}}}}}
}

func TestVIPPanelShowsHolderAndVRRPPerController(t *testing.T) {
	for _, tc := range []struct {
		holders []string
		want    string
	}{
		{[]string{"kctl-0"}, "→ kctl-0 vrrp M1 F2 ?"},
		{nil, "✖ no holder vrrp M1 F2 ?"},
		{[]string{"kctl-0", "kctl-2"}, "✖ SPLIT kctl-0+kctl-2 vrrp M1 F2 ?"},
	} {
		if got := vipHolder(kaCluster(tc.holders...).VIPs[0]).Plain(); got != tc.want {
			t.Errorf("holder %v: got %q, want %q", tc.holders, got, tc.want)
		}
	}
}

func TestNodeScreenShowsInstances(t *testing.T) {
	c := kaCluster("kctl-1")
	var b strings.Builder
	for _, l := range NodeDetail(c, "kctl-1", 100) {
		b.WriteString(l.Plain() + "\n")
	}
	got := b.String()
	for _, want := range []string{"NODE kctl-1  ▲ FAULT", "KEEPALIVED (VRRP)", "▲FAULT  kolla_internal_vip_51",
		"vrid 51 · eth0 · priority 2 (base 2) · nopreempt", "▲ failing: script check_alive", "→ VIP internal 169.254.101.10 is on this node"} {
		if !strings.Contains(got, want) {
			t.Errorf("node screen lacks %q:\n%s", want, got)
		}
	}
	c.Nodes[0].Keepalived = &cluster.KeepalivedStatus{DumpError: "keepalived dump unavailable (showing addresses only): not running"}
	b.Reset()
	for _, l := range NodeDetail(c, "kctl-1", 100) {
		b.WriteString(l.Plain() + "\n")
	}
	if !strings.Contains(b.String(), "▲ addresses only: keepalived dump unavailable") || !strings.Contains(b.String(), "◌ addr-only") {
		t.Errorf("address-only node screen:\n%s", b.String())
	}
}
