"""Throughput of the learned-diversity library on the MNIST-1D network (40 -> 100 -> 10, sub-networks of 50).

Prints a Markdown table and writes JSON (default ``benchmarks/results/bench_diversity.json``):

* meta-learning outer steps/s -- :func:`effect.learned.meta_learn` with the
  inner loop unrolled (gradient through the inner steps) and first-order;
* Hessian-vector products/s -- Hutchinson's trace with one double-backward
  product per probe (the reference loop) vs products batched over probes;
* Lanczos steps/s -- :func:`effect.curvature.hessian_spectrum` with its runs batched.

The data are random stand-ins of MNIST-1D's shape (throughput does not depend
on them), so the script needs no data generation.

Usage::

    python benchmarks/bench_diversity.py [--quick] [--json PATH] [--threads N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
from pathlib import Path

import torch

from effect.curvature import _hessian_trace_loop, hessian_spectrum, hessian_trace
from effect.learned import DiverseNetwork, LearnedActivation, extract_activation, meta_learn

from _timing import timed  # benchmarks/ is on sys.path when run as a script


def problem(points, seed=0):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(points, 40, generator=generator)
    y = torch.randint(0, 10, (points,), generator=generator)
    return x, y


def bench_meta(quick):
    x, y = problem(2000)
    outer = 3 if quick else 10
    rows = []
    for unroll in (True, False):
        act = LearnedActivation("sine", types=2, hidden=50, seed=0)
        net = DiverseNetwork((40, 100, 10), act, seed=0)
        seconds, _ = timed(lambda: meta_learn(net, act, torch.nn.functional.cross_entropy, x, y, outer_steps=outer,
                                              inner_steps=5, batch_size=128, unroll=unroll))
        rows.append({"work": f"meta-learning, {'unrolled' if unroll else 'first-order'} (5 inner steps, batch 128)",
                     "unit": "outer steps/s", "value": outer / seconds})
    return rows


def bench_hessian(quick):
    x, y = problem(500 if quick else 1000)
    act = LearnedActivation("sine", types=2, hidden=50, seed=0)
    frozen = [extract_activation(act, 0), extract_activation(act, 1)]
    net = DiverseNetwork((40, 100, 10), frozen, seed=0)
    loss = torch.nn.functional.cross_entropy
    probes = 8 if quick else 32
    loop_s, loop = timed(lambda: _hessian_trace_loop(net, loss, (x, y), samples=probes, seed=0))
    batch_s, batched = timed(lambda: hessian_trace(net, loss, (x, y), samples=probes, seed=0, chunk_size=probes))
    assert abs(loop.estimate - batched.estimate) <= 1e-3 * abs(loop.estimate)
    iterations, runs = (10, 2) if quick else (40, 4)
    slq_s, _ = timed(lambda: hessian_spectrum(net, loss, (x, y), iterations=iterations, runs=runs))
    size = sum(p.numel() for p in net.parameters())
    return [
        {"work": f"Hutchinson trace, {size} parameters, {x.shape[0]} points", "unit": "HVPs/s, per-probe loop",
         "value": probes / loop_s},
        {"work": f"Hutchinson trace, {size} parameters, {x.shape[0]} points", "unit": "HVPs/s, batched probes",
         "value": probes / batch_s, "speedup": loop_s / batch_s},
        {"work": f"SLQ, {runs} runs batched", "unit": "Lanczos steps/s (all runs)", "value": iterations / slq_s},
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps and probes")
    parser.add_argument("--json", type=Path, default=Path(__file__).parent / "results" / "bench_diversity.json")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rows = []
    for name, bench in (("meta-learning", bench_meta), ("hessian", bench_hessian)):
        rows += bench(args.quick)
        print(f"done: {name}", flush=True)
    print()
    print("| work | unit | value | notes |")
    print("| --- | --- | ---: | --- |")
    for row in rows:
        notes = f"{row['speedup']:.1f}x the loop" if "speedup" in row else ""
        print(f"| {row['work']} | {row['unit']} | {row['value']:.4g} | {notes} |")
    record = {"machine": platform.platform(), "cpus": os.cpu_count(), "threads": args.threads,
              "torch": torch.__version__, "quick": args.quick, "rows": rows}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(record, indent=1))
    print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
