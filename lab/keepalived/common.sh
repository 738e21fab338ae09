# shellcheck shell=bash
# common.sh — names and helpers of the kolla-style keepalived lab (sourced).
# Its own names, so it can exist next to the Pacemaker lab: namespaces
# kctl-0..2, bridge hlabbr1, 169.254.101.0/24, BMCs on ports 6240+.
KLAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KLAB_ROOT=$(cd "$KLAB_DIR/../.." && pwd)
KLAB_STATE=${HACON_KLAB_STATE:-$KLAB_DIR/state}
KLAB_NODES=3
KLAB_BRIDGE=hlabbr1
KLAB_NET=169.254.101
KLAB_HOST_ADDR=$KLAB_NET.254
KLAB_VIP=$KLAB_NET.10
KLAB_BMC_PORT0=6240
KLAB_BMC_USER=admin
KLAB_USER=hacon-kolla # the heat-admin-like user hacon logs in as (sudo)
KLAB_BOOT_DELAY=${HACON_KLAB_BOOT_DELAY:-3}

node_name() { printf 'kctl-%s' "$1"; }
node_addr() { printf '%s.%s' "$KLAB_NET" "$(($1 + 1))"; }
node_dir() { printf '%s/kctl-%s' "$KLAB_STATE" "$1"; }
bmc_dir() { printf '%s/bmc-%s' "$KLAB_STATE" "$1"; }
bmc_port() { printf '%s' "$((KLAB_BMC_PORT0 + $1))"; }
host_veth() { printf 'vklab%s' "$1"; }
log() { echo "klab: $*" >&2; }
die() { echo "klab: $*" >&2; exit 1; }
read_pid() { cat "$1" 2>/dev/null || true; }

# kill_netns N: SIGKILL every process in node N's network namespace.
kill_netns() {
	local p
	for p in $(ip netns pids "$(node_name "$1")" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
}
