#!/usr/bin/python3
"""PyTorch CPU reference for scripts/bench.sh: the project's LeNet preset on Fashion-MNIST with the same
optimizer, learning rate, batch size, seed, split and scaling; writes the same JSON keys as the Java modes.

    /usr/bin/python3 scripts/bench/pytorch_lenet.py --data DIR --epochs 5 --lr 0.002 --batch 64 --seed 42 \
        --validation-fraction 0.1 --target 0.90 --output results/pytorch.json

Without torch (Debian: apt-get install python3-torch) it writes {"skipped": "..."} and exits 0.
"""
import argparse
import gzip
import json
import os
import resource
import struct
import sys
import time


def read_idx(path):
    with gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return shape, data[4 + 4 * dims:]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--lr", type=float, default=0.002)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--validation-fraction", type=float, default=0.1)
    p.add_argument("--max-train-images", type=int, default=0)
    p.add_argument("--target", type=float, default=0.90)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--output", required=True)
    a = p.parse_args()
    result = {"name": "pytorch %s CPU" % "?", "mode": "pytorch"}
    try:
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
    except ImportError as e:
        result["name"] = "pytorch CPU"
        result["skipped"] = "torch is not installed for %s (%s); Debian: apt-get install python3-torch" % (sys.executable, e)
        with open(a.output, "w") as f:
            json.dump(result, f, indent=2)
        print("bench.sh: PyTorch reference skipped: " + result["skipped"], file=sys.stderr)
        return 0

    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    result["name"] = "pytorch %s CPU (%d threads)" % (torch.__version__.split("+")[0], a.threads)

    (n, h, w), pixels = read_idx(os.path.join(a.data, "train-images-idx3-ubyte.gz"))
    _, labels = read_idx(os.path.join(a.data, "train-labels-idx1-ubyte.gz"))
    (tn, _, _), tpixels = read_idx(os.path.join(a.data, "t10k-images-idx3-ubyte.gz"))
    _, tlabels = read_idx(os.path.join(a.data, "t10k-labels-idx1-ubyte.gz"))
    x = torch.frombuffer(bytearray(pixels), dtype=torch.uint8).reshape(n, 1, h, w)
    y = torch.tensor(list(labels), dtype=torch.long)
    tx = torch.frombuffer(bytearray(tpixels), dtype=torch.uint8).reshape(tn, 1, h, w).float() / 255.0
    ty = torch.tensor(list(tlabels), dtype=torch.long)

    # stratified validation split as the Java side makes it (per class, seeded): validation is held out
    g = torch.Generator().manual_seed(a.seed)
    keep = []
    for c in range(10):
        idx = (y == c).nonzero().flatten()
        idx = idx[torch.randperm(len(idx), generator=g)]
        keep.append(idx[int(round(len(idx) * a.validation_fraction)):])
    train_idx = torch.cat(keep)
    if a.max_train_images > 0:
        train_idx = train_idx[torch.randperm(len(train_idx), generator=g)[:a.max_train_images]]
    x, y = x[train_idx].float() / 255.0, y[train_idx]  # min-max scaling to [0, 1], as the minmax default

    class LeNet(nn.Module):  # the "lenet" preset: conv5x5x20, maxpool, conv5x5x50, maxpool, dense 500, softmax 10
        def __init__(self):
            super().__init__()
            self.c1 = nn.Conv2d(1, 20, 5)
            self.c2 = nn.Conv2d(20, 50, 5)
            self.d1 = nn.Linear(50 * 4 * 4, 500)
            self.out = nn.Linear(500, 10)
            for m in self.modules():  # Xavier, as the preset's default weight-init
                if isinstance(m, (nn.Conv2d, nn.Linear)):
                    nn.init.xavier_uniform_(m.weight)
                    nn.init.zeros_(m.bias)

        def forward(self, v):
            v = F.max_pool2d(F.relu(self.c1(v)), 2, 2)
            v = F.max_pool2d(F.relu(self.c2(v)), 2, 2)
            v = F.relu(self.d1(v.flatten(1)))
            return self.out(v)

    net = LeNet()
    opt = torch.optim.Adam(net.parameters(), lr=a.lr)
    epochs = []
    for epoch in range(1, a.epochs + 1):
        net.train()
        perm = torch.randperm(len(x), generator=g)
        start = time.perf_counter()
        for i in range(0, len(x), a.batch):
            b = perm[i:i + a.batch]
            opt.zero_grad()
            loss = F.cross_entropy(net(x[b]), y[b])
            loss.backward()
            opt.step()
        seconds = time.perf_counter() - start
        net.eval()
        with torch.no_grad():
            correct = sum((net(tx[i:i + 1000]).argmax(1) == ty[i:i + 1000]).sum().item() for i in range(0, tn, 1000))
        acc = correct / tn
        epochs.append({"epoch": epoch, "train_seconds": seconds, "images_per_second": len(x) / seconds,
                       "test_accuracy": acc})
        print("bench %s epoch %d: %.1f s training, %.0f images/s, test accuracy %.4f"
              % (result["name"], epoch, seconds, len(x) / seconds, acc), file=sys.stderr, flush=True)

    rates = sorted(e["images_per_second"] for e in (epochs[1:] if len(epochs) > 1 else epochs))
    mid = len(rates) // 2
    median = rates[mid] if len(rates) % 2 else (rates[mid - 1] + rates[mid]) / 2
    total, to_target = 0.0, None
    for e in epochs:
        total += e["train_seconds"]
        if to_target is None and e["test_accuracy"] >= a.target:
            to_target = total
    result.update({
        "epochs": epochs, "images_per_second_median": median, "target_accuracy": a.target,
        "seconds_to_target": to_target, "final_test_accuracy": epochs[-1]["test_accuracy"], "train_seconds_total": total,
        "master": "none", "workers": 1, "train_images": len(x), "backend": "torch %s, %d threads" % (torch.__version__, a.threads),
        "model": "lenet", "optimizer": "adam", "learning_rate": a.lr, "batch_size": a.batch, "seed": a.seed,
        "peak_memory_mb": {"driver": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, "executor_max": 0,
                           "executor_jvms": 0},
    })
    with open(a.output, "w") as f:
        json.dump(result, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
