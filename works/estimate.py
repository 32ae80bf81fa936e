"""What a scale costs before it is run: calibrate every unit kind on small samples, then scale up.

``python -m works --scale paper --estimate [--workers N] [--tasks ...]``

:func:`estimate` runs each requested task twice at two small *calibration scales* derived from the target
scale (:func:`calibration_scales`), through the real planners and unit functions, each unit in a forked child
process so that its seconds and its peak resident memory (``ru_maxrss``) are its own (the parent first runs one
unit of each kind itself, so that children start warm like long-lived workers). A calibration scale keeps every
per-item setting of the target and the *batch shape* of its units, and cuts only what a unit's cost is
proportional to:

* task 1: one loop structure, coarse grids, the same catch steps and landscape grid; when the target's
  difference units take the projection search (``effect.nearest``, ``method="auto"``), the populations and
  differences of one structure are also run on dense pieces of the target's grid (:data:`PROJECTION_GRIDS`,
  26,136 and 86,528 loops at paper scale), so that the search calibrated is the one the target runs;
* tasks 3-4: the target's population and episodes, one repeat, :data:`CALIBRATION_GENERATIONS` generations
  (tiny populations are dominated by per-generation overhead);
* task 5: the target's seeds, storage and configurations per restricted unit of its first landscape (a full
  chunk per k at paper scale), :data:`CALIBRATION_ITERATIONS` iterations, the smallest and largest motif numbers;
* task 6: two wiring families, one rewired fraction, one seed, 1-2 epochs on the target's training split, 2-6
  samples per null model; task 7: the target's data and network sizes, one seed, 2-6 meta-learning steps,
  1-3 epochs, a coarse loop grid.

Every unit kind (the unit function) has a *work* measure and an *items* measure computed from a unit's config
(:data:`KINDS`, e.g. motifs × catch steps for a trade-off chunk, repeats × population × generations ×
episodes for a NEAT chunk, fits × iterations for a task-5 unit), and optionally a *regime*, the code path the
unit takes (the nearest search's method, a null model, a task): units of different regimes get separate
models (:func:`model_key`). Per model, CPU seconds (user + system of the child, so a loaded machine does not
inflate them) are fitted as ``a + b · work`` and written bytes as ``c + d · items`` (least squares,
non-negative coefficients) over the calibration units, and the fits are applied to every unit of the target
plan; the table shows how far each model extrapolates (largest target work over largest calibrated work).
Peak memory is not extrapolated from the calibration (its growth there is page-level noise): a unit's peak is
its kind's largest calibration peak (the worker's imports and caches) plus the larger of its memory hint
(:attr:`works.units.Unit.memory_gb`) and :data:`MEMORY_PER_OUTPUT` times the bytes it writes.

Wall time for ``workers`` processes: the stages of a task run one after the other and the units of a stage
are scheduled longest-first onto the workers (tasks run one after another, as in
:func:`works.run_1_tasks.run_tasks`).

What it cannot know: the length of task-5 fits that run to the stopping rule (``maximum_iteration = 0``);
those are :data:`ASSUMED_ITERATIONS` iterations per fit on average (per network kind; see
``docs/paper-scale.md``), and the estimate says so. The calibration runs the first generations of NEAT and the
first iterations of the fits: where a later generation or iteration costs more (CartPole episodes lengthen as
agents learn), the estimate is low by that factor.

Examples
--------
>>> from works.scales import get_scale
>>> small, larger = calibration_scales(get_scale("paper"))
>>> small.task3.population, small.task3.generations, larger.task3.generations, small.task1.points
(250, 1, 3, 41)
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

__all__ = ["ASSUMED_ITERATIONS", "CALIBRATION_GENERATIONS", "CALIBRATION_ITERATIONS", "ESTIMATED_TASKS", "KINDS",
           "MEMORY_PER_OUTPUT", "PROJECTION_GRIDS", "RESTRICTED_SHARE", "Kind", "calibrate",
           "calibration_scales", "estimate", "fit_line", "format_estimate", "makespan", "measure_unit",
           "model_key", "unit_kind"]

#: Tasks with a cost model (:data:`KINDS` covers their unit kinds); others are reported as not estimated.
ESTIMATED_TASKS = (1, 2, 3, 4, 5, 6, 7)
#: Mean length (iterations) of a task-5 fit run to its stopping rule (``maximum_iteration = 0``), per network kind
#: (``"collider"`` and ``"loop"``: the unrestricted fits; ``"restricted"``: the restricted 10-loop fits, whose cap
#: is the longest unrestricted 10-loop fit). An assumption, not a calibration: ``docs/paper-scale.md`` says where
#: the numbers come from; update them here when real paper-scale fit lengths are measured.
ASSUMED_ITERATIONS = {"collider": 12_600, "loop": 12_600, "restricted": 12_600}
#: Mean length of a restricted fit over its cap in the five paper restricted units measured (k = 0, 5, 10 on the
#: Quadratic Saddle, 5 on Branin, 3 on the Monkey Saddle: 0.90, 0.84, 0.66, 0.94, 0.98): most fits run to the cap.
RESTRICTED_SHARE = 0.86
#: Peak memory of a unit above its kind's calibration peak, in multiples of the bytes it writes (the arrays,
#: their concatenation and the compression buffer) unless its memory hint is larger.
MEMORY_PER_OUTPUT = 3
#: Calibration iterations of the task-5 fits (the two levels). Not fewer: a fit's first iterations cost more than
#: its later ones (the Lipschitz bounds carried from one iteration to the next only pay once the fit settles),
#: so a line through 10 and 30 iterations projected ≈ 2 × the cost per iteration of a real paper unit.
CALIBRATION_ITERATIONS = (20, 200)
#: Calibration generations of the NEAT runs (tasks 3-4; the two levels), at the target's population and episodes.
CALIBRATION_GENERATIONS = (1, 3)
#: Magnitudes × biases of the loop grids of the nearest-search calibration (two levels, task 1): dense pieces of the
#: target's grid (its spacing kept), 26,136 and 86,528 loops at paper scale, enough for the projection search of
#: both "L for L" and "L for collider" (against 2,100 colliders), and 3.3 times apart so that the CPU-time noise
#: of a loaded machine does not tilt the line much.
PROJECTION_GRIDS = ((6, 11), (8, 13))


@dataclass(frozen=True)
class Kind:
    """How a unit kind's cost grows: ``work(config, scale)`` (time) and ``items(config, scale)`` (memory, disk).

    ``regime(config, scale)``, when given, names the code path a unit takes (e.g. the nearest search's method);
    units of different regimes get separate cost models.
    """

    work: object
    items: object
    regime: object = None


def _loops(t1, structure) -> int:
    if structure.startswith("collider"):
        return len(t1.collider_magnitudes) ** 2 * len(t1.collider_biases)
    return len(t1.magnitudes) ** 3 * len(t1.biases) ** 2


def _pair(config, scale) -> tuple:
    return _loops(scale.task1, config["first"]), _loops(scale.task1, config["second"])


def _difference_regime(config, scale) -> str:
    """The nearest search a difference unit takes (``effect.nearest``'s ``"auto"`` rule): ``"gemm"``, or
    ``"projection-self"`` ("L for L") / ``"projection-cross"``."""
    from effect.nearest import _AUTO_PROJECTION_PAIRS, _AUTO_PROJECTION_ROWS

    first, second = _pair(config, scale)
    if second < _AUTO_PROJECTION_ROWS or first * second < _AUTO_PROJECTION_PAIRS:
        return "gemm"
    return "projection-self" if config["first"] == config["second"] else "projection-cross"


def _difference(config, scale):
    """GEMM: the pairs (quadratic); projection: the landscapes computed and the rows searched (near-linear)."""
    first, second = _pair(config, scale)
    if _difference_regime(config, scale) == "gemm":
        return float(first * second)
    return float(first + (0 if config["first"] == config["second"] else second))


def _difference_items(config, scale):
    first, second = _pair(config, scale)
    return float(first + second)


def _neat(config, scale):
    return float(len(config["repeats"]) * config["population"] * config["generations"]
                 * max(1, config["episodes"]))


def _iterations(config, kind) -> int:
    """Iterations per fit: the cap, else (a restricted fit of a landscape in
    :data:`works.tasks.networks.PAPER_CAPS`) :data:`RESTRICTED_SHARE` of its measured cap, else
    :data:`ASSUMED_ITERATIONS` of ``kind``."""
    from works.tasks.networks import PAPER_CAPS

    if int(config["maximum_iteration"]):
        return int(config["maximum_iteration"])
    if kind == "restricted" and config.get("landscape") in PAPER_CAPS:
        return round(RESTRICTED_SHARE * PAPER_CAPS[config["landscape"]])
    return ASSUMED_ITERATIONS[kind]


def _unrestricted(config, scale):
    return float(config["seeds"] * config["n"] * _iterations(config, config["kind"]))


def _fits(config) -> int:
    return len(config["configurations"]) * config["seeds"]


def _restricted(config, scale):
    return float(_fits(config) * _iterations(config, "restricted"))


def _restricted_items(config, scale):
    """Full traces: fit-iterations; statistics storage: fits (the summaries and statistics are per fit)."""
    if config.get("storage", "full") == "statistics":
        return float(_fits(config))
    return _restricted(config, scale)


def _restricted_fits(t5, landscape: str) -> int:
    from works.tasks.networks import restricted_configurations

    indices, seeds = t5.restricted(landscape)
    return len(restricted_configurations(indices)) * seeds


def _fit_gather(config, scale):
    t5 = scale.task5
    iterations = int(t5.maximum_iteration) or ASSUMED_ITERATIONS["loop"]
    return float(len(config["files"]) * t5.seeds * iterations)


def _sizes(config) -> dict:
    return config["sizes"]


def _learn_types(config, scale):
    sizes = _sizes(config)
    return float(sizes["outer_steps"] * sizes["inner_steps"])


def _network(config, scale):
    sizes = _sizes(config)
    return float(sizes["epochs"])


def _diversity_loops(config, scale):
    return float(len(config["magnitudes"]) ** 3 * len(config["biases"]) ** 2 * len(config["indices"])
                 * config["points"] ** 2)


def _one(config, scale):
    return 1.0


def _by_task(config, scale):
    return config["task"]


#: Unit function name -> its cost measures.
KINDS = {
    "unit_population": Kind(lambda c, s: float(_loops(s.task1, c["structure"])),
                            lambda c, s: float(_loops(s.task1, c["structure"]))),
    "unit_imitation": Kind(lambda c, s: float(c["steps"]), lambda c, s: float(c["steps"])),
    "unit_difference": Kind(_difference, _difference_items, _difference_regime),
    "unit_tradeoff_chunk": Kind(lambda c, s: float((c["stop"] - c["start"]) * c["catch_steps"]),
                                lambda c, s: float(c["stop"] - c["start"])),
    "unit_tradeoff_gather": Kind(lambda c, s: float(_loops(s.task1, c["structure"])),
                                 lambda c, s: float(_loops(s.task1, c["structure"]))),
    "unit_escape": Kind(lambda c, s: float(c["samples"] * c["outer"] * c["inner"]),
                        lambda c, s: float(c["samples"] * c["outer"])),
    "unit_neat": Kind(_neat, lambda c, s: float(len(c["repeats"]) * c["population"]), lambda c, s: c["kind"]),
    "unit_neat_caps": Kind(_neat, lambda c, s: float(len(c["repeats"]) * c["population"])),  # trained to max(caps)
    "unit_neat_gather": Kind(lambda c, s: float(sum(len(v) for v in c["chunks"].values())),
                             lambda c, s: float(sum(len(v) for v in c["chunks"].values()))),
    "unit_uci_dataset": Kind(_one, _one),
    "unit_uci_gather": Kind(_one, _one),
    "unit_fit_unrestricted": Kind(_unrestricted, lambda c, s: float(c["seeds"] * _iterations(c, c["kind"]))),
    "unit_fit_gather": Kind(_fit_gather, _fit_gather),
    "unit_fit_restricted": Kind(_restricted, _restricted_items, lambda c, s: c.get("storage", "full")),
    "unit_restricted_gather": Kind(lambda c, s: float(_restricted_fits(s.task5, c["landscape"])),  # summaries
                                   lambda c, s: float(_restricted_fits(s.task5, c["landscape"]))),
    # task 6: one ElegansNet training (epochs over the target's training split); the census against a null model
    "unit_train": Kind(lambda c, s: float(c["epochs"]), _one),
    "unit_enrichment": Kind(lambda c, s: float(c["n_samples"]), lambda c, s: float(c["n_samples"]),
                            lambda c, s: c["null"]),
    "unit_training_gather": Kind(lambda c, s: float(len(c["files"])), lambda c, s: float(len(c["files"]))),
    # task 7: meta-learning the types (outer × inner steps), one network (epochs), the loop grid, the gather
    "unit_learn_types": Kind(_learn_types, _one, _by_task),
    "unit_network": Kind(_network, _one, _by_task),
    "unit_loops": Kind(_diversity_loops, lambda c, s: _diversity_loops(c, s) / c["points"] ** 2, _by_task),
    "unit_gather": Kind(lambda c, s: float(len(c["network_types"]) * c["seeds"]),
                        lambda c, s: float(len(c["network_types"]) * c["seeds"])),
}


def unit_kind(unit) -> str:
    """The kind of a unit: its function's name (``"unit_difference"``)."""
    return unit.function.partition(":")[2]


def model_key(unit, scale) -> str:
    """The cost model a unit of ``scale`` uses: its kind, and its regime when the kind has one
    (``"unit_difference/projection-self"``)."""
    name = unit_kind(unit)
    kind = KINDS[name]
    return name if kind.regime is None else f"{name}/{kind.regime(unit.config, scale)}"


def _subset(values, count):
    """``count`` evenly spaced entries of ``values`` (all of them when there are fewer)."""
    values = tuple(values)
    if len(values) <= count:
        return values
    picks = np.linspace(0, len(values) - 1, count).round().astype(int)
    return tuple(values[i] for i in picks)


def _window(values, count):
    """``count`` consecutive entries from the middle of ``values`` (a dense piece of a grid, its spacing kept)."""
    values = tuple(values)
    start = max(0, (len(values) - count) // 2)
    return values[start:start + count]


def _restricted_per_unit(t5) -> tuple:
    """``(restricted_indices, seeds)`` of the calibration: the target's seeds and as many configurations per unit
    as the target's restricted units of its first landscape hold (so the batch is the real batch)."""
    from works.tasks.networks import assumed_cap, chunk_size, restricted_configurations

    indices, seeds = t5.restricted(t5.landscapes[0])
    total = len(restricted_configurations(indices))
    chunk = chunk_size(seeds, assumed_cap(t5.landscapes[0], t5.maximum_iteration))
    if t5.trace_storage == "statistics":  # one k per unit: ``m`` multisets per k make units of ``m``
        return max(1, min(chunk, total // 11)), seeds
    return max(1, -(-min(chunk, total) // 11)), seeds  # consecutive configurations: 11 m in one unit


def calibration_scales(scale):
    """Two small scales derived from ``scale``: few items per unit, the same per-item settings.

    Kept from ``scale``: seed, semantics, landscape grid (``points``), catch steps, learning rates, NEAT
    configuration files, agents' kinds, populations and episodes, the task-5 metric cadence, patience, storage,
    seeds and configurations per restricted unit, the task-6 training split and the task-7 data and network sizes.
    Cut: structures (one loop structure), parameter grids, repeats, generations, task-5 landscapes, motif
    numbers and iterations (:data:`CALIBRATION_ITERATIONS`), task-6 wirings, seeds, epochs and null samples,
    task-7 seeds, meta-learning steps, epochs and loop grid. The second scale is larger than the first in every
    cut dimension that a cost measure counts.
    """
    out = []
    for level in (0, 1):
        t1, t2, t3, t4, t5 = scale.task1, scale.task2, scale.task3, scale.task4, scale.task5
        t6, t7 = scale.task6, scale.task7
        task1 = dataclasses.replace(
            t1, structures=tuple(t1.structures[:1]), magnitudes=_subset(t1.magnitudes, 2 + level),
            biases=_subset(t1.biases, 3 + 2 * level), collider_magnitudes=_subset(t1.collider_magnitudes, 3 + level),
            collider_biases=_subset(t1.collider_biases, 3 + 2 * level), chunk=(40, 120)[level])
        task2 = dataclasses.replace(t2, samples=(2, 4)[level], outer=(4, 8)[level], inner=(4, 8)[level])
        generations = min(CALIBRATION_GENERATIONS[level], t3.generations)
        neat = dict(agents=tuple(t3.agents[:2]), train_noises=(max(t3.train_noises),),
                    eval_noises=_subset(t3.eval_noises, 2), generations=generations, repeats=1, repeat_chunk=1)
        task3 = dataclasses.replace(t3, **neat, caps=tuple(sorted({1, generations})), caps_repeats=1,
                                    long_generations=generations, long_repeats=1)
        task4 = dataclasses.replace(t4, **dict(neat, agents=tuple(t4.agents[:2]),
                                               train_noises=(max(t4.train_noises),),
                                               eval_noises=_subset(t4.eval_noises, 2),
                                               generations=min(CALIBRATION_GENERATIONS[level], t4.generations)),
                                    domains=tuple(t4.domains[:1]))
        indices, seeds = _restricted_per_unit(t5)
        numbers = (min(t5.motif_numbers), max(t5.motif_numbers))
        task5 = dataclasses.replace(t5, landscapes=tuple(t5.landscapes[:1]), motif_numbers=tuple(sorted(set(numbers))),
                                    restricted_indices=indices, restricted_seeds=seeds, detailed_indices=None,
                                    detailed_seeds=None, maximum_iteration=CALIBRATION_ITERATIONS[level])
        task6 = dataclasses.replace(t6, families=tuple(t6.families[:2]), fractions=tuple(t6.fractions[-1:]), seeds=1,
                                    epochs=min((1, 2)[level], t6.epochs),
                                    enrichment_samples=min((2, 6)[level], t6.enrichment_samples))
        task7 = dataclasses.replace(t7, seeds=1, outer_steps=min((2, 6)[level], t7.outer_steps),
                                    epochs=min((1, 3)[level], t7.epochs),
                                    loop_magnitudes=_subset(t7.loop_magnitudes, 3 + level),
                                    loop_biases=_subset(t7.loop_biases, 4 + 2 * level))
        out.append(dataclasses.replace(scale, task1=task1, task2=task2, task3=task3, task4=task4, task5=task5,
                                       task6=task6, task7=task7))
    return tuple(out)


def _projection_scales(scale) -> tuple:
    """Task-1 scales for the nearest-search calibration when the target's difference units take the projection
    search: one loop structure on the :data:`PROJECTION_GRIDS` grids, the target's collider grid; empty when none
    of the target's difference units does."""
    from works.run_1_tasks import plan

    units = [unit for stage in plan(scale, (1,))[1] for unit in stage if unit_kind(unit) == "unit_difference"]
    if not any(model_key(unit, scale) != "unit_difference/gemm" for unit in units):
        return ()
    t1 = scale.task1
    return tuple(dataclasses.replace(scale, task1=dataclasses.replace(
        t1, structures=tuple(t1.structures[:1]), magnitudes=_window(t1.magnitudes, magnitudes),
        biases=_window(t1.biases, biases))) for magnitudes, biases in PROJECTION_GRIDS)


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


def measure_unit(unit, raw_dir) -> tuple:
    """Run one unit in a forked child: ``(record with "cpu_seconds", peak resident bytes)``.

    The record is :func:`works.units.run_unit`'s (files, checksums, wall ``seconds``); ``cpu_seconds`` is the
    child's user + system time, so the unit's own, and the peak is its ``ru_maxrss``.

    Raises
    ------
    RuntimeError
        When the unit raised in the child (its error, one line).
    """
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(unit, str(raw_dir), child))
    process.start()
    child.close()
    status, record, peak = parent.recv()
    process.join()
    if status != "ok":
        raise RuntimeError(f"unit {unit.key!r} failed: {record}")
    return record, peak


def _run_stage_units(units, scale, task, raw_dir, warm, samples):
    from works.units import run_unit

    for unit in units:
        if unit_kind(unit) not in warm:  # first call of a kind in this process: imports, caches
            run_unit(unit, raw_dir)     # (a pool worker pays them once, not per unit)
            warm.add(unit_kind(unit))
        record, peak = measure_unit(unit, raw_dir)
        kind = KINDS[unit_kind(unit)]
        samples.append({"task": task, "kind": unit_kind(unit), "model": model_key(unit, scale), "key": unit.key,
                        "work": kind.work(unit.config, scale), "items": kind.items(unit.config, scale),
                        "seconds": record["cpu_seconds"], "wall_seconds": record["seconds"], "peak_bytes": peak,
                        "disk_bytes": sum(f["size"] for f in record["files"].values())})


def calibrate(scale, tasks, work_dir=None, log=None) -> list:
    """Run the tasks at both calibration scales; one sample dict per unit run.

    Task 1 is run as well when task 2 is requested (task 2 reads its files). When the target's difference units
    take the projection search, the populations and differences of one loop structure are also run on the
    :data:`PROJECTION_GRIDS` (the same search, 10-20 times fewer motifs than at paper scale).

    Returns
    -------
    list of dict
        ``{"task", "kind", "model", "key", "work", "items", "seconds", "wall_seconds", "peak_bytes",
        "disk_bytes"}`` (``model``: :func:`model_key`).
    """
    import torch  # noqa: F401 - imported before forking so children start warm, like pool workers

    from works.run_1_tasks import plan

    samples, warm = [], set()
    needed = sorted(set(tasks) | ({1} if 2 in tasks else set()))  # task 2 reads task 1's files
    projection = _projection_scales(scale) if 1 in needed else ()
    for level, small in enumerate(calibration_scales(scale)):
        with tempfile.TemporaryDirectory(dir=work_dir) as folder:
            raw_dir = Path(folder) / layout.RAW
            raw_dir.mkdir(parents=True)
            for task, stages in plan(small, tuple(needed)).items():
                started = time.perf_counter()
                for stage in stages:
                    _run_stage_units(stage, small, task, raw_dir, warm, samples)
                if log:
                    log(f"calibration {level + 1}/2, task {task}: {time.perf_counter() - started:.1f} s")
        if projection:
            with tempfile.TemporaryDirectory(dir=work_dir) as folder:
                raw_dir = Path(folder) / layout.RAW
                raw_dir.mkdir(parents=True)
                started = time.perf_counter()
                for stage in plan(projection[level], (1,))[1]:
                    _run_stage_units([unit for unit in stage if unit_kind(unit) in ("unit_population",
                                                                                      "unit_difference")],
                                     projection[level], 1, raw_dir, warm, samples)
                if log:
                    log(f"calibration {level + 1}/2, task 1 nearest search: {time.perf_counter() - started:.1f} s")
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


def _models(samples) -> dict:
    """Per model key (and per kind, pooled over its regimes, under the kind's name with a trailing ``"*"``):
    ``((a, b) seconds line, largest peak, (c, d) disk line, largest calibration work)``."""
    groups = {}
    for sample in samples:
        model = sample.get("model", sample["kind"])
        groups.setdefault(model, []).append(sample)
        if model != sample["kind"]:
            groups.setdefault(sample["kind"] + "*", []).append(sample)
    models = {}
    for name, rows in groups.items():
        work = [row["work"] for row in rows]
        items = [row["items"] for row in rows]
        models[name] = (fit_line(work, [row["seconds"] for row in rows]), max(row["peak_bytes"] for row in rows),
                        fit_line(items, [row["disk_bytes"] for row in rows]), max(work))
    return models


def estimate(scale, tasks=ESTIMATED_TASKS, workers: int = 1, samples=None, log=None) -> dict:
    """Projected cost of running ``tasks`` of ``scale``; calibrates first unless ``samples`` are given.

    Returns
    -------
    dict
        ``{"tasks": {task: {"units", "cpu_hours", "wall_hours", "disk_gb", "peak_gb", "largest", "kinds"}},
        "total": {...}, "workers", "assumed_iterations", "calibration_seconds", "samples", "skipped"}``
        (``skipped``: requested tasks outside :data:`ESTIMATED_TASKS`); ``kinds`` maps a cost model
        (:func:`model_key`) to ``{"units", "cpu_hours", "peak_gb", "seconds_per_unit", "extrapolation"}``
        (``extrapolation``: the largest work of its units over the largest work calibrated; a trailing ``*``
        marks a regime without its own calibration sample, projected from its kind's other regimes).
        ``units`` maps every unit key to its projection ``{"model", "seconds", "work", "intercept", "slope"}``
        (seconds = intercept + slope × work), with ``"iterations"`` (per fit, assumed or capped) for task-5 fits.
    """
    from works.run_1_tasks import plan

    skipped = [task for task in tasks if task not in ESTIMATED_TASKS]
    tasks = tuple(task for task in tasks if task in ESTIMATED_TASKS)
    started = time.perf_counter()
    if samples is None:
        samples = calibrate(scale, tasks, log=log)
    calibration_seconds = time.perf_counter() - started
    models = _models(samples)
    result = {"tasks": {}, "units": {}, "workers": int(workers), "assumed_iterations": dict(ASSUMED_ITERATIONS),
              "calibration_seconds": round(calibration_seconds, 1), "samples": samples, "skipped": skipped}
    uses_assumption = False
    for task, stages in plan(scale, tasks).items():
        kinds, wall, disk, largest = {}, 0.0, 0.0, ("", 0.0)
        for stage in stages:
            durations = []
            for unit in stage:
                name = model_key(unit, scale)
                if name not in models:
                    name = unit_kind(unit) + "*"
                if name not in models:
                    raise RuntimeError(f"no calibration sample of unit kind {unit_kind(unit)!r} (task {task}).")
                (a, b), base, (e, f), calibrated = models[name]
                kind = KINDS[unit_kind(unit)]
                work, items = kind.work(unit.config, scale), kind.items(unit.config, scale)
                uses_assumption |= "maximum_iteration" in unit.config and not unit.config["maximum_iteration"]
                written = e + f * items
                seconds = a + b * work
                peak = base + max(MEMORY_PER_OUTPUT * written, (unit.memory_gb or 0.0) * 2**30)
                durations.append(seconds)
                disk += written
                result["units"][unit.key] = {"model": name, "seconds": seconds, "work": work, "intercept": a,
                                             "slope": b}
                if "maximum_iteration" in unit.config:  # a task-5 fit: the iterations per fit it assumes
                    result["units"][unit.key]["iterations"] = _iterations(
                        unit.config, unit.config["kind"] if "kind" in unit.config else "restricted")
                entry = kinds.setdefault(name, {"units": 0, "cpu_hours": 0.0, "peak_gb": 0.0, "extrapolation": 0.0})
                entry["units"] += 1
                entry["cpu_hours"] += seconds / 3600
                entry["peak_gb"] = max(entry["peak_gb"], peak / 2**30)
                entry["extrapolation"] = max(entry["extrapolation"], work / calibrated if calibrated > 0 else 1.0)
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
    lines += ["", f"{'task':>5} {'cost model (unit kind/regime)':<40} {'units':>7} {'CPU-hours':>11} "
                  f"{'s per unit':>11} {'peak GB':>8} {'× calib.':>9}"]
    for task, row in result["tasks"].items():
        for name, entry in sorted(row["kinds"].items(), key=lambda item: -item[1]["cpu_hours"]):
            lines.append(f"{task:>5} {name:<40} {entry['units']:>7} {entry['cpu_hours']:>11.2f} "
                         f"{entry['seconds_per_unit']:>11.1f} {entry['peak_gb']:>8.2f} "
                         f"{entry.get('extrapolation', 1.0):>9.3g}")
    lines += ["", "× calib.: the largest work measure of a model's units over the largest one calibrated (how far "
                  "the model extrapolates); * : no sample of that regime, projected from the kind's others."]
    if result.get("uses_assumed_iterations"):
        from works.tasks.networks import PAPER_CAPS

        assumed = ", ".join(f"{kind} {value:,}" for kind, value in result["assumed_iterations"].items())
        lines += ["", f"Task-5 fits without an iteration cap are assumed to run, on average, {assumed} "
                      "iterations (their real length depends on the stopping rule); restricted fits of the paper's "
                      f"landscapes {RESTRICTED_SHARE:.0%} of the cap measured at the paper scale "
                      f"({', '.join(f'{name} {cap:,}' for name, cap in PAPER_CAPS.items())})."]
    if result.get("skipped"):
        lines += ["", f"Not estimated (no cost model yet): task {', '.join(map(str, result['skipped']))}."]
    if not math.isfinite(total["cpu_hours"]):  # pragma: no cover - defensive
        lines.append("warning: a cost model did not converge")
    return "\n".join(lines)
