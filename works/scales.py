"""Scale presets of the experiment pipeline as frozen dataclasses (data, not code).

Three presets: ``smoke`` (the whole pipeline in about a minute), ``quick`` (laptop scale,
about 30 minutes on 2 cores including the figures) and ``paper`` (the original parameters).

Examples
--------
>>> from works.scales import get_scale
>>> scale = get_scale("quick")
>>> len(scale.task1.structures), len(scale.task1.magnitudes)
(8, 4)
>>> get_scale("quick", semantics="corrected").semantics
'corrected'
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

__all__ = ["SCALES", "SEMANTICS", "Scale", "Task1Config", "Task2Config", "Task3Config", "Task4Config", "Task5Config",
           "Task6Config", "Task7Config", "get_scale", "scale_to_dict"]

from works.layout import (
    AGENT_ORDER,
    ALL_LOOPS,
    DOMAINS,
    LANDSCAPES,
    NOISES,
    PAPER_BIASES,
    PAPER_MAGNITUDES,
    SCALES,
    SEMANTICS,
)
from works.tasks.cartpole import Task3Config
from works.tasks.connectome import Task6Config
from works.tasks.diversity import Task7Config
from works.tasks.escape import Task2Config
from works.tasks.motifs import Task1Config
from works.tasks.networks import Task5Config
from works.tasks.uci import Task4Config


@dataclass(frozen=True)
class Scale:
    """A whole-pipeline preset: name, semantics, base seed and one config per task."""

    name: str = "quick"
    semantics: str = "reference"
    seed: int = 20250101
    task1: Task1Config = field(default_factory=Task1Config)
    task2: Task2Config = field(default_factory=Task2Config)
    task3: Task3Config = field(default_factory=Task3Config)
    task4: Task4Config = field(default_factory=Task4Config)
    task5: Task5Config = field(default_factory=Task5Config)
    task6: Task6Config = field(default_factory=Task6Config)
    task7: Task7Config = field(default_factory=Task7Config)


_SMOKE = Scale(
    name="smoke",
    task1=Task1Config(magnitudes=(0.4, 1.0), biases=(-1.0, 0.0, 1.0), collider_magnitudes=(0.2, 0.6, 1.0),
                      collider_biases=(-1.0, 0.0, 1.0), points=21, catch_steps=20, chunk=8),
    task2=Task2Config(samples=3, outer=6, inner=5, selection_threshold=1.0),
    task3=Task3Config(agents=("b", "i", "c"), train_noises=(0.0, 0.2), eval_noises=(0.0, 0.2), population=8,
                      episodes=2, eval_episodes=3, generations=2, repeats=2, repeat_chunk=1, caps=(1, 2),
                      caps_repeats=2, long_generations=2, long_repeats=2),
    task4=Task4Config(agents=("b", "i", "c"), train_noises=(0.0, 0.2), eval_noises=(0.0, 0.2), population=8,
                      generations=2, repeats=2, repeat_chunk=1),
    task5=Task5Config(landscapes=LANDSCAPES, motif_numbers=(1, 2), seeds=2, restricted_seeds=1,
                      maximum_iteration=20, patience=20, metric_every=10),
    task6=Task6Config(families=("connectome", "er", "no-coherent", "no-incoherent", "random-removal"),
                      fractions=(0.5, 1.0), seeds=2, epochs=1, n_train=150, n_lipschitz=16, nulls=("degree", "er"),
                      enrichment_samples=3),
    task7=Task7Config(seeds=2, network_types=("relu", "type-1", "mix"), samples=500, trajectories=8, steps=60,
                      sub_hidden=10, outer_steps=2, inner_steps=2, meta_batch=64, epochs=2, batch_size=64,
                      hessian_points=50, trace_samples=4, slq_iterations=6, slq_runs=1, forecast_steps=10,
                      loop_magnitudes=(0.5, 1.0), loop_biases=(0.0,), loop_points=11, loop_indices=(1,)),
)

# Quick: every figure panel is drawn from data of the run; the reason for each override is on its line.
_QUICK = Scale(
    name="quick",
    # all 8 loop structures (1,600 loops each): S1/S2 have a panel per structure, S5-S8 need every structure's escapes
    task1=Task1Config(structures=ALL_LOOPS),
    # fresh per-escaper catchers are first fitted 2,000 steps so the records start caught: otherwise the catch-up
    # loss of step 1 is every record's largest and "before" (argmin) comes after "after" (argmax), so S5 is empty
    task2=Task2Config(warmup=2000),
    # all four methods (Fig. 5f/6f), noises 0-20 % at which pop-50 agents still learn (at 40 % none does), and caps
    # 10-40 read from one run per repeat (at caps 10/20 alone no agent qualifies; nested runs cost the 40 alone)
    task3=Task3Config(agents=AGENT_ORDER, train_noises=(0.0, 0.1, 0.2), eval_noises=(0.0, 0.1, 0.2),
                      caps=(10, 20, 30, 40), caps_runs="nested"),
    # every UCI domain and method (S26-S30 panels b-c, S29 d/h/l), 5 repeats each
    task4=Task4Config(domains=DOMAINS, agents=AGENT_ORDER, repeats=5),
    # every task-5 landscape so that every figure (S10-S15) is drawn. Restricted fits: on the Quadratic Saddle
    # (S16-S23, claim 7) 4 sub-structure multisets per incoherent count k (all-ones + 3 sampled) x 2 seeds, so that
    # the loop mix varies and some fits succeed (with all-ones only every fit fails and S16b/S17a are constant);
    # 2 multisets x 1 seed on the other landscapes (S15 only). Metrics every 10 iterations: the weights first
    # collapse 11-111 iterations into a fit and S19/S22 use the samples before that (at 100, rho = nan)
    task5=Task5Config(landscapes=LANDSCAPES, restricted_indices=2, restricted_seeds=1, detailed_indices=4,
                      detailed_seeds=2, metric_every=10),
)

_PAPER = Scale(
    name="paper",
    task1=Task1Config(structures=ALL_LOOPS, magnitudes=PAPER_MAGNITUDES, biases=PAPER_BIASES, chunk=20000),
    task2=Task2Config(samples=100, semantics=None),
    task3=Task3Config(agents=("b", "i", "c", "a"), train_noises=NOISES, eval_noises=NOISES, population=250,
                      episodes=100, eval_episodes=100, generations=20, repeats=100, repeat_chunk=10,
                      caps=tuple(range(20, 151, 10)), caps_repeats=100, caps_noise=0.3, caps_runs="nested",
                      long_generations=100, long_repeats=100, long_noise=0.3),
    task4=Task4Config(domains=("biology", "physics-chemistry", "health-medicine"), agents=("b", "i", "c", "a"),
                      train_noises=NOISES, eval_noises=NOISES, population=150, generations=100, repeats=100,
                      repeat_chunk=10),
    task5=Task5Config(landscapes=LANDSCAPES, motif_numbers=tuple(range(1, 11)), seeds=100, restricted_seeds=1,
                      restricted_indices="all", maximum_iteration=0, metric_every=1,
                      trace_storage="statistics"),
    task6=Task6Config(fractions=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0), seeds=30, epochs=20,
                      enrichment_samples=1000),
    task7=Task7Config(seeds=50, samples=5000, trajectories=40, steps=200, sub_hidden=50, outer_steps=300,
                      inner_steps=5, epochs=30, hessian_points=1000, trace_samples=100, slq_iterations=80,
                      slq_runs=4, forecast_steps=50, loop_magnitudes=PAPER_MAGNITUDES, loop_biases=PAPER_BIASES[::2],
                      loop_points=21),
)

_PRESETS = {"smoke": _SMOKE, "quick": _QUICK, "paper": _PAPER}


def get_scale(name: str, semantics: str = "reference", seed: int | None = None) -> Scale:
    """The preset ``name`` with the run's semantics (and optionally another base seed).

    Raises
    ------
    ValueError
        For an unknown name or semantics.
    """
    if name not in _PRESETS:
        raise ValueError(f"scale must be one of {SCALES}, got {name!r}.")
    if semantics not in SEMANTICS:
        raise ValueError(f"semantics must be one of {SEMANTICS}, got {semantics!r}.")
    changes = {"semantics": semantics}
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"seed must be a non-negative int, got {seed!r}.")
        changes["seed"] = seed
    return dataclasses.replace(_PRESETS[name], **changes)


def scale_to_dict(scale: Scale) -> dict:
    """JSON-ready dict of a scale (tuples become lists)."""
    return dataclasses.asdict(scale)
