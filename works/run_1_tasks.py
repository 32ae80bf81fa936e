"""Step 1 of the pipeline: the five experiments, split into idempotent work units.

``python works/run_1_tasks.py --scale quick --out DIR [--tasks 1 2] [--workers N] [--dask ADDR]
[--semantics corrected] [--uci-dir DIR]``

Each task module of :mod:`works.tasks` has a planner ``plan(scale) -> list of stages`` (a stage is a list
of :class:`works.units.Unit`; stages of one task run in order because later units read earlier files) and
module-level unit functions ``unit_*(config, raw_dir, seed)`` that compute and atomically write their
outputs. :func:`run_tasks` executes the plan with any executor and records every finished unit in
``OUT/raw/manifest.json``. File formats: ``docs/raw-data.md``. The planners and unit functions of the
original layout stay importable from here (``plan_task1`` ... ``plan_task5``, ``unit_*``).

Fixed blocking bugs of the original (always, both semantics): task 2 reads its selection from the folder it
writes (``particular/``, not ``sacrifices/``); task 5 writes ``loop.vs.collider.<name>`` and
``incoherent.vs.coherent.<name>`` under their own names, keeps the collider and loop traces apart, stores
each run once, and records the metrics the packers need; Fig. 6a's caps are whatever the scale lists
(the paper preset runs 20, 30, …, 150); every random draw is seeded from the unit key.

Examples
--------
>>> from works.scales import get_scale
>>> stages = plan(get_scale("smoke"), (1,))[1]
>>> [unit.key for unit in stages[0]][:2]
['task1/robustness/incoherent-loop.1', 'task1/robustness/coherent-loop.1']
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from works import cli, layout
from works._io import save_json
from works.layout import COLLIDERS, CONFIG_NAMES, PASS_SCORE
from works.scales import Scale, get_scale, scale_to_dict
from works.storage import Manifest
from works.tasks import MODULES, task_module
from works.tasks.cartpole import plan as plan_task3
from works.tasks.connectome import plan as plan_task6
from works.tasks.diversity import plan as plan_task7
from works.tasks.escape import plan as plan_task2
from works.tasks.escape import select_escapers, unit_escape
from works.tasks.motifs import plan as plan_task1
from works.tasks.motifs import (
    unit_difference,
    unit_imitation,
    unit_population,
    unit_tradeoff_chunk,
    unit_tradeoff_gather,
)
from works.tasks.neat_common import CONFS, unit_neat, unit_neat_gather
from works.tasks.networks import (
    METRICS,
    restricted_configurations,
    unit_fit_gather,
    unit_fit_restricted,
    unit_fit_unrestricted,
    unit_restricted_gather,
)
from works.tasks.networks import plan as plan_task5
from works.tasks.uci import plan as plan_task4
from works.tasks.uci import unit_uci_dataset, unit_uci_gather

__all__ = ["COLLIDERS", "CONFIG_NAMES", "CONFS", "METRICS", "PASS_SCORE", "PLANNERS", "TASKS", "add_arguments",
           "check_uci_dir", "configure", "main", "plan", "plan_task1", "plan_task2", "plan_task3", "plan_task4",
           "plan_task5", "plan_task6", "plan_task7", "restricted_configurations", "run_tasks", "select_escapers",
           "unit_difference", "unit_escape", "unit_fit_gather", "unit_fit_restricted", "unit_fit_unrestricted",
           "unit_imitation", "unit_neat", "unit_neat_gather", "unit_population", "unit_restricted_gather",
           "unit_tradeoff_chunk", "unit_tradeoff_gather", "unit_uci_dataset", "unit_uci_gather"]

TASKS = tuple(sorted(MODULES))
#: Task number -> planner (the ``plan`` of each task module).
PLANNERS = {1: plan_task1, 2: plan_task2, 3: plan_task3, 4: plan_task4, 5: plan_task5, 6: plan_task6, 7: plan_task7}


def plan(scale: Scale, tasks=TASKS) -> dict:
    """``{task number: list of stages}`` for the requested tasks."""
    for task in tasks:
        if task not in MODULES:
            raise ValueError(f"tasks must be a subset of {TASKS}, got {task!r}.")
    return {task: task_module(task).plan(scale) for task in tasks}


def run_tasks(out_dir, scale: Scale, tasks=TASKS, executor=None, progress: bool = True, log=print) -> dict:
    """Run the requested tasks; returns ``{task: {"computed", "skipped", "failed", "error", "seconds"}}``.

    Units already recorded in ``OUT/raw/manifest.json`` with intact files are skipped; each finished unit is
    recorded immediately (an interruption loses at most the units in flight). A task whose unit raises is
    stopped after the units of that stage that can still finish (they are recorded), and reported with
    ``error`` (one line, the first failing unit); the other tasks still run. ``error`` is None for a task
    that finished. OS errors of the main process (the manifest cannot be written) stop the run.
    """
    from tqdm import tqdm

    from works.executors import make_executor
    from works.packing import one_line

    raw_dir = Path(out_dir) / layout.RAW
    raw_dir.mkdir(parents=True, exist_ok=True)
    save_json(raw_dir / layout.CONFIG_FILE, scale_to_dict(scale))
    manifest = Manifest(raw_dir)
    own = executor is None
    executor = make_executor() if own else executor
    summary = {}
    try:
        for task in tasks:
            start, computed, skipped, failures, error = time.perf_counter(), 0, 0, [], None
            try:
                stages = plan(scale, (task,))[task]
                total = sum(len(stage) for stage in stages)
                bar = tqdm(total=total, desc=f"task {task}", disable=not progress, leave=True)
                for stage in stages:
                    todo = [unit for unit in stage if not manifest.is_done(unit)]
                    skipped += len(stage) - len(todo)
                    bar.update(len(stage) - len(todo))
                    for record in executor.run(todo, raw_dir):
                        if "error" in record:
                            failures.append(record)
                        else:
                            manifest.record(record)
                            computed += 1
                        bar.update(1)
                    if failures:  # later stages read this stage's files
                        first = failures[0]
                        error = f"unit {first['key']} failed: {first['error']}"
                        break
                bar.close()
            except OSError:
                raise
            except Exception as problem:  # the planner or the executor itself
                error = one_line(problem)
            summary[task] = {"computed": computed, "skipped": skipped, "failed": len(failures), "error": error,
                             "seconds": round(time.perf_counter() - start, 2)}
            if failures:
                summary[task]["tracebacks"] = [record.get("traceback", "") for record in failures]
            if log:
                if error:
                    log(f"task {task}: FAILED: {error} ({computed} units computed, {skipped} already done, "
                        f"{len(failures)} failed)")
                else:
                    log(f"task {task}: {computed} units computed, {skipped} already done "
                        f"({summary[task]['seconds']} s)")
    finally:
        if own:
            executor.close()
    return summary


def _parser():
    parser = argparse.ArgumentParser(description="Run the raw-data tasks of the MotifEffect pipeline.")
    add_arguments(parser)
    return parser


add_arguments = cli.add_arguments


def check_uci_dir(folder, argument: str = "--uci-dir") -> Path:
    """``folder`` resolved, after checking it holds every UCI file of task 4.

    Raises
    ------
    UsageError
        Naming ``argument`` and the missing folder or file.
    """
    from practice.datasets import UCI_DATASETS

    from works.guard import UsageError

    path = Path(folder).expanduser()
    if not path.is_dir():
        raise UsageError(f"{argument} {folder}: no such directory.")
    for spec in UCI_DATASETS.values():
        if not (path / spec.file).is_file():
            raise UsageError(f"{argument} {folder}: file {spec.file} ({spec.name}) not found there.")
    return path.resolve()


def configure(args, executor: bool = True):
    """Scale and executor from parsed CLI arguments (also sets and checks the UCI folder for task 4).

    Raises :class:`works.guard.UsageError` for a ``--uci-dir`` (or ``$MOTIFEFFECT_UCI_DIR``) that does not
    hold the UCI files, and ``ValueError`` naming ``--workers`` / ``--dask`` / ``--seed`` / ``--memory-gb``
    otherwise.
    """
    from practice.datasets import ENV_VARIABLE

    from works.executors import make_executor
    from works.guard import UsageError

    if args.uci_dir:
        os.environ[ENV_VARIABLE] = str(check_uci_dir(args.uci_dir))
    elif os.environ.get(ENV_VARIABLE) and 4 in args.tasks:
        check_uci_dir(os.environ[ENV_VARIABLE], f"${ENV_VARIABLE}")
    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers must be a positive integer, got {args.workers}.")
    if args.seed is not None and args.seed < 0:
        raise UsageError(f"--seed must be a non-negative integer, got {args.seed}.")
    scale = get_scale(args.scale, args.semantics, args.seed)
    memory_gb = getattr(args, "memory_gb", None)
    if memory_gb is not None and not memory_gb > 0:
        raise UsageError(f"--memory-gb must be positive, got {memory_gb}.")
    return scale, (make_executor(args.workers, args.dask, memory_gb) if executor else None)


def main(argv=None) -> dict:
    """CLI entry point; returns the run summary (see :func:`works.__main__.main` for the guards)."""
    from works.__main__ import guarded

    args = _parser().parse_args(argv)

    def step(scale, executor):
        return run_tasks(args.out, scale, tuple(args.tasks), executor, progress=not args.quiet)

    return guarded(args, step, failed=lambda summary: [t for t, s in summary.items() if s.get("error")])


if __name__ == "__main__":
    main()
