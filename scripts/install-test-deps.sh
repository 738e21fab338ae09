#!/bin/sh
# Installs the system packages hacon's tests run against for real (HAProxy,
# Pacemaker's CLI, OpenIPMI's ipmi_sim, ipmitool, tmux, socat) when missing,
# and what the .deb's install test reads its man pages and completion with
# (man-db, bash-completion).
# Needs root for apt-get; without root it only reports what is missing.
set -eu
need=""
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || need="$need haproxy"
command -v crm_mon >/dev/null 2>&1 || [ -x /usr/sbin/crm_mon ] || need="$need pacemaker-cli-utils"
command -v ipmi_sim >/dev/null 2>&1 || need="$need openipmi"
command -v ipmitool >/dev/null 2>&1 || need="$need ipmitool"
command -v tmux >/dev/null 2>&1 || need="$need tmux"
command -v socat >/dev/null 2>&1 || need="$need socat"
command -v man >/dev/null 2>&1 || need="$need man-db"
[ -f /usr/share/bash-completion/bash_completion ] || need="$need bash-completion"
if [ "${HACON_LAB:-}" = 1 ]; then
	command -v corosync >/dev/null 2>&1 || [ -x /usr/sbin/corosync ] || need="$need corosync"
	[ -x /usr/sbin/pacemakerd ] || need="$need pacemaker"
	command -v fence_ipmilan >/dev/null 2>&1 || [ -x /usr/sbin/fence_ipmilan ] || need="$need fence-agents"
	[ -d /usr/lib/ocf/resource.d/heartbeat ] || need="$need resource-agents"
fi
[ -z "$need" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "missing test packages:$need (run as root, or: sudo apt-get install -y$need); tests needing them will skip" >&2
	exit 0
fi
echo "installing:$need" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $need >/dev/null
