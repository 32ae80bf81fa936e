"""One command for the whole pipeline: raw data → packs → figures (→ videos) → report.

``python -m works --scale quick --out DIR [--tasks 1 2 ...] [--workers N | --dask ADDR] [--semantics corrected]
[--seed S] [--uci-dir DIR] [--videos] [--fresh] [--wait] [--quiet] [--debug]``

``python -m works --scale paper --estimate [--workers N] [--tasks ...]`` runs nothing: it calibrates every
unit kind on small samples and prints the projected units, CPU-hours, wall time, disk and peak memory per
task (:mod:`works.estimate`).

Runs :func:`works.run_1_tasks.run_tasks`, then :func:`works.run_2_packs.pack_all`,
:func:`works.show_main.draw_all`, :func:`works.show_supp.draw_all`, :func:`works.show_ext.draw_all`, optionally
:func:`works.show_video.make_all`, and :func:`works.report.write_report`; ends with a summary of where the
outputs are. Every step is idempotent: rerunning after an interruption recomputes only what is missing or
corrupt, to the same bytes.

Guards (:func:`guarded`): the output folder is locked for the run (a second run into it stops, naming the
holder, or waits with ``--wait``); it belongs to one run configuration (scale, semantics, seed, package version,
recorded in ``OUT/run.json``), so another configuration is refused before anything is written (``--fresh``
deletes the old results first); temporary files of an interrupted run are removed at the start. A task, pack
or figure that fails is reported with a one-line reason while everything else still completes (the report lists
what is missing); the run then exits with status 1. Errors of the arguments or of the file system print one
line naming the argument or path (exit status 2 or 1; ``--debug`` shows the traceback); Ctrl-C and SIGTERM stop
the workers and exit with 130 / 143.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from works import cli, layout
from works._io import atomic_write_bytes

__all__ = ["guarded", "main", "run_pipeline"]

_EPILOG = """\
steps (each idempotent; a rerun redoes only what is missing, corrupt or stale):
  1. tasks    -> OUT/raw   raw results of the five experiments as work units (OUT/raw/manifest.json)
  2. packs    -> OUT/data  one .npz per figure from OUT/raw (OUT/data/manifest.json)
  3. figures  -> OUT/show  main01-main06, supp01-supp30 as PDF and PNG (OUT/show/manifest.json)
  4. videos   -> OUT/videos  with --videos
  5. report   -> OUT/REPORT.md  the paper's headline claims measured on this run; lists what is missing

data: the UCI files of task 4 ship with the package (practice/data/uci) and are checked against their SHA-256;
nothing is downloaded. --uci-dir DIR or the environment variable MOTIFEFFECT_UCI_DIR point to other copies.

exit status: 0 all done; 1 a task, pack or figure failed (the rest completed) or a file-system error;
2 a bad argument; 3 the folder is in use or belongs to another configuration; 130/143 interrupted.
"""


def run_pipeline(out_dir, scale, tasks, executor, videos: bool = False, progress: bool = True, log=print) -> dict:
    """Run every step into ``out_dir``.

    Returns ``{"tasks", "packs", "figures", ("videos",) "report", "missing", "seconds"}``; ``missing`` maps
    what failed (``"task 4"``, ``"pack supp26"``, ``"figure supp26"``) to a one-line reason.
    """
    from works import report, run_2_packs, show_ext, show_main, show_supp
    from works.run_1_tasks import run_tasks

    out = Path(out_dir)
    started = time.perf_counter()
    summary = {"tasks": run_tasks(out, scale, tasks, executor, progress=progress, log=log)}
    steps = {f"task {task}": {"seconds": state["seconds"], "units computed": state["computed"],
                              "units already done": state["skipped"]} for task, state in summary["tasks"].items()}
    clock = time.perf_counter()
    summary["packs"] = run_2_packs.pack_all(out, scale.name)
    steps["packs"], clock = {"seconds": round(time.perf_counter() - clock, 2)}, time.perf_counter()
    summary["figures"] = {**show_main.draw_all(out, skip_missing=True), **show_supp.draw_all(out, skip_missing=True),
                          **show_ext.draw_all(out, skip_missing=True)}
    steps["figures"], clock = {"seconds": round(time.perf_counter() - clock, 2)}, time.perf_counter()
    missing = {f"task {task}": state["error"] for task, state in summary["tasks"].items() if state.get("error")}
    missing.update({f"pack {name}": state[len("failed: "):] for name, state in summary["packs"].items()
                    if state.startswith("failed")})
    missing.update({f"figure {name}": state[len("failed: "):] for name, state in summary["figures"].items()
                    if isinstance(state, str) and state.startswith("failed")})
    if videos:
        from works import show_video

        summary["videos"] = show_video.make_all(out, scale.name)
        steps["videos"] = {"seconds": round(time.perf_counter() - clock, 2)}
    steps["until the report"] = {"seconds": round(time.perf_counter() - started, 2)}
    atomic_write_bytes(out / layout.TIMINGS, (json.dumps(steps, indent=1) + "\n").encode())
    summary["missing"] = missing
    summary["report"] = str(report.write_report(out, missing=missing))
    summary["seconds"] = round(time.perf_counter() - started, 1)
    return summary


def guarded(args, step, failed=lambda summary: [], executor: bool = True):
    """Run ``step(scale, executor)`` for parsed ``args`` with the folder guards; returns its summary.

    Checks the arguments and the folder's configuration before writing anything, takes the folder's lock
    (``--wait``), wipes old results with ``--fresh``, records the configuration, removes stale temporary
    files, and turns errors into one-line messages and exit statuses (see the module docstring). Raises
    ``SystemExit`` for a non-zero status: ``failed(summary)`` lists what failed (status 1 when not empty).
    """
    from works.guard import (
        FolderLock,
        UsageError,
        args_stamp,
        check_stamp,
        clean_stale,
        one_line_errors,
        prepare_out,
        run_stamp,
        wipe,
        write_stamp,
    )

    def body():
        out = Path(args.out)
        if out.exists() and not out.is_dir():
            raise UsageError(f"--out {out} is not a directory.")
        if args.uci_dir and not Path(args.uci_dir).expanduser().is_dir():
            raise UsageError(f"--uci-dir {args.uci_dir}: no such directory.")
        if not args.fresh:
            check_stamp(out, args_stamp(args))  # before importing the pipeline or touching anything
        from works.run_1_tasks import configure

        scale, _ = configure(args, executor=False)  # every argument checked before the folder is created
        out = prepare_out(out)
        with FolderLock(out, wait=args.wait):
            stamp = run_stamp(scale)
            if args.fresh:
                wipe(out)
            check_stamp(out, stamp)  # the preset's seed is known now; another run may have written it
            write_stamp(out, stamp)
            clean_stale(out)
            _, pool = configure(args, executor=executor)
            if pool is None:
                summary = step(scale, None)
            else:
                with pool:
                    summary = step(scale, pool)
        problems = failed(summary)
        if problems:
            print(f"\n{len(problems)} failed: {'; '.join(map(str, problems))}", file=sys.stderr)
            raise SystemExit(1)
        return summary

    return one_line_errors(body, debug=args.debug)


def main(argv=None) -> dict:
    """CLI entry point; returns the summary (raises ``SystemExit`` with a non-zero status, see above).

    With ``--estimate`` nothing runs and nothing is written (no lock, no ``run.json``): the projected cost of
    the scale is printed and the estimate returned (:func:`works.estimate.estimate`).
    """
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m works", epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Run the whole MotifEffect pipeline into OUT: the experiments (raw data), packed figure data, "
                    "the 36 figures, optionally the videos, and REPORT.md.")
    cli.add_arguments(parser, estimate=True)
    parser.add_argument("--videos", action="store_true", help="also make the escape videos into OUT/videos")
    args = parser.parse_args(argv)
    cli.require_out(parser, args)
    if args.estimate:
        return _estimate(args)

    def step(scale, executor):
        summary = run_pipeline(args.out, scale, tuple(args.tasks), executor, args.videos, not args.quiet)
        if args.debug:  # the full tracebacks of failed units
            for state in summary["tasks"].values():
                for text in state.get("tracebacks", []):
                    print(text, file=sys.stderr)
        _print_summary(Path(args.out), summary)
        return summary

    return guarded(args, step, failed=lambda summary: list(summary["missing"]))


def _print_summary(out: Path, summary: dict) -> None:
    figures = summary["figures"]
    drawn = [name for name, value in figures.items() if not isinstance(value, str)]
    print(f"\nDone in {summary['seconds']} s.")
    print(f"raw data : {out / 'raw'} (manifest {out / 'raw' / 'manifest.json'})")
    print(f"packs    : {out / 'data'} ({sum(v in ('built', 'current') for v in summary['packs'].values())} packs)")
    print(f"figures  : {out / 'show'} ({len(drawn)} drawn: {', '.join(drawn)})")
    for name, reason in figures.items():
        if isinstance(reason, str) and not reason.startswith("failed"):
            print(f"           {name} {reason}")
    if "videos" in summary:
        print(f"videos   : {out / 'videos'}")
    print(f"report   : {summary['report']}")
    for what, why in summary["missing"].items():
        print(f"FAILED   : {what}: {why}")


def _estimate(args) -> dict:
    """``--estimate``: calibrate, print the table, return the estimate (no output folder is written)."""
    from works.estimate import estimate, format_estimate
    from works.executors import default_workers
    from works.scales import get_scale

    if args.workers is not None and args.workers < 1:
        print(f"error: --workers must be a positive integer, got {args.workers}.", file=sys.stderr)
        raise SystemExit(2)
    scale = get_scale(args.scale, args.semantics, args.seed)
    workers = args.workers or default_workers()
    log = None if args.quiet else print
    result = estimate(scale, tuple(args.tasks), workers, log=log)
    print(format_estimate(result, scale.name))
    return result


if __name__ == "__main__":
    main()
