"""Task 3: NEAT agents with and without motif constraints balancing a noisy CartPole.

What is configured
    :class:`Task3Config`: the agents (``b`` baseline, ``i`` / ``c`` with incoherent / coherent loops
    prohibited, ``a`` collider-only), the population, episodes, generations and repeats of three experiments.
What is computed and stored (``OUT/raw``, names from :mod:`works.layout`)
    ``adjustments.1``: every agent trained at every training noise and evaluated at every evaluation noise;
    ``iterations``: agents trained at one noise with growing generation caps (how many qualify);
    ``adjustments.2``: long runs at one training noise. Each experiment is one series of NEAT units
    (:mod:`works.tasks.neat_common`) gathered into :func:`~works.layout.real_world_file`.
What is packed and drawn
    ``main05`` (Fig. 5, training and evaluation scores), ``main06`` (Fig. 6, qualified agents per cap and the
    outcome types S, F1, F2, F3 of the long runs), ``supp24`` (S24, scores per failure type) and ``supp25``
    (S25, every F3 agent); panels in :mod:`works.tasks.cartpole_figures`.
What the report claims
    Claims 9 (training fitness under noise), 10 (passing evaluation cells) and 11 (generation caps).

Examples
--------
>>> from works.scales import get_scale
>>> work, gathers = plan(get_scale("smoke"))
>>> [unit.key for unit in gathers]
['task3/adjustments.1/gather', 'task3/iterations/gather', 'task3/adjustments.2/gather']
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from works import layout
from works.claims import agent_index, claim, load_npz
from works.layout import AGENT_ORDER, PASS_SCORE
from works.packing import Raw
from works.stats import compare_counts, compare_groups
from works.tasks.cartpole_figures import FIGURES
from works.tasks.neat_common import NeatConfig, neat_experiment, neat_result

__all__ = [
    "CLAIMS",
    "CONFIG",
    "FIGURES",
    "NUMBER",
    "OUTCOMES",
    "PACKS",
    "Task3Config",
    "classify_outcomes",
    "pack_main05",
    "pack_main06",
    "pack_supp24",
    "pack_supp25",
    "plan",
]

NUMBER = 3
#: Outcome types of the long runs (Fig. 6): success, then three kinds of failure.
OUTCOMES = ("S", "F1", "F2", "F3")
#: Panel letters of the agents b, i, c, a in Fig. 5 and Fig. 6.
AGENT_PANELS = dict(zip(AGENT_ORDER, "cdef"))


@dataclass(frozen=True)
class Task3Config(NeatConfig):
    """CartPole NEAT (task 3): the noise sweep, the generation caps and the long runs.

    ``episodes`` / ``eval_episodes`` per fitness evaluation in training / evaluation; the caps experiment trains
    ``caps_repeats`` agents at ``caps_noise`` for each cap; the long runs ``long_repeats`` agents for
    ``long_generations`` at ``long_noise``. ``caps_from_one_run`` trains each repeat of the caps experiment
    once to the largest cap and reads it at every cap (:func:`practice.agent.train_at_caps`; what each cap's
    separate run with the same seeds returns, see ``docs/quirks/practice-neat.md`` row 16); off, every cap
    is a separate run with its own seeds.
    """

    episodes: int = 10
    eval_episodes: int = 20
    caps: tuple = (10, 20)
    caps_repeats: int = 10
    caps_noise: float = 0.2
    long_generations: int = 30
    long_repeats: int = 10
    long_noise: float = 0.2
    caps_from_one_run: bool = False


CONFIG = Task3Config


def plan(scale) -> list:
    """Task 3 (CartPole): noise sweep, generation caps and long runs; units per agent × setting × chunk."""
    t3 = scale.task3
    base = {"population": t3.population, "episodes": t3.episodes, "eval_episodes": t3.eval_episodes,
            "eval_noises": list(t3.eval_noises), "config_prefix": "main/"}
    experiments = [
        ("task3/adjustments.1", t3.train_noises, "train_noises", "adjustments.1",
         dict(base, generations=t3.generations), t3.repeats),
        ("task3/iterations", t3.caps, "caps", "iterations", dict(base, train_noise=t3.caps_noise), t3.caps_repeats),
        ("task3/adjustments.2", (t3.long_noise,), "single", "adjustments.2",
         dict(base, generations=t3.long_generations, train_noise=t3.long_noise), t3.long_repeats),
    ]
    work, gathers = [], []
    for series, settings, axis, name, config, repeats in experiments:
        units, gather = neat_experiment(scale, series, "cartpole", t3.agents, settings, axis,
                                        layout.real_world_file(name), config, t3.repeat_chunk, repeats,
                                        caps_from_one_run=t3.caps_from_one_run)
        work += units
        gathers.append(gather)
    return [work, gathers]


# --------------------------------------------------------------------------------------------- packs


def classify_outcomes(scores, eval_noises, train_noise: float, pass_score: float = PASS_SCORE) -> np.ndarray:
    """Outcome type per agent (Fig. 6): 0 = S, 1 = F1, 2 = F2, 3 = F3.

    ``scores`` is ``(R, K)`` over ``eval_noises`` (K,). S: ``score ≥ pass_score`` at every evaluation noise
    ``≤ train_noise`` (0.0–0.3 in the reference, trained at 0.3). Otherwise F2 when every score fails and
    ``score(0.0) > score(0.4)`` and ``score(0.0) > score(0.2)`` (comparisons with levels absent from
    ``eval_noises`` are dropped; the lowest level stands for 0.0), F3 when every score fails, else F1.

    Examples
    --------
    >>> classify_outcomes([[200, 199, 198, 196, 100], [190, 180, 185, 170, 160], [160, 175, 185, 190, 170],
    ...                    [200, 100, 100, 100, 100]], [0, 0.1, 0.2, 0.3, 0.4], 0.3).tolist()
    [0, 2, 3, 1]
    """
    scores = np.atleast_2d(np.asarray(scores, dtype=np.float64))
    eval_noises = np.asarray(eval_noises, dtype=np.float64)
    if scores.shape[-1] != eval_noises.size:
        raise ValueError(f"scores must have shape (R, {eval_noises.size}) to match eval_noises, got {scores.shape}.")
    passed = scores >= pass_score
    guarded = eval_noises <= train_noise + 1e-9
    success = passed[:, guarded].all(axis=1)
    failed = ~passed.any(axis=1)
    first = scores[:, int(np.argmin(eval_noises))]
    decline = np.ones(len(scores), dtype=bool)
    for level in (0.4, 0.2):
        match = np.flatnonzero(np.isclose(eval_noises, level))
        if match.size and not np.isclose(level, eval_noises.min()):
            decline &= first > scores[:, match[0]]
    out = np.full(len(scores), 1, dtype=np.int64)
    out[failed] = 3
    out[failed & decline] = 2
    out[success] = 0
    return out


def pack_main05(raw: Raw, scale: str) -> dict:
    """Fig. 5 from ``real-world/adjustments.1.npz``: "b" (A, T) mean training fitness of the best agents over the
    repeats; "c"–"f" (agents b, i, c, a; absent agents omitted) (T, K) mean evaluation score [training noise ×
    evaluation noise]; "agents", "training_noise", "evaluation_noise" = the axes."""
    data = neat_result(raw, "adjustments.1", ("agents", "train_noises", "eval_noises", "train_fitness", "test"))
    pack = {"agents": data["agents"], "training_noise": data["train_noises"].astype(float),
            "evaluation_noise": data["eval_noises"].astype(float), "b": data["train_fitness"].mean(axis=-1)}
    for a, agent in enumerate(data["agents"]):
        if agent in AGENT_PANELS:
            pack[AGENT_PANELS[agent]] = data["test"][a].mean(axis=1)
    return pack


def _long_runs(raw: Raw):
    """The long runs and the outcome type of every repeat of every agent (list over agents)."""
    runs = neat_result(raw, "adjustments.2", ("agents", "eval_noises", "train_noise", "test"))
    kinds = [classify_outcomes(runs["test"][a], runs["eval_noises"], float(runs["train_noise"]))
             for a in range(len(runs["agents"]))]
    return runs, kinds


def pack_main06(raw: Raw, scale: str) -> dict:
    """Fig. 6: "a" from ``real-world/iterations.npz`` = {"caps", "repeats", agent: qualified counts (C,)}
    (recounted from ``test`` when ``qualified`` is absent); "c"–"f" (agents b, i, c, a) from
    ``real-world/adjustments.2.npz`` = counts (4,) of the outcome types [S, F1, F2, F3]
    (:func:`classify_outcomes`); "outcomes" = the type names, "train_noise" = the long runs' training noise."""
    caps = neat_result(raw, "iterations", ("agents", "caps", "test", "eval_noises"))
    if "qualified" in caps:
        qualified = caps["qualified"]
    else:
        min_passes = max(1, caps["eval_noises"].size - 1)
        qualified = ((caps["test"] >= PASS_SCORE).sum(axis=-1) >= min_passes).sum(axis=-1)
    pack = {"a": {"caps": caps["caps"].astype(np.int64), "repeats": np.int64(caps["test"].shape[2]),
                  **{agent: qualified[a].astype(float) for a, agent in enumerate(caps["agents"])}},
            "outcomes": np.array(OUTCOMES)}
    runs, kinds = _long_runs(raw)
    pack["train_noise"] = np.float64(runs["train_noise"])
    for a, agent in enumerate(runs["agents"]):
        if agent in AGENT_PANELS:
            pack[AGENT_PANELS[agent]] = np.bincount(kinds[a], minlength=4).astype(float)
    return pack


def pack_supp24(raw: Raw, scale: str) -> dict:
    """Fig. S24 from ``real-world/adjustments.2.npz``: per agent {"F1", "F2", "F3"} evaluation-score rows
    (n, K) of the agents of that outcome type (possibly (0, K)); "evaluation_noise" (K,)."""
    runs, kinds = _long_runs(raw)
    pack = {"evaluation_noise": runs["eval_noises"].astype(float)}
    for a, agent in enumerate(runs["agents"]):
        pack[agent] = {name: runs["test"][a][kinds[a] == k] for k, name in enumerate(OUTCOMES) if k > 0}
    return pack


def pack_supp25(raw: Raw, scale: str) -> dict:
    """Fig. S25: F3 evaluation-score rows (n, K) per agent, "a"…"d" = agents b, i, c, a (absent agents omitted)."""
    runs, kinds = _long_runs(raw)
    pack = {"evaluation_noise": runs["eval_noises"].astype(float)}
    for a, agent in enumerate(runs["agents"]):
        if agent in AGENT_ORDER:
            pack["abcd"[AGENT_ORDER.index(agent)]] = runs["test"][a][kinds[a] == 3]
    return pack


PACKS = {"main05": pack_main05, "main06": pack_main06, "supp24": pack_supp24, "supp25": pack_supp25}


# --------------------------------------------------------------------------------------------- report claims


_CAPTION_MAIN05 = ("Fig. 5 shows the mean training fitness of each method per training noise (b) and the mean "
                   "evaluation score of each method per training × evaluation noise, pass cells marked (c–f).")


def _sweep_claims(out_dir: Path) -> list:
    """Claims 9 and 10 from the noise sweep (agents c and i).

    Claim 9: the training fitness of the c agents vs the i agents, one sub-result per training noise > 0 (every
    repeat is one agent); it holds when every noise holds. Claim 10: the evaluation score of each agent averaged
    over the evaluation noises (primary), and the count of evaluations scoring at least the pass score.
    """
    statement9 = "[L_i + C] (c) ≥ [L_c + C] (i) in mean training fitness at every training noise > 0"
    statement10 = "more passing evaluation cells (mean ≥ 195) for c than for i"
    sweep = load_npz(Path(out_dir) / layout.RAW / layout.real_world_file("adjustments.1"))
    c = i = None
    if sweep is not None:
        c, i = agent_index(sweep, "c"), agent_index(sweep, "i")
    if sweep is None or c is None or i is None:
        return [claim(9, statement9, "—", None), claim(10, statement10, "—", None)]
    noises = sweep["train_noises"]
    fitness = np.asarray(sweep["train_fitness"], dtype=np.float64)  # (A, T, R)
    means = fitness.mean(axis=-1)
    text = ", ".join(f"{n:.0%}: c {means[c, j]:.1f} vs i {means[i, j]:.1f}" for j, n in enumerate(noises))
    noisy = {f"noise {n:.0%}": compare_groups(fitness[c, j], fitness[i, j], expected="greater", seed=90 + j)
             for j, n in enumerate(noises) if n > 0}
    row9 = (claim(9, statement9, "mean training fitness " + text, comparison=noisy, rule="all", figure="main05",
                  caption=_CAPTION_MAIN05,
                  note="effect = mean fitness c − i over repeats (expected > 0), one line per training noise; "
                       "holds only if every noise holds, reversed if any noise is reversed")
            if noisy else claim(9, statement9, text, None, "no training noise > 0 was run"))
    test = np.asarray(sweep["test"], dtype=np.float64)  # (A, T, R, K)
    cells = test.mean(axis=2)
    passes = (cells >= PASS_SCORE).sum(axis=(1, 2))
    per_agent = test.mean(axis=-1)  # (A, T, R): one score per trained agent
    evaluations = test[c].size
    passed = {a: int(np.sum(test[a] >= PASS_SCORE)) for a in (c, i)}
    row10 = claim(10, statement10,
                  f"pass cells (mean over repeats ≥ {PASS_SCORE:g}) c {passes[c]} vs i {passes[i]} of {cells[0].size}; "
                  f"mean evaluation score c {per_agent[c].mean():.1f} vs i {per_agent[i].mean():.1f}",
                  comparison={"score per agent": compare_groups(per_agent[c], per_agent[i], expected="greater",
                                                                seed=10),
                              "passing evaluations": compare_counts(passed[c], evaluations, passed[i], evaluations,
                                                                    expected="greater", seed=11)},
                  rule="first", figure="main05", caption=_CAPTION_MAIN05,
                  note="primary: evaluation score of each trained agent averaged over the evaluation noises "
                       "(expected c > i); support: evaluations ≥ the pass score (the evaluations of one agent are not "
                       "independent)")
    return [row9, row10]


def _caps_claims(out_dir: Path) -> list:
    """Claim 11 from the generation caps: qualified agents of c vs i, pooled over the caps."""
    statement = "c reaches a given number of qualified agents at a smaller generation cap"
    caps = load_npz(Path(out_dir) / layout.RAW / layout.real_world_file("iterations"))
    if caps is None or agent_index(caps, "c") is None or agent_index(caps, "i") is None:
        return [claim(11, statement, "—", None)]
    c, i = agent_index(caps, "c"), agent_index(caps, "i")
    q = caps["qualified"]
    repeats = int(caps["test"].shape[2])
    trials = repeats * int(q.shape[1])
    text = ", ".join(f"cap {int(g)}: c {q[c, j]} vs i {q[i, j]}" for j, g in enumerate(caps["caps"]))
    return [claim(11, statement, text + f" (of {repeats} repeats per cap)",
                  comparison=compare_counts(int(q[c].sum()), trials, int(q[i].sum()), trials, expected="greater",
                                            seed=12),
                  figure="main06", caption="Fig. 6 shows the number of qualified agents of each method per generation "
                  "cap (a), the outcome types (b) and each method's outcome shares (c–f).",
                  note="qualified agents pooled over the caps (one trial per repeat and cap), c vs i, expected "
                       "c > i; a smaller cap reaching a given count shows as more qualified agents at the caps run")]


CLAIMS = (_sweep_claims, _caps_claims)
