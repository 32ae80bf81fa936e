"""Paper-scale unit kinds of the ``effect`` engines: before -> after, in the same run, single thread.

Each row times the engine this branch replaced (``_baseline.py``, verbatim copies) and the current one on
the same inputs, interleaved (before, after, before, after, ...; best of the repeats), and projects the
paper-scale CPU-hours of the unit kind where the work count is known. Prints a Markdown table and writes
JSON (default ``benchmarks/results/bench_paper.json``).

* ``lipschitz single``: one ``estimate_lipschitz`` call on a 41x41 loop landscape.
* ``restricted fit iteration``: one iteration of one restricted 10-loop network with all metrics
  (the task 5 restricted unit), both ``fit_restricted_batch`` over the same configurations: before = the
  fit loop of main before the chunked closed-form pass (autograd step, Hessian summary over the whole
  batch; ``_baseline.fit_rows_main``), after = the current loop. Single-thread CPU time
  (``time.process_time``), setup (initial networks) excluded by differencing two iteration counts.
* ``hessian summary``: that metric alone, per network, before = ``_baseline.hessian_summaries_main``
  (whole batch at once), after = the chunked closed-form pass, CPU time.
* ``lipschitz in fit``: the Lipschitz metric alone, per network.
* ``restricted fit iteration, 36 configurations``: a paper unit's width (36 configurations x 1 seed, every metric
  every iteration, reference semantics); before = a fresh pruned Lipschitz scan at every iteration, after = the
  scan's bounds carried across iterations (:class:`effect.robustness.LipschitzTracker`); CPU time of the
  iterations after ``short``, so the early, fast-changing iterations can be left out.
* ``nearest search``: ``nearest_indices`` brute-force GEMM vs the projection search on a dense piece of the
  incoherent-loop grid in self mode (the "L for L" unit's shape), CPU time; without ``--quick`` also the
  paper's "L for L" unit (441,000 motifs) measured end to end in a child process (CPU time, peak RSS).

* ``trade-off chunk``: task 1c's unit (``works.tasks.motifs.unit_tradeoff_chunk``: the catch of real loops of
  the paper grid by the four catchers, 100 Adam steps on 41x41, then the Lipschitz estimates of the chosen
  catchers' landscapes): before = the catch's reference implementation (``catch(block=0)``: each batch of 512
  loops at once, fresh arrays per pass), after = the blocked catch (``effect.search._ColliderPass``); CPU
  time, interleaved, extrapolated to the paper's 20,000-loop chunk and its 184 chunks.
* ``escape unit``: task 2's unit (reference semantics, shared warm-started catchers) on a few escapers and
  outer steps, extrapolated to 100 escapers x 100 outer steps: before = the reference loss/gradient
  function in the inner catch, after = ``_ColliderPass``; CPU time.

Usage::

    PYTHONPATH=. python benchmarks/bench_paper.py [--quick] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import torch

import effect.robustness as robustness
from effect import expression
from effect.engine import grid_inputs, motif_outputs
from effect.expression import _hessian_summaries, _target, fit_restricted_batch
from effect.motif_networks import network_outputs
from effect.nearest import nearest_indices
from effect.operations import calculate_landscapes
from effect.structures import BIAS_VALUES, WEIGHT_MAGNITUDES, structure_parameters

import _baseline  # benchmarks/ is on sys.path when run as a script
from _timing import run_benches

# Task 5 restricted fits at paper scale: 28,361 CPU-hours at 83 ms per fit-iteration (measured on
# 2026-12-01), i.e. about 1.23e9 fit-iterations.
PAPER_FIT_ITERATIONS = 28361 * 3600 / 0.083
LOOP = "incoherent-loop.1"


def interleaved(before, after, repeat, clock=time.perf_counter):
    """Best time of each of two callables, alternating calls: wall time, or single-thread CPU time with
    ``clock=time.process_time``."""
    best = [float("inf"), float("inf")]
    for _ in range(repeat):
        for k, function in enumerate((before, after)):
            start = clock()
            function()
            best[k] = min(best[k], clock() - start)
    return best


def loop_landscapes(count, seed, points=41):
    grid = structure_parameters(LOOP)
    rows = np.random.default_rng(seed).choice(len(grid), size=count, replace=False)
    inputs = grid_inputs((-1, 1), points)
    return motif_outputs(torch.as_tensor(grid[rows]), "incoherent-loop", inputs).reshape(-1, points, points).numpy()


def restricted_flags(count, seed):
    rng = np.random.default_rng(seed)
    flags = []
    for _ in range(count):
        k = int(rng.integers(0, 11))
        flags.append(([0] * k + [1] * (10 - k), [int(v) for v in rng.integers(1, 5, 10)]))
    return flags


def fit_networks(count, seed, iterations=50, name="Branin"):
    """Parameters and outputs of restricted 10-loop networks after a few training steps (realistic state)."""
    flags = restricted_flags(count, seed)
    out = fit_restricted_batch(10, name, flags, list(range(count)), 1, 1e-2, 10**6, threshold=0.0,
                               maximum_iteration=iterations)
    params = torch.from_numpy(out["parameters"])
    outputs = network_outputs(params, grid_inputs((-1, 1), 41)).reshape(-1, 41, 41)
    return params, outputs.float().numpy()


def bench_lipschitz_single(count, repeat):
    landscapes = loop_landscapes(count, seed=1).astype(np.float32)
    before = interleaved(lambda: [_baseline.lipschitz_batch_before(x[None], 0.05) for x in landscapes],
                         lambda: [robustness.estimate_lipschitz((-1, 1), 41, x) for x in landscapes], repeat)
    same = all(float(_baseline.lipschitz_batch_before(x[None], 0.05)[0]) == robustness.estimate_lipschitz(
        (-1, 1), 41, x) for x in landscapes)
    return {"work": "lipschitz single", "unit": "ms per call", "before": 1e3 * before[0] / count,
            "after": 1e3 * before[1] / count, "identical": same}


def bench_lipschitz_in_fit(count, repeat):
    _, outputs = fit_networks(count, seed=2)
    times = interleaved(lambda: [_baseline.lipschitz_batch_before(x[None], 0.05) for x in outputs],
                        lambda: robustness.lipschitz_batch(outputs, 0.05), repeat)
    same = bool(np.array_equal(np.concatenate([_baseline.lipschitz_batch_before(x[None], 0.05) for x in outputs]),
                               robustness.lipschitz_batch(outputs, 0.05)))
    return {"work": "lipschitz in fit", "unit": "ms per network", "before": 1e3 * times[0] / count,
            "after": 1e3 * times[1] / count, "identical": same}


def bench_hessian(count, repeat):
    params, _ = fit_networks(count, seed=3)
    inputs = grid_inputs((-1, 1), 41)
    target = _target("Branin", 41, "reference").reshape(-1)
    outputs = network_outputs(params, inputs)
    times = interleaved(lambda: _baseline.hessian_summaries_main(params, inputs, target, "reference",
                                                                     outputs=outputs),
                            lambda: _hessian_summaries(params, inputs, target, "reference"), repeat,
                            clock=time.process_time)
    old = _baseline.hessian_summaries_main(params, inputs, target, "reference", outputs=outputs)
    new = _hessian_summaries(params, inputs, target, "reference")
    return {"work": "hessian summary", "unit": "ms CPU per network", "before": 1e3 * times[0] / count,
            "after": 1e3 * times[1] / count,
            "max_relative_difference": float(((old - new).abs() / old.abs().clamp(min=1e-6)).max())}


def _fit_cpu_seconds(attribute, value, flags, short, iterations, results, label):
    """CPU seconds of iterations ``short + 1 … iterations`` of a restricted fit of every configuration in
    ``flags`` (one seed each, all metrics every iteration) with ``effect.expression.<attribute>`` set to
    ``value``, by differencing a ``short`` and an ``iterations`` run (the setup, the same in both, cancels);
    the runs' results go to ``results[label, count]``."""
    saved = getattr(expression, attribute)
    setattr(expression, attribute, value)
    try:
        spent = []
        for count in (short, iterations):
            start = time.process_time()
            results[label, count] = fit_restricted_batch(10, "Branin", flags, list(range(len(flags))), 1,
                                                         maximum_iteration=count, learn_rate=1e-3, patience=1000,
                                                         threshold=1e-3, metrics="all")
            spent.append(time.process_time() - start)
        return spent[1] - spent[0]
    finally:
        setattr(expression, attribute, saved)


def bench_restricted_fit(configurations, iterations, repeat):
    flags = restricted_flags(configurations, seed=4)
    short = 2
    results, times = {}, [float("inf"), float("inf")]
    for _ in range(repeat):  # interleaved, best of the repeats
        times[0] = min(times[0], _fit_cpu_seconds("_fit_rows", _baseline.fit_rows_main, flags, short, iterations,
                                                  results, "before"))
        times[1] = min(times[1], _fit_cpu_seconds("_fit_rows", expression._fit_rows, flags, short, iterations,
                                                  results, "after"))
    old, new = results["before", iterations], results["after", iterations]
    same = all(np.array_equal(np.concatenate(old[key]), np.concatenate(new[key]), equal_nan=True)
               for key in ("training loss", "sparsity", "lipschitz constant", "gradient variance", "spectral norm"))
    same = same and np.array_equal(old["parameters"], new["parameters"])
    hessian_old, hessian_new = np.concatenate(old["hessian eigenvalue"]), np.concatenate(new["hessian eigenvalue"])
    per = [t / (configurations * (iterations - short)) for t in times]
    return {"work": "restricted fit iteration", "unit": "ms CPU per fit-iteration", "before": 1e3 * per[0],
            "after": 1e3 * per[1], "paper_cpu_hours_before": per[0] * PAPER_FIT_ITERATIONS / 3600,
            "paper_cpu_hours_after": per[1] * PAPER_FIT_ITERATIONS / 3600, "identical": same,
            "max_relative_difference": float(np.max(np.abs(hessian_old - hessian_new)
                                                    / np.maximum(np.abs(hessian_old), 1e-6)))}


def bench_carried_fit(configurations, short, iterations, repeat):
    """Restricted fit-iterations with all metrics every iteration at a paper unit's width (36 configurations x 1
    seed): before = a fresh pruned Lipschitz scan per iteration (``_CARRY_LIPSCHITZ = False``), after = the bounds
    carried across iterations; CPU time of iterations ``short + 1 … iterations`` (differencing two runs)."""
    flags = restricted_flags(configurations, seed=4)
    results, times = {}, [float("inf"), float("inf")]
    for _ in range(repeat):  # interleaved, best of the repeats
        for k, carry in enumerate((False, True)):
            times[k] = min(times[k], _fit_cpu_seconds("_CARRY_LIPSCHITZ", carry, flags, short, iterations, results,
                                                      carry))
    old, new = results[False, iterations], results[True, iterations]
    same = all(np.array_equal(np.concatenate(old[key]), np.concatenate(new[key]), equal_nan=True)
               for key in ("training loss", "sparsity", "lipschitz constant", "gradient variance", "spectral norm",
                           "hessian eigenvalue")) and np.array_equal(old["parameters"], new["parameters"])
    per = [t / (configurations * (iterations - short)) for t in times]
    return {"work": f"restricted fit iteration, {configurations} configurations, iterations {short + 1}-{iterations}",
            "unit": "ms CPU per fit-iteration", "before": 1e3 * per[0], "after": 1e3 * per[1],
            "paper_cpu_hours_before": per[0] * PAPER_FIT_ITERATIONS / 3600,
            "paper_cpu_hours_after": per[1] * PAPER_FIT_ITERATIONS / 3600, "identical": same}


def _paper_difference_unit(queue):
    """Child process: the paper's "L for L" unit of ``LOOP`` (441,000 motifs, 41x41), CPU time and peak RSS."""
    import resource
    import tempfile

    torch.set_num_threads(1)
    import effect.nearest
    from works import layout
    from works._io import save_npy
    from works.tasks.motifs import unit_difference

    search = {}
    nearest_differences = effect.nearest.nearest_differences

    def timed_search(*args, **kwargs):  # the unit imports it at call time
        start = time.process_time()
        out = nearest_differences(*args, **kwargs)
        search["cpu_s"] = time.process_time() - start
        return out

    effect.nearest.nearest_differences = timed_search
    with tempfile.TemporaryDirectory() as raw:
        raw = Path(raw)
        save_npy(raw / layout.parameters_file(LOOP), structure_parameters(LOOP))
        start = time.process_time()
        unit_difference({"points": 41, "value_range": (-1.0, 1.0), "first": LOOP, "second": LOOP}, raw, 0)
        seconds = time.process_time() - start
        values = np.load(raw / layout.difference_file(LOOP, LOOP))
    queue.put({"cpu_s": seconds, "search_cpu_s": search["cpu_s"], "motifs": int(values.size),
               "peak_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20})


def bench_nearest(magnitudes, biases, repeat, paper_unit):
    """"L for L" (self mode) on a dense piece of the paper's loop grid (same spacing, 41x41): brute-force GEMM
    (``method="gemm"``) vs the projection search, CPU time; the paper unit (441,000 motifs) projected from the
    GEMM's N² cost and, with ``paper_unit``, measured end to end (landscapes included) in a child process."""
    import multiprocessing

    grid = structure_parameters(LOOP, WEIGHT_MAGNITUDES[:magnitudes], BIAS_VALUES[:biases])
    rows = calculate_landscapes(grid, "incoherent-loop", (-1, 1), 41).reshape(len(grid), -1)
    results, best = {}, {"gemm": float("inf"), "projection": float("inf")}
    for _ in range(repeat):
        for method in best:
            start = time.process_time()
            results[method] = nearest_indices(rows, method=method)
            best[method] = min(best[method], time.process_time() - start)
    same = all(np.array_equal(a, b) for a, b in zip(results["gemm"], results["projection"]))
    n, paper = len(rows), len(structure_parameters(LOOP))
    row = {"work": f"nearest search, L for L, {n} motifs", "unit": "CPU-s", "before": best["gemm"],
           "after": best["projection"], "identical": same,
           "paper_unit_cpu_s_before": best["gemm"] * (paper / n) ** 2}
    if paper_unit:
        context = multiprocessing.get_context("spawn")
        queue = context.Queue()
        child = context.Process(target=_paper_difference_unit, args=(queue,))
        child.start()
        measured = queue.get()
        child.join()
        row.update(paper_unit_cpu_s_after=measured["cpu_s"], paper_unit_search_cpu_s_after=measured["search_cpu_s"],
                   paper_unit_peak_gib=measured["peak_gib"])
    return row


def _tradeoff_chunk(params, block):
    """The computation of ``unit_tradeoff_chunk`` on loop rows (incoherent-loop.1), with the catch's ``block``."""
    from effect.search import catch

    result = catch(params, "incoherent-loop", value_range=(-1.0, 1.0), points=41, learn_rate=1e-3, threshold=100,
                   semantics="reference", block=block)
    landscapes = calculate_landscapes(result["params"], "collider", (-1.0, 1.0), 41)
    return result, robustness.lipschitz_batch(landscapes, 0.05)


def bench_tradeoff_chunk(loops, repeat):
    """Task 1c: one chunk of ``loops`` loops (rows 0.. of the paper's 20,000-loop chunk 7), before -> after."""
    grid = structure_parameters(LOOP)
    params = grid[7 * 20000 : 7 * 20000 + loops]
    out = {}

    def run(block):
        out[block] = _tradeoff_chunk(params, block)

    times = interleaved(lambda: run(0), lambda: run(None), repeat, clock=time.process_time)
    (old, old_lipschitz), (new, new_lipschitz) = out[0], out[None]
    same = all(np.array_equal(old[key], new[key]) for key in old) and np.array_equal(old_lipschitz, new_lipschitz)
    per_chunk = [t * 20000 / loops for t in times]
    return {"work": f"trade-off chunk ({loops} loops, extrapolated)", "unit": "CPU-s per 20,000-loop chunk",
            "before": per_chunk[0], "after": per_chunk[1], "identical": same,
            "paper_task_cpu_hours_before": per_chunk[0] * 184 / 3600,
            "paper_task_cpu_hours_after": per_chunk[1] * 184 / 3600}


def bench_escape(samples, outer, repeat):
    """Task 2: ``samples`` escapers x ``outer`` steps x 100 inner steps (reference semantics), before -> after."""
    from effect import search

    grid = structure_parameters(LOOP)
    escapers = grid[np.random.default_rng(5).choice(len(grid), samples, replace=False)]
    out = {}
    fast = search._ColliderPass

    def reference(targets, axes, n_catchers, on_flat="fallback"):
        return lambda params, need_grad=True: search._collider_loss_grad(params, targets, axes, need_grad)

    def run(label, compute):
        search._ColliderPass = compute
        try:
            out[label] = search.escape(escapers, "incoherent-loop", thresholds=(outer, 100), semantics="reference")
        finally:
            search._ColliderPass = fast

    times = interleaved(lambda: run("before", reference), lambda: run("after", fast), repeat,
                        clock=time.process_time)
    same = all(np.array_equal(out["before"][key], out["after"][key]) for key in out["before"])
    per_unit = [t * (100 * 100) / (samples * outer) for t in times]
    return {"work": f"escape unit ({samples} escapers x {outer} steps, extrapolated)",
            "unit": "CPU-s per escape unit", "before": per_unit[0], "after": per_unit[1], "identical": same}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (about a minute)")
    parser.add_argument("--json", type=Path, default=Path(__file__).parent / "results" / "bench_paper.json")
    parser.add_argument("--only", nargs="*", default=["lipschitz", "fit-lipschitz", "hessian", "fit", "carried-fit",
                                                      "nearest", "tradeoff", "escape"])
    args = parser.parse_args()
    torch.set_num_threads(1)
    quick = args.quick
    benches = {
        "lipschitz": lambda: bench_lipschitz_single(10 if quick else 50, 2 if quick else 3),
        "fit-lipschitz": lambda: bench_lipschitz_in_fit(64 if quick else 256, 2 if quick else 3),
        "hessian": lambda: bench_hessian(64 if quick else 256, 2 if quick else 3),
        "fit": lambda: bench_restricted_fit(64 if quick else 256, 8 if quick else 20, 1 if quick else 2),
        "carried-fit": lambda: bench_carried_fit(36, 100 if quick else 200, 300 if quick else 600, 1 if quick else 2),
        "nearest": lambda: bench_nearest(5 if quick else 7, 11, 1, paper_unit=not quick),
        "tradeoff": lambda: bench_tradeoff_chunk(256 if quick else 1024, 2),
        "escape": lambda: bench_escape(2 if quick else 4, 3 if quick else 5, 2),
    }
    rows = run_benches(benches, args.only, lambda row: row["before"] / row["after"])
    print()
    print("| unit kind | unit | before | after | speed-up | notes |")
    print("| --- | --- | ---: | ---: | ---: | --- |")
    for row in rows:
        notes = []
        if "identical" in row:
            notes.append("identical results" if row["identical"] else "RESULTS DIFFER")
        if "max_relative_difference" in row:
            notes.append(f"max rel. difference {row['max_relative_difference']:.1e}")
        if "paper_cpu_hours_after" in row:
            notes.append(f"task 5 restricted fits: {row['paper_cpu_hours_before']:,.0f} -> "
                         f"{row['paper_cpu_hours_after']:,.0f} CPU-h")
        if "paper_task_cpu_hours_after" in row:
            notes.append(f"184 paper chunks: {row['paper_task_cpu_hours_before']:.1f} -> "
                         f"{row['paper_task_cpu_hours_after']:.1f} CPU-h")
        if "paper_unit_cpu_s_after" in row:
            notes.append(f"paper L for L unit: {row['paper_unit_cpu_s_before']:,.0f} CPU-s (GEMM, projected) -> "
                         f"{row['paper_unit_cpu_s_after']:,.0f} CPU-s (search "
                         f"{row['paper_unit_search_cpu_s_after']:,.0f}), peak {row['paper_unit_peak_gib']:.2f} GiB "
                         "(measured)")
        print(f"| {row['work']} | {row['unit']} | {row['before']:.4g} | {row['after']:.4g} | "
              f"{row['speedup']:.1f}x | {'; '.join(notes)} |")
    record = {"machine": platform.platform(), "cpus": os.cpu_count(), "threads": 1, "quick": quick,
              "torch": torch.__version__, "rows": rows}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(record, indent=1))
    print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
