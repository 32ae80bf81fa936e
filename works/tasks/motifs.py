"""Task 1: motif populations, their Lipschitz estimates, their differences to colliders, and the trade-offs.

What is configured
    :class:`Task1Config`: the loop structures studied, the parameter grid of loops and colliders, the landscape
    grid and the catch settings of the trade-off runs.
What is computed and stored (``OUT/raw``, names from :mod:`works.layout`)
    1a, one unit per structure (loops and the four colliders): its parameter grid
    (:func:`~works.layout.parameters_file`) and the Lipschitz estimate of every landscape
    (:func:`~works.layout.robustness_file`).
    1b, one unit per pair: the nearest-landscape MSE of every loop to each collider structure, and to the other
    loops of its own structure (:func:`~works.layout.difference_file`).
    1c, chunks of loops: the best of the four catchers after ``catch_steps`` Adam steps, its loss and its
    Lipschitz constant; gathered per structure (:func:`~works.layout.tradeoff_file`, ``catcher_file``,
    ``choice_file``).
    The Fig. 2a example: the four catchers imitating one fixed loop, every state stored
    (:func:`~works.layout.imitation_file`).
What is packed and drawn
    ``main02`` (Fig. 2), ``supp01`` (S1, Lipschitz), ``supp02`` (S2, trade-off losses), see
    :mod:`works.tasks.motifs_packs`; the figures and the schematics ``main01`` / ``supp03`` are in
    :mod:`works.tasks.motifs_figures`.
What the report claims
    Claims 1 (population size), 3 (representational capacity), 4 (numerical stability), 5 (trade-off) and the
    grid statistics, see :mod:`works.tasks.motifs_claims`.

Examples
--------
>>> from works.scales import get_scale
>>> stages = plan(get_scale("smoke"))
>>> [unit.key for unit in stages[0]][:2]
['task1/robustness/incoherent-loop.1', 'task1/robustness/coherent-loop.1']
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from works import layout
from works._io import save_npy, save_npz
from works.layout import COLLIDERS, PAPER_BIASES, PAPER_MAGNITUDES
from works.tasks.motifs_claims import CLAIMS, grid_statistics
from works.tasks.motifs_figures import FIGURES
from works.tasks.motifs_packs import EXAMPLE_LOOP, PACKS
from works.units import Unit

__all__ = ["CLAIMS", "CONFIG", "FIGURES", "NUMBER", "PACKS", "Task1Config", "difference_memory_gb",
           "grid_statistics", "imitation_trajectories", "plan", "population_size", "unit_difference",
           "unit_imitation", "unit_population", "unit_tradeoff_chunk", "unit_tradeoff_gather"]

NUMBER = 1
_HERE = "works.tasks.motifs"


@dataclass(frozen=True)
class Task1Config:
    """Motif populations, Lipschitz estimates, differences and trade-offs (task 1).

    ``structures`` are the loop structures studied; the four colliders always use ``collider_magnitudes`` /
    ``collider_biases`` (the full collider grid except at smoke scale). ``self_pairs`` adds the
    "L for L" differences; "L for collider.k" is always computed. ``chunk`` = loops per trade-off unit.
    """

    structures: tuple = ("incoherent-loop.1", "coherent-loop.1")
    magnitudes: tuple = (0.1, 0.4, 0.7, 1.0)
    biases: tuple = (-1.0, -0.5, 0.0, 0.5, 1.0)
    collider_magnitudes: tuple = PAPER_MAGNITUDES
    collider_biases: tuple = PAPER_BIASES
    points: int = 41
    value_range: tuple = (-1.0, 1.0)
    learn_rate: float = 1e-3
    catch_steps: int = 100
    chunk: int = 800
    self_pairs: bool = True


CONFIG = Task1Config

# --------------------------------------------------------------------------------------------- unit configs


@dataclass(frozen=True)
class Grid:
    """Landscape grid of a unit: ``points`` per axis over ``value_range``."""

    points: int
    value_range: tuple

    def landscapes(self, params, motif_type):
        from effect.operations import calculate_landscapes

        return calculate_landscapes(params, motif_type, tuple(self.value_range), self.points)

    @property
    def interval(self) -> float:
        low, high = self.value_range
        return (high - low) / (self.points - 1)


@dataclass(frozen=True)
class PopulationUnit(Grid):
    """1a: one structure's parameter grid."""

    structure: str
    magnitudes: tuple
    biases: tuple


@dataclass(frozen=True)
class DifferenceUnit(Grid):
    """1b: differences of the motifs of ``first`` to those of ``second``."""

    first: str
    second: str

    @property
    def within(self) -> bool:
        """True for "L for L": the nearest other motif of the same structure (self excluded)."""
        return self.first == self.second


@dataclass(frozen=True)
class TradeoffChunkUnit(Grid):
    """1c: loops ``start:stop`` of ``structure`` caught for ``catch_steps`` steps."""

    structure: str
    start: int
    stop: int
    output: str
    learn_rate: float
    catch_steps: int
    semantics: str


@dataclass(frozen=True)
class TradeoffGatherUnit:
    """1c: the chunks of one structure, in order."""

    structure: str
    chunks: tuple


@dataclass(frozen=True)
class ImitationUnit:
    """Fig. 2a: the four catchers imitating ``loop`` for ``steps`` Adam steps."""

    loop: tuple
    steps: int
    learn_rate: float
    points: int


# --------------------------------------------------------------------------------------------- units


#: Motifs whose landscapes a population unit holds at once (a multiple of the landscape and Lipschitz batches,
#: 4,096, so the numbers are those of one call over all motifs): 32,768 float32 41 x 41 landscapes are 220 MB,
#: where the 441,000 loops of a paper-scale structure at once peaked at 8.3 GiB.
POPULATION_BLOCK = 32_768


def unit_population(config, raw_dir, seed):
    """Task 1a: parameter grid and Lipschitz estimates of one structure."""
    from effect.robustness import lipschitz_batch
    from effect.structures import parse_structure, structure_parameters

    unit = PopulationUnit(**config)
    params = structure_parameters(unit.structure, unit.magnitudes, unit.biases)
    motif_type = parse_structure(unit.structure)[0]
    robustness = np.concatenate([np.zeros(0)] + [  # a block of landscapes at a time: bounded memory
        lipschitz_batch(unit.landscapes(params[start:start + POPULATION_BLOCK], motif_type), unit.interval)
        for start in range(0, len(params), POPULATION_BLOCK)])
    save_npy(raw_dir / layout.parameters_file(unit.structure), params)
    save_npy(raw_dir / layout.robustness_file(unit.structure), robustness)


def unit_difference(config, raw_dir, seed):
    """Task 1b: nearest-landscape MSE of every motif of A to the motifs of B (self excluded when A = B)."""
    from effect.nearest import nearest_differences
    from effect.structures import parse_structure

    unit = DifferenceUnit(**config)
    first, second = unit.first, unit.second
    a = unit.landscapes(np.load(raw_dir / layout.parameters_file(first)), parse_structure(first)[0])
    a = a.reshape(a.shape[0], -1)
    if unit.within:
        values = nearest_differences(a)
    else:
        b = unit.landscapes(np.load(raw_dir / layout.parameters_file(second)), parse_structure(second)[0])
        values = nearest_differences(a, b.reshape(b.shape[0], -1))
    save_npy(raw_dir / layout.difference_file(first, second), np.asarray(values, dtype=np.float64))


def unit_tradeoff_chunk(config, raw_dir, seed):
    """Task 1c: best of the four catchers after ``catch_steps`` Adam steps, for one chunk of loops."""
    from effect.robustness import lipschitz_batch
    from effect.similarity import catch
    from effect.structures import parse_structure

    unit = TradeoffChunkUnit(**config)
    params = np.load(raw_dir / layout.parameters_file(unit.structure))[unit.start:unit.stop]
    result = catch(params, parse_structure(unit.structure)[0], value_range=tuple(unit.value_range),
                   points=unit.points, learn_rate=unit.learn_rate, threshold=unit.catch_steps,
                   semantics=unit.semantics)
    lipschitz = lipschitz_batch(unit.landscapes(result["params"], "collider"), unit.interval)
    save_npz(raw_dir / unit.output, {"lipschitz": lipschitz, "loss": result["loss"],
                                     "catcher": result["params"], "choice": result["index"]})


def unit_tradeoff_gather(config, raw_dir, seed):
    """Task 1c: concatenate the chunks of one structure into the trade-off files."""
    unit = TradeoffGatherUnit(**config)
    parts = [np.load(raw_dir / path) for path in unit.chunks]
    table = np.stack([np.concatenate([p["lipschitz"] for p in parts]), np.concatenate([p["loss"] for p in parts])],
                     axis=1)
    save_npy(raw_dir / layout.tradeoff_file(unit.structure), table)
    save_npy(raw_dir / layout.catcher_file(unit.structure), np.concatenate([p["catcher"] for p in parts]))
    save_npy(raw_dir / layout.choice_file(unit.structure),
             np.concatenate([p["choice"] for p in parts]).astype(np.int64))


def imitation_trajectories(loop, steps: int, learn_rate: float = 1e-3, points: int = 41) -> np.ndarray:
    """States ``(4, steps + 1, 3)`` of the four catchers imitating ``loop`` with Adam (initial state first).

    Adam is element-wise, so training the four catchers in one tensor equals four separate runs;
    after every step weights are clamped to their signed magnitude bounds [1e-3, 1] and biases to [−1, 1].

    Examples
    --------
    >>> imitation_trajectories((-1.0, 0.652, 1.0, 1.0, 0.337), 2, points=5).shape
    (4, 3, 3)
    """
    import torch

    from effect.engine import grid_inputs, motif_outputs
    from effect.structures import catcher_parameters

    inputs = grid_inputs((-1, 1), points)
    with torch.no_grad():
        target = motif_outputs(torch.tensor([loop], dtype=torch.float32), "incoherent-loop", inputs)
    start = torch.tensor(catcher_parameters(), dtype=torch.float32)
    signs = torch.sign(start[:, :2])
    params = start.clone().requires_grad_(True)
    optimiser = torch.optim.Adam([params], lr=learn_rate)
    states = [start.clone()]
    for _ in range(steps):
        loss = ((motif_outputs(params, "collider", inputs) - target) ** 2).mean(dim=1).sum()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        with torch.no_grad():
            params[:, :2] = signs * params[:, :2].abs().clamp(1e-3, 1.0)
            params[:, 2:] = params[:, 2:].clamp(-1.0, 1.0)
        states.append(params.detach().clone())
    return torch.stack(states, dim=1).double().numpy()


def unit_imitation(config, raw_dir, seed):
    """Fig. 2a: the catchers' imitation trajectories of the example loop (deterministic, no seed used)."""
    unit = ImitationUnit(**config)
    save_npy(raw_dir / layout.imitation_file(),
             imitation_trajectories(tuple(unit.loop), unit.steps, unit.learn_rate, unit.points))


# --------------------------------------------------------------------------------------------- planner


def _population(t1: Task1Config, structure: str) -> PopulationUnit:
    collider = structure.startswith("collider")
    return PopulationUnit(structure=structure, points=t1.points, value_range=list(t1.value_range),
                          magnitudes=list(t1.collider_magnitudes if collider else t1.magnitudes),
                          biases=list(t1.collider_biases if collider else t1.biases))


def population_size(t1: Task1Config, structure: str) -> int:
    """Motifs in the parameter grid of ``structure``: m³·b² for a loop, m²·b for a collider.

    Examples
    --------
    >>> population_size(Task1Config(magnitudes=(0.1, 1.0), biases=(0.0, 1.0, 2.0)), "coherent-loop.1")
    72
    """
    if structure.startswith("collider"):
        return len(t1.collider_magnitudes) ** 2 * len(t1.collider_biases)
    return len(t1.magnitudes) ** 3 * len(t1.biases) ** 2


def difference_memory_gb(t1: Task1Config, first: str, second: str) -> float:
    """Memory hint of a difference unit (GiB): 4 bytes per landscape value of both populations (the float32
    landscapes; the nearest search works in blocks; "L for L" counts its population once) plus 1 GiB (the
    interpreter and libraries, the search's blocks and its low-dimensional embedding). A paper "L for L" unit
    peaked at 3.4 GiB against a hint of 3.76 GiB."""
    motifs = population_size(t1, first) + (0 if first == second else population_size(t1, second))
    return round(1.0 + motifs * t1.points ** 2 * 4 / 2**30, 2)


def plan(scale) -> list:
    """Task 1 stages: populations (per structure) and the Fig. 2a imitation; differences (per pair) and
    trade-off chunks; gathers.

    The imitation runs 20 steps at smoke scale and 100 otherwise (the number of steps Fig. 2a shows).
    """
    t1 = scale.task1

    def unit(key, function, config, outputs, depends=(), memory_gb=None):
        return Unit(key, f"{_HERE}:{function}", asdict(config), tuple(outputs), tuple(depends), scale.seed,
                    memory_gb)

    stage_a = [unit(f"task1/robustness/{structure}", "unit_population", _population(t1, structure),
                    [layout.parameters_file(structure), layout.robustness_file(structure)])
               for structure in tuple(t1.structures) + COLLIDERS]
    stage_a.append(unit("task1/imitation/example", "unit_imitation",
                        ImitationUnit(loop=list(EXAMPLE_LOOP), steps=20 if scale.name == "smoke" else 100,
                                      learn_rate=1e-3, points=41), [layout.imitation_file()]))
    pairs = [(s, c) for s in t1.structures for c in COLLIDERS]
    if t1.self_pairs:
        pairs += [(s, s) for s in t1.structures]
    stage_b, stage_c = [], []
    grid = {"points": t1.points, "value_range": list(t1.value_range)}
    for first, second in pairs:
        stage_b.append(unit(f"task1/difference/{first} for {second}", "unit_difference",
                            DifferenceUnit(**grid, first=first, second=second),
                            [layout.difference_file(first, second)],
                            sorted({layout.parameters_file(first), layout.parameters_file(second)}),
                            difference_memory_gb(t1, first, second)))
    for structure in t1.structures:
        total = len(t1.magnitudes) ** 3 * len(t1.biases) ** 2
        chunks = []
        for start in range(0, total, t1.chunk):
            output = layout.tradeoff_chunk_file(structure, start)
            chunks.append(output)
            stage_b.append(unit(f"task1/trade-offs/{structure}/{start:07d}", "unit_tradeoff_chunk",
                                TradeoffChunkUnit(**grid, structure=structure, start=start,
                                                  stop=min(total, start + t1.chunk), output=output,
                                                  learn_rate=t1.learn_rate, catch_steps=t1.catch_steps,
                                                  semantics=scale.semantics),
                                [output], [layout.parameters_file(structure)]))
        stage_c.append(unit(f"task1/trade-offs/{structure}", "unit_tradeoff_gather",
                            TradeoffGatherUnit(structure=structure, chunks=chunks),
                            [layout.tradeoff_file(structure), layout.catcher_file(structure),
                             layout.choice_file(structure)], chunks))
    return [stage_a, stage_b, stage_c]
