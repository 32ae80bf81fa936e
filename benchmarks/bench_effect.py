"""Per-item versus batched paths of the ``effect`` package on the same work.

Prints a Markdown table and writes JSON (default ``benchmarks/results/bench_effect.json``):

* landscapes/s — one ``NeuralMotif`` + ``calculate_landscape`` per motif (the
  original's algorithm) vs ``effect.engine.motif_outputs`` over the batch;
* Lipschitz estimates/s — the literal per-offset loop vs ``lipschitz_batch``;
* difference pairs/s and GFLOP/s — the per-row reference loop vs the tiled
  GEMM search, against the machine's measured float32 GEMM rate;
* catch processes/s — one-motif-at-a-time Adam vs the batched catch.

Usage::

    python benchmarks/bench_effect.py [--quick] [--json PATH] [--threads N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
from pathlib import Path

import numpy as np
import torch

from effect.engine import grid_inputs, motif_outputs
from effect.nearest import _nearest_differences_loop, nearest_differences
from effect.robustness import _estimate_lipschitz_loop, lipschitz_batch
from effect.structures import catcher_parameters, structure_parameters

from _timing import run_benches, timed  # benchmarks/ is on sys.path when run as a script

LOOP = "incoherent-loop.1"


def loop_population(count, seed=0):
    grid = structure_parameters(LOOP)
    rows = np.random.default_rng(seed).choice(len(grid), size=count, replace=False)
    return grid[np.sort(rows)]


def bench_landscapes(n_item, n_batch):
    from effect.motifs import NeuralMotif
    from effect.operations import calculate_landscape

    params = loop_population(max(n_item, n_batch))

    def per_item():
        for row in params[:n_item]:
            motif = NeuralMotif("incoherent-loop", 1, ["tanh", "tanh"], ["sum", "sum"], weights=list(row[:3]),
                                biases=list(row[3:]))
            calculate_landscape((-1, 1), 41, motif)

    inputs = grid_inputs((-1, 1), 41)
    tensor = torch.tensor(params[:n_batch])

    def batched():
        with torch.no_grad():
            return motif_outputs(tensor, "incoherent-loop", inputs)

    t_item, _ = timed(per_item)
    t_batch, _ = timed(batched, repeat=3)
    return {"work": "landscapes", "unit": "landscapes/s", "per_item": n_item / t_item, "batched": n_batch / t_batch}


def landscapes_of(params):
    with torch.no_grad():
        out = motif_outputs(torch.tensor(params), "incoherent-loop", grid_inputs((-1, 1), 41))
    return out.reshape(-1, 41, 41).numpy()


def bench_lipschitz(n_item, n_batch):
    landscapes = landscapes_of(loop_population(max(n_item, n_batch), seed=1))
    t_item, slow = timed(lambda: [_estimate_lipschitz_loop(x, 0.05, "L-2") for x in landscapes[:n_item]])
    t_batch, fast = timed(lambda: lipschitz_batch(landscapes[:n_batch], 0.05, "L-2"), repeat=2)
    error = float(np.max(np.abs(np.asarray(slow) - fast[:n_item]) / np.asarray(slow)))
    return {"work": "Lipschitz estimates", "unit": "estimates/s", "per_item": n_item / t_item,
            "batched": n_batch / t_batch, "max_relative_difference": error}


def gemm_rate(n=2048, k=1681, repeat=3):
    a, b = torch.randn(n, k), torch.randn(8192, k)
    t, _ = timed(lambda: a @ b.T, repeat=repeat)
    return 2 * n * 8192 * k / t / 1e9


def bench_differences(n_item_rows, n_set):
    landscapes = landscapes_of(loop_population(n_set, seed=2)).reshape(n_set, -1)
    t_item, slow = timed(lambda: _nearest_differences_loop(landscapes[:n_item_rows], landscapes))
    t_batch, fast = timed(lambda: nearest_differences(landscapes), repeat=2)
    pairs_item, pairs_batch = n_item_rows * n_set, n_set * n_set
    flops = 2.0 * pairs_batch * landscapes.shape[1]
    rate = gemm_rate()
    error = float(np.max(np.abs(slow - fast[:n_item_rows])))
    return {"work": "difference pairs", "unit": "pairs/s", "per_item": pairs_item / t_item,
            "batched": pairs_batch / t_batch, "gflops": flops / t_batch / 1e9, "gemm_gflops": rate,
            "fraction_of_gemm": flops / t_batch / 1e9 / rate, "max_abs_difference": error}


def bench_catch(n_item, n_batch, threshold=100):
    from effect import search, similarity

    params = loop_population(max(n_item, n_batch), seed=3)
    catchers = catcher_parameters()

    def per_item():  # the original's algorithm: NeuralMotif objects, one catch process at a time
        references = [similarity._build_motif("incoherent-loop", row, "reference", True) for row in params[:n_item]]
        colliders = [similarity._build_motif("collider", row, "reference", False) for row in catchers]
        results = similarity.execute_catch_processes(references, colliders, (-1, 1), 41, 1e-3, threshold,
                                                     engine="loop")
        return np.array([loss for _, loss in results])

    t_item, slow = timed(per_item)
    t_batch, fast = timed(lambda: search.catch(params[:n_batch], "incoherent-loop", catchers, threshold=threshold))
    error = float(np.max(np.abs(slow - fast["loss"][:n_item]) / slow))
    return {"work": "catch processes (4 catchers x 100 steps)", "unit": "processes/s", "per_item": n_item / t_item,
            "batched": n_batch / t_batch, "max_relative_difference": error}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (seconds instead of minutes)")
    parser.add_argument("--json", type=Path, default=Path(__file__).parent / "results" / "bench_effect.json")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--only", nargs="*", default=["landscapes", "lipschitz", "differences", "catch"])
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    scale = 1 if args.quick else 4
    benches = {
        "landscapes": lambda: bench_landscapes(200 * scale, 20000 * scale),
        "lipschitz": lambda: bench_lipschitz(10 * scale, 2000 * scale),
        "differences": lambda: bench_differences(20 * scale, 4000 * scale),
        "catch": lambda: bench_catch(2 * scale, 200 * scale),
    }
    rows = run_benches(benches, args.only, lambda row: row["batched"] / row["per_item"])
    print()
    print("| work | unit | per-item | batched | speed-up | notes |")
    print("| --- | --- | ---: | ---: | ---: | --- |")
    for row in rows:
        notes = ""
        if "gflops" in row:
            notes = (f"{row['gflops']:.1f} GFLOP/s = {100 * row['fraction_of_gemm']:.0f} % of float32 GEMM "
                     f"({row['gemm_gflops']:.1f} GFLOP/s)")
        print(f"| {row['work']} | {row['unit']} | {row['per_item']:.4g} | {row['batched']:.4g} | "
              f"{row['speedup']:.0f}x | {notes} |")
    record = {"machine": platform.platform(), "cpus": os.cpu_count(), "threads": args.threads,
              "torch": torch.__version__, "rows": rows}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(record, indent=1))
    print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
