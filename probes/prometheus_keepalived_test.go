package probes

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/internal/testpeers"
)

// keepalived-exporter has no Debian package: its series are synthetic,
// written as it names them (keepalived_vrrp_state{iname,intf,vrid,
// ip_address}, value 0 INIT 1 BACKUP 2 MASTER 3 FAULT, one series per VIP;
// keepalived_up) and loaded into a real Prometheus with promtool.
type vrrpSeries struct {
	cluster, node string
	up            bool
	state         int // -1: no vrrp series (keepalived down)
}

func vrrpOpenMetrics(end time.Time, rows []vrrpSeries) string {
	var b strings.Builder
	emit := func(fam, labels string, v int) {
		for i := 3; i >= 0; i-- {
			ts := end.Add(-time.Duration(i) * 15 * time.Second)
			fmt.Fprintf(&b, "%s{%s} %d %.3f\n", fam, labels, v, float64(ts.UnixMilli())/1000)
		}
	}
	b.WriteString("# TYPE keepalived_up gauge\n")
	for _, r := range rows {
		up := 0
		if r.up {
			up = 1
		}
		emit("keepalived_up", fmt.Sprintf(`cluster=%q,instance="%s:9165",job="keepalived"`, r.cluster, r.node), up)
	}
	b.WriteString("# TYPE keepalived_vrrp_state gauge\n")
	for _, r := range rows {
		if r.state < 0 {
			continue
		}
		for _, vip := range []string{"192.0.2.10", "198.51.100.10"} {
			emit("keepalived_vrrp_state", fmt.Sprintf(`cluster=%q,iname="kolla_internal_vip_51",instance="%s:9165",intf="eth0",ip_address=%q,job="keepalived",vrid="51"`,
				r.cluster, r.node, vip), r.state)
		}
	}
	b.WriteString("# EOF\n")
	return b.String()
}

func vrrpConfig(promURL string, clusters ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "prometheus:\n  url: %s\n  interval: 15s\nclusters:\n", promURL)
	for _, cl := range clusters {
		fmt.Fprintf(&b, `  - name: %s
    prometheus: {}
    controllers:
      - {name: ctl-0, address: 192.0.2.1}
      - {name: ctl-1, address: 192.0.2.2}
      - {name: ctl-2, address: 192.0.2.3}
    vips:
      - {name: internal, address: 192.0.2.10, keepalived_instance: kolla_internal_vip_51}
`, cl)
	}
	return b.String()
}

// The VIP plane from keepalived-exporter's series: the holder, each node's
// VRRP state, a split brain (two MASTERs) and a node whose keepalived is
// down (keepalived_up 0, no state series).
func TestPrometheusKeepalivedVRRP(t *testing.T) {
	rows := []vrrpSeries{
		{"ka-ok", "192.0.2.1", true, 1}, {"ka-ok", "192.0.2.2", true, 2}, {"ka-ok", "192.0.2.3", true, 1},
		{"ka-split", "192.0.2.1", true, 2}, {"ka-split", "192.0.2.2", true, 1}, {"ka-split", "192.0.2.3", true, 2},
		{"ka-down", "192.0.2.1", true, 2}, {"ka-down", "192.0.2.2", false, -1}, {"ka-down", "192.0.2.3", true, 3},
	}
	prom := testpeers.StartPrometheusFromOpenMetrics(t, vrrpOpenMetrics(time.Now().Add(-5*time.Second), rows))
	snap, ts := pollFleet(t, vrrpConfig("http://"+prom.Addr, "ka-ok", "ka-split", "ka-down"))
	for _, tg := range ts {
		if tg.ID.Kind == cluster.KindKeepalived {
			t.Errorf("a cluster read from Prometheus polls keepalived directly: %s", tg.ID)
		}
	}

	ok := snap.ClusterByName("ka-ok")
	v := ok.VIPByName("internal")
	if v == nil || v.Node != "ctl-1" || !slices.Equal(v.Holders, []string{"ctl-1"}) || v.Stale {
		t.Fatalf("ka-ok VIP: %+v", v)
	}
	for node, want := range map[string]string{"ctl-0": cluster.VRRPBackup, "ctl-1": cluster.VRRPMaster, "ctl-2": cluster.VRRPBackup} {
		if x := ok.VRRPOn(node, "kolla_internal_vip_51"); x == nil || x.State != want || x.VRID != 51 || len(x.VIPs) != 2 {
			t.Errorf("ka-ok %s: %+v, want %s", node, x, want)
		}
	}
	for _, s := range ok.Sources {
		if s.Kind == cluster.KindKeepalived && (!s.OK || !strings.HasPrefix(s.Address, "prometheus ")) {
			t.Errorf("ka-ok source %s: %+v", s.Name, s)
		}
	}

	split := snap.ClusterByName("ka-split")
	if m := split.Masters("kolla_internal_vip_51"); !slices.Equal(m, []string{"ctl-0", "ctl-2"}) {
		t.Errorf("ka-split masters %v", m)
	}
	if !slices.ContainsFunc(split.Alerts, func(a cluster.Alert) bool { return a.Severity == cluster.SevCritical }) {
		t.Errorf("two MASTERs raise no critical alert: %+v", split.Alerts)
	}

	down := snap.ClusterByName("ka-down")
	if v := down.VIPByName("internal"); v == nil || v.Node != "ctl-0" {
		t.Errorf("ka-down VIP: %+v", v)
	}
	if n := down.Node("ctl-1"); n == nil || n.Keepalived == nil || n.Keepalived.DumpOK || !strings.Contains(n.Keepalived.DumpError, "keepalived_up 0") {
		t.Errorf("ka-down ctl-1 (keepalived down): %+v", n.Keepalived)
	}
	if x := down.VRRPOn("ctl-2", "kolla_internal_vip_51"); x == nil || x.State != cluster.VRRPFault {
		t.Errorf("ka-down ctl-2: %+v, want FAULT", x)
	}
}
