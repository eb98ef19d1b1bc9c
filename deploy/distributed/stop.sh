#!/usr/bin/env bash
# Stops what deploy/distributed/start.sh started.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUN_DIR="${MARELLE_RUN_DIR:-var/distributed}"
for pidfile in "$RUN_DIR"/*.pid; do
  [ -e "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || true
  rm -f "$pidfile"
done
echo "stopped"
