package discover

import (
	"slices"
	"strings"
	"testing"

	"github.com/hacon/hacon/config"
)

func TestTripleOLayout(t *testing.T) {
	const path = "/var/lib/config-data/puppet-generated/haproxy/etc/haproxy/haproxy.cfg"
	files := haproxyCheck(t, map[string]string{path: tripleoCfg}, []string{path})
	pm := &Pacemaker{
		Nodes: []PcmkNode{{Name: "overcloud-controller-0"}, {Name: "overcloud-controller-1"}, {Name: "overcloud-controller-2"}},
		Resources: []Resource{{ID: "galera-bundle", Kind: "bundle"}, {ID: "redis-bundle", Kind: "bundle"},
			{ID: "haproxy-bundle", Kind: "bundle"}, {ID: "openstack-cinder-volume", Kind: "bundle"}},
		VIPs: []PcmkVIP{{"ip-192.168.24.6", "192.168.24.6"}, {"ip-10.0.0.5", "10.0.0.5"}, {"ip-172.17.1.150", "172.17.1.150"}, {"ip-172.17.1.151", "172.17.1.151"}},
	}
	res, text := buildLayout(t, files, pm, "", "")
	c := res.Cluster
	for i, ctl := range c.Controllers {
		if want := []string{"172.17.1.83", "172.17.1.84", "172.17.1.85"}[i]; ctl.Address != want {
			t.Errorf("%s address %q, want %s (its servers on the internal API network)", ctl.Name, ctl.Address, want)
		}
	}
	if got := c.Pacemaker.Command; !slices.Equal(got, []string{"ssh", "heat-admin@{{.Address}}", "sudo"}) {
		t.Errorf("pacemaker.command %q", got)
	}
	wantSvc(t, res, config.Service{Name: "keystone", HAProxyBackend: "keystone_public", Endpoint: "http://{{.Address}}:5000/", VIPEndpoint: "http://10.0.0.5:5000/"})
	wantSvc(t, res, config.Service{Name: "keystone_admin", HAProxyBackend: "keystone_admin", Endpoint: "http://{{.Address}}:35357/", VIPEndpoint: "http://192.168.24.6:35357/"})
	wantSvc(t, res, config.Service{Name: "glance-api", HAProxyBackend: "glance_api", Endpoint: "http://{{.Address}}:9292/healthcheck", VIPEndpoint: "http://10.0.0.5:9292/healthcheck"})
	wantSvc(t, res, config.Service{Name: "nova-api", HAProxyBackend: "nova_osapi", Endpoint: "http://{{.Address}}:8774/", VIPEndpoint: "http://10.0.0.5:8774/"})
	wantSvc(t, res, config.Service{Name: "galera", Mode: config.ModeActivePassive, HAProxyBackend: "mysql", PacemakerResource: "galera-bundle"})
	wantSvc(t, res, config.Service{Name: "redis", HAProxyBackend: "redis", PacemakerResource: "redis-bundle"})
	wantSvc(t, res, config.Service{Name: "cinder-volume", PacemakerResource: "openstack-cinder-volume"})
	// The stats listener is on a VIP and asks for a login: the socket it is.
	for _, h := range c.HAProxy {
		if h.StatsURL != "" || h.StatsSocket != "/var/lib/haproxy/stats" || h.RuntimeAPI != "" {
			t.Errorf("HAProxy %+v: want the level-user stats socket and no runtime API", h)
		}
	}
	if !strings.Contains(string(text), "asks for a login (user admin)") {
		t.Errorf("the config does not say why the stats listener is not used:\n%s", text)
	}
}

func TestKollaLayout(t *testing.T) {
	files := map[string]string{
		"/etc/kolla/haproxy/haproxy.cfg":             kollaMain,
		"/etc/kolla/haproxy/services.d/glance.cfg":   kollaService("glance_api", "9292", "http", ""),
		"/etc/kolla/haproxy/services.d/keystone.cfg": kollaService("keystone", "5000", "http", ""),
		"/etc/kolla/haproxy/services.d/mariadb.cfg":  kollaService("mariadb", "3306", "tcp", "    option httpchk\n"),
		"/etc/kolla/haproxy/services.d/nova.cfg":     kollaService("nova_api", "8774", "http", ""),
	}
	order := []string{"/etc/kolla/haproxy/haproxy.cfg", "/etc/kolla/haproxy/services.d/glance.cfg",
		"/etc/kolla/haproxy/services.d/keystone.cfg", "/etc/kolla/haproxy/services.d/mariadb.cfg", "/etc/kolla/haproxy/services.d/nova.cfg"}
	res, _ := buildLayout(t, haproxyCheck(t, files, order), nil, "/etc/kolla/keepalived/keepalived.conf", kollaKeepalived)
	c := res.Cluster
	if len(c.Controllers) != 3 || c.Controllers[0].Name != "controller-0" || c.Controllers[2].Address != "10.0.0.13" {
		t.Errorf("controllers %+v", c.Controllers)
	}
	wantSvc(t, res, config.Service{Name: "keystone", HAProxyBackend: "keystone_internal_back", Endpoint: "http://{{.Address}}:5000/v3", VIPEndpoint: "http://10.0.0.250:5000/v3"})
	wantSvc(t, res, config.Service{Name: "glance-api", HAProxyBackend: "glance_api_internal_back", Endpoint: "http://{{.Address}}:9292/healthcheck", VIPEndpoint: "http://10.0.0.250:9292/healthcheck"})
	wantSvc(t, res, config.Service{Name: "nova-api", HAProxyBackend: "nova_api_internal_back", Endpoint: "http://{{.Address}}:8774/", VIPEndpoint: "http://10.0.0.250:8774/"})
	wantSvc(t, res, config.Service{Name: "galera", Mode: config.ModeActivePassive, HAProxyBackend: "mariadb_internal_back"})
	if len(c.Services) != 4 {
		t.Errorf("%d services, want 4 (the external backends have the same servers): %+v", len(c.Services), c.Services)
	}
	wantVIPs(t, c, map[string]string{"kolla_internal_vip_51-1": "10.0.0.250", "kolla_internal_vip_51-2": "192.0.2.250"})
	// keepalived's VIPs name their VRRP instance, and the prefix becomes the
	// cluster's command (there is no Pacemaker block to carry it).
	for _, v := range c.VIPs {
		if v.KeepalivedInstance != "kolla_internal_vip_51" || v.PacemakerResource != "" {
			t.Errorf("VIP %s: keepalived_instance %q, pacemaker_resource %q", v.Name, v.KeepalivedInstance, v.PacemakerResource)
		}
	}
	if len(c.Command) == 0 || c.Pacemaker != nil {
		t.Errorf("cluster command %q, pacemaker %+v: want the prefix as the cluster's command", c.Command, c.Pacemaker)
	}
	for _, h := range c.HAProxy {
		if h.StatsSocket != "/var/lib/kolla/haproxy/haproxy.sock" || h.RuntimeAPI != "unix:///var/lib/kolla/haproxy/haproxy.sock" {
			t.Errorf("HAProxy %+v", h)
		}
	}
	if c.Pacemaker != nil {
		t.Errorf("a pacemaker section without Pacemaker: %+v", c.Pacemaker)
	}
}

func TestOpenStackAnsibleLayout(t *testing.T) {
	const path = "/etc/haproxy/haproxy.cfg"
	cfg := osaMain + osaService("keystone_service", "5000", "/v3") + osaService("glance_api", "9292", "/healthcheck") +
		osaService("nova_api_os_compute", "8774", "/") + osaService("placement", "8780", "/")
	res, _ := buildLayout(t, haproxyCheck(t, map[string]string{path: cfg}, []string{path}), nil, "/etc/keepalived/keepalived.conf", osaKeepalived)
	c := res.Cluster
	if len(c.Controllers) != 3 || c.Controllers[1].Name != "infra2" || c.Controllers[1].Address != "172.29.236.12" {
		t.Errorf("controllers %+v", c.Controllers)
	}
	wantSvc(t, res, config.Service{Name: "keystone", HAProxyBackend: "keystone_service-back", Endpoint: "http://{{.Address}}:5000/v3", VIPEndpoint: "http://172.29.236.100:5000/v3"})
	wantSvc(t, res, config.Service{Name: "nova-api", HAProxyBackend: "nova_api_os_compute-back", Endpoint: "http://{{.Address}}:8774/", VIPEndpoint: "http://172.29.236.100:8774/"})
	wantSvc(t, res, config.Service{Name: "placement", HAProxyBackend: "placement-back", Endpoint: "http://{{.Address}}:8780/", VIPEndpoint: "http://172.29.236.100:8780/"})
	wantVIPs(t, c, map[string]string{"external": "203.0.113.100", "internal": "172.29.236.100"})
	for _, h := range c.HAProxy {
		if h.StatsSocket != "/var/run/haproxy.stat" || h.RuntimeAPI != "unix:///var/run/haproxy.stat" {
			t.Errorf("HAProxy %+v", h)
		}
	}
}

// With LXC containers every backend has its own servers: no controller
// can be told from them, and discover says so rather than invent some.
func TestOpenStackAnsibleContainers(t *testing.T) {
	cfg := osaMain + strings.ReplaceAll(osaService("keystone_service", "5000", "/v3"), "server infra", "server infra_keystone_container-") +
		strings.ReplaceAll(osaService("glance_api", "9292", "/healthcheck"), "server infra", "server infra_glance_container-")
	files := haproxyCheck(t, map[string]string{"/etc/haproxy/haproxy.cfg": cfg}, []string{"/etc/haproxy/haproxy.cfg"})
	h, _, err := ParseHAProxy(files)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Build("cloud", &Facts{HAProxy: h})
	if err == nil || !strings.Contains(err.Error(), "found no controllers") {
		t.Fatalf("err %v, want no controllers", err)
	}
	if !slices.ContainsFunc(res.Notes, func(n Note) bool { return strings.Contains(n.Why, "serves one backend only") }) {
		t.Errorf("notes do not say why: %+v", res.Notes)
	}
}

func wantSvc(t *testing.T, r *Result, want config.Service) {
	t.Helper()
	if got := service(t, r, want.Name); got != want {
		t.Errorf("service %s:\n got %+v\nwant %+v", want.Name, got, want)
	}
}

func wantVIPs(t *testing.T, c config.Cluster, want map[string]string) {
	t.Helper()
	got := map[string]string{}
	for _, v := range c.VIPs {
		got[v.Name] = v.Address
	}
	if len(got) != len(want) {
		t.Errorf("VIPs %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("VIP %s = %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
}
