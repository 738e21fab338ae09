# shellcheck shell=bash
# Shared settings and helpers of the hacon lab scripts (sourced, not run).
#
# Everything the lab creates lives under one state directory ($LAB_STATE,
# default lab/state), except the bridge, the network namespaces and their
# veth pairs, which lab/down removes.

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB_ROOT=$(cd "$LAB_DIR/.." && pwd)
LAB_STATE=${HACON_LAB_STATE:-$LAB_DIR/state}
LAB_NODES=3
LAB_BRIDGE=hlabbr0
LAB_NET=169.254.100
LAB_HOST_ADDR=$LAB_NET.254
LAB_VIP=$LAB_NET.10
LAB_BMC_PORT0=6230
LAB_BMC_USER=admin
# Seconds after its last power-off before a node may boot again: a node
# that rejoins before the fence result is broadcast is told it was "just
# fenced" and stops its whole stack.
LAB_BOOT_DELAY=${HACON_LAB_BOOT_DELAY:-15}
# API ports of the fake OpenStack services (keystone glance nova cinder neutron).
LAB_API_PORTS="5000 9292 8774 8776 9696"
export PATH="$PATH:/usr/sbin:/sbin:/usr/local/sbin"

log() { printf '%s lab: %s\n' "$(date +%T)" "$*" >&2; }
die() {
	printf 'lab: error: %s\n' "$*" >&2
	exit 1
}

require_root() {
	[ "$(id -u)" = 0 ] || die "the lab needs root (network namespaces, bridges, mounts); run it as root"
}

node_name() { printf 'controller-%s' "$1"; }
node_addr() { printf '%s.%s' "$LAB_NET" "$(($1 + 1))"; }
node_dir() { printf '%s/controller-%s' "$LAB_STATE" "$1"; }
bmc_dir() { printf '%s/bmc-%s' "$LAB_STATE" "$1"; }
bmc_port() { printf '%s' "$((LAB_BMC_PORT0 + $1))"; }
host_veth() { printf 'hlab-c%s' "$1"; }

# node_index NAME prints N for controller-N (fails otherwise).
node_index() {
	case "$1" in
	controller-[0-9]) printf '%s' "${1#controller-}" ;;
	*) return 1 ;;
	esac
}

# pid_alive PID [COMM]: the process exists (and has that command name).
pid_alive() {
	local pid=$1 comm=${2:-}
	[ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
	[ -z "$comm" ] && return 0
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ]
}

# read_pid FILE prints the pid stored in FILE, or nothing.
read_pid() { [ -r "$1" ] && tr -dc '0-9' <"$1" || true; }

# netns_pids N lists the pids of every process in controller-N's namespace.
netns_pids() { ip netns pids "$(node_name "$1")" 2>/dev/null || true; }

# kill_netns N SIGKILLs every process of controller-N until none is left.
kill_netns() {
	local n=$1 i pids
	for i in $(seq 1 50); do
		pids=$(netns_pids "$n")
		[ -z "$pids" ] && return 0
		# shellcheck disable=SC2086
		kill -KILL $pids 2>/dev/null || true
		sleep 0.1
	done
	log "controller-$n: processes left after SIGKILL: $(netns_pids "$n" | tr '\n' ' ')"
	return 1
}

# kill_pidfile FILE [COMM]: SIGKILL the process group of the pid in FILE.
kill_pidfile() {
	local f=$1 comm=${2:-} pid
	pid=$(read_pid "$f")
	if [ -n "$pid" ] && pid_alive "$pid" "$comm"; then
		kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$f"
}
