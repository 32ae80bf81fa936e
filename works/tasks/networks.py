"""Task 5: networks built from a fixed number of motifs, trained to fit benchmark landscapes.

What is configured
    :class:`Task5Config`: the target landscapes (:data:`works.layout.LANDSCAPES`), the motif numbers of the
    unrestricted networks, the restricted 10-loop configurations, seeds and the training settings.
What is computed and stored (``OUT/raw``, names from :mod:`works.layout`)
    Part 1, per landscape, kind (collider-only or loop-only) and motif number ``n``: ``seeds`` batched fits
    (losses only), gathered into ``network_file(LOOP_VS_COLLIDER, landscape)``.
    Part 2, per landscape: restricted 10-loop networks (:func:`restricted_configurations`, in their reference
    order, i.e. by the number ``k`` of incoherent loops) fitted with every metric traced; each unit writes
    per-fit summaries and a trace file (:mod:`works.tasks.networks_traces`), and the gather writes the summaries
    of the landscape into ``network_file(INCOHERENT_VS_COHERENT, landscape)`` with the list of trace files (no
    trace is copied). Their iteration cap is the longest loop-only run of part 1 with ten motifs when that was
    run. One unit trains its
    chunk of configurations (every seed of each) in a single :func:`effect.expression.fit_restricted_batch` call,
    rows in configuration order; the chunk holds at most :data:`CHUNK` consecutive configurations (of one k or
    several: one batch of many fits costs far less than many small batches) and fewer when its peak memory would
    exceed 4 GB (:func:`chunk_size`).
What is packed and drawn
    ``supp10`` – ``supp14`` (S10–S14, collider-only vs loop-only networks per landscape) and ``supp15`` –
    ``supp23`` (S15–S23, restricted networks): packers in :mod:`works.tasks.networks_packs`, panels in
    :mod:`works.tasks.networks_figures`.
What the report claims
    Claims 2 (number of fixed-network experiments), 7 (more coherent loops, more failures) and 8 (loop-only
    networks fit better than collider-only ones), in :mod:`works.tasks.networks_claims`.

Examples
--------
>>> from works.scales import get_scale
>>> first, first_gathers, second, second_gathers = plan(get_scale("smoke"))
>>> first[0].key, second_gathers[0].key
('task5/loop.vs.collider/Quadratic Saddle/collider/01', 'task5/incoherent.vs.coherent/Quadratic Saddle/gather')
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass

import numpy as np

from works import layout
from works._io import save_npz, save_pack
from works.layout import INCOHERENT_VS_COHERENT, LOOP_VS_COLLIDER
from works.tasks import networks_traces
from works.tasks.networks_claims import CLAIMS
from works.tasks.networks_figures import FIGURES
from works.tasks.networks_packs import PACKS
from works.units import Unit, unit_seed

__all__ = ["CLAIMS", "CONFIG", "FIGURES", "NUMBER", "PACKS", "PAPER_CAPS", "Task5Config", "assumed_cap", "chunk_size",
           "plan",
           "restricted_configurations", "restricted_memory_gb", "unit_fit_gather", "unit_fit_restricted",
           "unit_fit_unrestricted",
           "unit_restricted_gather"]

NUMBER = 5
_HERE = "works.tasks.networks"
CHUNK = 500  #: restricted configurations per unit (at most; see :func:`chunk_size`)
#: Peak bytes per network-iteration of a restricted unit, estimated from the arrays the batched fit holds when it
#: ends (every metric traced each iteration: the per-iteration lists with their row and step indices, their
#: concatenation and the loss history); writing the chunk adds no copy (the trace file is written fit by fit,
#: docs/paper-scale.md has the measurement).
BYTES_PER_NETWORK_ITERATION = 400
UNIT_MEMORY = 4 * 10**9  #: peak-memory budget of one restricted unit, bytes
ASSUMED_CAP = 20_000  #: iteration cap assumed when the cap is read at run time, for a landscape not in ASSUMED_CAPS
#: The restricted fits' cap measured at the paper scale with its seed, per landscape: the longest of the 100
#: unrestricted 10-loop fits (``cap_from``; ``benchmarks/bench_paper_slice.py``, docs/reports/paper-slice.md).
PAPER_CAPS = {"Quadratic Saddle": 9_230, "Monkey Saddle": 11_151, "Branin": 15_463, "three-hump Camel": 13_736,
              "six-hump Camel": 41_084}
#: Iteration caps assumed per landscape when the cap is read at run time: :data:`PAPER_CAPS` plus at least 20 %,
#: rounded up, so that another seed's cap rarely exceeds them. They size the restricted units only (memory and
#: time budgets), never a fit.
ASSUMED_CAPS = {"Quadratic Saddle": 11_500, "Monkey Saddle": 13_500, "Branin": 18_600, "three-hump Camel": 16_500,
                "six-hump Camel": 49_500}
#: Single-core seconds of one restricted network-iteration with every metric every iteration (2.29 ms measured by
#: ``benchmarks/bench_paper.py``, rounded up), and the time budget of one restricted unit (30 CPU-minutes, so that a
#: killed unit loses little and a cluster balances).
SECONDS_PER_NETWORK_ITERATION = 2.5e-3
UNIT_SECONDS = 30 * 60
#: Bytes per stored iteration of a restricted fit traced every iteration (float32 loss twice, int32 step, float64
#: metrics: 4 + 4 + 4 + 8 × 16; :mod:`works.tasks.networks_traces`).
TRACE_BYTES = 140


def restricted_memory_gb(fits: int, iterations: int, bytes_per_iteration: int = BYTES_PER_NETWORK_ITERATION) -> float:
    """Memory hint (GiB) of a unit holding ``fits`` fits of ``iterations`` iterations at ``bytes_per_iteration``
    bytes each, plus 0.5 GiB (restricted units: :data:`BYTES_PER_NETWORK_ITERATION`).

    Examples
    --------
    >>> restricted_memory_gb(500, 20_000)
    4.23
    """
    return round(0.5 + fits * iterations * bytes_per_iteration / 2**30, 2)


#: The landscape of Figs. S16–S23 and of claim 7.
DETAILED = "Quadratic Saddle"


@dataclass(frozen=True)
class Task5Config:
    """Fixed-network training (task 5).

    ``restricted_indices="ones"`` runs the 11 configurations with every sub-structure index 1; ``"all"`` runs
    every multiset (19,448 per landscape); an integer ``m`` runs ``m`` multisets per incoherent count k, spread
    over the reference order (the all-ones one and a fixed sample of the others), so that the loop mixes differ
    (the quick recipe). ``detailed_indices`` and ``detailed_seeds``, when set, replace ``restricted_indices`` and
    ``restricted_seeds`` on :data:`DETAILED`, the landscape of Figs. S16–S23 and of claim 7 (the others only
    count successes, Fig. S15).
    """

    landscapes: tuple = ("Quadratic Saddle",)
    motif_numbers: tuple = (1, 2, 5, 10)
    seeds: int = 10
    restricted_seeds: int = 3
    restricted_indices: str | int = "ones"
    detailed_indices: str | int | None = None
    detailed_seeds: int | None = None
    learn_rate: float = 1e-3
    patience: int = 1000
    threshold: float = 1e-3
    maximum_iteration: int = 4000
    metric_every: int = 100
    points: int = 41
    #: How restricted units store their fits next to the summaries: "full" every trace (per-chunk trace files),
    #: "statistics" only what Figs. S19–S23 need (:mod:`works.tasks.networks_statistics`; the paper preset).
    trace_storage: str = "full"

    def restricted(self, landscape: str) -> tuple:
        """``(indices, seeds)`` of the restricted fits on ``landscape``.

        Examples
        --------
        >>> Task5Config(restricted_indices=2, restricted_seeds=1, detailed_indices=4).restricted("Branin")
        (2, 1)
        >>> Task5Config(restricted_indices=2, restricted_seeds=1, detailed_indices=4).restricted(DETAILED)
        (4, 1)
        """
        if landscape == DETAILED:
            return (self.restricted_indices if self.detailed_indices is None else self.detailed_indices,
                    self.restricted_seeds if self.detailed_seeds is None else self.detailed_seeds)
        return self.restricted_indices, self.restricted_seeds


CONFIG = Task5Config


SAMPLE_SEED = 16  # the fixed sample of multisets per k when ``restricted_indices`` is a number


def restricted_configurations(indices: str | int = "all") -> list:
    """Task 5 restricted 10-loop networks as ``(key, flags_1, flags_2)`` in the reference order.

    ``flags_1`` = k zeros (incoherent) then 10 − k ones (coherent), k = 0…10; ``flags_2`` = a multiset of k
    sub-structure indices followed by one of 10 − k (combinations with replacement, lexicographic).
    ``indices="ones"`` keeps only the all-ones sub-structures (11 configurations); an integer ``m`` keeps, per
    k, the all-ones multiset and ``m - 1`` others drawn without replacement (generator seeded with
    ``[SAMPLE_SEED, k]``, so the sample is fixed), in the reference order (all of them when there are at most ``m``).

    Examples
    --------
    >>> len(restricted_configurations()), len(restricted_configurations("ones"))
    (19448, 11)
    >>> restricted_configurations("ones")[3][0]
    '0001111111-1111111111'
    >>> sample = restricted_configurations(3)
    >>> len(sample), sample[0][0], sample[3][0], len({key for key, _, _ in sample})
    (33, '1111111111-1111111111', '0111111111-1111111111', 33)
    """
    spread = isinstance(indices, (int, np.integer)) and not isinstance(indices, bool)
    if not spread and indices not in ("all", "ones"):
        raise ValueError(f"indices must be 'all', 'ones' or a positive int, got {indices!r}.")
    if spread and indices < 1:
        raise ValueError(f"indices must be a positive number of multisets per k, got {indices}.")
    out = []
    for k in range(11):
        flags_1 = [0] * k + [1] * (10 - k)
        if indices == "ones":
            pairs = [((1,) * k, (1,) * (10 - k))]
        else:
            pairs = list(itertools.product(itertools.combinations_with_replacement((1, 2, 3, 4), k),
                                           itertools.combinations_with_replacement((1, 2, 3, 4), 10 - k)))
            if spread and int(indices) < len(pairs):  # the all-ones multiset and a seeded sample of the rest
                rest = np.random.default_rng([SAMPLE_SEED, k]).choice(len(pairs) - 1, int(indices) - 1, replace=False)
                pairs = [pairs[0]] + [pairs[int(i) + 1] for i in np.sort(rest)]
        for first, second in pairs:
            flags_2 = list(first) + list(second)
            out.append(("".join(map(str, flags_1)) + "-" + "".join(map(str, flags_2)), flags_1, flags_2))
    return out


# --------------------------------------------------------------------------------------------- unit configs


@dataclass(frozen=True)
class FitSettings:
    """Training settings shared by every fit of one run (``base_seed`` seeds the restricted series)."""

    learn_rate: float
    patience: int
    threshold: float
    points: int
    metric_every: int
    base_seed: int
    semantics: str


@dataclass(frozen=True)
class NetworkFitUnit(FitSettings):
    """Part 1: ``seeds`` fits of an unrestricted network of ``n`` motifs of ``kind`` on ``landscape``."""

    landscape: str
    kind: str
    n: int
    seeds: int
    output: str
    series: str
    maximum_iteration: int


@dataclass(frozen=True)
class RestrictedFitUnit(FitSettings):
    """Part 2: ``seeds`` fits of each of ``configurations``; the cap is read from ``cap_from`` when given."""

    landscape: str
    configurations: list
    seeds: int
    output: str
    series: str
    cap_from: str
    maximum_iteration: int
    traces: str = ""  #: the trace (or statistics) file (default: ``output`` with ``.traces.npz``)
    #: "full" (trace file) or "statistics" (statistics file; these two fields are left out of full-storage
    #: configs, so their config hashes are those of before)
    storage: str = "full"
    curve_rows: list = ()  #: statistics storage: the chunk rows whose S20 curves are kept


@dataclass(frozen=True)
class NetworkGatherUnit:
    """Part 1: the unit files of one landscape (``files["<kind>/<n>"]``)."""

    landscape: str
    motif_numbers: list
    files: dict
    output: str


@dataclass(frozen=True)
class RestrictedGatherUnit:
    """Part 2: the chunk files of one landscape, in configuration order."""

    landscape: str
    chunks: list
    output: str
    metric_every: int
    threshold: float


# --------------------------------------------------------------------------------------------- units


def _int_seed(sequence) -> int:
    return int(sequence.generate_state(1)[0])  # fit_batch takes a non-negative int seed


def unit_fit_unrestricted(config, raw_dir, seed):
    """Task 5 part 1: ``seeds`` batched fits of an unrestricted ``kind`` network with ``n`` motifs (losses only)."""
    from effect.expression import fit_batch

    unit = NetworkFitUnit(**config)
    result = fit_batch(unit.kind, unit.n, unit.landscape, unit.seeds, unit.learn_rate, unit.patience, unit.threshold,
                       unit.maximum_iteration or None, seed=_int_seed(seed), points=unit.points, metrics="none",
                       semantics=unit.semantics)
    traces = [np.asarray(t, dtype=np.float64).reshape(-1) for t in result["training loss"]]
    lengths = np.array([len(t) for t in traces], dtype=np.int64)
    save_npz(raw_dir / unit.output, {"values": np.concatenate(traces),
                                     "offsets": np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
                                     "final_loss": np.array([t[-1] for t in traces]), "iterations": lengths})


def unit_fit_gather(config, raw_dir, seed):
    """Task 5 part 1: one ``loop.vs.collider.<name>.npz`` per landscape."""
    unit = NetworkGatherUnit(**config)
    tree = {"landscape": np.array(unit.landscape), "motif_numbers": np.asarray(unit.motif_numbers, dtype=np.int64)}
    for kind in ("collider", "loop"):
        tree[kind] = {}
        for n in unit.motif_numbers:
            with np.load(raw_dir / unit.files[f"{kind}/{n}"], allow_pickle=False) as data:
                tree[kind][f"n{n}"] = {name: data[name] for name in data.files}
    save_pack(raw_dir / unit.output, tree)


#: Metrics traced by the restricted fits: stored name -> (``fit_batch`` result name, columns per sample).
METRICS = {"lipschitz": ("lipschitz constant", 1), "sparsity": ("sparsity", 4),
           "spectral_norm": ("spectral norm", 4), "gradient_variance": ("gradient variance", 4),
           "hessian": ("hessian eigenvalue", 3)}


def _restricted_rows(unit: RestrictedFitUnit, cap) -> list:
    """One row per configuration × seed: key, seed, k, metric steps, traced metrics and the full loss.

    One :func:`effect.expression.fit_restricted_batch` call trains every configuration of the unit; configuration
    ``c`` keeps its own seed (from ``unit_seed(base_seed, "<series>/<key>")``) so row ``c * seeds + index`` is the
    row ``index`` of the per-configuration :func:`effect.expression.fit_batch` call (:func:`_restricted_rows_loop`).
    """
    from effect.expression import fit_restricted_batch

    if not unit.configurations:
        return []
    flags = [(flags_1, flags_2) for _, flags_1, flags_2 in unit.configurations]
    seeds = [_int_seed(unit_seed(unit.base_seed, f"{unit.series}/{key}")) for key, _, _ in unit.configurations]
    result = fit_restricted_batch(10, unit.landscape, flags, seeds, unit.seeds, unit.learn_rate, unit.patience,
                                  unit.threshold, cap or None, points=unit.points, metrics="all",
                                  metric_every=unit.metric_every, semantics=unit.semantics)
    rows = []
    for c, (key, flags_1, _) in enumerate(unit.configurations):
        rows.extend(_rows_of(result, key, flags_1.count(0), c * unit.seeds, unit.seeds))
    return rows


def _restricted_rows_loop(unit: RestrictedFitUnit, cap) -> list:
    """The per-configuration reference path of :func:`_restricted_rows`: one ``fit_batch`` call per configuration."""
    from effect.expression import fit_batch

    rows = []
    for key, flags_1, flags_2 in unit.configurations:
        sequence = unit_seed(unit.base_seed, f"{unit.series}/{key}")
        result = fit_batch("restricted", 10, unit.landscape, unit.seeds, unit.learn_rate, unit.patience,
                           unit.threshold, cap or None, flags=(flags_1, flags_2), seed=_int_seed(sequence),
                           points=unit.points, metrics="all", metric_every=unit.metric_every,
                           semantics=unit.semantics)
        rows.extend(_rows_of(result, key, flags_1.count(0), 0, unit.seeds))
    return rows


def _rows_of(result, key, k, first, seeds) -> list:
    """Rows ``first … first + seeds - 1`` of a fit result as per-seed row dicts."""
    iterations = result["metric iterations"]
    if isinstance(iterations, dict):  # one cadence for every metric here
        iterations = iterations["sparsity"]
    rows = []
    for index in range(seeds):
        row = first + index
        loss = np.asarray(result["training loss"][row], dtype=np.float64).reshape(-1)
        steps = np.asarray(iterations[row], dtype=np.int64)
        trace = {"training_loss": loss[steps - 1]}
        for name, (label, width) in METRICS.items():
            value = np.asarray(result[label][row], dtype=np.float64)
            trace[name] = value.reshape(len(steps), width) if width > 1 else value.reshape(len(steps))
        rows.append({"key": key, "seed": index, "k": k, "steps": steps, "trace": trace, "loss": loss})
    return rows


def _traces_of(unit: RestrictedFitUnit) -> str:
    return unit.traces or unit.output.removesuffix(".npz") + ".traces.npz"


def unit_fit_restricted(config, raw_dir, seed):
    """Task 5 part 2: restricted 10-loop networks with all metrics, every configuration × seed in one batched fit.

    Writes the chunk's trace file fit by fit (or, with ``storage="statistics"``, its statistics file) and then its
    per-fit summaries (:func:`networks_traces.write_chunk`).
    """
    unit = RestrictedFitUnit(**config)
    cap = unit.maximum_iteration
    if unit.cap_from:
        with np.load(raw_dir / unit.cap_from, allow_pickle=False) as data:
            longest = int(data["iterations"].max())
        cap = min(cap, longest) if cap else longest
    networks_traces.write_chunk(raw_dir, unit.output, _traces_of(unit), _restricted_rows(unit, cap), cap,
                                unit.storage, unit.curve_rows)


def unit_restricted_gather(config, raw_dir, seed):
    """Task 5 part 2: one ``incoherent.vs.coherent.<name>.npz`` per landscape (rows in configuration order).

    Holds the per-fit summaries of every chunk and the list of the chunks' trace files; no trace is read or
    copied (:func:`networks_traces.gather_summaries`).
    """
    unit = RestrictedGatherUnit(**config)
    save_npz(raw_dir / unit.output, networks_traces.gather_summaries(raw_dir, unit.chunks, unit.landscape,
                                                                     unit.metric_every, unit.threshold))


# --------------------------------------------------------------------------------------------- planner


def assumed_cap(landscape: str, maximum_iteration: int = 0) -> int:
    """Iterations a restricted fit of ``landscape`` may run: ``maximum_iteration``, or when that is 0 (the cap is
    read at run time) the landscape's :data:`ASSUMED_CAPS` entry (:data:`ASSUMED_CAP` for another landscape).

    >>> assumed_cap("Branin"), assumed_cap("Branin", 5000), assumed_cap("my landscape")
    (18600, 5000, 20000)
    """
    return int(maximum_iteration) or ASSUMED_CAPS.get(landscape, ASSUMED_CAP)


def chunk_size(seeds: int, maximum_iteration: int) -> int:
    """Restricted configurations per unit: :data:`CHUNK`, fewer when ``seeds`` networks each would exceed a budget.

    A unit trains ``chunk × seeds`` networks in one batch for up to ``maximum_iteration`` iterations (0: read at run
    time, :data:`ASSUMED_CAP` assumed; the planner passes :func:`assumed_cap` of the landscape), so its peak is
    about ``chunk × seeds × cap ×``
    :data:`BYTES_PER_NETWORK_ITERATION` bytes, kept under :data:`UNIT_MEMORY` (4 GB), and its single-core time at
    most ``chunk × seeds × cap ×`` :data:`SECONDS_PER_NETWORK_ITERATION`, kept under :data:`UNIT_SECONDS`.

    >>> chunk_size(1, 0), chunk_size(3, 0), chunk_size(1, 100), chunk_size(2, 4000)
    (36, 12, 500, 90)
    """
    cap = maximum_iteration or ASSUMED_CAP
    by_memory = UNIT_MEMORY // (seeds * cap * BYTES_PER_NETWORK_ITERATION)
    by_time = int(UNIT_SECONDS // (seeds * cap * SECONDS_PER_NETWORK_ITERATION))
    return max(1, min(CHUNK, by_memory, by_time))


def _restricted_storage(storage: str, landscape: str, k: int, start: int, seeds: int, total: int,
                        size: int) -> tuple:
    """``(second file, {"storage", "curve_rows"})`` of the chunk of configurations ``start … start + size − 1``
    among the ``total`` of k: its trace file, or its statistics file and the chunk rows S20 draws."""
    from works.tasks.networks_packs import curve_runs

    if storage not in networks_traces.STORAGES:
        raise ValueError(f"trace_storage must be one of {networks_traces.STORAGES}, got {storage!r}.")
    if storage == "full":
        return layout.restricted_trace_file(landscape, k, start), {"storage": storage, "curve_rows": []}
    drawn = curve_runs(total * seeds) - start * seeds
    rows = drawn[(drawn >= 0) & (drawn < size * seeds)]
    return layout.restricted_statistics_file(landscape, k, start), {"storage": storage,
                                                                    "curve_rows": [int(r) for r in rows]}


def plan(scale) -> list:
    """Task 5: unrestricted fits per (landscape, kind, n); restricted fits per (landscape, k); gathers."""
    t5 = scale.task5
    settings = asdict(FitSettings(learn_rate=t5.learn_rate, patience=t5.patience, threshold=t5.threshold,
                                  points=t5.points, metric_every=t5.metric_every, base_seed=scale.seed,
                                  semantics=scale.semantics))
    first, first_gathers, second, second_gathers = [], [], [], []
    for landscape in t5.landscapes:
        indices, seeds = t5.restricted(landscape)
        configurations = restricted_configurations(indices)
        files = {}
        for kind in ("collider", "loop"):
            for n in t5.motif_numbers:
                path = layout.network_chunk_file(landscape, kind, n)
                files[f"{kind}/{n}"] = path
                series = f"task5/{LOOP_VS_COLLIDER}/{landscape}/{kind}/{n:02d}"
                first.append(Unit(series, f"{_HERE}:unit_fit_unrestricted",
                                  asdict(NetworkFitUnit(**settings, landscape=landscape, kind=kind, n=n,
                                                        seeds=t5.seeds, output=path, series=series,
                                                        maximum_iteration=t5.maximum_iteration)),
                                  (path,), (), scale.seed))
        output = layout.network_file(LOOP_VS_COLLIDER, landscape)
        first_gathers.append(Unit(f"task5/{LOOP_VS_COLLIDER}/{landscape}/gather", f"{_HERE}:unit_fit_gather",
                                  asdict(NetworkGatherUnit(landscape=landscape, motif_numbers=list(t5.motif_numbers),
                                                           files=files, output=output)),
                                  (output,), tuple(files.values()), scale.seed))
        largest = max(t5.motif_numbers)
        cap_from = files[f"loop/{largest}"] if largest == 10 else ""
        chunks = []
        series = f"task5/{INCOHERENT_VS_COHERENT}/{landscape}"
        longest = assumed_cap(landscape, t5.maximum_iteration)
        chunk = chunk_size(seeds, longest)
        # full traces: consecutive configurations across k (one batch of many fits costs far less than many
        # small ones); statistics keep one k per chunk (their histograms and S20 rows are per k)
        groups = [configurations] if t5.trace_storage == "full" else [
            [c for c in configurations if c[1].count(0) == k] for k in range(11)]
        for group in groups:
            for start in range(0, len(group), chunk):
                part = group[start:start + chunk]
                k = part[0][1].count(0)
                path = layout.restricted_chunk_file(landscape, k, start)
                traces, storage = _restricted_storage(t5.trace_storage, landscape, k, start, seeds, len(group),
                                                      len(part))
                chunks.append(path)
                config = asdict(RestrictedFitUnit(**settings, landscape=landscape, configurations=part, seeds=seeds,
                                                  output=path, series=series, cap_from=cap_from,
                                                  maximum_iteration=t5.maximum_iteration, traces=traces, **storage))
                if t5.trace_storage == "full":
                    del config["storage"], config["curve_rows"]
                second.append(Unit(f"{series}/k{k:02d}/{start:05d}", f"{_HERE}:unit_fit_restricted", config,
                                   (path, traces), (cap_from,) if cap_from else (), scale.seed,
                                   restricted_memory_gb(len(part) * seeds, longest)))
        output = layout.network_file(INCOHERENT_VS_COHERENT, landscape)
        second_gathers.append(Unit(f"{series}/gather", f"{_HERE}:unit_restricted_gather",
                                   asdict(RestrictedGatherUnit(landscape=landscape, chunks=chunks, output=output,
                                                               metric_every=t5.metric_every,
                                                               threshold=t5.threshold)),
                                   (output,), tuple(chunks), scale.seed,
                                   restricted_memory_gb(len(configurations) * seeds, 1, 1024)))
    return [first, first_gathers, second, second_gathers]
