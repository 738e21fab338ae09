#!/bin/bash
# measure-ssh.sh [loopback|lab|both] — what hacon's Pacemaker polls cost
# over ssh, with hacon's connection sharing and with one login per
# command (-o ControlPath=none), for DURATION (default 5m) at INTERVAL
# (default 2s). Prints a Markdown table (scripts/measure-ssh/main.go).
#
# loopback: a real sshd on 127.0.0.1-3 started here (own host key, client
#   key, known_hosts), three controllers, crm_mon reading a CIB file
#   (probes/testdata/pcmk/cib-3node.xml) through `ssh … env CIB_file=`.
# lab:      the running lab (lab/up, root): ssh as heat-admin, sudo crm_mon
#   against the real cluster.
#
# Rerun: DURATION=5m INTERVAL=2s scripts/measure-ssh.sh both
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin:/usr/sbin:/sbin"
MODE=${1:-both}
DURATION=${DURATION:-5m}
INTERVAL=${INTERVAL:-2s}
tmp=$(mktemp -d /tmp/measure-ssh.XXXXXX)
sshd_pid=""
cleanup() {
	[ -z "$sshd_pid" ] || { kill "$sshd_pid" 2>/dev/null; wait "$sshd_pid" 2>/dev/null; } || true
	[ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
go build -o "$tmp/measure" ./scripts/measure-ssh

echo "| where | mode | polls | sshd logins | CPU hacon + ssh (share of one core) | CPU of sshd itself | crm_mon poll median | p95 |"
echo "|---|---|---|---|---|---|---|---|"

loopback() {
	local port=22${RANDOM:0:2} user cib n
	user=$(id -un)
	cib=$(pwd)/probes/testdata/pcmk/cib-3node.xml
	ssh-keygen -q -t ed25519 -N '' -f "$tmp/host"
	ssh-keygen -q -t ed25519 -N '' -f "$tmp/client"
	cp "$tmp/client.pub" "$tmp/authorized_keys"
	: >"$tmp/known_hosts"
	{
		echo "Port $port"
		for n in 1 2 3; do
			echo "ListenAddress 127.0.0.$n"
			echo "[127.0.0.$n]:$port $(cat "$tmp/host.pub")" >>"$tmp/known_hosts"
		done
		echo "HostKey $tmp/host"
		echo "AuthorizedKeysFile $tmp/authorized_keys"
		echo "PidFile $tmp/sshd.pid"
		printf 'StrictModes no\nUsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\nLogLevel INFO\n'
	} >"$tmp/sshd_config"
	printf 'Host 127.0.0.*\n  Port %s\n  User %s\n  IdentityFile %s/client\n  IdentitiesOnly yes\n  UserKnownHostsFile %s/known_hosts\n' \
		"$port" "$user" "$tmp" "$tmp" >"$tmp/ssh_config"
	[ "$(id -u)" != 0 ] || mkdir -p /run/sshd
	/usr/sbin/sshd -D -f "$tmp/sshd_config" -E "$tmp/sshd.log" &
	sshd_pid=$!
	sleep 1
	{
		printf 'interval: %s\naudit_log: %s/audit.log\nevents_log: %s/events.log\nclusters:\n  - name: loopback\n    controllers:\n' "$INTERVAL" "$tmp" "$tmp"
		for n in 0 1 2; do printf '      - {name: controller-%s, address: 127.0.0.%s}\n' "$n" "$((n + 1))"; done
		# The lab's timeout: the default (75% of the interval, a third of it
		# for the first controller) is measured by the polls' own times.
		printf '    pacemaker:\n      timeout: 6s\n      command: [ssh, -F, "%s/ssh_config", "{{.Address}}", env, "CIB_file=%s"]\n' "$tmp" "$cib"
	} >"$tmp/hacon.yaml"
	echo "$sshd_pid" >"$tmp/sshd.pids"
	for reuse in true false; do
		"$tmp/measure" -config "$tmp/hacon.yaml" -label "loopback" -duration "$DURATION" -interval "$INTERVAL" -reuse="$reuse" \
			-sshd-log "$tmp/sshd.log" -sshd-pids "$tmp/sshd.pids"
	done
}

lab() {
	local state=${HACON_LAB_STATE:-lab/state} args=() n
	[ -f "$state/hacon.yaml" ] || { echo "measure-ssh: no lab ($state/hacon.yaml): run make lab first" >&2; return 1; }
	for n in 0 1 2; do args+=(-sshd-log "$state/controller-$n/sshd.log" -sshd-pids "netns:controller-$n"); done
	for reuse in true false; do
		"$tmp/measure" -config "$state/hacon.yaml" -label "lab" -duration "$DURATION" -interval "$INTERVAL" -reuse="$reuse" "${args[@]}"
	done
}

case "$MODE" in
loopback) loopback ;;
lab) lab ;;
both) loopback && lab ;;
*) echo "usage: $0 [loopback|lab|both]" >&2; exit 2 ;;
esac
