package discover

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/internal/testpeers"
)

// HAProxy and keepalived configurations in the three layouts, written from
// the projects' own templates: TripleO's puppet-tripleo haproxy.pp output
// (listen sections binding the public and internal VIPs, stats on the
// ctlplane VIP with a login, servers by FQDN on the internal API network,
// galera behind backup servers with clustercheck), kolla-ansible's
// haproxy_main.cfg.j2 and per-service frontend/backend pairs
// (haproxy_single_service_split) with its keepalived.conf.j2, and
// openstack-ansible's haproxy_server role (frontend-N / -back names,
// http-check send uri) with its keepalived instances. Secrets the real
// files carry (stats auth, redis AUTH, VRRP auth_pass) are the marker
// "S3CRET" here: none may come out.

const layoutSecret = "S3CRET"

func tripleoServers(port, extra string) string {
	var b strings.Builder
	for i, a := range []string{"172.17.1.83", "172.17.1.84", "172.17.1.85"} {
		b.WriteString("  server overcloud-controller-" + string(rune('0'+i)) + ".internalapi.localdomain " + a + ":" + port + " " + extra + "\n")
	}
	return b.String()
}

var tripleoCfg = `# This file is managed by Puppet
global
  daemon
  group  haproxy
  log  /dev/log local0
  maxconn  20480
  pidfile  /var/run/haproxy.pid
  ssl-default-bind-ciphers  !SSLv2:kEECDH:kRSA:kEDH:kPSK:+3DES:!aNULL:!eNULL:!MD5:!EXP:!RC4:!SEED:!IDEA:!DES
  ssl-default-bind-options  no-sslv3 no-tlsv10
  stats  socket /var/lib/haproxy/stats mode 600 level user
  stats  timeout 2m
  user  haproxy

defaults
  log  global
  maxconn  4096
  mode  tcp
  retries  3
  timeout  http-request 10s
  timeout  queue 2m
  timeout  connect 10s
  timeout  client 2m
  timeout  server 2m
  timeout  check 10s

listen glance_api
  bind 10.0.0.5:9292 transparent
  bind 172.17.1.150:9292 transparent
  mode http
  http-request set-header X-Forwarded-Proto https if { ssl_fc }
  http-request set-header X-Forwarded-Proto http if !{ ssl_fc }
  option httpchk GET /healthcheck
  option httplog
` + tripleoServers("9292", "check fall 5 inter 2000 rise 2") + `
listen haproxy.stats
  bind 192.168.24.6:1993 transparent
  mode http
  stats enable
  stats uri /
  stats auth admin:` + layoutSecret + `

listen keystone_admin
  bind 192.168.24.6:35357 transparent
  bind 172.17.1.150:35357 transparent
  mode http
  option httpchk
  option httplog
` + tripleoServers("35357", "check fall 5 inter 2000 rise 2") + `
listen keystone_public
  bind 10.0.0.5:5000 transparent
  bind 172.17.1.150:5000 transparent
  mode http
  option httpchk
  option httplog
` + tripleoServers("5000", "check fall 5 inter 2000 rise 2") + `
listen mysql
  bind 172.17.1.150:3306 transparent
  option tcpka
  option httpchk
  stick on dst
  stick-table type ip size 1000
  timeout client 90m
  timeout server 90m
` + tripleoServers("3306", "backup check inter 1s on-marked-down shutdown-sessions port 9200") + `
listen nova_osapi
  bind 10.0.0.5:8774 transparent
  bind 172.17.1.150:8774 transparent
  mode http
  option httpchk
  option httplog
` + tripleoServers("8774", "check fall 5 inter 2000 rise 2") + `
listen redis
  bind 172.17.1.151:6379 transparent
  balance first
  option tcp-check
  tcp-check send AUTH\ ` + layoutSecret + `\r\n
  tcp-check send PING\r\n
  tcp-check expect string +PONG
  tcp-check send info\ replication\r\n
  tcp-check expect string role:master
  tcp-check send QUIT\r\n
  tcp-check expect string +OK
` + tripleoServers("6379", "check fall 5 inter 2000 rise 2")

func kollaServers(port, extra string) string {
	var b strings.Builder
	for i, a := range []string{"10.0.0.11", "10.0.0.12", "10.0.0.13"} {
		b.WriteString("    server controller-" + string(rune('0'+i)) + " " + a + ":" + port + " check inter 2000 rise 2 fall 5" + extra + "\n")
	}
	return b.String()
}

const kollaMain = `global
    chroot /var/lib/haproxy
    user haproxy
    group haproxy
    daemon
    log 10.0.0.11:5140 local1
    maxconn 40000
    nbthread 1
    stats socket /var/lib/kolla/haproxy/haproxy.sock mode 660 level admin
    ssl-default-bind-ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256

defaults
    log global
    option redispatch
    retries 3
    timeout http-request 10s
    timeout queue 1m
    timeout connect 10s
    timeout client 1m
    timeout server 1m
    timeout check 10s
    balance roundrobin
    maxconn 4000

listen stats
   bind 10.0.0.11:1984
   mode http
   stats enable
   stats uri /
   stats refresh 15s
   stats realm Haproxy\ Stats
   stats auth openstack:` + layoutSecret + `
   stats admin if TRUE

frontend status
    bind 10.0.0.11:61313
    bind 10.0.0.250:61313
    mode http
    monitor-uri /
`

func kollaService(name, port, mode, extra string) string {
	s := ""
	for _, side := range []struct{ side, vip string }{{"internal", "10.0.0.250"}, {"external", "192.0.2.250"}} {
		n := name + "_" + side.side
		if mode == "tcp" && side.side == "external" {
			continue
		}
		s += "frontend " + n + "_front\n    mode " + mode + "\n    bind " + side.vip + ":" + port + "\n    default_backend " + n + "_back\n\n" +
			"backend " + n + "_back\n    mode " + mode + "\n" + extra + kollaServers(port, map[bool]string{true: " backup", false: ""}[mode == "tcp"]) + "\n"
	}
	return s
}

const kollaKeepalived = `vrrp_script check_alive {
    script "/check_alive.sh"
    interval 2
    fall 2
    rise 10
}

vrrp_instance kolla_internal_vip_51 {
    state BACKUP
    nopreempt
    interface eth0
    virtual_router_id 51
    priority 1
    advert_int 1
    virtual_ipaddress {
        10.0.0.250 dev eth0
        192.0.2.250 dev eth1
    }
    authentication {
        auth_type PASS
        auth_pass ` + layoutSecret + `
    }
    track_script {
        check_alive
    }
}
`

func osaServers(port string) string {
	var b strings.Builder
	for i, a := range []string{"172.29.236.11", "172.29.236.12", "172.29.236.13"} {
		b.WriteString("    server infra" + string(rune('1'+i)) + " " + a + ":" + port + " check port " + port + " inter 12000 rise 1 fall 1\n")
	}
	return b.String()
}

func osaService(name, port, uri string) string {
	return "frontend " + name + "-front-1\n    bind 172.29.236.100:" + port + "\n    option httplog\n    option forwardfor except 127.0.0.0/8\n    mode http\n    default_backend " + name + "-back\n\n" +
		"frontend " + name + "-front-2\n    bind 203.0.113.100:" + port + "\n    mode http\n    default_backend " + name + "-back\n\n" +
		"backend " + name + "-back\n    mode http\n    balance leastconn\n    option forwardfor\n    option httpchk\n    option httplog\n" +
		"    http-check send hdr User-Agent \"osa-haproxy-healthcheck\" meth GET uri " + uri + "\n" + osaServers(port) + "\n"
}

const osaMain = `global
        log /dev/log local0
        chroot /var/lib/haproxy
        user haproxy
        group haproxy
        daemon
        maxconn 4096
        stats socket /var/run/haproxy.stat level admin mode 600
        ssl-default-bind-options force-tlsv12

defaults
        log global
        option dontlognull
        option redispatch
        retries 3
        timeout client 50s
        timeout connect 10s
        timeout http-request 5s
        timeout server 50s
        maxconn 4096

`

const osaKeepalived = `global_defs {
   router_id infra1
}
vrrp_script haproxy_check_script {
   script "/etc/keepalived/haproxy_check.sh"
   interval 5
}
vrrp_instance external {
   interface eth0
   state MASTER
   virtual_router_id 10
   priority 150
   authentication {
      auth_type PASS
      auth_pass ` + layoutSecret + `
   }
   virtual_ipaddress {
      203.0.113.100/32 dev eth0
   }
   track_script {
      haproxy_check_script
   }
}
vrrp_instance internal {
   interface br-mgmt
   state MASTER
   virtual_router_id 11
   priority 150
   virtual_ipaddress {
      172.29.236.100/32 dev br-mgmt
   }
}
`

// haproxyCheck validates files with the real haproxy -c.
func haproxyCheck(t *testing.T, files map[string]string, order []string) []NamedText {
	t.Helper()
	bin := testpeers.RequireHAProxy(t)
	dir := t.TempDir()
	args := []string{"-c", "-q"}
	var out []NamedText
	for _, name := range order {
		p := filepath.Join(dir, filepath.Base(name))
		if err := os.WriteFile(p, []byte(files[name]), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, "-f", p)
		out = append(out, NamedText{Name: name, Text: []byte(files[name])})
	}
	if b, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("haproxy -c refuses the test's configuration: %v\n%s", err, b)
	}
	return out
}

func buildLayout(t *testing.T, files []NamedText, pm *Pacemaker, kaName, ka string) (*Result, []byte) {
	t.Helper()
	h, problems, err := ParseHAProxy(files)
	if err != nil || len(problems) > 0 {
		t.Fatalf("ParseHAProxy: %v %v", err, problems)
	}
	f := &Facts{HAProxy: h, Pacemaker: pm, Via: []string{"ssh", "heat-admin@172.17.1.83", "sudo"}}
	if ka != "" {
		ins, problems, err := ParseKeepalived(kaName, []byte(ka))
		if err != nil || len(problems) > 0 {
			t.Fatalf("ParseKeepalived: %v %v", err, problems)
		}
		f.Keepalived, f.KeepalivedSource = ins, kaName
	}
	res, err := Build("cloud", f)
	if err != nil {
		t.Fatal(err)
	}
	text := Render(res)
	parsed, err := config.Parse("layout.yaml", text)
	if err != nil {
		t.Fatalf("config invalid: %v\n%s", err, text)
	}
	renderedAsBuilt(t, res.Cluster, parsed.Clusters[0], text)
	if strings.Contains(string(text), layoutSecret) {
		t.Errorf("a secret of the configuration is in the config:\n%s", text)
	}
	for _, n := range res.Notes {
		if strings.Contains(n.What+n.Why, layoutSecret) {
			t.Errorf("a secret is in a note: %s: %s", n.What, n.Why)
		}
	}
	return res, text
}

// service finds a service row or fails.
func service(t *testing.T, r *Result, name string) config.Service {
	t.Helper()
	for _, s := range r.Cluster.Services {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no service %s in %+v", name, r.Cluster.Services)
	return config.Service{}
}

// renderedAsBuilt fails when the written file says less than what was
// built: the prefix, the VIPs' owners, the services.
func renderedAsBuilt(t *testing.T, built, read config.Cluster, text []byte) {
	t.Helper()
	vip := func(v config.VIP) string {
		return v.Name + " " + v.Address + " pcmk=" + v.PacemakerResource + " ka=" + v.KeepalivedInstance
	}
	if !slices.Equal(built.Command, read.Command) || (built.Pacemaker == nil) != (read.Pacemaker == nil) ||
		!slices.Equal(slicesMap(built.VIPs, vip), slicesMap(read.VIPs, vip)) || len(built.Services) != len(read.Services) {
		t.Errorf("the written config differs from the built one:\nbuilt command %q vips %q\nread  command %q vips %q\n%s",
			built.Command, slicesMap(built.VIPs, vip), read.Command, slicesMap(read.VIPs, vip), text)
	}
}

func slicesMap[T any](in []T, f func(T) string) []string {
	out := make([]string, 0, len(in))
	for _, v := range in {
		out = append(out, f(v))
	}
	return out
}
