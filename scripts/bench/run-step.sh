# Sourced by scripts/bench.sh and scripts/bench/cifar10.sh: run one benchmark step with its output in a log file.
run() { # name, log, command...
  local name="$1" log="$2"; shift 2
  echo "bench.sh: $name ... (log: $log)" >&2
  local start=$SECONDS
  if ! "$@" >"$log" 2>&1; then
    echo "bench.sh: $name FAILED; last lines of $log:" >&2; tail -n 20 "$log" >&2; exit 1
  fi
  echo "bench.sh: $name done in $(( SECONDS - start )) s" >&2
}
