"""One command for the whole pipeline: raw data → packs → figures (→ videos) → report.

``python -m works --scale quick --out DIR [--videos] [--workers N] [--dask ADDR] [--tasks 1 2 ...]
[--semantics corrected] [--uci-dir DIR]``

``python -m works --scale paper --estimate [--workers N] [--tasks ...]`` runs nothing: it calibrates every
unit kind on small samples and prints the projected units, CPU-hours, wall time, disk and peak memory per
task (:mod:`works.estimate`).

Runs :func:`works.run_1_tasks.run_tasks`, then :func:`works.run_2_packs.pack_all`,
:func:`works.show_main.draw_all`, :func:`works.show_supp.draw_all`, optionally
:func:`works.show_video.make_all`, and :func:`works.report.write_report`; ends with a summary of where the
outputs are. Every step is idempotent: rerunning after an interruption recomputes only what is missing or
corrupt.
"""

from __future__ import annotations

import time
from pathlib import Path

from works.run_1_tasks import _parser, configure, run_tasks

__all__ = ["main", "run_pipeline"]


def run_pipeline(out_dir, scale, tasks, executor, videos: bool = False, progress: bool = True, log=print) -> dict:
    """Run every step into ``out_dir``; returns ``{"tasks", "packs", "figures", "videos", "report"}``."""
    from works import report, run_2_packs, show_main, show_supp

    out = Path(out_dir)
    started = time.perf_counter()
    summary = {"tasks": run_tasks(out, scale, tasks, executor, progress=progress, log=log)}
    summary["packs"] = run_2_packs.pack_all(out, scale.name)
    summary["figures"] = {**show_main.draw_all(out, skip_missing=True), **show_supp.draw_all(out, skip_missing=True)}
    if videos:
        from works import show_video

        summary["videos"] = show_video.make_all(out, scale.name)
    summary["report"] = str(report.write_report(out))
    summary["seconds"] = round(time.perf_counter() - started, 1)
    return summary


def main(argv=None) -> dict:
    """CLI entry point."""
    parser = _parser(out_required=False)
    parser.prog = "python -m works"
    parser.add_argument("--videos", action="store_true", help="also make the escape videos into OUT/videos")
    parser.add_argument("--estimate", action="store_true",
                        help="run nothing: calibrate on small samples and print the projected cost of the scale")
    args = parser.parse_args(argv)
    if args.estimate:
        return _estimate(args)
    if args.out is None:
        parser.error("the following arguments are required: --out")
    scale, executor = configure(args)
    with executor:
        summary = run_pipeline(args.out, scale, tuple(args.tasks), executor, args.videos, not args.quiet)
    out = Path(args.out)
    drawn = [name for name, value in summary["figures"].items() if not isinstance(value, str)]
    skipped = {name: value for name, value in summary["figures"].items() if isinstance(value, str)}
    print(f"\nDone in {summary['seconds']} s.")
    print(f"raw data : {out / 'raw'} (manifest {out / 'raw' / 'manifest.json'})")
    print(f"packs    : {out / 'data'} ({sum(v in ('built', 'current') for v in summary['packs'].values())} packs)")
    print(f"figures  : {out / 'show'} ({len(drawn)} drawn: {', '.join(drawn)})")
    for name, reason in skipped.items():
        print(f"           {name} {reason}")
    if "videos" in summary:
        print(f"videos   : {out / 'videos'}")
    print(f"report   : {summary['report']}")
    return summary


def _estimate(args) -> dict:
    """``--estimate``: calibrate, print the table, return the estimate (no output folder is written)."""
    from works.estimate import estimate, format_estimate
    from works.executors import default_workers
    from works.scales import get_scale

    scale = get_scale(args.scale, args.semantics, args.seed)
    workers = args.workers or default_workers()
    log = None if args.quiet else print
    result = estimate(scale, tuple(args.tasks), workers, log=log)
    print(format_estimate(result, scale.name))
    return result


if __name__ == "__main__":
    main()
