package cluster

import (
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/config"
)

// kaWorld is a kolla-style cluster: three controllers, one VRRP instance
// carrying the internal VIP, every node BACKUP with nopreempt.
type kaWorld struct {
	cfg *config.Config
	in  Inputs
	now time.Time
}

func newKAWorld() *kaWorld {
	cfg := &config.Config{Interval: 2 * time.Second, Clusters: []config.Cluster{{
		Name:        "kolla",
		Controllers: []config.Controller{{Name: "kctl-0"}, {Name: "kctl-1"}, {Name: "kctl-2"}},
		HAProxy:     []config.HAProxy{{Controller: "kctl-0"}, {Controller: "kctl-1"}, {Controller: "kctl-2"}},
		VIPs:        []config.VIP{{Name: "internal", Address: "169.254.101.10", KeepalivedInstance: "kolla_internal_vip_51"}},
	}}}
	w := &kaWorld{cfg: cfg, in: Inputs{}, now: time.Unix(1000, 0)}
	for i, n := range []string{"kctl-0", "kctl-1", "kctl-2"} {
		w.set(n, VRRPBackup, i+1, false)
		w.haproxy(n, "")
	}
	w.set("kctl-0", VRRPMaster, 1, true)
	return w
}

// set makes node answer with the instance in state, holding the VIP or not.
func (w *kaWorld) set(node, state string, prio int, holds bool) *KeepalivedStatus {
	st := &KeepalivedStatus{Node: node, DumpOK: true, Addresses: []IfAddr{{Interface: "eth0", Address: "169.254.101.9"}},
		Instances: []VRRPInstance{{Name: "kolla_internal_vip_51", VRID: 51, State: state, BasePriority: prio, EffectivePriority: prio, NoPreempt: true}}}
	if holds {
		st.Addresses = append(st.Addresses, IfAddr{Interface: "eth0", Address: "169.254.101.10"})
	}
	w.put(node, KindKeepalived, Result{Keepalived: st})
	return st
}

func (w *kaWorld) haproxy(node, err string) {
	w.put(node, KindHAProxy, Result{Err: err, LB: &LoadBalancer{Name: node}})
}

func (w *kaWorld) put(node string, kind SourceKind, r Result) {
	id := SourceID{"kolla", kind, node}
	r.ID, r.Started = id, w.now
	st := &SourceState{ID: id, Interval: 2 * time.Second, Latest: &r, Since: w.now.Add(-time.Minute), LastAnswer: w.now}
	if r.OK() {
		st.LastGood, st.LastSuccess = &r, w.now
	}
	w.in[id] = st
}

func (w *kaWorld) build() Cluster { return Build(w.cfg, w.in, w.now, 1).Clusters[0] }

func alertsOf(c Cluster) string {
	var b strings.Builder
	for _, a := range c.Alerts {
		b.WriteString(a.Severity.String() + ": " + a.Message + "\n")
	}
	return b.String()
}

func TestKeepalivedHealthyNamesHolderWithoutAlerts(t *testing.T) {
	c := newKAWorld().build()
	v := c.VIPByName("internal")
	if v.Node != "kctl-0" || len(v.Holders) != 1 || v.Instance != "kolla_internal_vip_51" || v.Stale {
		t.Fatalf("vip = %+v", v)
	}
	if len(v.VRRP) != 3 || v.VRRP[1].State != VRRPBackup || v.VRRP[1].EffectivePriority != 2 || !v.VRRP[2].Known {
		t.Errorf("per-controller view = %+v", v.VRRP)
	}
	if len(c.Alerts) != 0 {
		t.Errorf("alerts on a healthy cluster:\n%s", alertsOf(c))
	}
	if n := c.Node("kctl-1"); n.Keepalived == nil || len(c.VRRP) != 3 {
		t.Errorf("node keepalived = %+v, vrrp %d", n.Keepalived, len(c.VRRP))
	}
}

func TestKeepalivedAlertsInWords(t *testing.T) {
	for _, tc := range []struct {
		name   string
		break_ func(w *kaWorld)
		want   string
	}{
		{"split brain", func(w *kaWorld) { w.set("kctl-2", VRRPMaster, 3, true) },
			"critical: split brain: VIP internal (169.254.101.10) is on kctl-0 and kctl-2 at once; VRRP instance kolla_internal_vip_51 is MASTER on kctl-0 and kctl-2"},
		{"two masters without the address", func(w *kaWorld) { w.set("kctl-2", VRRPMaster, 3, false) },
			"critical: split brain: VRRP instance kolla_internal_vip_51 is MASTER on kctl-0 and kctl-2 at once"},
		{"no holder", func(w *kaWorld) { w.set("kctl-0", VRRPFault, 1, false) },
			"critical: VIP internal (169.254.101.10) is on no controller: nothing answers at that address (kctl-0 FAULT)"},
		{"fault names the check", func(w *kaWorld) {
			w.set("kctl-1", VRRPFault, 2, false).Instances[0].FailingChecks = []string{"script check_alive"}
		}, "warning: kctl-1 is in FAULT for VRRP instance kolla_internal_vip_51 and cannot hold its VIPs: failing: script check_alive"},
		{"holder's haproxy down", func(w *kaWorld) { w.haproxy("kctl-0", "connection refused") },
			"critical: VIP internal is on kctl-0, whose HAProxy does not answer (connection refused): traffic to 169.254.101.10 is black-holed"},
		{"backup lowered", func(w *kaWorld) { w.set("kctl-2", VRRPBackup, 3, false).Instances[0].EffectivePriority = 0 },
			"warning: kctl-2 is BACKUP for kolla_internal_vip_51 at priority 0 instead of 3 (a weighted check is failing): it would not take over before the nodes above it, and at 0 it never takes over"},
		{"dump unavailable", func(w *kaWorld) {
			st := w.set("kctl-1", VRRPBackup, 2, false)
			st.DumpOK, st.Instances, st.DumpError = false, nil, "keepalived dump unavailable (showing addresses only): not running"
		}, "info: keepalived on kctl-1: keepalived dump unavailable (showing addresses only): not running"},
		{"unknown instance", func(w *kaWorld) { w.cfg.Clusters[0].VIPs[0].KeepalivedInstance = "other" },
			"warning: VIP internal: no controller's keepalived has a VRRP instance other"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newKAWorld()
			tc.break_(w)
			got := alertsOf(w.build())
			if !strings.Contains(got, tc.want) {
				t.Errorf("want %q in:\n%s", tc.want, got)
			}
		})
	}
}

// A holder that stopped answering is no opinion: its last answer must not
// make a second holder once the VIP has moved.
func TestDeadHolderIsNoSecondHolder(t *testing.T) {
	w := newKAWorld()
	w.set("kctl-1", VRRPMaster, 2, true)
	w.put("kctl-0", KindKeepalived, Result{Err: "ssh: connect to host: No route to host"})
	w.in[SourceID{"kolla", KindKeepalived, "kctl-0"}].LastGood = &Result{Keepalived: &KeepalivedStatus{Addresses: []IfAddr{{Address: "169.254.101.10"}}}}
	c := w.build()
	if v := c.VIPByName("internal"); v.Node != "kctl-1" || len(v.Holders) != 1 || v.VRRP[0].Known {
		t.Errorf("vip = %+v", v)
	}
	if got := alertsOf(c); strings.Contains(got, "split brain") || !strings.Contains(got, "keepalived status of kctl-0 failing") {
		t.Errorf("alerts:\n%s", got)
	}
}

func TestHAProxyBackupServersMakeAServiceActivePassive(t *testing.T) {
	svc := Service{Mode: ModeActiveActive, Cells: []Cell{
		{Node: "a", LB: []LBView{{Server: LBServer{Status: "UP"}}}, LBAgree: true},
		{Node: "b", LB: []LBView{{Server: LBServer{Status: "UP", Backup: true}}}, LBAgree: true},
		{Node: "c", LB: []LBView{{Server: LBServer{Status: "UP", Backup: true}}}, LBAgree: true},
	}, Serving: 3, Expected: 3}
	haproxyActivePassive(&svc, "", nil)
	if svc.Mode != ModeActivePassive || svc.Expected != 1 || svc.Serving != 1 {
		t.Errorf("service = %s %d/%d", svc.Mode, svc.Serving, svc.Expected)
	}
	svc.Cells[0].LB[0].Server.Status = "DOWN"
	haproxyActivePassive(&svc, "", nil)
	if svc.Serving != 1 {
		t.Errorf("a backup UP still serves, got %d", svc.Serving)
	}
	said := Service{Mode: ModeActivePassive, Cells: svc.Cells, Serving: 2, Expected: 1}
	said.Cells[0].LB[0].Server.Status = "UP"
	haproxyActivePassive(&said, ModeActivePassive, nil)
	if said.Serving != 1 || said.Expected != 1 {
		t.Errorf("configured active-passive with backups: %d/%d, want 1/1", said.Serving, said.Expected)
	}
	keep := Service{Mode: ModeActiveActive, Cells: svc.Cells}
	haproxyActivePassive(&keep, ModeActiveActive, nil)
	if keep.Mode != ModeActiveActive {
		t.Error("a configured mode was overridden")
	}
}

func TestStatusJSONHasHoldersAndKeepalived(t *testing.T) {
	w := newKAWorld()
	w.set("kctl-2", VRRPMaster, 3, true)
	snap := Build(w.cfg, w.in, w.now, 1)
	r := snap.Report().Clusters[0]
	if v := r.VIPs[0]; v.Node != "kctl-0" || strings.Join(v.Holders, ",") != "kctl-0,kctl-2" {
		t.Errorf("vip report = %+v", v)
	}
	if len(r.Keepalived) != 3 || r.Keepalived[2].State != VRRPMaster || r.Keepalived[2].Preempt || r.Keepalived[1].EffectivePriority != 2 {
		t.Errorf("keepalived report = %+v", r.Keepalived)
	}
}

// kolla's MariaDB, configured active-passive with the Galera plane on its
// row: one instance, served by the active server (not 3 of 1).
func TestConfiguredActivePassiveWithBackupsAndAPlane(t *testing.T) {
	w := newKAWorld()
	cc := &w.cfg.Clusters[0]
	cc.Services = []config.Service{{Name: "galera", Mode: config.ModeActivePassive, HAProxyBackend: "mariadb"}}
	cc.Galera = &config.Galera{}
	for _, n := range []string{"kctl-0", "kctl-1", "kctl-2"} {
		var servers []LBServer
		for _, s := range []string{"kctl-0", "kctl-1", "kctl-2"} {
			servers = append(servers, LBServer{Backend: "mariadb", Server: s, Status: "UP", Backup: s != "kctl-0"})
		}
		w.put(n, KindHAProxy, Result{LB: &LoadBalancer{Name: n, Servers: servers}})
		w.put(n, KindGalera, Result{Galera: &GaleraStatus{Node: n, Via: "mysql", Answered: true, ClusterStatus: "Primary",
			LocalState: "Synced", ClusterSize: 3, Ready: "ON", Connected: "ON"}})
	}
	c := w.build()
	svc := c.Service("galera")
	if svc == nil || svc.Serving != 1 || svc.Expected != 1 {
		t.Fatalf("galera %+v, want 1 of 1 serving", svc)
	}
}
