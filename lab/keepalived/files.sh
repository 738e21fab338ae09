# shellcheck shell=bash
# files.sh — the configuration files of the keepalived lab (sourced).

# keepalived_conf N: kolla-ansible's keepalived.conf.j2, unicast: every
# node BACKUP with nopreempt, priority index+1, check_alive on HAProxy's
# socket (interval 1 here, kolla uses 2), and the track_file the README
# documents for forcing FAULT.
keepalived_conf() {
	local n=$1 p nd
	nd=$(node_dir "$n")
	cat <<EOF
global_defs {
  router_id kctl$n
  script_user root
}
vrrp_script check_alive {
  script "/bin/sh -c 'echo show info | socat -t1 - UNIX-CONNECT:$nd/haproxy.sock | grep -q ^Name:'"
  interval 1
  fall 2
  rise 2
  timeout 2
}
vrrp_track_file hacon_release {
  file "$nd/hacon_release"
  weight 0
}
vrrp_instance kolla_internal_vip_51 {
  state BACKUP
  nopreempt
  interface eth0
  virtual_router_id 51
  priority $((n + 1))
  advert_int 1
  unicast_src_ip $(node_addr "$n")
  unicast_peer {
EOF
	for p in $(seq 0 $((KLAB_NODES - 1))); do
		[ "$p" = "$n" ] || echo "    $(node_addr "$p")"
	done
	cat <<EOF
  }
  virtual_ipaddress {
    $KLAB_VIP/24 dev eth0
  }
  track_script {
    check_alive
  }
  track_file {
    hacon_release
  }
}
EOF
}

# haproxy_cfg N: kolla's shape: keystone on the VIP, every controller's
# API behind it; a MariaDB-like backend with one active server and backups.
haproxy_cfg() {
	local n=$1 p b nd
	nd=$(node_dir "$n")
	cat <<EOF
global
  stats socket $nd/haproxy.sock mode 600 level admin
  maxconn 256
defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
listen keystone_internal
  bind $KLAB_VIP:5000
  option httpchk GET /keystone/
  http-check expect status 300
EOF
	for p in $(seq 0 $((KLAB_NODES - 1))); do
		echo "  server kctl-$p $(node_addr "$p"):5001 check inter 1s"
	done
	cat <<EOF
listen mariadb
  bind $KLAB_VIP:3306
  mode tcp
EOF
	for p in $(seq 0 $((KLAB_NODES - 1))); do
		b=""
		[ "$p" = 0 ] || b=" backup"
		echo "  server kctl-$p $(node_addr "$p"):5001 check inter 1s$b"
	done
}

sshd_config() {
	local n=$1 nd
	nd=$(node_dir "$n")
	cat <<EOF
ListenAddress $(node_addr "$n"):22
HostKey $nd/ssh_host_ed25519_key
PidFile /run/sshd.pid
AuthorizedKeysFile $KLAB_STATE/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers $KLAB_USER
StrictModes no
UsePAM no
MaxSessions 20
MaxStartups 30
EOF
}

lan_conf() {
	local n=$1 pass=$2
	cat <<EOF
name "$(node_name "$n")"
set_working_mc 0x20
  startlan 1
    addr $KLAB_HOST_ADDR $(bmc_port "$n")
    priv_limit admin
    allowed_auths_callback none md2 md5 straight
    allowed_auths_user none md2 md5 straight
    allowed_auths_operator none md2 md5 straight
    allowed_auths_admin none md2 md5 straight
    guid b123456789abcdefa123456789abcde$n
  endlan
  chassis_control "$KLAB_DIR/chassis $KLAB_STATE $n"
  user 2 true "$KLAB_BMC_USER" "$pass" admin 10 none md2 md5 straight
EOF
}

emu_cmd() {
	printf 'mc_setbmc 0x20\nmc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr\nmc_enable 0x20\n'
}

# hacon_yaml: the config hacon watches the lab with, over ssh.
hacon_yaml() {
	local n
	cat <<EOF
interval: 1s
timeout: 900ms
audit_log: $KLAB_STATE/audit.log
events_log: $KLAB_STATE/events.log
verify_timeout: 40s
clusters:
  - name: klab
    command: [ssh, -F, $KLAB_STATE/ssh_config, "$KLAB_USER@{{.Address}}", sudo, -n]
    keepalived:
      stop_command: [$KLAB_DIR/kactl, stop]
      start_command: [$KLAB_DIR/kactl, start]
    controllers:
EOF
	for n in $(seq 0 $((KLAB_NODES - 1))); do
		cat <<EOF
      - name: $(node_name "$n")
        address: $(node_addr "$n")
        bmc: {driver: ipmi, address: $KLAB_HOST_ADDR, port: $(bmc_port "$n"), username: $KLAB_BMC_USER, password_file: $KLAB_STATE/bmc-password, cipher_suite: 3, interval: 2s}
EOF
	done
	echo "    haproxy:"
	for n in $(seq 0 $((KLAB_NODES - 1))); do
		echo "      - {controller: $(node_name "$n"), stats_socket: $(node_dir "$n")/haproxy.sock}"
	done
	cat <<EOF
    services:
      - {name: keystone, haproxy_backend: keystone_internal, endpoint: "http://{{.Address}}:5001/keystone/", vip_endpoint: "http://$KLAB_VIP:5000/keystone/"}
      - {name: galera, haproxy_backend: mariadb}   # hacon discover names kolla's mariadb galera
    vips:
      - {name: internal, address: $KLAB_VIP, keepalived_instance: kolla_internal_vip_51}
    galera: {interval: 2s, timeout: 2s}   # mysql through the cluster's command, as root by its socket
    rabbitmq: {interval: 5s, timeout: 4500ms} # rabbitmqctl: an Erlang VM per poll
EOF
}
