#!/usr/bin/python3
"""PyTorch CPU reference for `scripts/bench.sh --dataset cifar10`: the same layers, split, scaling,
augmentation, optimizer, learning-rate schedule, weight decay and label smoothing as our job, read from the
recipe JSON that `submit.sh bench -- recipe` writes (the job's resolved config and its exact split), so both
sides train the same thing. Writes the same JSON keys as the Java modes (one line per epoch on stderr).

    /usr/bin/python3 scripts/bench/pytorch_cifar.py --recipe recipe.json --epochs 15 --threads 2 \
        --targets 0.80,0.85 --output results/4-pytorch.json
    /usr/bin/python3 scripts/bench/pytorch_cifar.py --recipe recipe.json --throughput 30 --output speed.json

Without torch (Debian: apt-get install python3-torch python3-torchvision) it writes {"skipped": "..."} and exits 0.
"""
import argparse
import json
import math
import os
import resource
import sys
import time


def schedule_lr(s, base, epoch, max_epochs):
    """The learning rate of 1-based `epoch`: the formulas of docs/config.md (model.lr-schedule), per epoch."""
    kind = s.get("type", "constant")
    if kind == "constant":
        return base
    if kind == "step":
        return base * s["factor"] ** ((epoch - 1) // s["step_epochs"])
    if kind == "exponential":
        return base * s["factor"] ** (epoch - 1)
    if kind == "cosine":
        w = s.get("warmup_epochs", 0)
        if epoch <= w:
            return base * epoch / w
        span = max(1, max_epochs - w)
        t = min(epoch - w - 1, span) / span
        return s["min_lr"] + (base - s["min_lr"]) * (1 + math.cos(math.pi * t)) / 2
    if kind == "one-cycle":
        initial = base / s["div_factor"]
        final = initial / s["final_div_factor"]
        steps = max_epochs
        up = s["warmup_fraction"] * steps - 1  # as torch's OneCycleLR: step index of the peak
        i = epoch - 1
        if i <= up:
            t = i / up if up > 0 else 1.0
            return initial + (base - initial) * (1 - math.cos(math.pi * t)) / 2
        down = steps - 1 - up
        t = (i - up) / down if down > 0 else 1.0
        return final + (base - final) * (1 + math.cos(math.pi * t)) / 2
    raise ValueError("unknown lr schedule " + kind)


def build(nn, layers, channels, height, width, classes, init):
    """Our layer list (model.layers vocabulary) as a torch Sequential, with Keras' "same"/"valid" padding."""
    mods, c, h, w, flat = [], channels, height, width, False
    acts = {"relu": nn.ReLU, "leakyrelu": lambda: nn.LeakyReLU(0.01), "elu": nn.ELU, "tanh": nn.Tanh,
            "sigmoid": nn.Sigmoid, "identity": nn.Identity}
    for l in layers:
        t = l["type"]
        if t == "conv2d":
            k, s = l["kernel"], l.get("stride", 1)
            if l.get("padding", "valid") == "same":
                oh, ow = -(-h // s), -(-w // s)
                ph, pw = max((oh - 1) * s + k - h, 0), max((ow - 1) * s + k - w, 0)
                if ph or pw:  # TensorFlow/DL4J "same": the odd pixel goes bottom/right
                    mods.append(nn.ZeroPad2d((pw // 2, pw - pw // 2, ph // 2, ph - ph // 2)))
                h, w = oh, ow
            else:
                h, w = (h - k) // s + 1, (w - k) // s + 1
            mods += [nn.Conv2d(c, l["filters"], k, s), acts[l.get("activation", "relu")]()]
            c = l["filters"]
        elif t in ("maxpool", "avgpool"):
            k, s = l["size"], l["stride"]
            mods.append((nn.MaxPool2d if t == "maxpool" else nn.AvgPool2d)(k, s))
            h, w = (h - k) // s + 1, (w - k) // s + 1
        elif t == "batchnorm":
            mods.append(nn.BatchNorm1d(c) if flat else nn.BatchNorm2d(c))
        elif t == "dropout":
            mods.append(nn.Dropout(l["rate"]))
        elif t == "dense":
            if not flat:
                mods.append(nn.Flatten())
                c, flat = c * h * w, True
            mods += [nn.Linear(c, l["units"]), acts[l.get("activation", "relu")]()]
            c = l["units"]
        elif t == "output":
            if not flat:
                mods.append(nn.Flatten())
                c, flat = c * h * w, True
            mods.append(nn.Linear(c, classes))
        else:
            raise ValueError("layer type " + t)
    net = nn.Sequential(*mods)
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            if init == "he":  # DL4J WeightInit.RELU: normal, std sqrt(2 / fan_in)
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            else:
                nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    return net


def load(torch, files, shape):
    """Decodes image files (PIL, as torchvision) into a uint8 NCHW tensor."""
    from PIL import Image
    c, h, w = shape
    out = torch.empty((len(files), c, h, w), dtype=torch.uint8)
    for i, f in enumerate(files):
        with Image.open(f) as im:
            im = im.convert("RGB" if c == 3 else "L").resize((w, h), Image.BILINEAR) if im.size != (w, h) or \
                im.mode != ("RGB" if c == 3 else "L") else im.convert("RGB" if c == 3 else "L")
            t = torch.frombuffer(bytearray(im.tobytes()), dtype=torch.uint8)
            out[i] = t.reshape(h, w, c).permute(2, 0, 1)
    return out


def augment(torch, x, a, g):
    """data.augment's flip and crop-with-padding on a uint8 batch, as the workers do (fill 0)."""
    n, c, h, w = x.shape
    if a.get("horizontal_flip"):
        flip = torch.rand(n, generator=g) < 0.5
        x = torch.where(flip[:, None, None, None], x.flip(3), x)
    p = a.get("crop_padding", 0)
    if p:
        padded = torch.nn.functional.pad(x, (p, p, p, p))
        dy = torch.randint(0, 2 * p + 1, (n,), generator=g)
        dx = torch.randint(0, 2 * p + 1, (n,), generator=g)
        x = torch.stack([padded[i, :, dy[i]:dy[i] + h, dx[i]:dx[i] + w] for i in range(n)])
    return x


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--recipe", required=True, help="recipe JSON from `submit.sh bench -- recipe`")
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--targets", default="0.80,0.85")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--throughput", type=int, default=0, help="only time this many training minibatches")
    p.add_argument("--output", required=True)
    a = p.parse_args()
    result = {"name": "pytorch CPU", "mode": "pytorch"}
    try:
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
    except ImportError as e:
        result["skipped"] = "torch is not installed for %s (%s); Debian: apt-get install python3-torch" % (sys.executable, e)
        with open(a.output, "w") as f:
            json.dump(result, f, indent=2)
        print("bench.sh: PyTorch reference skipped: " + result["skipped"], file=sys.stderr)
        return 0
    with open(a.recipe) as f:
        r = json.load(f)
    torch.manual_seed(r["seed"])
    torch.set_num_threads(a.threads)
    result["name"] = "pytorch %s CPU (%d threads)" % (torch.__version__.split("+")[0], a.threads)
    shape = (r["channels"], r["height"], r["width"])
    classes = len(r["class_names"])
    net = build(nn, r["layers"], *shape, classes, r["weight_init"])
    g = torch.Generator().manual_seed(r["seed"])
    offset = torch.zeros(1, shape[0], 1, 1)
    factor = torch.full((1, shape[0], 1, 1), 1 / 255.0)
    scale = lambda u8: (u8.float() - offset) * factor  # the job's feature scaling, fitted on the training split below

    # decoupled weight decay on weights only (conv kernels, dense matrices), as the job's model.weight-decay
    decay = [m.weight for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    ids = {id(t) for t in decay}
    rest = [t for t in net.parameters() if id(t) not in ids]
    groups = [{"params": decay, "weight_decay": r["weight_decay"]}, {"params": rest, "weight_decay": 0.0}]
    lr = r["learning_rate"]
    opt_name = r["optimizer"]
    if opt_name == "adam":
        opt = torch.optim.AdamW(groups, lr=lr)
    elif opt_name in ("sgd", "momentum", "nesterov"):
        opt = torch.optim.SGD(groups, lr=lr, momentum=0.0 if opt_name == "sgd" else r["momentum"],
                              nesterov=opt_name == "nesterov")
        if r["weight_decay"]:  # SGD's weight_decay is the coupled (L2) kind: decoupled below instead
            for gr in opt.param_groups:
                gr["decoupled"], gr["weight_decay"] = gr["weight_decay"], 0.0
    else:
        raise SystemExit("pytorch_cifar.py: optimizer %s has no reference here" % opt_name)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=r["label_smoothing"])
    batch = r["batch_size"]

    def step(xb, yb):
        opt.zero_grad()
        loss = loss_fn(net(xb), yb)
        loss.backward()
        opt.step()
        for gr in opt.param_groups:
            if gr.get("decoupled"):
                with torch.no_grad():
                    for t in gr["params"]:
                        t.mul_(1 - gr["lr"] * gr["decoupled"])
        return loss.item()

    if a.throughput:
        net.train()
        xb = torch.randint(0, 256, (batch,) + shape, dtype=torch.uint8)
        yb = torch.randint(0, classes, (batch,))
        for _ in range(5):
            step(scale(augment(torch, xb, r["augment"], g)), yb)
        t0 = time.perf_counter()
        for _ in range(a.throughput):
            step(scale(augment(torch, xb, r["augment"], g)), yb)
        s = time.perf_counter() - t0
        result.update({"throughput_batches": a.throughput, "images_per_second": a.throughput * batch / s})
        print("bench %s: %.0f images/s over %d minibatches of %d" % (result["name"], a.throughput * batch / s,
                                                                     a.throughput, batch), file=sys.stderr)
        with open(a.output, "w") as f:
            json.dump(result, f, indent=2)
        return 0

    t0 = time.perf_counter()
    x = load(torch, [e[0] for e in r["train"]], shape)
    y = torch.tensor([e[1] for e in r["train"]], dtype=torch.long)
    vx = load(torch, [e[0] for e in r["validation"]], shape)
    vy = torch.tensor([e[1] for e in r["validation"]], dtype=torch.long)
    tx = load(torch, [e[0] for e in r["test"]], shape)
    ty = torch.tensor([e[1] for e in r["test"]], dtype=torch.long)
    per_channel = x.transpose(0, 1).reshape(shape[0], -1).float()
    if r["scaling"] == "standardize":  # FeatureScaling.standardize: per-channel mean and (population) std
        offset.copy_(per_channel.mean(1).reshape(offset.shape))
        factor.copy_(1 / per_channel.std(1, unbiased=False).clamp(min=1e-5).reshape(factor.shape))
    else:  # FeatureScaling.minMax: per-channel min and max
        lo, hi = per_channel.min(1).values, per_channel.max(1).values
        offset.copy_(lo.reshape(offset.shape))
        factor.copy_(1 / (hi - lo).clamp(min=1e-5).reshape(factor.shape))
    del per_channel
    print("bench %s: decoded %d/%d/%d images in %.0f s" % (result["name"], len(x), len(vx), len(tx),
                                                          time.perf_counter() - t0), file=sys.stderr, flush=True)

    def evaluate(ex, ey):
        net.eval()
        correct, loss = 0, 0.0
        with torch.no_grad():
            for i in range(0, len(ex), 500):
                out = net(scale(ex[i:i + 500]))
                loss += F.cross_entropy(out, ey[i:i + 500], reduction="sum").item()
                correct += (out.argmax(1) == ey[i:i + 500]).sum().item()
        return correct / len(ex), loss / len(ex)

    targets = [float(t) for t in a.targets.split(",") if t]
    epochs, total = [], 0.0
    for epoch in range(1, a.epochs + 1):
        rate = schedule_lr(r["lr_schedule"], lr, epoch, r["max_epochs"])
        for gr in opt.param_groups:
            gr["lr"] = rate
        net.train()
        perm = torch.randperm(len(x), generator=g)
        start, losses = time.perf_counter(), []
        for i in range(0, len(x), batch):
            b = perm[i:i + batch]
            losses.append(step(scale(augment(torch, x[b], r["augment"], g)), y[b]))
        seconds = time.perf_counter() - start
        total += seconds
        val_acc, val_loss = evaluate(vx, vy)
        acc, _ = evaluate(tx, ty)
        epochs.append({"epoch": epoch, "train_seconds": seconds, "images_per_second": len(x) / seconds,
                       "learning_rate": rate, "loss": sum(losses) / len(losses), "val_loss": val_loss,
                       "val_accuracy": val_acc, "test_accuracy": acc, "elapsed_train_seconds": total})
        print("bench %s epoch %d: lr %.2e, %.1f s training, %.0f images/s, loss %.4f, val_accuracy %.4f, test accuracy %.4f"
              % (result["name"], epoch, rate, seconds, len(x) / seconds, epochs[-1]["loss"], val_acc, acc),
              file=sys.stderr, flush=True)

    rates = sorted(e["images_per_second"] for e in (epochs[1:] if len(epochs) > 1 else epochs))
    mid = len(rates) // 2
    median = rates[mid] if len(rates) % 2 else (rates[mid - 1] + rates[mid]) / 2
    to_targets = {}
    for t in targets:
        to_targets["%.2f" % t] = next((e["elapsed_train_seconds"] for e in epochs if e["test_accuracy"] >= t), None)
    result.update({
        "epochs": epochs, "images_per_second_median": median, "target_accuracy": targets[0] if targets else None,
        "seconds_to_target": to_targets.get("%.2f" % targets[0]) if targets else None, "seconds_to_targets": to_targets,
        "final_test_accuracy": epochs[-1]["test_accuracy"], "train_seconds_total": total,
        "master": "none", "workers": 1, "train_images": len(x), "backend": "torch %s, %d threads" % (torch.__version__, a.threads),
        "model": r["preset"], "optimizer": opt_name, "learning_rate": lr, "batch_size": batch, "seed": r["seed"],
        "peak_memory_mb": {"driver": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, "executor_max": 0,
                           "executor_jvms": 0},
    })
    with open(a.output, "w") as f:
        json.dump(result, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
