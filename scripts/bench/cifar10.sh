#!/usr/bin/env bash
# scripts/bench.sh --dataset cifar10 (see its --help): our Spark job in local[N] and PyTorch on CIFAR-10 with
# conf/cifar10.conf's recipe, the job's own split and the 10,000-image test folder. Arguments, in order:
# epochs ("" = the config's max-epochs), targets, max training images (0 = all), modes, output folder ("" = new).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
EPOCHS="$1"; TARGET="$2"; MAX_TRAIN="$3"; ONLY="$4"; OUT="$5"
DATA="${CIFAR10_DIR:-$ROOT/../shared/datasets/cifar10}"
CONF="$ROOT/conf/cifar10.conf"
for d in train test; do
  [[ -d "$DATA/$d" ]] || { echo "bench.sh: $DATA/$d is missing: set CIFAR10_DIR to the CIFAR-10 folder ({train,test}/<class>/*.jpg)" >&2; exit 2; }
done
DATA="$(cd "$DATA" && pwd)"
if [[ -z "$EPOCHS" ]]; then
  EPOCHS=$(sed -n 's/^ *max-epochs *= *\([0-9]*\).*/\1/p' "$CONF" | head -n1)
fi
OUT="${OUT:-$ROOT/bench-results/cifar10-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$OUT/results" "$OUT/logs"
CORES=$(nproc)
wants() { [[ ",$ONLY," == *",$1,"* ]]; }
JOB=(--config "$CONF" --set "data.path=file://$DATA/train" --set "data.test-path=file://$DATA/test"
  --set "data.max-train-images=$MAX_TRAIN" --set "training.max-epochs=$EPOCHS")

# shellcheck source=scripts/bench/run-step.sh
source "$ROOT/scripts/bench/run-step.sh"

if wants local; then
  run "spark local[$CORES]" "$OUT/logs/spark-local.log" "$ROOT/scripts/submit.sh" bench --master "local[$CORES]" -- \
    spark --name "spark local[$CORES]" "${JOB[@]}" --epochs "$EPOCHS" --target "$TARGET" \
    --set "training.workers=$CORES" --set "data.partitions=$CORES" --output "$OUT/results/1-spark-local.json"
fi
if wants pytorch && [[ ! -x /usr/bin/python3 ]]; then
  echo "bench.sh: PyTorch reference skipped: /usr/bin/python3 not found" >&2
  printf '{"name": "pytorch CPU", "mode": "pytorch", "skipped": "/usr/bin/python3 not found"}\n' > "$OUT/results/4-pytorch.json"
elif wants pytorch; then
  run "recipe" "$OUT/logs/recipe.log" "$ROOT/scripts/submit.sh" bench -- recipe "${JOB[@]}" --output "$OUT/recipe.json"
  run "pytorch" "$OUT/logs/pytorch.log" /usr/bin/python3 "$ROOT/scripts/bench/pytorch_cifar.py" --recipe "$OUT/recipe.json" \
    --epochs "$EPOCHS" --targets "$TARGET" --threads "$CORES" --output "$OUT/results/4-pytorch.json"
fi
"$ROOT/scripts/submit.sh" bench -- summarize --results "$OUT/results" --output "$OUT/bench.json" 2>"$OUT/logs/summarize.log" \
  | tee "$OUT/table.txt"
echo "bench.sh: $OUT/bench.json" >&2
