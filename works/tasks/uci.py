"""Task 4: NEAT agents with and without motif constraints classifying UCI data sets under input noise.

What is configured
    :class:`Task4Config`: the domains (biology, physics-chemistry, health-medicine), the agents, the noise
    levels and the population, generations and repeats of the NEAT runs.
What is computed and stored (``OUT/raw``, names from :mod:`works.layout`)
    Per domain, a per-class half/half split of the data set seeded from the unit key
    (:func:`~works.layout.uci_split_file`, all domains then in :data:`~works.layout.UCI_DATASETS_FILE`), and a
    noise sweep of every agent (:mod:`works.tasks.neat_common`) gathered into
    ``real_world_file(<domain>)``.
What is packed and drawn
    ``supp26`` (S26, class counts), ``supp27`` (S27, feature values), ``supp28`` (S28, training F1),
    ``supp29`` (S29, test F1 per training × evaluation noise), ``supp30`` (S30, best at the own training noise);
    panels in :mod:`works.tasks.uci_figures`.
What the report claims
    Claim 12 (the CartPole ordering of the agents holds on the UCI domains).

Examples
--------
>>> from works.scales import get_scale
>>> splits, training, gathers = plan(get_scale("smoke"))
>>> [unit.key for unit in splits], gathers[-1].key
(['task4/datasets/biology'], 'task4/datasets/gather')
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from works import layout
from works._io import save_npz, save_pack
from works.claims import agent_index, claim, load_npz
from works.layout import AGENT_ORDER, DOMAINS, LETTERS
from works.packing import MissingRaw, Raw
from works.stats import compare_groups
from works.tasks.neat_common import NeatConfig, neat_experiment, neat_result
from works.tasks.uci_figures import FIGURES
from works.units import Unit

__all__ = [
    "CLAIMS",
    "CONFIG",
    "DOMAIN_LABELS",
    "FIGURES",
    "NUMBER",
    "PACKS",
    "Task4Config",
    "best_at_own_noise",
    "pack_supp26",
    "pack_supp27",
    "pack_supp28",
    "pack_supp29",
    "pack_supp30",
    "plan",
    "unit_uci_dataset",
    "unit_uci_gather",
]

NUMBER = 4
_HERE = "works.tasks.uci"
#: Figure labels of the domains.
DOMAIN_LABELS = {"biology": "case study in biology", "physics-chemistry": "case study in physics and chemistry",
                 "health-medicine": "case study in health and medicine"}


@dataclass(frozen=True)
class Task4Config(NeatConfig):
    """UCI classification NEAT (task 4): the domains run and the noise sweep of every agent on each."""

    generations: int = 30
    domains: tuple = ("biology",)


CONFIG = Task4Config


@dataclass(frozen=True)
class SplitUnit:
    """The split of one domain, written to ``output``."""

    domain: str
    output: str
    semantics: str


@dataclass(frozen=True)
class SplitsGatherUnit:
    """The split files of every domain (``files[domain]``)."""

    files: dict


def unit_uci_dataset(config, raw_dir, seed):
    """Task 4: the per-class half/half split of one UCI domain (seeded from the unit key)."""
    from practice.datasets import DATASET_ALIASES, prepare_supervision_data

    unit = SplitUnit(**config)
    # $MOTIFEFFECT_UCI_DIR (set by --uci-dir) if given, else the copies shipped with the package; never downloaded.
    data = prepare_supervision_data(unit.domain, seed=np.random.default_rng(seed), semantics=unit.semantics)
    save_npz(raw_dir / unit.output, {
        "train_x": data.trained_inputs, "train_y": data.trained_outputs.astype(np.int64),
        "test_x": data.tested_inputs, "test_y": data.tested_outputs.astype(np.int64),
        "label_number": np.int64(data.label_number), "feature_names": np.array(data.data_names),
        "feature_types": np.array(data.data_types), "feature_ranges": data.data_ranges,
        "dataset": np.array(DATASET_ALIASES.get(unit.domain, unit.domain))})


def unit_uci_gather(config, raw_dir, seed):
    """Task 4: all domains' splits in one pack (:data:`works.layout.UCI_DATASETS_FILE`)."""
    tree = {}
    for domain, path in SplitsGatherUnit(**config).files.items():
        with np.load(raw_dir / path, allow_pickle=False) as data:
            tree[domain] = {name: data[name] for name in data.files}
    save_pack(raw_dir / layout.UCI_DATASETS_FILE, tree)


def plan(scale) -> list:
    """Task 4 (UCI): dataset splits; NEAT units per domain × agent × noise × chunk; gathers."""
    t4 = scale.task4
    splits, training, gathers, files = [], [], [], {}
    for domain in t4.domains:
        path = layout.uci_split_file(domain)
        files[domain] = path
        splits.append(Unit(f"task4/datasets/{domain}", f"{_HERE}:unit_uci_dataset",
                           asdict(SplitUnit(domain=domain, output=path, semantics=scale.semantics)), (path,), (),
                           scale.seed))
        base = {"population": t4.population, "generations": t4.generations, "eval_noises": list(t4.eval_noises),
                "config_prefix": f"supp/{domain}.", "domain": domain, "dataset_file": path, "episodes": 0,
                "eval_episodes": 0}
        units, gather = neat_experiment(scale, f"task4/{domain}", "uci", t4.agents, t4.train_noises,
                                        "train_noises", layout.real_world_file(domain), base, t4.repeat_chunk,
                                        t4.repeats, extra_depends=(path,))
        training += units
        gathers.append(gather)
    gathers.append(Unit("task4/datasets/gather", f"{_HERE}:unit_uci_gather", asdict(SplitsGatherUnit(files=files)),
                        (layout.UCI_DATASETS_FILE,), tuple(files.values()), scale.seed))
    return [splits, training, gathers]


# --------------------------------------------------------------------------------------------- packs


def best_at_own_noise(test, train_noises, eval_noises) -> np.ndarray:
    """``(A, T)`` number of repeats whose best evaluation score (first maximum) is at their training noise.

    ``test`` is ``(A, T, R, K)``; a training noise that is not an evaluation noise gives NaN.

    Examples
    --------
    >>> best_at_own_noise([[[[0.2, 0.9], [0.8, 0.1]], [[0.3, 0.4], [0.5, 0.5]]]], [0.0, 0.2], [0.0, 0.2]).tolist()
    [[1.0, 1.0]]
    """
    test = np.asarray(test, dtype=np.float64)
    eval_noises = np.asarray(eval_noises, dtype=np.float64)
    best = np.argmax(test, axis=-1)
    out = np.full(test.shape[:2], np.nan)
    for t, level in enumerate(np.asarray(train_noises, dtype=np.float64)):
        match = np.flatnonzero(np.isclose(eval_noises, level))
        if match.size:
            out[:, t] = (best[:, t] == match[0]).sum(axis=-1)
    return out


def _splits(raw: Raw) -> dict:
    tree = raw.pack(layout.UCI_DATASETS_FILE)
    domains = {d: tree[d] for d in DOMAINS if d in tree}
    if not domains:
        raise MissingRaw(f"raw/{layout.UCI_DATASETS_FILE} holds none of the domains {DOMAINS}")
    return domains


def pack_supp26(raw: Raw, scale: str) -> dict:
    """Fig. S26: per domain ("a"/"b"/"c" = biology, physics-chemistry, health-medicine) the class counts of the
    training and test splits: {"label", "classes" (L,), "train" (L,), "test" (L,)}, L = ``label_number``."""
    pack = {}
    for domain, data in _splits(raw).items():
        labels = int(data["label_number"])
        pack["abc"[DOMAINS.index(domain)]] = {
            "label": DOMAIN_LABELS[domain], "classes": np.arange(labels),
            "train": np.bincount(data["train_y"].astype(np.int64), minlength=labels).astype(float),
            "test": np.bincount(data["test_y"].astype(np.int64), minlength=labels).astype(float)}
    return pack


def pack_supp27(raw: Raw, scale: str) -> dict:
    """Fig. S27: per domain {"label", "train" (n_train, d), "test" (n_test, d)} raw feature matrices."""
    return {"abc"[DOMAINS.index(domain)]: {"label": DOMAIN_LABELS[domain], "train": data["train_x"].astype(float),
                                           "test": data["test_x"].astype(float)}
            for domain, data in _splits(raw).items()}


def _runs(raw: Raw) -> dict:
    """The noise sweeps of every domain run (same agents and noises in all), in domain order."""
    runs = {d: neat_result(raw, d, ("agents", "train_noises", "eval_noises", "train_fitness", "test"))
            for d in DOMAINS if raw.exists(layout.real_world_file(d))}
    if not runs:
        raise MissingRaw(f"no raw {layout.real_world_file('<domain>')} for any domain of {DOMAINS}")
    first = next(iter(runs.values()))
    for domain, data in runs.items():
        for key in ("agents", "train_noises", "eval_noises"):
            if data[key].shape != first[key].shape or np.any(data[key] != first[key]):
                raise ValueError(f"raw/{layout.real_world_file(domain)} has other {key!r} than the first domain.")
    return runs


def pack_supp28(raw: Raw, scale: str) -> dict:
    """Fig. S28: per domain {"label", "values" (A, T)} mean training F1 of the best agents; "agents",
    "training_noise" = the axes (shared by the domains)."""
    runs = _runs(raw)
    first = next(iter(runs.values()))
    pack = {"agents": first["agents"], "training_noise": first["train_noises"].astype(float)}
    for domain, data in runs.items():
        pack["abc"[DOMAINS.index(domain)]] = {"label": DOMAIN_LABELS[domain],
                                              "values": data["train_fitness"].mean(axis=-1)}
    return pack


def pack_supp29(raw: Raw, scale: str) -> dict:
    """Fig. S29: mean test F1 (T, K) [training × evaluation noise]; key ``"abcdefghijkl"[4 d + j]`` for domain d
    (biology, physics-chemistry, health-medicine) and agent j (b, i, c, a); absent ones omitted. "domains" =
    the three domain labels; "agents", "training_noise", "evaluation_noise" = the axes."""
    runs = _runs(raw)
    first = next(iter(runs.values()))
    pack = {"agents": first["agents"], "training_noise": first["train_noises"].astype(float),
            "evaluation_noise": first["eval_noises"].astype(float),
            "domains": np.array([DOMAIN_LABELS[d] for d in DOMAINS])}
    for domain, data in runs.items():
        for a, agent in enumerate(data["agents"]):
            if agent in AGENT_ORDER:
                pack[LETTERS[4 * DOMAINS.index(domain) + AGENT_ORDER.index(agent)]] = data["test"][a].mean(axis=1)
    return pack


def pack_supp30(raw: Raw, scale: str) -> dict:
    """Fig. S30: per domain {"label", "values" (A, T)} = number of repeats whose best test score is at the
    evaluation noise equal to their training noise (:func:`best_at_own_noise`); "repeats" = R."""
    runs = _runs(raw)
    first = next(iter(runs.values()))
    pack = {"agents": first["agents"], "training_noise": first["train_noises"].astype(float),
            "repeats": np.int64(first["test"].shape[2])}
    for domain, data in runs.items():
        pack["abc"[DOMAINS.index(domain)]] = {
            "label": DOMAIN_LABELS[domain],
            "values": best_at_own_noise(data["test"], data["train_noises"], data["eval_noises"])}
    return pack


PACKS = {"supp26": pack_supp26, "supp27": pack_supp27, "supp28": pack_supp28, "supp29": pack_supp29,
         "supp30": pack_supp30}


# --------------------------------------------------------------------------------------------- report claims


def _ordering_claims(out_dir: Path) -> list:
    """Claim 12: agent c better than agent i in test F1 on every domain run (one sub-result per domain)."""
    statement = "same ordering (c better than i) on the UCI domains"
    raw = Path(out_dir) / layout.RAW
    parts, comparisons = [], {}
    for j, domain in enumerate(sorted(DOMAINS)):
        data = load_npz(raw / layout.real_world_file(domain))
        if data is None:
            continue
        c, i = agent_index(data, "c"), agent_index(data, "i")
        if c is None or i is None:
            continue
        per_agent = np.asarray(data["test"], dtype=np.float64).mean(axis=-1)  # (A, T, R)
        parts.append(f"{domain}: mean test F1 c {per_agent[c].mean():.3f} vs i {per_agent[i].mean():.3f}")
        comparisons[domain] = compare_groups(per_agent[c], per_agent[i], expected="greater", seed=120 + j)
    if not comparisons:
        return [claim(12, statement, "—", None)]
    return [claim(12, statement, "; ".join(parts), comparison=comparisons, rule="all", figure="supp29",
                  caption="Fig. S29 shows the mean test F1 of each method per training × evaluation noise, one row "
                  "per domain.",
                  note="effect = mean test F1 c − i over trained agents (each averaged over the evaluation noises), "
                       "expected > 0, one line per domain; holds only if every domain holds")]


CLAIMS = (_ordering_claims,)
