#!/bin/sh
# Measures the timeline on the demo (issue 14): events-log lines and
# incidents for a fence + recovery, for :kill keystone controller-1 +
# :revive, and for a demo session with a fault every 30 s.
#   scripts/measure-incidents.sh            (a 10-minute session)
#   MINUTES=3 scripts/measure-incidents.sh  (a shorter one)
set -e
cd "$(dirname "$0")/.."
MINUTES=${MINUTES:-10}
EVERY=${EVERY:-30s}
go build -o /tmp/measure-incidents.$$ ./scripts/measure-incidents
trap 'rm -f /tmp/measure-incidents.$$' EXIT
/tmp/measure-incidents.$$ -scenario fence
/tmp/measure-incidents.$$ -scenario kill
/tmp/measure-incidents.$$ -scenario session -minutes "$MINUTES" -every "$EVERY"
