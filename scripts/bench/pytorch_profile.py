#!/usr/bin/python3
"""Where one minibatch's time goes in PyTorch (CPU), for comparison with `bench profile` on the JVM side:
fit (forward + backward + Adam step), forward alone and per layer, and torch.profiler's top ops.

    /usr/bin/python3 scripts/bench/pytorch_profile.py [--batches 100] [--batch 64] [--threads N]
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
    a = p.parse_args()
    torch.manual_seed(42)
    torch.set_num_threads(a.threads)
    layers = [nn.Conv2d(1, 20, 5), nn.MaxPool2d(2, 2), nn.Conv2d(20, 50, 5), nn.MaxPool2d(2, 2), nn.Flatten(),
              nn.Linear(800, 500), nn.Linear(500, 10)]
    acts = {0: F.relu, 2: F.relu, 5: F.relu}
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
    print("Profile: PyTorch %s LeNet, batch %d, %d batches, %d threads" % (torch.__version__, a.batch, a.batches, a.threads))
    print("fit (forward + backward + adam update): %.2f ms per batch = %.0f images/s" % (fit_ms, a.batch * 1000 / fit_ms))
    print("forward (training mode): %.2f ms (%.0f%%); backward + update: %.2f ms (%.0f%%)"
          % (fwd, 100 * fwd / fit_ms, fit_ms - fwd, 100 * (fit_ms - fwd) / fit_ms))
    for i, layer in enumerate(layers):
        own = cumulative[i] - (cumulative[i - 1] if i else 0)
        print("  forward layer %d %-22s %6.2f ms" % (i, type(layer).__name__, max(0.0, own)))
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        for i in range(20):
            fit(i)
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=12))


if __name__ == "__main__":
    main()
