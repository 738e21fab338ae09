#!/bin/bash
# measure-prometheus.sh — hacon reading a fleet from one Prometheus: 500
# clusters × 3 controllers × 12 services of exporter series (Pacemaker via
# ha_cluster_exporter, HAProxy, ipmi_exporter, blackbox), served by a child
# process and scraped live every 15 s by a real prometheus on loopback,
# polled by hacon at a 15 s refresh for DURATION.
# Targets (issue 19): one refresh ≤ 1 s wall, hacon ≤ 10 % of one core,
# ≤ 250 MB RSS. Needs prometheus (apt-get install prometheus).
#
# Rerun: CLUSTERS=500 INTERVAL=15s DURATION=2m scripts/measure-prometheus.sh
#        RECORDED=1 … reads the series of hacon prometheus-rules instead.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin:/usr/sbin:/sbin"
tmp=$(mktemp -d /tmp/measure-prometheus.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/measure" ./scripts/measure-prometheus
echo "uptime before: $(uptime)"
# PROFILE=prefix writes prefix.cpu and prefix.heap (go tool pprof).
prof=()
[ -z "${PROFILE:-}" ] || prof=(-cpuprofile "$PROFILE.cpu" -heapprofile "$PROFILE.heap")
"$tmp/measure" ${RECORDED:+-recorded} -clusters "${CLUSTERS:-500}" -interval "${INTERVAL:-15s}" -duration "${DURATION:-2m}" -dir "$tmp" "${prof[@]}"
echo "uptime after: $(uptime)"
