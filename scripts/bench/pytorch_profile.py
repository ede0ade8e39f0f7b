#!/usr/bin/python3
"""Where one minibatch's time goes in PyTorch (CPU), for comparison with `bench profile` on the JVM side:
fit (forward + backward + Adam step), forward alone and per layer, and torch.profiler's top ops.

    /usr/bin/python3 scripts/bench/pytorch_profile.py [--preset lenet|vgg2] [--batches 100] [--batch 64] [--threads N]

The presets are the same layers as ours (workers' Presets): conv with its activation, then batch norm.
Also prints the machine's single-precision matmul peak (a 1024x1024 gemm) and the training GFLOP/s reached.
"""
import argparse
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batches", type=int, default=100)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--preset", choices=["lenet", "vgg2"], default="lenet")
    a = p.parse_args()
    torch.manual_seed(42)
    torch.set_num_threads(a.threads)
    if a.preset == "lenet":
        layers = [nn.Conv2d(1, 20, 5), nn.MaxPool2d(2, 2), nn.Conv2d(20, 50, 5), nn.MaxPool2d(2, 2), nn.Flatten(),
                  nn.Linear(800, 500), nn.Linear(500, 10)]
        acts = {0: F.relu, 2: F.relu, 5: F.relu}
    else:
        layers = [nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32),
                  nn.MaxPool2d(2, 2), nn.Dropout(0.25),
                  nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.Conv2d(64, 64, 3, padding=1), nn.BatchNorm2d(64),
                  nn.MaxPool2d(2, 2), nn.Dropout(0.25), nn.Flatten(),
                  nn.Linear(64 * 7 * 7, 512), nn.BatchNorm1d(512), nn.Dropout(0.5), nn.Linear(512, 10)]
        acts = {0: F.relu, 2: F.relu, 6: F.relu, 8: F.relu, 13: F.relu}
    params = [q for l in layers for q in l.parameters()]
    opt = torch.optim.Adam(params, lr=0.002)
    x = torch.rand(a.batches, a.batch, 1, 28, 28)
    y = torch.randint(0, 10, (a.batches, a.batch))

    def forward(v, upto=len(layers)):
        for i, layer in enumerate(layers[:upto]):
            v = layer(v)
            if i in acts:
                v = acts[i](v)
        return v

    def fit(i):
        opt.zero_grad()
        F.cross_entropy(forward(x[i]), y[i]).backward()
        opt.step()

    for i in range(20):
        fit(i % a.batches)
    t = time.perf_counter()
    for i in range(a.batches):
        fit(i)
    fit_ms = (time.perf_counter() - t) * 1000 / a.batches
    cumulative = []
    for upto in range(1, len(layers) + 1):
        t = time.perf_counter()
        for i in range(a.batches):
            forward(x[i], upto)
        cumulative.append((time.perf_counter() - t) * 1000 / a.batches)
    fwd = cumulative[-1]
    print("Profile: PyTorch %s %s, batch %d, %d batches, %d threads" % (torch.__version__, a.preset, a.batch, a.batches, a.threads))
    print("fit (forward + backward + adam update): %.2f ms per batch = %.0f images/s" % (fit_ms, a.batch * 1000 / fit_ms))
    flops = training_flops_per_image(layers, x[0][:1])
    peak = gemm_gflops()
    achieved = flops * a.batch / fit_ms / 1e6
    print("training: %.1f MFLOP per image (3x the forward convolutions and matmuls): %.1f GFLOP/s = %.1f per thread;"
          " sgemm 1024^3 peak here: %.1f GFLOP/s (%.0f%% of it)" % (flops / 1e6, achieved, achieved / a.threads, peak,
                                                                   100 * achieved / peak))
    print("forward (training mode): %.2f ms (%.0f%%); backward + update: %.2f ms (%.0f%%)"
          % (fwd, 100 * fwd / fit_ms, fit_ms - fwd, 100 * (fit_ms - fwd) / fit_ms))
    for i, layer in enumerate(layers):
        own = cumulative[i] - (cumulative[i - 1] if i else 0)
        print("  forward layer %d %-22s %6.2f ms" % (i, type(layer).__name__, max(0.0, own)))
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        for i in range(20):
            fit(i)
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=12))


def training_flops_per_image(layers, one):
    """3x the forward multiply-adds of the convolutions and matmuls (forward, input gradient, weight gradient)."""
    total = 0
    v = one
    with torch.no_grad():
        for layer in layers:
            out = layer.eval()(v) if isinstance(layer, (nn.BatchNorm1d, nn.BatchNorm2d)) else layer(v)
            if isinstance(layer, nn.Conv2d):
                k = layer.kernel_size[0] * layer.kernel_size[1] * layer.in_channels
                total += 2 * out.numel() * k
            elif isinstance(layer, nn.Linear):
                total += 2 * layer.in_features * layer.out_features
            v = out
    for layer in layers:
        layer.train()
    return 3 * total


def gemm_gflops(n=1024, repeats=20):
    a = torch.rand(n, n)
    b = torch.rand(n, n)
    for _ in range(3):
        a @ b
    t = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return 2 * n ** 3 * repeats / (time.perf_counter() - t) / 1e9


if __name__ == "__main__":
    main()
