#!/bin/sh
# Installs the system packages hacon's tests run against for real (HAProxy,
# Pacemaker's CLI, OpenIPMI's ipmi_sim, ipmitool, tmux, socat, OpenSSH's
# sshd and client, MariaDB with Galera 4, RabbitMQ; man-db and
# bash-completion, which the .deb install test reads man pages and
# completions with) when missing. The labs
# (HACON_LAB=1) add Corosync, Pacemaker, the fence and resource agents, sudo
# and keepalived. The tests start their own servers: the packages' own
# services are kept from starting (policy-rc.d) where none says otherwise.
# Needs root for apt-get; without root it only reports what is missing.
set -eu
need=""
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || need="$need haproxy"
command -v crm_mon >/dev/null 2>&1 || [ -x /usr/sbin/crm_mon ] || need="$need pacemaker-cli-utils"
command -v ipmi_sim >/dev/null 2>&1 || need="$need openipmi"
command -v ipmitool >/dev/null 2>&1 || need="$need ipmitool"
command -v tmux >/dev/null 2>&1 || need="$need tmux"
command -v socat >/dev/null 2>&1 || need="$need socat"
command -v ssh >/dev/null 2>&1 || need="$need openssh-client"
[ -x /usr/sbin/sshd ] || need="$need openssh-server"
# The stateful plane's real peers: a one-node Galera and a RabbitMQ node.
[ -x /usr/sbin/mariadbd ] || need="$need mariadb-server"
[ -f /usr/lib/galera/libgalera_smm.so ] || need="$need galera-4"
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || need="$need rabbitmq-server"
# Prometheus mode's real peers: the server (and promtool), ClusterLabs'
# ha_cluster_exporter, blackbox_exporter and ipmi_exporter (with FreeIPMI,
# which it runs).
command -v prometheus >/dev/null 2>&1 || need="$need prometheus"
command -v prometheus-ipmi-exporter >/dev/null 2>&1 || need="$need prometheus-ipmi-exporter"
[ -x /usr/sbin/ipmi-chassis ] || need="$need freeipmi-tools"
command -v ha_cluster_exporter >/dev/null 2>&1 || need="$need prometheus-hacluster-exporter"
command -v prometheus-blackbox-exporter >/dev/null 2>&1 || need="$need prometheus-blackbox-exporter"
command -v man >/dev/null 2>&1 || need="$need man-db"
[ -f /usr/share/bash-completion/bash_completion ] || need="$need bash-completion"
if [ "${HACON_LAB:-}" = 1 ]; then
	command -v corosync >/dev/null 2>&1 || [ -x /usr/sbin/corosync ] || need="$need corosync"
	[ -x /usr/sbin/pacemakerd ] || need="$need pacemaker"
	command -v fence_ipmilan >/dev/null 2>&1 || [ -x /usr/sbin/fence_ipmilan ] || need="$need fence-agents"
	[ -d /usr/lib/ocf/resource.d/heartbeat ] || need="$need resource-agents"
	# The keepalived lab (lab/keepalived): kolla-style controllers reached over ssh.
	command -v keepalived >/dev/null 2>&1 || [ -x /usr/sbin/keepalived ] || need="$need keepalived"
	[ -x /usr/sbin/sshd ] || need="$need openssh-server"
	command -v ssh >/dev/null 2>&1 || need="$need openssh-client"
	command -v nft >/dev/null 2>&1 || [ -x /usr/sbin/nft ] || need="$need nftables"
	command -v sudo >/dev/null 2>&1 || need="$need sudo"
	# Its three-node Galera joins by rsync SST.
	command -v rsync >/dev/null 2>&1 || need="$need rsync"
	# lab/up asks the lab's Prometheus whether it scrapes every target.
	command -v curl >/dev/null 2>&1 || need="$need curl"
fi
[ -z "$need" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "missing test packages:$need (run as root, or: sudo apt-get install -y$need); tests needing them will skip" >&2
	exit 0
fi
echo "installing:$need" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Keep the packages' daemons (mariadb, rabbitmq-server, epmd) from starting:
# the tests start their own on loopback with their own ports.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $need >/dev/null
