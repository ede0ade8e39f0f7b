#!/usr/bin/env bash
# One scheduled retrain into the model registry, for cron and systemd timers (Airflow: see
# conf/schedule/sparkcnn_retrain_dag.py). Logs go to a dated file; stdout gets one summary line.
#
#   scripts/retrain.sh [spark-submit options] -- [retrain options]
#   scripts/retrain.sh --master yarn --deploy-mode client -- --config conf/retrain.conf
#
# Environment:
#   SPARKCNN_LOG_DIR        folder of the dated logs (default: logs/ in the repository)
#   SPARKCNN_LOG_KEEP_DAYS  logs older than this are deleted (default: 30; 0 keeps all)
#   SPARKCNN_LOCK_FILE      this host's lock file (default: $SPARKCNN_LOG_DIR/retrain.lock)
#
# Exit codes (the retrain job's): 0 promoted or champion kept, 2 bad input, 75 locked (a retrain is already
# running: this host's flock, or the registry lock on HDFS held from another host), 1 any other failure.
# The local flock only saves starting a JVM when the previous cron firing still runs; the registry lock is
# what keeps runs from different hosts apart.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOG_DIR="${SPARKCNN_LOG_DIR:-$ROOT/logs}"
KEEP_DAYS="${SPARKCNN_LOG_KEEP_DAYS:-30}"
LOCK_FILE="${SPARKCNN_LOCK_FILE:-$LOG_DIR/retrain.lock}"
EX_TEMPFAIL=75

mkdir -p "$LOG_DIR" || { echo "retrain.sh: cannot create the log folder $LOG_DIR" >&2; exit 1; }
LOG="$LOG_DIR/retrain-$(date -u +%Y%m%dT%H%M%SZ).log"

exec 9>>"$LOCK_FILE" || { echo "retrain.sh: cannot open the lock file $LOCK_FILE" >&2; exit 1; }
if ! flock -n 9; then
  echo "retrain.sh: locked: a retrain started from this host is still running ($LOCK_FILE); try again later"
  exit "$EX_TEMPFAIL"
fi

if [[ "$KEEP_DAYS" -gt 0 ]]; then
  find "$LOG_DIR" -maxdepth 1 -name 'retrain-*.log' -mtime +"$KEEP_DAYS" -delete 2>/dev/null || true
fi

start=$(date +%s)
"$ROOT/scripts/submit.sh" retrain "$@" >"$LOG" 2>&1 9>&-
rc=$?
seconds=$(( $(date +%s) - start ))
decision=$(grep -E '^(PROMOTED|KEPT) ' "$LOG" | tail -n 1)
case "$rc" in
  0) echo "retrain.sh: ${decision:-done} (${seconds} s; log: $LOG)" ;;
  "$EX_TEMPFAIL") echo "retrain.sh: locked: $(grep -m1 'locked:' "$LOG" | sed 's/^retrain: locked: //') (log: $LOG)" ;;
  *) echo "retrain.sh: FAILED with exit code $rc after ${seconds} s: $(grep -m1 -E '^retrain: (error|failed):' "$LOG") (log: $LOG)" ;;
esac
exit "$rc"
