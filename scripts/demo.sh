#!/usr/bin/env bash
# Trains the demo config (LeNet on Fashion-MNIST, 60k train / 10k test) on local[2] with early stopping.
#
#   scripts/demo.sh [output-folder]        default: runs/demo-<timestamp> in the repository
#
# Fashion-MNIST comes from the Debian package dataset-fashion-mnist (or $FASHION_MNIST_DIR).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}"
FILES=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)

have_data() {
  local f
  for f in "${FILES[@]}"; do [[ -f "$DATA/$f" ]] || return 1; done
}

if ! have_data; then
  if [[ -z "${FASHION_MNIST_DIR:-}" && "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "demo.sh: installing Fashion-MNIST (Debian package dataset-fashion-mnist)..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >&2 \
      || { DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 \
           && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >&2; }
  elif [[ -z "${FASHION_MNIST_DIR:-}" ]] && command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    echo "demo.sh: installing Fashion-MNIST with sudo (Debian package dataset-fashion-mnist)..." >&2
    sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >&2
  fi
fi
if ! have_data; then
  cat >&2 <<MSG
demo.sh: Fashion-MNIST not found in $DATA
  On Debian/Ubuntu:  sudo apt-get install dataset-fashion-mnist
  Elsewhere:         put ${FILES[*]}
                     in a folder and run: FASHION_MNIST_DIR=/that/folder scripts/demo.sh
MSG
  exit 1
fi

cd "$ROOT"
OUT="${1:-runs/demo-$(date +%Y%m%d-%H%M%S)}"
start=$(date +%s)
scripts/submit.sh --master 'local[2]' -- \
  --config conf/demo.conf \
  --set "data.idx-train-images=file://$DATA/train-images-idx3-ubyte.gz" \
  --set "data.idx-train-labels=file://$DATA/train-labels-idx1-ubyte.gz" \
  --set "data.idx-test-images=file://$DATA/t10k-images-idx3-ubyte.gz" \
  --set "data.idx-test-labels=file://$DATA/t10k-labels-idx1-ubyte.gz" \
  --output "$OUT"
elapsed=$(( $(date +%s) - start ))

metrics="$OUT/metrics.json"
echo
echo "Run folder: $OUT ($(( elapsed / 60 )) min $(( elapsed % 60 )) s wall)"
if command -v python3 >/dev/null; then
  python3 - "$metrics" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
print(f"  stopped by {m['stop_reason']} after epoch {m['stopped_epoch']}; best epoch {m['best_epoch']} "
      f"({m['monitor']} {m['best_value']:.4f})")
print(f"  test accuracy {m['test']['accuracy']:.4f}, test loss {m['test']['loss']:.4f} on {m['test']['images']} images")
PY
else
  echo "  metrics: $metrics"
fi
