#!/bin/sh
# The fleet harness (issue 18): hacon's console on N clusters × 3
# controllers × the demo's 12 services, against one real HAProxy on
# loopback (stats pages and API endpoints on 127.0.C.N) and Pacemaker
# answered from saved crm_mon/cibadmin XML through the command prefix, at a
# 5 s interval, in an 80x24 pty. Prints CPU (% of one core), peak RSS and
# key → first byte latency (p50/p95/p99 over 100 keys).
#
#   scripts/measure-fleet.sh               (CLUSTERS=50)
#   CLUSTERS=200 scripts/measure-fleet.sh
#   CLUSTERS=1 SECONDS_CPU=120 scripts/measure-fleet.sh   (one idle cluster)
#   HUNG=5 scripts/measure-fleet.sh        (the first 5 clusters' 105 endpoints hang)
# The Go side: go test -run '^$' -bench Fleet -benchmem ./cluster/ ./probes/
set -e
cd "$(dirname "$0")/.."
CLUSTERS=${CLUSTERS:-50}
INTERVAL=${INTERVAL:-5s}
HUNG=${HUNG:-0}
WARMUP=${WARMUP:-20}
SECONDS_CPU=${SECONDS_CPU:-60}
KEYS=${KEYS:-100}
HAPROXY=${HAPROXY:-/usr/sbin/haproxy}
dir=$(mktemp -d /tmp/hacon-fleet.XXXXXX)
hapid=
cleanup() {
	[ -n "$hapid" ] && kill "$hapid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
go build -o "$dir/hacon" ./cmd/hacon
go run ./scripts/fleet -dir "$dir" -clusters "$CLUSTERS" -interval "$INTERVAL" -hung "$HUNG"
"$HAPROXY" -f "$dir/haproxy.cfg" -db >"$dir/haproxy.log" 2>&1 &
hapid=$!
sleep 1
kill -0 "$hapid" || { cat "$dir/haproxy.log"; exit 1; }
echo "fleet: $CLUSTERS clusters × 3 controllers × 12 services, interval $INTERVAL, $HUNG clusters hung"
XDG_STATE_HOME="$dir/state" python3 scripts/measure-fleet.py --warmup "$WARMUP" --seconds "$SECONDS_CPU" --keys "$KEYS" -- \
	"$dir/hacon" --config "$dir/hacon.yaml" --read-only ${HACON_ARGS:-}
