"""Task 6: the C. elegans connectome — its motif enrichment, and ElegansNet wired by it against random wirings.

What is configured
    :class:`Task6Config`: the connectome and learning task, the wiring families compared with the connectome
    (degree-preserving, Erdős–Rényi, Watts–Strogatz, Barabási–Albert, partially rewired with fractions ``p``, and
    the connectome with its coherent or incoherent loops removed or as many random edges removed), seeds and the
    training settings; the null models and sample count of the motif enrichment.
What is computed and stored (``OUT/raw``, names from :mod:`works.layout`)
    Stage 1: one unit per (wiring, seed) training one :class:`practice.wiring.ElegansNet`
    (:func:`practice.elegans_experiment.run_unit`) into ``connectome_unit_file(label, index)``, and one unit per
    null model taking the sign-aware census of the connectome against ``enrichment_samples`` null graphs
    (:func:`practice.enrichment.motif_enrichment`) into ``connectome_enrichment_file(null)``.
    Stage 2: the training units gathered into ``connectome_training_file()`` (one row per unit).
What is packed and drawn
    ``ext01`` (enrichment z-scores), ``ext02`` (accuracy per wiring), ``ext03`` (accuracy against the rewired
    fraction) and ``ext04`` (loop counts against accuracy and Lipschitz estimate): packers in
    :mod:`works.tasks.connectome_packs`, panels in :mod:`works.tasks.connectome_figures`.
What the report claims
    Claims 14 (connectome vs each random family), 15 (feed-forward loop enrichment per null model),
    16 (loop counts vs accuracy / Lipschitz across wirings) and 17 (loops-removed retrains). Every comparison uses
    :mod:`works.stats`.

Examples
--------
>>> from works.scales import get_scale
>>> training, gather = plan(get_scale("smoke"))
>>> training[0].key, gather[0].key
('task6/training/connectome/s000', 'task6/training/gather')
>>> [label for label, _, _ in wiring_labels(get_scale("smoke").task6)][:3]
['connectome', 'rewired-0.50', 'rewired-1.00']
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from works import layout
from works._io import save_npz
from works.claims import claim, load_npz
from works.stats import HOLDS, REVERSED, compare_groups, compare_trend
from works.tasks.connectome_figures import FIGURES
from works.tasks.connectome_packs import PACKS, family_of
from works.units import Unit

__all__ = ["CLAIMS", "CONFIG", "FIGURES", "NUMBER", "PACKS", "RANDOM_FAMILIES", "SCALARS", "Task6Config", "plan",
           "unit_enrichment", "unit_train", "unit_training_gather", "wiring_labels"]

NUMBER = 6
_HERE = "works.tasks.connectome"
#: Wirings compared with the connectome in claim 14 (``rewired-1.00`` is the fully rewired connectome).
RANDOM_FAMILIES = ("degree", "er", "ws", "ba", "rewired-1.00")
#: Scalars of :func:`practice.elegans_experiment.run_unit` stored per unit (the gathered columns). The training
#: wall time (``seconds``) is not stored: raw data must be the same bytes on every rerun; the unit's time is in
#: ``raw/manifest.json``.
SCALARS = ("p", "n_neurons", "n_edges", "coherent_loops", "incoherent_loops", "accuracy", "mse", "test_loss",
           "train_loss", "lipschitz", "n_parameters")


@dataclass(frozen=True)
class Task6Config:
    """ElegansNet against random wirings, and the motif enrichment of the connectome (task 6).

    ``families`` are wirings of :data:`practice.elegans_experiment.WIRINGS` other than ``"rewired"``; the rewired
    connectome is added once per fraction of ``fractions``. ``n_train = 0`` trains on the whole training split.
    ``synapses`` is the graph ElegansNet is wired by; ``enrichment_synapses`` the graph whose census is taken
    (chemical only by default: gap junctions are reciprocal pairs, which no loop, collider, fork or chain touches).
    """

    task: str = "digits"
    connectome: str = "cook2019"
    synapses: tuple = ("chemical", "electrical")
    families: tuple = ("connectome", "degree", "er", "ws", "ba", "no-coherent", "no-incoherent", "random-removal")
    fractions: tuple = (0.1, 0.25, 0.5, 0.75, 1.0)
    seeds: int = 10
    epochs: int = 1
    width: int = 4
    steps: int = 4
    lr: float = 1e-2
    batch_size: int = 64
    n_train: int = 0
    n_lipschitz: int = 64
    enrichment_synapses: tuple = ("chemical",)
    nulls: tuple = ("degree", "rewire", "er", "ws", "ba")
    enrichment_samples: int = 100


CONFIG = Task6Config


def wiring_labels(config: Task6Config) -> list:
    """``(label, wiring, p)`` of every wiring trained: the connectome, the rewired fractions, then the families.

    Labels are the wiring names of :data:`practice.elegans_experiment.WIRINGS`, with the rewired connectome as
    ``"rewired-<p:.2f>"``.
    """
    labels = [("connectome", "connectome", 0.0)] if "connectome" in config.families else []
    labels += [(f"rewired-{p:.2f}", "rewired", float(p)) for p in config.fractions]
    labels += [(kind, kind, 0.0) for kind in config.families if kind != "connectome"]
    return labels


# --------------------------------------------------------------------------------------------- unit configs


@dataclass(frozen=True)
class TrainingUnit:
    """One (wiring, seed) unit: build the wiring, train ElegansNet, store its scalars."""

    task: str
    connectome: str
    synapses: list
    label: str
    wiring: str
    p: float
    index: int
    epochs: int
    width: int
    steps: int
    lr: float
    batch_size: int
    n_train: int
    n_lipschitz: int
    output: str


@dataclass(frozen=True)
class TrainingGatherUnit:
    """The training unit files in plan order."""

    task: str
    connectome: str
    files: list
    output: str


@dataclass(frozen=True)
class EnrichmentUnit:
    """The census of the connectome against ``n_samples`` graphs of one null model."""

    connectome: str
    synapses: list
    null: str
    n_samples: int
    output: str


# --------------------------------------------------------------------------------------------- units


def _int_seed(sequence) -> int:
    return int(sequence.generate_state(1)[0])


def unit_train(config, raw_dir, seed):
    """Task 6: train one ElegansNet on one wiring (single-threaded torch) and store the scalars of the run."""
    import torch

    from practice.elegans_experiment import run_unit

    torch.set_num_threads(1)
    unit = TrainingUnit(**config)
    result = run_unit(unit.task, unit.wiring, seed=_int_seed(seed), connectome=unit.connectome, p=unit.p,
                      epochs=unit.epochs, width=unit.width, steps=unit.steps, lr=unit.lr, batch_size=unit.batch_size,
                      n_train=unit.n_train or None, n_lipschitz=unit.n_lipschitz, synapses=tuple(unit.synapses))
    arrays = {name: np.float64(result[name]) for name in SCALARS}
    arrays.update(label=np.array(unit.label), wiring=np.array(unit.wiring), index=np.int64(unit.index),
                  seed=np.uint64(result["seed"]))
    save_npz(raw_dir / unit.output, arrays)


def unit_training_gather(config, raw_dir, seed):
    """Task 6: every training unit as one row of ``connectome/training.npz``."""
    unit = TrainingGatherUnit(**config)
    rows = [load_npz(raw_dir / path) for path in unit.files]
    out = {"task": np.array(unit.task), "connectome": np.array(unit.connectome),
           "label": np.array([str(row["label"]) for row in rows]),
           "wiring": np.array([str(row["wiring"]) for row in rows]),
           "index": np.array([int(row["index"]) for row in rows], dtype=np.int64),
           "seed": np.array([int(row["seed"]) for row in rows], dtype=np.uint64)}
    for name in SCALARS:
        out[name] = np.array([float(row[name]) for row in rows], dtype=np.float64)
    save_npz(raw_dir / unit.output, out)


def unit_enrichment(config, raw_dir, seed):
    """Task 6: sign-aware census of the connectome and of ``n_samples`` graphs of one null model."""
    from practice.connectome import load_connectome
    from practice.enrichment import motif_enrichment

    unit = EnrichmentUnit(**config)
    adjacency = load_connectome(unit.connectome, synapses=tuple(unit.synapses), signed=True).adjacency
    result = motif_enrichment(adjacency, null=unit.null, n_samples=unit.n_samples, seed=_int_seed(seed))
    save_npz(raw_dir / unit.output, {
        "names": np.array(result.names), "observed": result.observed, "samples": result.samples,
        "mean": result.mean, "std": result.std, "z": result.z, "p_greater": result.p_greater,
        "p_less": result.p_less, "null": np.array(unit.null), "connectome": np.array(unit.connectome),
        "synapses": np.array(list(unit.synapses))})


# --------------------------------------------------------------------------------------------- planner


def plan(scale) -> list:
    """Task 6: training units per (wiring, seed) and enrichment units per null model; then the gather."""
    t6 = scale.task6
    training, files = [], []
    for label, wiring, p in wiring_labels(t6):
        for index in range(t6.seeds):
            path = layout.connectome_unit_file(label, index)
            files.append(path)
            config = TrainingUnit(task=t6.task, connectome=t6.connectome, synapses=list(t6.synapses), label=label,
                                  wiring=wiring, p=p, index=index, epochs=t6.epochs, width=t6.width,
                                  steps=t6.steps, lr=t6.lr, batch_size=t6.batch_size, n_train=t6.n_train,
                                  n_lipschitz=t6.n_lipschitz, output=path)
            training.append(Unit(f"task6/training/{label}/s{index:03d}", f"{_HERE}:unit_train", asdict(config),
                                 (path,), (), scale.seed))
    for null in t6.nulls:
        path = layout.connectome_enrichment_file(null)
        config = EnrichmentUnit(connectome=t6.connectome, synapses=list(t6.enrichment_synapses), null=null,
                                n_samples=t6.enrichment_samples, output=path)
        training.append(Unit(f"task6/enrichment/{null}", f"{_HERE}:unit_enrichment", asdict(config), (path,), (),
                             scale.seed))
    output = layout.connectome_training_file()
    gather = Unit("task6/training/gather", f"{_HERE}:unit_training_gather",
                  asdict(TrainingGatherUnit(task=t6.task, connectome=t6.connectome, files=files, output=output)),
                  (output,), tuple(files), scale.seed)
    return [training, [gather]]


# --------------------------------------------------------------------------------------------- report claims


def _metric(data) -> tuple:
    """``(column, expected direction for "better")``: accuracy (higher) or, for a reconstruction, MSE (lower)."""
    if np.isfinite(data["accuracy"]).any():
        return "accuracy", "greater"
    return "mse", "less"


def _values(data, label: str, column: str) -> np.ndarray:
    values = data[column][data["label"] == label]
    return values[np.isfinite(values)]


#: Whether :func:`works.claims.claim` takes the statistics and the figure of a row (``comparison=``, ``figure=``).
#: Figure and caption of each claim.
_FIGURES = {14: ("ext02", "ElegansNet test metric per wiring: every (wiring, seed) and the mean with its 95 % CI."),
            15: ("ext01", "z-score of every census type of the connectome against each null model."),
            16: ("ext04", "Loop counts of every wiring against its trained test metric and Lipschitz estimate."),
            17: ("ext02", "ElegansNet test metric per wiring, including the loops-removed connectomes.")}


def _row(number, statement, measured, note, comparison=None, flag=None) -> dict:
    """One report row with its figure; a comparison decides the verdict (see :func:`works.claims.claim`)."""
    figure, caption = _FIGURES[number]
    return claim(number, statement, measured, flag, note, comparison=comparison, figure=figure, caption=caption)


def _group_row(number, statement, data, first, second, column, expected, note) -> dict:
    a, b = _values(data, first, column), _values(data, second, column)
    if a.size == 0 or b.size == 0:
        return _row(number, statement, "—", note)
    result = compare_groups(a, b, expected=expected, seed=number)
    measured = (f"{column} {first} {np.mean(a):.4g} vs {second} {np.mean(b):.4g}; {result.describe()}")
    return _row(number, statement, measured, note, comparison=result)


def _training(out_dir: Path):
    return load_npz(Path(out_dir) / layout.RAW / layout.connectome_training_file())


def wiring_claims(out_dir) -> list:
    """Claim 14: the connectome wiring against each random family (difference of means, bootstrap CI, U test)."""
    data = _training(out_dir)
    statement = "ElegansNet: the connectome wiring learns better than {} wiring"
    if data is None:
        return [_row(14, statement.format("random"), "—", "")]
    column, expected = _metric(data)
    note = f"{data['task']} test {column}, one value per (wiring, seed); Mann–Whitney U"
    present = [family for family in RANDOM_FAMILIES if np.any(data["label"] == family)]
    if not present:
        return [_row(14, statement.format("random"), "—", note)]
    return [_group_row(14, statement.format(family_of(family)), data, "connectome", family, column, expected, note)
            for family in present]


def _loop_total(table):
    """Observed and per-sample totals of the eight signed loop types."""
    names = [str(n) for n in table["names"]]
    loops = [i for i, name in enumerate(names) if "loop" in name]
    return int(np.sum(table["observed"][loops])), table["samples"][:, loops].sum(axis=1)


def enrichment_claims(out_dir) -> list:
    """Claim 15: feed-forward loops (all eight signed loop types) against each null model, with z and empirical p."""
    statement = "feed-forward loops are over-represented in the C. elegans connectome (vs {} null)"
    raw = Path(out_dir) / layout.RAW
    rows = []
    for null in ("degree", "rewire", "er", "ws", "ba"):
        table = load_npz(raw / layout.connectome_enrichment_file(null))
        if table is None:
            continue
        observed, samples = _loop_total(table)
        count = samples.size
        std = float(np.std(samples, ddof=1)) if count > 1 else 0.0
        z = (observed - float(np.mean(samples))) / std if std > 0 else float("nan")
        p_greater = (1 + int(np.sum(samples >= observed))) / (1 + count)
        p_less = (1 + int(np.sum(samples <= observed))) / (1 + count)
        names = [str(n) for n in table["names"]]
        detail = ", ".join(f"{name} z = {table['z'][names.index(name)]:.3g}"
                           for name in ("coherent-loop.1", "coherent-loop.3", "incoherent-loop.2",
                                        "incoherent-loop.4", "fork", "chain") if name in names)
        measured = (f"loops observed {observed:,} vs null {np.mean(samples):.4g} ± {std:.3g} (n = {count} samples); "
                    f"z = {z:.3g}; empirical p(≥) = {p_greater:.3g}, p(≤) = {p_less:.3g}; {detail}")
        flag = HOLDS if p_greater <= 0.05 and observed > np.mean(samples) else (
            REVERSED if p_less <= 0.05 else "not resolved (both empirical p > 0.05)")
        synapses = "+".join(str(s) for s in np.atleast_1d(table["synapses"]))
        rows.append(_row(15, statement.format(family_of(null)), measured,
                         f"{table['connectome']} ({synapses} synapses), sign-aware census; one-sided empirical "
                         "p-value ≤ 0.05 needed", flag=flag))
    return rows or [_row(15, statement.format("random"), "—", "")]


def loop_claims(out_dir) -> list:
    """Claim 16: loop counts of every wiring trained against its accuracy and Lipschitz estimate (Spearman trends)."""
    data = _training(out_dir)
    first = "across wirings, more incoherent loops → lower Lipschitz estimate of the trained network"
    second = "across wirings, more coherent loops → worse trained performance"
    if data is None:
        return [_row(16, first, "—", ""), _row(16, second, "—", "")]
    column, expected = _metric(data)
    note = "exploratory: loop counts differ mostly between wiring families; one point per (wiring, seed)"
    rows = []
    for statement, x_name, y_name, direction in (
            (first, "incoherent_loops", "lipschitz", "less"),
            (second, "coherent_loops", column, "less" if expected == "greater" else "greater")):
        x, y = data[x_name], data[y_name]
        keep = np.isfinite(x) & np.isfinite(y)
        result = compare_trend(x[keep], y[keep], expected=direction, seed=16)
        rows.append(_row(16, statement, f"{x_name} vs {y_name}: {result.describe()}", note, comparison=result))
    return rows


def removal_claims(out_dir) -> list:
    """Claim 17: the connectome retrained without its coherent loops, without its incoherent loops, or with as many
    random edges removed — the network-level analogue of the motif-constrained NEAT agents."""
    data = _training(out_dir)
    first = "connectome without coherent loops (L_i + C) learns better than without incoherent loops (L_c + C)"
    second = "removing the coherent loops hurts less than removing as many random edges"
    if data is None:
        return [_row(17, first, "—", ""), _row(17, second, "—", "")]
    column, expected = _metric(data)
    note = f"{data['task']} test {column}; loops removed from the connectome with practice.enrichment.remove_loops"
    return [_group_row(17, first, data, "no-coherent", "no-incoherent", column, expected, note),
            _group_row(17, second, data, "no-coherent", "random-removal", column, expected, note)]


CLAIMS = (wiring_claims, enrichment_claims, loop_claims, removal_claims)
