"""What a scale costs before it is run: calibrate every unit kind on small samples, then scale up.

``python -m works --scale paper --estimate [--workers N] [--tasks ...]``

:func:`estimate` runs each requested task twice at two small *calibration scales* derived from the target
scale (:func:`calibration_scales`: the same grid resolution, catch steps, metric cadence and semantics, but
a few structures, repeats, generations and iterations), through the real planners and unit functions, each
unit in a forked child process so that its seconds and its peak resident memory (``ru_maxrss``) are its own
(the parent first runs one unit of each kind itself, so that children start warm like long-lived workers).
Every unit kind (the unit function) has a *work* measure and an *items* measure computed from a unit's config
(:data:`KINDS`, e.g. motifs × catch steps for a trade-off chunk, repeats × population × generations ×
episodes for a NEAT chunk, fits × iterations for a task-5 unit). Per kind, CPU seconds (user + system of the
child, so a loaded machine does not inflate them) are fitted as ``a + b · work`` and written bytes as
``c + d · items`` (least squares, non-negative coefficients) over the calibration units, and the fits are
applied to every unit of the target plan. Peak memory is not extrapolated from the calibration (its growth
there is page-level noise): a unit's peak is its kind's largest calibration peak (the worker's imports and
caches) plus the larger of its memory hint (:attr:`works.units.Unit.memory_gb`) and
:data:`MEMORY_PER_OUTPUT` times the bytes it writes.

Wall time for ``workers`` processes: the stages of a task run one after the other and the units of a stage
are scheduled longest-first onto the workers (tasks run one after another, as in
:func:`works.run_1_tasks.run_tasks`).

Tasks 6 and 7 (the connectome and learned-diversity experiments) have no cost model yet: requested, they
are listed as not estimated (``"skipped"``) and left out of the totals.

What it cannot know: the length of task-5 fits that run to the stopping rule (``maximum_iteration = 0``);
those are :data:`ASSUMED_ITERATIONS` iterations per fit (the measured mean, see ``docs/paper-scale.md``),
and the estimate says so. Costs that grow faster than linearly in a unit's work (the nearest search of the
"L for L" differences is quadratic in the population: its work measure is the product of the two
populations) are captured only as far as the measure describes them.

Examples
--------
>>> from works.scales import get_scale
>>> small, larger = calibration_scales(get_scale("paper"))
>>> small.task3.population, larger.task3.population, small.task1.points
(8, 16, 41)
>>> [round(value, 6) for value in fit_line([1.0, 3.0], [2.0, 4.0])]
[1.0, 1.0]
"""

from __future__ import annotations

import dataclasses
import heapq
import math
import multiprocessing
import resource
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from works import layout

__all__ = ["ASSUMED_ITERATIONS", "ESTIMATED_TASKS", "KINDS", "MEMORY_PER_OUTPUT", "Kind", "calibrate",
           "calibration_scales", "estimate", "fit_line", "format_estimate", "makespan", "unit_kind"]

#: Tasks with a cost model (:data:`KINDS` covers their unit kinds); others are reported as not estimated.
ESTIMATED_TASKS = (1, 2, 3, 4, 5)
#: Mean length (iterations) of a task-5 fit run to its stopping rule, used when a unit has no iteration cap.
ASSUMED_ITERATIONS = 12_600
#: Peak memory of a unit above its kind's calibration peak, in multiples of the bytes it writes (the arrays,
#: their concatenation and the compression buffer) unless its memory hint is larger.
MEMORY_PER_OUTPUT = 3


@dataclass(frozen=True)
class Kind:
    """How a unit kind's cost grows: ``work(config, scale)`` (time) and ``items(config, scale)`` (memory, disk)."""

    work: object
    items: object


def _loops(t1, structure) -> int:
    if structure.startswith("collider"):
        return len(t1.collider_magnitudes) ** 2 * len(t1.collider_biases)
    return len(t1.magnitudes) ** 3 * len(t1.biases) ** 2


def _difference(config, scale):
    return float(_loops(scale.task1, config["first"]) * _loops(scale.task1, config["second"]))


def _difference_items(config, scale):
    return float(_loops(scale.task1, config["first"]) + _loops(scale.task1, config["second"]))


def _neat(config, scale):
    return float(len(config["repeats"]) * config["population"] * config["generations"]
                 * max(1, config["episodes"]))


def _iterations(config) -> int:
    return int(config["maximum_iteration"]) or ASSUMED_ITERATIONS


def _unrestricted(config, scale):
    return float(config["seeds"] * config["n"] * _iterations(config))


def _restricted(config, scale):
    return float(len(config["configurations"]) * config["seeds"] * _iterations(config))


def _restricted_fits(t5, landscape: str) -> int:
    from works.tasks.networks import restricted_configurations

    indices, seeds = t5.restricted(landscape)
    return len(restricted_configurations(indices)) * seeds


def _one(config, scale):
    return 1.0


#: Unit function name -> its cost measures.
KINDS = {
    "unit_population": Kind(lambda c, s: float(_loops(s.task1, c["structure"])),
                            lambda c, s: float(_loops(s.task1, c["structure"]))),
    "unit_imitation": Kind(lambda c, s: float(c["steps"]), lambda c, s: float(c["steps"])),
    "unit_difference": Kind(_difference, _difference_items),
    "unit_tradeoff_chunk": Kind(lambda c, s: float((c["stop"] - c["start"]) * c["catch_steps"]),
                                lambda c, s: float(c["stop"] - c["start"])),
    "unit_tradeoff_gather": Kind(lambda c, s: float(_loops(s.task1, c["structure"])),
                                 lambda c, s: float(_loops(s.task1, c["structure"]))),
    "unit_escape": Kind(lambda c, s: float(c["samples"] * c["outer"] * c["inner"]),
                        lambda c, s: float(c["samples"] * c["outer"])),
    "unit_neat": Kind(_neat, lambda c, s: float(len(c["repeats"]) * c["population"])),
    "unit_neat_caps": Kind(_neat, lambda c, s: float(len(c["repeats"]) * c["population"])),  # trained to max(caps)
    "unit_neat_gather": Kind(lambda c, s: float(sum(len(v) for v in c["chunks"].values())),
                             lambda c, s: float(sum(len(v) for v in c["chunks"].values()))),
    "unit_uci_dataset": Kind(_one, _one),
    "unit_uci_gather": Kind(_one, _one),
    "unit_fit_unrestricted": Kind(_unrestricted, lambda c, s: float(c["seeds"] * _iterations(c))),
    "unit_fit_gather": Kind(lambda c, s: float(len(c["files"]) * s.task5.seeds * _iterations(dataclasses.asdict(
        s.task5))), lambda c, s: float(len(c["files"]) * s.task5.seeds * _iterations(dataclasses.asdict(s.task5)))),
    "unit_fit_restricted": Kind(_restricted, _restricted),
    "unit_restricted_gather": Kind(lambda c, s: float(_restricted_fits(s.task5, c["landscape"])),  # summaries
                                   lambda c, s: float(_restricted_fits(s.task5, c["landscape"]))),
}


def unit_kind(unit) -> str:
    """The kind of a unit: its function's name (``"unit_difference"``)."""
    return unit.function.partition(":")[2]


def _subset(values, count):
    """``count`` evenly spaced entries of ``values`` (all of them when there are fewer)."""
    values = tuple(values)
    if len(values) <= count:
        return values
    picks = np.linspace(0, len(values) - 1, count).round().astype(int)
    return tuple(values[i] for i in picks)


def calibration_scales(scale):
    """Two small scales derived from ``scale``: few items per unit, the same per-item settings.

    Kept from ``scale``: seed, semantics, landscape grid (``points``), catch steps, learning rates, NEAT
    configuration files and agents' kinds, the task-5 metric cadence and patience. Cut: structures (one
    loop structure), parameter grids, repeats, populations, generations, episodes, task-5 landscapes, seeds
    and iterations. The second scale is about twice to four times the first in every cut dimension.
    """
    out = []
    for level in (0, 1):
        t1, t2, t3, t4, t5 = scale.task1, scale.task2, scale.task3, scale.task4, scale.task5
        task1 = dataclasses.replace(
            t1, structures=tuple(t1.structures[:1]), magnitudes=_subset(t1.magnitudes, 2 + level),
            biases=_subset(t1.biases, 3 + 2 * level), collider_magnitudes=_subset(t1.collider_magnitudes, 3 + level),
            collider_biases=_subset(t1.collider_biases, 3 + 2 * level), chunk=(40, 120)[level])
        task2 = dataclasses.replace(t2, samples=(2, 4)[level], outer=(4, 8)[level], inner=(4, 8)[level])
        neat = dict(agents=tuple(t3.agents[:2]), train_noises=(max(t3.train_noises),),
                    eval_noises=_subset(t3.eval_noises, 2), population=(8, 16)[level], generations=(2, 3)[level],
                    repeats=1, repeat_chunk=1)
        task3 = dataclasses.replace(t3, **neat, episodes=(2, 4)[level], eval_episodes=(2, 4)[level],
                                    caps=((1, 2), (2, 3))[level], caps_repeats=1, long_generations=(2, 3)[level],
                                    long_repeats=1)
        task4 = dataclasses.replace(t4, **neat, domains=tuple(t4.domains[:1]))
        task5 = dataclasses.replace(t5, landscapes=tuple(t5.landscapes[:1]), motif_numbers=((1, 2), (1, 3))[level],
                                    seeds=(2, 4)[level], restricted_indices="ones",
                                    maximum_iteration=(8, 24)[level])
        out.append(dataclasses.replace(scale, task1=task1, task2=task2, task3=task3, task4=task4, task5=task5))
    return tuple(out)


def _child(unit, raw_dir, connection):
    from works.units import run_unit

    try:
        record = run_unit(unit, raw_dir)
        usage = resource.getrusage(resource.RUSAGE_SELF)  # a forked child's times start at zero
        record["cpu_seconds"] = usage.ru_utime + usage.ru_stime
        connection.send(("ok", record, usage.ru_maxrss * 1024))  # KiB on Linux
    except BaseException as error:  # report it to the parent
        connection.send(("error", f"{type(error).__name__}: {error}", 0))
    finally:
        connection.close()


def _measure(unit, raw_dir) -> tuple:
    """Run one unit in a forked child: ``(record with "cpu_seconds", peak resident bytes)``."""
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(unit, str(raw_dir), child))
    process.start()
    child.close()
    status, record, peak = parent.recv()
    process.join()
    if status != "ok":
        raise RuntimeError(f"calibration unit {unit.key!r} failed: {record}")
    return record, peak


def calibrate(scale, tasks, work_dir=None, log=None) -> list:
    """Run the tasks at both calibration scales; one sample dict per unit run.

    Task 1 is run as well when task 2 is requested (task 2 reads its files).

    Returns
    -------
    list of dict
        ``{"task", "kind", "key", "work", "items", "seconds", "peak_bytes", "disk_bytes"}``.
    """
    import torch  # noqa: F401 - imported before forking so children start warm, like pool workers

    from works.run_1_tasks import plan
    from works.units import run_unit

    samples, warm = [], set()
    needed = sorted(set(tasks) | ({1} if 2 in tasks else set()))  # task 2 reads task 1's files
    for level, small in enumerate(calibration_scales(scale)):
        with tempfile.TemporaryDirectory(dir=work_dir) as folder:
            raw_dir = Path(folder) / layout.RAW
            raw_dir.mkdir(parents=True)
            for task, stages in plan(small, tuple(needed)).items():
                started = time.perf_counter()
                for stage in stages:
                    for unit in stage:
                        if unit_kind(unit) not in warm:  # first call of a kind in this process: imports, caches
                            run_unit(unit, raw_dir)     # (a pool worker pays them once, not per unit)
                            warm.add(unit_kind(unit))
                        record, peak = _measure(unit, raw_dir)
                        kind = KINDS[unit_kind(unit)]
                        samples.append({"task": task, "kind": unit_kind(unit), "key": unit.key,
                                        "work": kind.work(unit.config, small),
                                        "items": kind.items(unit.config, small),
                                        "seconds": record["cpu_seconds"], "wall_seconds": record["seconds"],
                                        "peak_bytes": peak,
                                        "disk_bytes": sum(f["size"] for f in record["files"].values())})
                if log:
                    log(f"calibration {level + 1}/2, task {task}: {time.perf_counter() - started:.1f} s")
    return samples


def fit_line(x, y) -> tuple:
    """Least-squares ``y ≈ a + b·x`` with ``a, b ≥ 0``; ``(a, b)``.

    One distinct ``x``, a negative intercept or a negative slope (noise) give the least-squares line through
    the origin (which over- rather than under-estimates when extrapolating).
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if np.ptp(x) > 0:
        b, a = np.polyfit(x, y, 1)
        if a >= 0 and b >= 0:
            return float(a), float(b)
    denominator = float(x @ x)
    return 0.0, float(max(x @ y, 0.0) / denominator) if denominator > 0 else 0.0


def makespan(durations, workers: int) -> float:
    """Wall time of independent jobs scheduled longest-first onto ``workers`` slots."""
    slots = [0.0] * max(1, int(workers))
    for duration in sorted(durations, reverse=True):
        heapq.heapreplace(slots, slots[0] + duration)
    return max(slots)


def estimate(scale, tasks=(1, 2, 3, 4, 5), workers: int = 1, samples=None, log=None) -> dict:
    """Projected cost of running ``tasks`` of ``scale``; calibrates first unless ``samples`` are given.

    Returns
    -------
    dict
        ``{"tasks": {task: {"units", "cpu_hours", "wall_hours", "disk_gb", "peak_gb", "largest", "kinds"}},
        "total": {...}, "workers", "assumed_iterations", "calibration_seconds", "samples", "skipped"}``
        (``skipped``: requested tasks outside :data:`ESTIMATED_TASKS`); ``kinds`` maps a
        unit kind to ``{"units", "cpu_hours", "peak_gb", "seconds_per_unit"}``.
    """
    from works.run_1_tasks import plan

    skipped = [task for task in tasks if task not in ESTIMATED_TASKS]
    tasks = tuple(task for task in tasks if task in ESTIMATED_TASKS)
    started = time.perf_counter()
    if samples is None:
        samples = calibrate(scale, tasks, log=log)
    calibration_seconds = time.perf_counter() - started
    models = {}
    for name in {sample["kind"] for sample in samples}:
        rows = [sample for sample in samples if sample["kind"] == name]
        work = [row["work"] for row in rows]
        items = [row["items"] for row in rows]
        models[name] = (fit_line(work, [row["seconds"] for row in rows]),
                        max(row["peak_bytes"] for row in rows),
                        fit_line(items, [row["disk_bytes"] for row in rows]))
    result = {"tasks": {}, "workers": int(workers), "assumed_iterations": ASSUMED_ITERATIONS,
              "calibration_seconds": round(calibration_seconds, 1), "samples": samples, "skipped": skipped}
    uses_assumption = False
    for task, stages in plan(scale, tasks).items():
        kinds, wall, disk, largest = {}, 0.0, 0.0, ("", 0.0)
        for stage in stages:
            durations = []
            for unit in stage:
                name = unit_kind(unit)
                if name not in models:
                    raise RuntimeError(f"no calibration sample of unit kind {name!r} (task {task}).")
                (a, b), base, (e, f) = models[name]
                kind = KINDS[name]
                work, items = kind.work(unit.config, scale), kind.items(unit.config, scale)
                uses_assumption |= "maximum_iteration" in unit.config and not unit.config["maximum_iteration"]
                written = e + f * items
                seconds = a + b * work
                peak = base + max(MEMORY_PER_OUTPUT * written, (unit.memory_gb or 0.0) * 2**30)
                durations.append(seconds)
                disk += written
                entry = kinds.setdefault(name, {"units": 0, "cpu_hours": 0.0, "peak_gb": 0.0})
                entry["units"] += 1
                entry["cpu_hours"] += seconds / 3600
                entry["peak_gb"] = max(entry["peak_gb"], peak / 2**30)
                if peak > largest[1]:
                    largest = (unit.key, peak)
            wall += makespan(durations, workers)
        for entry in kinds.values():
            entry["seconds_per_unit"] = entry["cpu_hours"] * 3600 / entry["units"]
        result["tasks"][task] = {"units": sum(e["units"] for e in kinds.values()),
                                 "cpu_hours": sum(e["cpu_hours"] for e in kinds.values()), "wall_hours": wall / 3600,
                                 "disk_gb": disk / 2**30, "peak_gb": largest[1] / 2**30, "largest": largest[0],
                                 "kinds": kinds}
    values = list(result["tasks"].values())
    result["total"] = {"units": sum(v["units"] for v in values), "cpu_hours": sum(v["cpu_hours"] for v in values),
                       "wall_hours": sum(v["wall_hours"] for v in values),
                       "disk_gb": sum(v["disk_gb"] for v in values),
                       "peak_gb": max((v["peak_gb"] for v in values), default=0.0)}
    result["uses_assumed_iterations"] = bool(uses_assumption)
    return result


def _hours(value: float) -> str:
    if value < 1 / 60:
        return f"{value * 3600:.0f} s"
    if value < 1:
        return f"{value * 60:.1f} min"
    if value < 48:
        return f"{value:.1f} h"
    return f"{value / 24:.1f} d"


def format_estimate(result: dict, scale_name: str = "") -> str:
    """The estimate as a text table (per task, then per unit kind)."""
    workers = result["workers"]
    lines = [f"Estimate for scale {scale_name!r} (calibrated in {result['calibration_seconds']} s; "
             f"wall time for {workers} worker{'s' if workers > 1 else ''}; single-thread CPU time per unit)",
             "",
             f"{'task':>5} {'units':>7} {'CPU-hours':>11} {'wall':>9} {'disk GB':>9} {'peak GB':>8}  largest unit",
             ]
    for task, row in result["tasks"].items():
        lines.append(f"{task:>5} {row['units']:>7} {row['cpu_hours']:>11.2f} {_hours(row['wall_hours']):>9} "
                     f"{row['disk_gb']:>9.2f} {row['peak_gb']:>8.2f}  {row['largest']}")
    total = result["total"]
    lines.append(f"{'all':>5} {total['units']:>7} {total['cpu_hours']:>11.2f} {_hours(total['wall_hours']):>9} "
                 f"{total['disk_gb']:>9.2f} {total['peak_gb']:>8.2f}")
    lines += ["", f"{'task':>5} {'unit kind':<24} {'units':>7} {'CPU-hours':>11} {'s per unit':>11} {'peak GB':>8}"]
    for task, row in result["tasks"].items():
        for name, entry in sorted(row["kinds"].items(), key=lambda item: -item[1]["cpu_hours"]):
            lines.append(f"{task:>5} {name:<24} {entry['units']:>7} {entry['cpu_hours']:>11.2f} "
                         f"{entry['seconds_per_unit']:>11.1f} {entry['peak_gb']:>8.2f}")
    if result.get("uses_assumed_iterations"):
        lines += ["", f"Task-5 fits without an iteration cap are assumed to run {result['assumed_iterations']:,} "
                      "iterations each (their real length depends on the stopping rule)."]
    if result.get("skipped"):
        lines += ["", f"Not estimated (no cost model yet): task {', '.join(map(str, result['skipped']))}."]
    if not math.isfinite(total["cpu_hours"]):  # pragma: no cover - defensive
        lines.append("warning: a cost model did not converge")
    return "\n".join(lines)
