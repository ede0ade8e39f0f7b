#!/usr/bin/env bash
# Side-by-side training benchmark on this machine, in one invocation: the same net (the lenet preset),
# batch size, optimizer, learning rate, seed, split and scaling (conf/demo.conf) on Fashion-MNIST (or, with
# --dataset cifar10, conf/cifar10.conf's vgg-cifar recipe on CIFAR-10: modes local and pytorch) for
#   1. our Spark epoch loop in local[N] (N = cores) and in local-cluster with 2 executor JVMs,
#   2. a single JVM running DL4J's MultiLayerNetwork.fit (no Spark),
#   3. PyTorch on the CPU (/usr/bin/python3 with Debian's python3-torch; skipped with a message without it),
# plus the data path alone (decoding and batching, IDX and PNG folder). Prints a table and writes
# <output>/bench.json with the machine, every mode's figures and the ratios.
#
#   scripts/bench.sh [--dataset D] [--epochs N] [--target ACC[,ACC]] [--max-train-images N] [--executors N] [--output DIR] [--only MODES]
#     --dataset           fashion-mnist (default) or cifar10 (from $CIFAR10_DIR, default ../shared/datasets/cifar10 beside
#                         this repository; the job's own test folder of 10,000 images; PyTorch trains the same layers,
#                         split, scaling, augmentation, optimizer, schedule, weight decay and label smoothing, read from
#                         the recipe the job's config resolves to)
#     --epochs            epochs per mode, no early stopping (default 8; cifar10: conf/cifar10.conf's max-epochs, which
#                         the learning-rate schedule spans)
#     --target            test accuracies whose training time to reach is reported (default 0.90; cifar10: 0.80,0.85)
#     --max-train-images  fewer training images for a quick look (default: all 54,000)
#     --executors         executor JVMs (one core each) of the local-cluster mode (default 2)
#     --output            result folder (default bench-results/<UTC time>)
#     --only              comma list of data-path,local,local-cluster,single-jvm,pytorch (default all; cifar10: local,pytorch)
#
# Takes about 20 minutes on 2 cores with the defaults. GPU: build with -Pcuda (./mvnw -B -Pcuda package)
# and run this script on the GPU machine; each JVM mode's JSON then names the CUDA backend it loaded.
# The JVM modes are the bench module (bench/, io.sparkcnn.bench.BenchJob), one process each through
# scripts/submit.sh bench: its jar with the jobs' shaded jar beside it (./mvnw -B package builds both).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATASET=fashion-mnist
EPOCHS=""
TARGET=""
MAX_TRAIN=0
OUT=""
ONLY=""
EXECUTORS=2
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dataset) DATASET="$2"; shift 2 ;;
    --epochs) EPOCHS="$2"; shift 2 ;;
    --target) TARGET="$2"; shift 2 ;;
    --max-train-images) MAX_TRAIN="$2"; shift 2 ;;
    --output) OUT="$2"; shift 2 ;;
    --executors) EXECUTORS="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo pipefail$/{/^set /!p}' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$DATASET" in
  fashion-mnist|cifar10) ;;
  *) echo "bench.sh: --dataset $DATASET: expected fashion-mnist or cifar10" >&2; exit 2 ;;
esac
if [[ "$DATASET" == cifar10 ]]; then
  exec "$ROOT/scripts/bench/cifar10.sh" "$EPOCHS" "${TARGET:-0.80,0.85}" "$MAX_TRAIN" "${ONLY:-local,pytorch}" "$OUT"
fi
EPOCHS="${EPOCHS:-8}"
TARGET="${TARGET:-0.90}"
ONLY="${ONLY:-data-path,local,local-cluster,single-jvm,pytorch}"
DATA="${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}"
for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
  [[ -f "$DATA/$f" ]] || { echo "bench.sh: $DATA/$f is missing: apt-get install dataset-fashion-mnist, or set FASHION_MNIST_DIR" >&2; exit 2; }
done
OUT="${OUT:-$ROOT/bench-results/$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$OUT/results" "$OUT/logs"
CORES=$(nproc)
wants() { [[ ",$ONLY," == *",$1,"* ]]; }

# the demo's net, optimizer, batch size and seed; the IDX files as URIs
JOB=(--config "$ROOT/conf/demo.conf"
  --set "data.idx-train-images=file://$DATA/train-images-idx3-ubyte.gz" --set "data.idx-train-labels=file://$DATA/train-labels-idx1-ubyte.gz"
  --set "data.idx-test-images=file://$DATA/t10k-images-idx3-ubyte.gz" --set "data.idx-test-labels=file://$DATA/t10k-labels-idx1-ubyte.gz"
  --set "data.max-train-images=$MAX_TRAIN")
TRAINING=(--epochs "$EPOCHS" --target "$TARGET")
LR=$(sed -n 's/^ *learning-rate *= *\([0-9.]*\).*/\1/p' "$ROOT/conf/demo.conf" | head -n1)
BATCH=$(sed -n 's/^ *batch-size-per-worker *= *\([0-9]*\).*/\1/p' "$ROOT/conf/demo.conf" | head -n1)

# shellcheck source=scripts/bench/run-step.sh
source "$ROOT/scripts/bench/run-step.sh"

OPENS="-XX:+IgnoreUnrecognizedVMOptions --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false"

if wants data-path; then
  run "data path" "$OUT/logs/data-path.log" "$ROOT/scripts/submit.sh" bench -- data-path "${JOB[@]}" \
    --output "$OUT/results/0-data-path.json"
fi
if wants local; then
  run "spark local[$CORES]" "$OUT/logs/spark-local.log" "$ROOT/scripts/submit.sh" bench --master "local[$CORES]" -- \
    spark --name "spark local[$CORES]" "${JOB[@]}" "${TRAINING[@]}" --set "training.workers=$CORES" \
    --set "data.partitions=$CORES" --output "$OUT/results/1-spark-local.json"
fi
if wants local-cluster; then
  # executor JVMs of one core each, started by Spark's in-process test cluster (as Spark's own tests do);
  # one worker per executor (Spark's default parallelism would be at least 2)
  SPARK_TESTING=1 SPARK_SCALA_VERSION=2.12 run "spark local-cluster[$EXECUTORS,1,3072]" "$OUT/logs/spark-local-cluster.log" \
    "$ROOT/scripts/submit.sh" bench --master "local-cluster[$EXECUTORS,1,3072]" --conf spark.testing=true \
    --conf "spark.test.home=$ROOT" --conf spark.executor.memory=1g \
    --conf "spark.executor.extraJavaOptions=$OPENS -Dorg.bytedeco.javacpp.maxbytes=1G -Dorg.bytedeco.javacpp.maxphysicalbytes=3G" -- \
    spark --name "spark local-cluster ${EXECUTORS}x1" "${JOB[@]}" "${TRAINING[@]}" --set "training.workers=$EXECUTORS" \
    --set "data.partitions=$EXECUTORS" --output "$OUT/results/2-spark-local-cluster.json"
fi
if wants single-jvm; then
  run "single JVM" "$OUT/logs/single-jvm.log" "$ROOT/scripts/submit.sh" bench -- \
    single-jvm --name "dl4j single JVM" "${JOB[@]}" "${TRAINING[@]}" --output "$OUT/results/3-single-jvm.json"
fi
if wants pytorch; then
  # Debian's python3-torch uses whatever libblas.so.3 points at: netlib's reference BLAS unless an optimised
  # one (libopenblas0-pthread) is installed, which slows its dense layers several-fold (docs/performance.md)
  if [[ -x /usr/bin/python3 ]] && readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null | grep -q '/blas/libblas'; then
    echo "bench.sh: note: PyTorch will use the generic reference BLAS (install libopenblas0-pthread for an optimised one)" >&2
  fi
  if [[ -x /usr/bin/python3 ]]; then
    run "pytorch" "$OUT/logs/pytorch.log" /usr/bin/python3 "$ROOT/scripts/bench/pytorch_lenet.py" --data "$DATA" \
      --epochs "$EPOCHS" --lr "$LR" --batch "$BATCH" --seed 42 --validation-fraction 0.1 --target "$TARGET" \
      --max-train-images "$MAX_TRAIN" --threads "$CORES" --output "$OUT/results/4-pytorch.json"
  else
    echo "bench.sh: PyTorch reference skipped: /usr/bin/python3 not found" >&2
    printf '{"name": "pytorch CPU", "mode": "pytorch", "skipped": "/usr/bin/python3 not found"}\n' > "$OUT/results/4-pytorch.json"
  fi
fi

"$ROOT/scripts/submit.sh" bench -- summarize --results "$OUT/results" --output "$OUT/bench.json" 2>"$OUT/logs/summarize.log" \
  | tee "$OUT/table.txt"
echo "bench.sh: $OUT/bench.json" >&2
