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

from works import layout
from works._io import save_json
from works.layout import COLLIDERS, CONFIG_NAMES, PASS_SCORE, SCALES, SEMANTICS
from works.scales import Scale, get_scale, scale_to_dict
from works.storage import Manifest
from works.tasks import MODULES, task_module
from works.tasks.cartpole import plan as plan_task3
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

__all__ = ["COLLIDERS", "CONFIG_NAMES", "CONFS", "METRICS", "PASS_SCORE", "PLANNERS", "TASKS", "main", "plan",
           "plan_task1", "plan_task2", "plan_task3", "plan_task4", "plan_task5", "restricted_configurations",
           "run_tasks", "select_escapers", "unit_difference", "unit_escape", "unit_fit_gather", "unit_fit_restricted",
           "unit_fit_unrestricted", "unit_imitation", "unit_neat", "unit_neat_gather", "unit_population",
           "unit_restricted_gather", "unit_tradeoff_chunk", "unit_tradeoff_gather", "unit_uci_dataset",
           "unit_uci_gather"]

TASKS = tuple(sorted(MODULES))
#: Task number -> planner (the ``plan`` of each task module).
PLANNERS = {1: plan_task1, 2: plan_task2, 3: plan_task3, 4: plan_task4, 5: plan_task5}


def plan(scale: Scale, tasks=TASKS) -> dict:
    """``{task number: list of stages}`` for the requested tasks."""
    for task in tasks:
        if task not in MODULES:
            raise ValueError(f"tasks must be a subset of {TASKS}, got {task!r}.")
    return {task: task_module(task).plan(scale) for task in tasks}


def run_tasks(out_dir, scale: Scale, tasks=TASKS, executor=None, progress: bool = True, log=print) -> dict:
    """Run the requested tasks; returns ``{task: {"computed": n, "skipped": n, "seconds": s}}``.

    Units already recorded in ``OUT/raw/manifest.json`` with intact files are skipped; each finished unit is
    recorded immediately (an interruption loses at most the units in flight).
    """
    from tqdm import tqdm

    from works.executors import make_executor

    raw_dir = Path(out_dir) / layout.RAW
    raw_dir.mkdir(parents=True, exist_ok=True)
    save_json(raw_dir / layout.CONFIG_FILE, scale_to_dict(scale))
    manifest = Manifest(raw_dir)
    own = executor is None
    executor = make_executor() if own else executor
    summary = {}
    try:
        for task, stages in plan(scale, tasks).items():
            start, computed, skipped = time.perf_counter(), 0, 0
            total = sum(len(stage) for stage in stages)
            bar = tqdm(total=total, desc=f"task {task}", disable=not progress, leave=True)
            for stage in stages:
                todo = [unit for unit in stage if not manifest.is_done(unit)]
                skipped += len(stage) - len(todo)
                bar.update(len(stage) - len(todo))
                for record in executor.run(todo, raw_dir):
                    manifest.record(record)
                    computed += 1
                    bar.update(1)
            bar.close()
            summary[task] = {"computed": computed, "skipped": skipped,
                             "seconds": round(time.perf_counter() - start, 2)}
            if log:
                log(f"task {task}: {computed} units computed, {skipped} already done "
                    f"({summary[task]['seconds']} s)")
    finally:
        if own:
            executor.close()
    return summary


def _parser(out_required: bool = True):
    parser = argparse.ArgumentParser(description="Run the raw-data tasks 1-5 of the MotifEffect pipeline.")
    parser.add_argument("--out", required=out_required, help="output directory OUT (writes OUT/raw)")
    parser.add_argument("--scale", default="quick", choices=SCALES)
    parser.add_argument("--tasks", nargs="+", type=int, default=list(TASKS), choices=TASKS)
    parser.add_argument("--workers", type=int, default=None, help="processes (default all cores; 1 = in-process)")
    parser.add_argument("--dask", default=None, help="'local' (LocalCluster) or a scheduler address tcp://host:port")
    parser.add_argument("--memory-gb", type=float, default=None,
                        help="memory the units' hints may use at once (default 80 %% of the machine's)")
    parser.add_argument("--semantics", default="reference", choices=SEMANTICS)
    parser.add_argument("--seed", type=int, default=None, help="base seed (default: the preset's)")
    parser.add_argument("--uci-dir", default=None, help="folder with the vendored UCI files (task 4)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser


def configure(args):
    """Scale and executor from parsed CLI arguments (also sets the UCI folder for task 4)."""
    from works.executors import make_executor

    if args.uci_dir:
        os.environ["MOTIFEFFECT_UCI_DIR"] = str(Path(args.uci_dir).resolve())
    scale = get_scale(args.scale, args.semantics, args.seed)
    return scale, make_executor(args.workers, args.dask, args.memory_gb)


def main(argv=None) -> dict:
    """CLI entry point; returns the run summary."""
    args = _parser().parse_args(argv)
    scale, executor = configure(args)
    with executor:
        return run_tasks(args.out, scale, tuple(args.tasks), executor, progress=not args.quiet)


if __name__ == "__main__":
    main()
