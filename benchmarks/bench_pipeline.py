"""Wall time of the whole pipeline at one scale (the quick scale's budget is 30 minutes on 2 cores).

Runs ``python -m works --scale SCALE --out DIR`` in a fresh folder (a subprocess, default workers = all
cores), then prints a Markdown table of each step's wall time from ``DIR/timings.json`` (written by the
pipeline: tasks 1–7, packs, figures) and the whole command's wall time, and writes JSON (default
``benchmarks/results/bench_pipeline.json``). ``--from-run DIR`` tabulates a finished run instead of
starting one (its ``timings.json`` and the wall time given with ``--wall``, if any).

Usage::

    python benchmarks/bench_pipeline.py [--scale quick] [--out DIR] [--workers N] [--json PATH]
    python benchmarks/bench_pipeline.py --from-run out/quick [--wall SECONDS]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET = {"quick": 30 * 60}  #: seconds allowed for a whole run on the 2-core machine


def run(scale: str, out: Path, workers: int | None) -> float:
    """Run the pipeline into ``out`` (must not hold a run) and return its wall seconds."""
    command = [sys.executable, "-m", "works", "--scale", scale, "--out", str(out), "--quiet"]
    if workers:
        command += ["--workers", str(workers)]
    start = time.perf_counter()
    subprocess.run(command, check=True, cwd=Path(__file__).resolve().parent.parent)
    return time.perf_counter() - start


def table(steps: dict, wall: float | None, scale: str) -> list[str]:
    """Markdown rows: one per step of ``timings.json``, then the whole run against the scale's budget."""
    rows = ["| step | wall time | units computed |", "| --- | ---: | ---: |"]
    for step, row in steps.items():
        if step != "until the report":
            rows.append(f"| {step} | {row['seconds']:,.0f} s | {row.get('units computed', '')} |")
    total = steps.get("until the report", {}).get("seconds")
    if total is not None:
        rows.append(f"| all steps before the report | {total:,.0f} s ({total / 60:.1f} min) | |")
    if wall is not None:
        budget = BUDGET.get(scale)
        verdict = f" (budget {budget / 60:.0f} min: {'within' if wall <= budget else 'OVER'})" if budget else ""
        rows.append(f"| **whole command** | **{wall:,.0f} s ({wall / 60:.1f} min)**{verdict} | |")
    return rows


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="quick")
    parser.add_argument("--out", type=Path, default=None, help="fresh output folder (default: a temporary one)")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--from-run", type=Path, default=None, help="tabulate this finished run instead")
    parser.add_argument("--wall", type=float, default=None, help="the finished run's measured wall seconds")
    parser.add_argument("--json", type=Path, default=Path(__file__).parent / "results" / "bench_pipeline.json")
    args = parser.parse_args(argv)
    if args.from_run is not None:
        out, wall = args.from_run, args.wall
        config = out / "raw" / "config.json"  # the run's scale (written by its first step)
        scale = json.loads(config.read_text()).get("name", args.scale) if config.is_file() else args.scale
    else:
        out = args.out or Path(tempfile.mkdtemp(prefix=f"bench-{args.scale}-")) / "out"
        wall, scale = run(args.scale, out, args.workers), args.scale
    steps = json.loads((out / "timings.json").read_text())
    rows = table(steps, wall, scale)
    print("\n".join(rows))
    record = {"machine": platform.platform(), "cpus": os.cpu_count(), "scale": scale, "workers": args.workers,
              "wall_seconds": wall, "steps": steps}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(record, indent=1) + "\n")
    return record


if __name__ == "__main__":
    main()
