#!/usr/bin/env python3
"""The scaling model of docs/performance.md: predicted parameter-averaging efficiency per preset and
number of workers, from the measured single-thread fit rates and the fixed per-round cost at one worker.

    python3 scripts/bench/scaling_model.py R1_LENET R1_VGG2 T0_SECONDS      e.g. 483 49 0.164
"""
import math, sys
r1 = {"lenet": float(sys.argv[1]), "vgg2": float(sys.argv[2])}   # single-thread fit images/s
T0 = float(sys.argv[3])   # fixed per-round cost measured at W=1 (s)
P = {"lenet": 431080, "vgg2": 1679082}
f, B = 5, 64
BW = 1.1e9     # 10 GbE, effective bytes/s
t_task = 0.002 # driver cost per task and job (2 jobs per round)
rows = []
for m in ("lenet", "vgg2"):
    Tc = f * B / r1[m]
    S = 12 * P[m]
    for W in (1, 2, 8, 32, 128):
        net = S / BW * (math.log2(W + 1) + 2 * math.sqrt(W))
        T = Tc + T0 + 2 * t_task * W + net
        E = Tc / T
        rows.append((m, W, Tc, S / 1e6, net * 1000, T, E, E * W * r1[m]))
print("| preset | W | T_c (s) | S (MB) | network (ms) | round (s) | E(W) | images/s |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for m, W, Tc, S, net, T, E, thr in rows:
    print(f"| {m} | {W} | {Tc:.3f} | {S:.1f} | {net:.0f} | {T:.3f} | {E:.2f} | {thr:,.0f} |")
