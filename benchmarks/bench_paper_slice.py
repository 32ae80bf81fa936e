"""Real work units of a scale's plan, one at a time: CPU seconds, wall seconds and peak memory of each.

The paper preset cannot be run whole on a small machine, but any slice of it can: this script runs the
units of ``--scale``'s plan whose keys contain the given patterns (patterns in order; within a pattern, in
plan order; units already done are skipped), each in a forked child process so that its CPU time (user +
system) and its peak resident memory (``ru_maxrss``) are its own. Each finished unit is recorded in
``OUT/raw/manifest.json`` exactly as the pipeline records it (and ``OUT/run.json`` is written), so that
``python -m works --scale SCALE --out OUT`` later resumes from the slice; one JSON line per unit goes to
``OUT/slice.jsonl``, with, for task-5 fits, the iterations the fits really ran (read from the unit's file).

Units read the files of earlier stages: order the patterns so that a unit's inputs come first (a unit
whose inputs are missing stops the script with its error).

``--compare`` also calibrates the scale's estimate (:func:`works.estimate.estimate`, as ``python -m works
--estimate`` does) and prints each recorded unit's CPU seconds against its projection. ``--table`` prints the
recorded units (per unit kind: units, CPU-seconds per unit, peak memory; per task-5
restricted unit: fits, iterations, milliseconds per fit-iteration) and writes them as JSON (default
``benchmarks/results/bench_paper_slice.json``).

Usage::

    python benchmarks/bench_paper_slice.py --out out/paper "robustness/collider" "difference/incoherent-loop.1 for"
    python benchmarks/bench_paper_slice.py --out out/paper --table [--compare]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

SLICE_FILE = "slice.jsonl"


def fit_iterations(unit, raw_dir) -> dict:
    """For a task-5 fit unit: ``{"fits", "iterations"}`` read from its output file; ``{}`` for other units."""
    import numpy as np

    if not unit.function.endswith(("unit_fit_restricted", "unit_fit_unrestricted")):
        return {}
    with np.load(Path(raw_dir) / unit.config["output"], allow_pickle=False) as data:
        iterations = data["iterations"]
        return {"fits": int(iterations.size), "iterations": int(iterations.sum()),
                "longest": int(iterations.max(initial=0))}


def run_slice(scale_name: str, out: Path, patterns, tasks=(1, 2, 3, 4, 5, 6, 7), log=print) -> list:
    """Run the matching units of ``scale_name``'s plan into ``out``; returns the rows written to ``slice.jsonl``."""
    import torch

    from works import layout
    from works._io import save_json
    from works.estimate import measure_unit
    from works.guard import check_stamp, run_stamp, write_stamp
    from works.run_1_tasks import plan
    from works.scales import get_scale, scale_to_dict
    from works.storage import Manifest

    torch.set_num_threads(1)
    scale = get_scale(scale_name)
    out = Path(out)
    raw_dir = out / layout.RAW
    raw_dir.mkdir(parents=True, exist_ok=True)
    stamp = run_stamp(scale)
    check_stamp(out, stamp)
    write_stamp(out, stamp)
    save_json(raw_dir / layout.CONFIG_FILE, scale_to_dict(scale))
    manifest = Manifest(raw_dir)
    units = [unit for stages in plan(scale, tuple(tasks)).values() for stage in stages for unit in stage]
    rows = []
    with open(out / SLICE_FILE, "a", encoding="utf-8") as lines:
        for pattern in patterns:
            for unit in units:
                if pattern not in unit.key or manifest.is_done(unit):
                    continue
                record, peak = measure_unit(unit, raw_dir)
                cpu = record.pop("cpu_seconds")  # the manifest records what run_unit returns
                manifest.record(record)
                row = {"key": unit.key, "kind": unit.function.partition(":")[2], "cpu_seconds": round(cpu, 3),
                       "wall_seconds": round(record["seconds"], 3), "peak_bytes": int(peak),
                       "bytes_written": sum(f["size"] for f in record["files"].values()),
                       "memory_hint_gb": unit.memory_gb, **fit_iterations(unit, raw_dir)}
                lines.write(json.dumps(row) + "\n")
                lines.flush()
                rows.append(row)
                if log:
                    log(f"{unit.key}: {cpu:.1f} CPU-s, peak {peak / 2**30:.2f} GiB")
    return rows


def read_slice(out: Path) -> list:
    """The rows of ``OUT/slice.jsonl`` (the last row of each unit key)."""
    rows = {}
    path = Path(out) / SLICE_FILE
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rows[row["key"]] = row
    return list(rows.values())


def table(rows) -> list[str]:
    """Markdown rows: per unit kind, then per task-5 fit unit."""
    kinds = {}
    for row in rows:
        kinds.setdefault(row["kind"], []).append(row)
    lines = ["| unit kind | units | CPU-s per unit (min–max) | mean | peak memory (max) |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for kind, group in kinds.items():
        cpu = [r["cpu_seconds"] for r in group]
        lines.append(f"| `{kind}` | {len(group)} | {min(cpu):,.1f}–{max(cpu):,.1f} | {sum(cpu) / len(cpu):,.1f} | "
                     f"{max(r['peak_bytes'] for r in group) / 2**30:.2f} GiB |")
    fits = [r for r in rows if r.get("iterations")]
    if fits:
        lines += ["", "| task-5 unit | fits | iterations (mean, longest) | CPU-s | ms per fit-iteration |",
                  "| --- | ---: | ---: | ---: | ---: |"]
        for r in fits:
            lines.append(f"| {r['key']} | {r['fits']} | {r['iterations'] / r['fits']:,.0f}, {r['longest']:,} | "
                         f"{r['cpu_seconds']:,.1f} | {1e3 * r['cpu_seconds'] / r['iterations']:.3f} |")
    return lines


def compare(rows, projection) -> list[str]:
    """Markdown rows: each recorded unit's CPU seconds against ``projection["units"]`` (an
    :func:`works.estimate.estimate` result), in total and per unit kind.

    A task-5 fit's projection assumes an iteration count per fit; ``at its iterations`` re-evaluates the same
    cost line at the iterations the unit really ran (``intercept + slope × work × real / assumed``), which
    separates the cost model from the assumed fit lengths.
    """
    lines = ["| unit | measured CPU-s | projected | ratio | projected at its iterations | ratio |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    totals = {}
    for row in rows:
        unit = projection["units"].get(row["key"])
        if unit is None:
            continue
        at_real = unit["seconds"]
        if row.get("iterations") and unit.get("iterations"):
            scale = row["iterations"] / (row["fits"] * unit["iterations"])
            at_real = unit["intercept"] + unit["slope"] * unit["work"] * scale
        measured = row["cpu_seconds"]
        lines.append(f"| {row['key']} | {measured:,.1f} | {unit['seconds']:,.1f} | {unit['seconds'] / measured:.2f} | "
                     f"{at_real:,.1f} | {at_real / measured:.2f} |")
        total = totals.setdefault(unit["model"], [0, 0.0, 0.0, 0.0])
        total[0] += 1
        total[1] += row["cpu_seconds"]
        total[2] += unit["seconds"]
        total[3] += at_real
    lines += ["", "| cost model | units | measured CPU-s | projected at the real iterations | ratio |",
              "| --- | ---: | ---: | ---: | ---: |"]
    for model, (count, measured, _, at_real) in totals.items():
        lines.append(f"| `{model}` | {count} | {measured:,.0f} | {at_real:,.0f} | {at_real / measured:.2f} |")
    measured = sum(t[1] for t in totals.values())
    at_real = sum(t[3] for t in totals.values())
    lines.append(f"| **all** | {sum(t[0] for t in totals.values())} | {measured:,.0f} | {at_real:,.0f} | "
                 f"{at_real / measured:.2f} |")
    return lines


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("patterns", nargs="*", help="unit-key substrings, run in this order")
    parser.add_argument("--out", type=Path, required=True, help="output folder of the (partial) run")
    parser.add_argument("--scale", default="paper")
    parser.add_argument("--table", action="store_true", help="tabulate OUT/slice.jsonl instead of running")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "bench_paper_slice.json")
    parser.add_argument("--compare", action="store_true",
                        help="also calibrate the scale's estimate (python -m works --estimate) and compare")
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if not args.table:
        if not args.patterns:
            parser.error("give unit-key patterns to run, or --table")
        run_slice(args.scale, args.out, args.patterns)
    rows = read_slice(args.out)
    print("\n".join(table(rows)))
    result = {"scale": args.scale, "machine": platform.platform(), "cpus": os.cpu_count(), "units": rows}
    if args.compare:
        from works.estimate import estimate, format_estimate
        from works.scales import get_scale

        projection = estimate(get_scale(args.scale), workers=2, log=print)  # every task: the table and the units
        print(format_estimate(projection, args.scale))
        print("\n".join(compare(rows, projection)))
        result["projection"] = {row["key"]: projection["units"][row["key"]] for row in rows
                                if row["key"] in projection["units"]}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
