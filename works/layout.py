"""Where every file of a pipeline run lives, and the constants the steps share.

This module is the ONE place that spells a raw or packed file name: units write, packers read, figures,
videos and the report look files up through these functions, so a renamed file changes here only. Paths are
relative to ``OUT/raw`` (raw data) or ``OUT/data`` (packs) unless the function says otherwise; the formats
are described in ``docs/raw-data.md``.

Examples
--------
>>> escape_file("coherent-loop.1")
'particular/coherent-loop.1.escape.npz'
>>> difference_file("incoherent-loop.1", "collider.2")
'difference/incoherent-loop.1 for collider.2.npy'
>>> pack_file("main02")
'main02.npz'
>>> PASS_SCORE
195.0
"""

from __future__ import annotations

import numpy as np

from effect.structures import LOOP_TYPES

__all__ = ["AGENT_ORDER", "ALL_LOOPS", "COLLIDERS", "CONFIG_FILE", "CONFIG_NAMES", "DATA", "DOMAINS",
           "INCOHERENT_VS_COHERENT", "LANDSCAPES", "LETTERS", "LOOP_TYPES", "LOOP_VS_COLLIDER", "MANIFEST_FILE",
           "NOISES", "PAPER_BIASES", "PAPER_MAGNITUDES", "PASS_SCORE", "RAW", "REPORT", "SCALES", "SEMANTICS", "SHOW",
           "UCI_DATASETS_FILE", "VIDEOS", "catcher_file", "choice_file", "difference_file", "diversity_file",
           "diversity_loops_file", "diversity_types_file", "diversity_unit_file", "escape_file",
           "figure_file", "imitation_file", "neat_chunk_file", "network_chunk_file", "network_file", "pack_file",
           "parameters_file", "real_world_file", "restricted_chunk_file", "restricted_statistics_file",
           "restricted_trace_file", "robustness_file",
           "selection_file", "tradeoff_chunk_file", "tradeoff_file", "uci_split_file", "video_file",
           "connectome_enrichment_file", "connectome_training_file", "connectome_unit_file"]

# --------------------------------------------------------------------------------------------- shared constants

#: Scale presets of :mod:`works.scales`.
SCALES = ("smoke", "quick", "paper")
#: Run semantics: the original's behaviour ("reference") or the fixed one ("corrected").
SEMANTICS = ("reference", "corrected")
#: The four collider structures (catchers and task 1 comparison targets).
COLLIDERS = ("collider.1", "collider.2", "collider.3", "collider.4")
#: Every loop structure ``<type>.<k>``, incoherent first (the reference order).
ALL_LOOPS = tuple(f"{t}.{k}" for t in LOOP_TYPES for k in (1, 2, 3, 4))
#: The five target landscapes of the fixed motif networks (task 5), in figure order S10-S14.
LANDSCAPES = ("Quadratic Saddle", "Monkey Saddle", "Branin", "three-hump Camel", "six-hump Camel")
#: Noise levels of the paper-scale NEAT sweeps (tasks 3-4).
NOISES = (0.0, 0.1, 0.2, 0.3, 0.4)
#: CartPole score at which an agent passes.
PASS_SCORE = 195.0
#: Parameter grid of the paper (magnitudes and biases of every motif weight/bias).
PAPER_MAGNITUDES = tuple(np.linspace(0.1, 1.0, 10).tolist())
PAPER_BIASES = tuple(np.linspace(-1.0, 1.0, 21).tolist())
#: NEAT agents: b = baseline, i = incoherent-loop adjusted, c = coherent-loop adjusted, a = both.
AGENT_ORDER = ("b", "i", "c", "a")
#: NEAT configuration file of each agent (under ``works/confs/main`` or ``works/confs/supp/<domain>.``).
CONFIG_NAMES = {"b": "baseline.config", "i": "adjusted[i].config", "c": "adjusted[c].config",
                "a": "adjusted[a].config"}
#: UCI domains of task 4, in panel order.
DOMAINS = ("biology", "physics-chemistry", "health-medicine")
#: Panel letters.
LETTERS = "abcdefghijklmnopqrstuvwxyz"

# --------------------------------------------------------------------------------------------- run-level folders

#: Sub-folders of ``OUT`` and the report.
RAW, DATA, SHOW, VIDEOS, REPORT = "raw", "data", "show", "videos", "REPORT.md"
#: The run's scale (``OUT/raw/config.json``).
CONFIG_FILE = "config.json"
#: Wall seconds of each step of the last ``python -m works`` run (``OUT/timings.json``).
TIMINGS = "timings.json"
#: Manifest file name in ``OUT/raw`` and ``OUT/data``.
MANIFEST_FILE = "manifest.json"

# --------------------------------------------------------------------------------------------- task 1


def parameters_file(structure: str) -> str:
    """Parameter grid ``(N, 5)`` (loops) or ``(N, 3)`` (colliders) of one structure."""
    return f"parameters/{structure}.npy"


def robustness_file(structure: str) -> str:
    """Lipschitz estimates ``(N,)`` of one structure's landscapes."""
    return f"robustness/{structure}.npy"


def difference_file(first: str, second: str) -> str:
    """Nearest-landscape MSE ``(N_first,)`` of every motif of ``first`` to the motifs of ``second``."""
    return f"difference/{first} for {second}.npy"


def tradeoff_chunk_file(structure: str, start: int) -> str:
    """One chunk of trade-off results (loops ``start`` onwards), gathered into :func:`tradeoff_file`."""
    return f"units/trade-offs/{structure}.{start:07d}.npz"


def tradeoff_file(structure: str) -> str:
    """Trade-off table ``(N, 2)`` = [Lipschitz of the best catcher, its loss]."""
    return f"trade-offs/{structure}.npy"


def catcher_file(structure: str) -> str:
    """Best catcher parameters ``(N, 3)`` of every loop."""
    return f"trade-offs/{structure}.catcher.npy"


def choice_file(structure: str) -> str:
    """Index ``(N,)`` of the best of the four catchers of every loop."""
    return f"trade-offs/{structure}.choice.npy"


def imitation_file() -> str:
    """States of the four catchers imitating the Fig. 2a example loop (initial state first)."""
    return "imitation/example.npy"


# --------------------------------------------------------------------------------------------- task 2


def selection_file(structure: str) -> str:
    """Row indices ``(E,)`` into the structure's parameter grid of the loops chosen to escape."""
    return f"particular/{structure}.selection.npy"


def escape_file(structure: str) -> str:
    """Escape records of one loop structure (escaper, catcher, choice, loss per outer iteration)."""
    return f"particular/{structure}.escape.npz"


# --------------------------------------------------------------------------------------------- tasks 3-5
# (names owned by the task 3-5 modules; kept here so that no other file types them)

#: Prefixes of the two task 5 experiments (unrestricted collider/loop networks; restricted 10-loop networks).
LOOP_VS_COLLIDER = "loop.vs.collider"
INCOHERENT_VS_COHERENT = "incoherent.vs.coherent"
#: Every UCI domain split of task 4 in one pack.
UCI_DATASETS_FILE = "real-world/uci.datasets.npz"


def neat_chunk_file(series: str, agent: str, label: str, start: int) -> str:
    """One chunk of NEAT repeats (``series`` such as ``"task3/adjustments.1"``, ``label`` the setting)."""
    return f"units/{series}/{agent}.{label}.r{start:04d}.npz"


def real_world_file(name: str) -> str:
    """A gathered NEAT experiment: ``adjustments.1``, ``iterations``, ``adjustments.2`` or a UCI domain."""
    return f"real-world/{name}.npz"


def uci_split_file(domain: str) -> str:
    """The per-class half/half split of one UCI domain."""
    return f"units/real-world/uci/{domain}.npz"


def network_chunk_file(landscape: str, kind: str, n: int) -> str:
    """Unrestricted fits of ``n`` motifs of ``kind`` (collider or loop) on one landscape."""
    return f"units/network-scale/{landscape}/{kind}.{n:02d}.npz"


def restricted_chunk_file(landscape: str, k: int, start: int) -> str:
    """Restricted 10-loop fits from configuration ``start`` (reference order) on; the first has ``k`` incoherent
    loops."""
    return f"units/network-scale/{landscape}/restricted.k{k:02d}.{start:05d}.npz"


def restricted_trace_file(landscape: str, k: int, start: int) -> str:
    """The traces of the fits of :func:`restricted_chunk_file` (written piece by piece; see docs/raw-data.md)."""
    return f"units/network-scale/{landscape}/restricted.k{k:02d}.{start:05d}.traces.npz"


def restricted_statistics_file(landscape: str, k: int, start: int) -> str:
    """What Figs. S19–S23 need from the fits of :func:`restricted_chunk_file`, instead of their traces (the
    paper preset; see docs/raw-data.md)."""
    return f"units/network-scale/{landscape}/restricted.k{k:02d}.{start:05d}.statistics.npz"


def network_file(prefix: str, landscape: str) -> str:
    """A gathered task 5 experiment (``prefix`` = :data:`LOOP_VS_COLLIDER` or :data:`INCOHERENT_VS_COHERENT`)."""
    return f"network-scale/{prefix}.{landscape}.npz"


# --------------------------------------------------------------------------------------------- task 6


def connectome_unit_file(wiring: str, index: int) -> str:
    """One trained ElegansNet (task 6): the scalars of one (wiring label, seed index) unit."""
    return f"units/connectome/{wiring}.s{index:03d}.npz"


def connectome_training_file() -> str:
    """Every trained ElegansNet of task 6, one row per (wiring, seed), gathered."""
    return "connectome/training.npz"


def connectome_enrichment_file(null: str) -> str:
    """Motif census of the connectome and of its samples of one null model (task 6)."""
    return f"connectome/enrichment.{null}.npz"


# --------------------------------------------------------------------------------------------- task 7


def diversity_types_file(task: str) -> str:
    """The two learned activation types of one diversity task (knots, values, meta-learning losses)."""
    return f"diversity/{task}.types.npz"


def diversity_unit_file(task: str, network_type: str, seed_index: int) -> str:
    """Scalars of one trained network (``network_type``, initialisation ``seed_index``), gathered into
    :func:`diversity_file`."""
    return f"units/diversity/{task}/{network_type}.s{seed_index:03d}.npz"


def diversity_file(task: str) -> str:
    """Every trained network of one diversity task: one ``(types, seeds)`` array per scalar."""
    return f"diversity/{task}.npz"


def diversity_loops_file(task: str) -> str:
    """Incoherent vs coherent loops under tanh and the task's learned activations (per-loop measures)."""
    return f"diversity/{task}.loops.npz"


# --------------------------------------------------------------------------------------------- outputs


def pack_file(name: str) -> str:
    """Packed data of one figure, relative to ``OUT/data``."""
    return f"{name}.npz"


def figure_file(stem: str, suffix: str) -> str:
    """A drawn figure (``suffix`` ``".pdf"`` or ``".png"``), relative to ``OUT/show``."""
    if suffix not in (".pdf", ".png"):
        raise ValueError(f"suffix must be '.pdf' or '.png', got {suffix!r}.")
    return f"{stem}{suffix}"


def video_file(structure: str, extension: str) -> str:
    """The escape video of one loop structure (``extension`` ``"gif"`` or ``"mp4"``), relative to ``OUT/videos``."""
    if extension not in ("gif", "mp4"):
        raise ValueError(f"extension must be 'gif' or 'mp4', got {extension!r}.")
    return f"{structure}.{extension}"
