"""Task 7: learned activation diversity (MNIST-1D, van der Pol) and motifs built from learned activations.

What is configured
    :class:`Task7Config`: the tasks (``"mnist1d"``, ``"vanderpol"``), the network types compared
    (homogeneous ``relu``, ``tanh``, ``sine``, ``type-1``, ``type-2`` and the ``mix`` of both learned types),
    the number of initialisations per network type, the sizes of data, meta-learning, training and Hessian
    estimates (turned into :class:`effect.diversity_experiments.DiversitySizes` by :meth:`Task7Config.sizes`),
    and the parameter grid of the loop comparison.
What is computed and stored (``OUT/raw``, names from :mod:`works.layout`)
    Stage 1, per task: two activation types meta-learned in a mixed hidden layer
    (:func:`effect.diversity_experiments.learn_types`), frozen as 100-point interpolations and stored with
    :func:`effect.diversity_experiments.types_to_arrays` in ``diversity_types_file(task)``.
    Stage 2, per (task, network type, initialisation): one trained network and its scalars (test loss,
    accuracy or forecast error, participation ratio, Hessian trace, near-zero eigenvalue fraction;
    :func:`effect.diversity_experiments.run_unit`) in ``diversity_unit_file``; per task, incoherent vs
    coherent loops of a parameter grid under tanh and under the learned types
    (:func:`effect.diversity_experiments.compare_loop_types`) in ``diversity_loops_file(task)``.
    Stage 3, per task: the unit files gathered into ``diversity_file(task)``.
What is packed and drawn
    ``ext05`` (accuracy and loss per network type), ``ext06`` (joint density of accuracy / loss and the
    normalised participation ratio r), ``ext07`` (Hessian trace and near-zero eigenvalue fraction per type),
    ``ext08`` (the learned activations and the loop ordering under them): packers in
    :mod:`works.tasks.diversity_packs`, panels in :mod:`works.tasks.diversity_figures`.
What the report claims
    Claims 71-75 (:mod:`works.tasks.diversity_claims`): the mix beats each pure type, has a higher
    participation ratio, a flatter minimum (smaller Hessian trace, more near-zero eigenvalues), and whether
    the loop ordering of the motif study survives learned node activations.

Examples
--------
>>> from works.scales import get_scale
>>> learn, train, gather = plan(get_scale("smoke"))
>>> learn[0].key, train[0].key, gather[0].key
('task7/mnist1d/types', 'task7/mnist1d/relu/s000', 'task7/mnist1d/gather')
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np

from works import layout
from works._io import save_npz
from works.tasks.diversity_claims import CLAIMS
from works.tasks.diversity_figures import FIGURES
from works.tasks.diversity_packs import PACKS, SCALARS
from works.units import Unit

__all__ = ["CLAIMS", "CONFIG", "FIGURES", "LOOP_LABELS", "NUMBER", "PACKS", "Task7Config", "plan", "unit_gather",
           "unit_learn_types", "unit_loops", "unit_network"]

NUMBER = 7
_HERE = "works.tasks.diversity"
#: Activations of the loop comparison: label -> tanh or the learned types (``mix`` = hidden type-1, output type-2).
LOOP_LABELS = ("tanh", "type-1", "type-2", "mix")


@dataclass(frozen=True)
class Task7Config:
    """Learned-diversity experiment (task 7).

    The size fields are those of :class:`effect.diversity_experiments.DiversitySizes` (defaults here: the
    quick recipe); ``seeds`` is the number of initialisations per (task, network type); ``loop_magnitudes``,
    ``loop_biases``, ``loop_points`` and ``loop_indices`` span the parameter grid of the loop comparison.
    """

    tasks: tuple = ("mnist1d", "vanderpol")
    network_types: tuple = ("relu", "tanh", "sine", "type-1", "type-2", "mix")
    seeds: int = 20
    samples: int = 2000
    trajectories: int = 16
    steps: int = 100
    hidden: int = 100
    sub_hidden: int = 30
    base: str = "sine"
    outer_steps: int = 50
    inner_steps: int = 3
    meta_batch: int = 128
    epochs: int = 10
    batch_size: int = 100
    hessian_points: int = 200
    trace_samples: int = 20
    slq_iterations: int = 20
    slq_runs: int = 2
    forecast_steps: int = 40
    loop_magnitudes: tuple = (0.25, 0.5, 0.75, 1.0)
    loop_biases: tuple = (-1.0, -0.5, 0.0, 0.5, 1.0)
    loop_points: int = 21
    loop_indices: tuple = (1, 2, 3, 4)

    def sizes(self):
        """The :class:`effect.diversity_experiments.DiversitySizes` of this config (other sizes at their defaults).

        Examples
        --------
        >>> Task7Config(epochs=3).sizes().epochs
        3
        """
        from effect.diversity_experiments import DiversitySizes

        names = {f.name for f in fields(DiversitySizes)}
        return DiversitySizes(**{k: v for k, v in asdict(self).items() if k in names})


CONFIG = Task7Config


def _sizes(config: dict):
    from effect.diversity_experiments import DiversitySizes

    return DiversitySizes(**config["sizes"])


def _int_seed(sequence) -> int:
    return int(sequence.generate_state(1)[0] % (2**31 - 1))


def _load_types(raw_dir, path: str):
    from effect.diversity_experiments import types_from_arrays

    with np.load(raw_dir / path, allow_pickle=False) as data:
        return types_from_arrays({"knots": data["knots"], "values": data["values"]})


# --------------------------------------------------------------------------------------------- units


def unit_learn_types(config, raw_dir, seed):
    """Stage 1: meta-learn two activation types for ``config["task"]`` and store them (knots, values, losses)."""
    from effect.diversity_experiments import learn_types, types_to_arrays

    sizes = _sizes(config)
    learned = learn_types(config["task"], sizes, seed=_int_seed(seed))
    arrays = types_to_arrays(learned.types)
    save_npz(raw_dir / config["output"], {**arrays, "outer_loss": np.asarray(learned.history.outer_loss, float),
                                          "inner_loss": np.asarray(learned.history.inner_loss, float),
                                          "base": np.array(sizes.base)})


def unit_network(config, raw_dir, seed):
    """Stage 2: train one network of ``config["network_type"]`` from the unit's seed and store its scalars."""
    from effect.diversity_experiments import run_unit, task_data

    sizes = _sizes(config)
    types = _load_types(raw_dir, config["types_file"])
    data = task_data(config["task"], sizes)
    result = run_unit(config["task"], config["network_type"], _int_seed(seed), types, sizes, data)
    save_npz(raw_dir / config["output"], {name: np.float64(value) for name, value in result.items()})


def unit_loops(config, raw_dir, seed):
    """Stage 2: incoherent vs coherent loops of a parameter grid under tanh and the task's learned types.

    Stores, per label of :data:`LOOP_LABELS` and loop type, the Lipschitz estimate and the nearest-collider
    difference of every loop (``"<label>/<loop>/lipschitz"``, ``"<label>/<loop>/difference"``).
    """
    from effect.diversity_experiments import compare_loop_types

    first, second = _load_types(raw_dir, config["types_file"])
    activations = {"tanh": "tanh", "type-1": first, "type-2": second, "mix": (first, second)}
    result = compare_loop_types(activations, magnitudes=config["magnitudes"], biases=config["biases"],
                                points=config["points"], indices=tuple(config["indices"]))
    out = {"labels": np.array(LOOP_LABELS), "loop_types": np.array(layout.LOOP_TYPES)}
    for label in LOOP_LABELS:
        for loop in layout.LOOP_TYPES:
            for measure in ("lipschitz", "difference"):
                out[f"{label}/{loop}/{measure}"] = np.asarray(result[label][loop][measure], dtype=np.float64)
    save_npz(raw_dir / config["output"], out)


def unit_gather(config, raw_dir, seed):
    """Stage 3: one ``diversity/<task>.npz`` per task: ``network_types`` (T,), ``seeds`` and one ``(T, S)``
    array per scalar (NaN where a scalar does not apply, e.g. accuracy of van der Pol)."""
    types, count = config["network_types"], config["seeds"]
    out = {"task": np.array(config["task"]), "network_types": np.array(types), "seeds": np.int64(count)}
    tables = {name: np.full((len(types), count), np.nan) for name in SCALARS}
    for t, network_type in enumerate(types):
        for s in range(count):
            with np.load(raw_dir / layout.diversity_unit_file(config["task"], network_type, s),
                         allow_pickle=False) as data:
                for name in SCALARS:
                    if name in data.files:
                        tables[name][t, s] = float(data[name])
    out.update(tables)
    save_npz(raw_dir / config["output"], out)


# --------------------------------------------------------------------------------------------- planner


def plan(scale) -> list:
    """Task 7: learn the types per task; one unit per (task, network type, seed) and a loop unit; gathers."""
    t7 = scale.task7
    sizes = asdict(t7.sizes())
    learn, train, gather = [], [], []
    for task in t7.tasks:
        types_file = layout.diversity_types_file(task)
        learn.append(Unit(f"task7/{task}/types", f"{_HERE}:unit_learn_types",
                          {"task": task, "sizes": sizes, "output": types_file}, (types_file,), (), scale.seed))
        files = []
        for network_type in t7.network_types:
            for s in range(t7.seeds):
                path = layout.diversity_unit_file(task, network_type, s)
                files.append(path)
                train.append(Unit(f"task7/{task}/{network_type}/s{s:03d}", f"{_HERE}:unit_network",
                                  {"task": task, "network_type": network_type, "seed_index": s, "sizes": sizes,
                                   "types_file": types_file, "output": path}, (path,), (types_file,), scale.seed))
        loops_file = layout.diversity_loops_file(task)
        train.append(Unit(f"task7/{task}/loops", f"{_HERE}:unit_loops",
                          {"task": task, "types_file": types_file, "magnitudes": list(t7.loop_magnitudes),
                           "biases": list(t7.loop_biases), "points": t7.loop_points,
                           "indices": list(t7.loop_indices), "output": loops_file},
                          (loops_file,), (types_file,), scale.seed))
        output = layout.diversity_file(task)
        gather.append(Unit(f"task7/{task}/gather", f"{_HERE}:unit_gather",
                           {"task": task, "network_types": list(t7.network_types), "seeds": t7.seeds,
                            "output": output}, (output,), tuple(files), scale.seed))
    return [learn, train, gather]
