"""Step 2 of the pipeline: pack the raw results into one ``.npz`` per figure.

Reads ``OUT/raw`` (formats: the task 1–2 contract and ``docs/raw-data.md``) and
writes ``OUT/data/<figure>.npz`` via :func:`works._io.save_pack` plus
``OUT/data/manifest.json``. Each pack is keyed on its raw inputs: the manifest
records the SHA-256 of every raw file a pack read (and the scale); a pack is
rebuilt whenever a checksum changed or the pack is missing (spec-works §11.12),
and skipped (with a reason in the manifest) when its raw inputs do not exist.

Pack contents follow spec-works §4 (panel letters as top-level keys). Where
the reference stored tuples, ``None`` or ``Counter`` objects, packs store
sub-groups of plain arrays, empty arrays or omitted keys (see each packer's
docstring and ``docs/packs.md``-style notes in the module below).

Examples
--------
>>> import tempfile
>>> from works.run_2_packs import pack_all
>>> status = pack_all(tempfile.mkdtemp(), scale="smoke")   # nothing raw yet: every pack is skipped
>>> status["main02"].startswith("skipped")
True
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch
from scipy import stats

from effect.engine import grid_inputs, motif_outputs, raw_outputs
from effect.operations import detect_curvature_feature
from effect.structures import LOOP_TYPES, catcher_parameters, parse_structure
from works._io import load_json, load_pack, save_json, save_pack, sha256_file

__all__ = ["PACKS", "SCALES", "pack_all", "pack_one", "kde_curve", "nearest_bin_counts", "curvature_batch",
           "curvature_proportion", "gradient_norms", "row_spearman", "escape_extremes", "spearman", "kde_density_2d",
           "classify_outcomes", "first_reach", "best_at_own_noise", "main"]

SCALES = ("smoke", "quick", "paper")
LIPSCHITZ_RANGE = (0.6, 2.4)
DIFFERENCE_RANGE = (0.0, 0.03)
#: Fig. 2a example loop (spec-effect §10.3) and the fixed escape examples of Fig. 4 / S4.
EXAMPLE_LOOP = (-1.0, 0.652, 1.0, 1.0, 0.337)
EXAMPLE_RECORDS = {"main04/a": ("incoherent-loop.1", 55), "main04/b": ("coherent-loop.1", 42),
                   "supp04/a": ("coherent-loop.1", 42), "supp04/b": ("coherent-loop.1", 60)}
LETTERS = "abcdefghijklmnopqrstuvwxyz"


class MissingRaw(Exception):
    """Raised by a packer when the raw data it needs do not exist (the pack is skipped)."""


# --------------------------------------------------------------------------------------------------- numerics


def kde_curve(values, low: float, high: float, points: int = 100):
    """``(x, y)``: :class:`scipy.stats.gaussian_kde` (default bandwidth) of ``values`` on ``linspace(low, high, points)``.

    Degenerate inputs (fewer than two distinct finite values) give a unit spike at the nearest grid point
    (all zeros when there is no value at all).
    """
    x = np.linspace(low, high, points)
    values = np.asarray(values, dtype=np.float64).ravel()
    values = values[np.isfinite(values)]
    if np.unique(values).size >= 2:
        try:
            return x, stats.gaussian_kde(values)(x)
        except np.linalg.LinAlgError:
            pass
    y = np.zeros(points)
    if values.size:
        y[int(np.argmin(np.abs(x - values.mean())))] = 1.0
    return x, y


def nearest_bin_counts(x_values, y_values, x_range, y_range, bins: int = 100) -> np.ndarray:
    """Counts ``(bins_y, bins_x)`` of points assigned to the NEAREST of ``linspace(range, bins)`` on each axis.

    Only points inside both ranges are counted (spec-works §4 main02 d/e: 100 × 100 counts over
    ``linspace(0, 0.03, 100)`` × ``linspace(0.6, 2.4, 100)``; rows = y, columns = x).
    """
    x_values, y_values = np.asarray(x_values, float), np.asarray(y_values, float)
    keep = ((x_values >= x_range[0]) & (x_values <= x_range[1]) & (y_values >= y_range[0]) & (y_values <= y_range[1]))
    ix = np.rint((x_values[keep] - x_range[0]) / (x_range[1] - x_range[0]) * (bins - 1)).astype(int)
    iy = np.rint((y_values[keep] - y_range[0]) / (y_range[1] - y_range[0]) * (bins - 1)).astype(int)
    counts = np.zeros((bins, bins))
    np.add.at(counts, (iy, ix), 1.0)
    return counts


def landscapes(params, motif_type: str, points: int = 41) -> np.ndarray:
    """Normalised landscapes ``(B, points, points)`` (float64 copy of the float32 engine output)."""
    params = torch.as_tensor(np.asarray(params, dtype=np.float32).reshape(-1, np.shape(params)[-1]))
    with torch.no_grad():
        out = motif_outputs(params, motif_type, grid_inputs((-1, 1), points))
    return out.double().numpy().reshape(-1, points, points)


def curvature_batch(surfaces, interval: float) -> np.ndarray:
    """Curvature labels of a batch of landscapes ``(B, p, p)``: +1 cap ("convex"), −1 bowl ("concave"), 0 other.

    ``effect.operations.detect_curvature_feature`` (spec-effect §4.8, reference semantics) over the batch.
    """
    surfaces = np.asarray(surfaces, dtype=np.float64)
    if surfaces.ndim != 3:
        raise ValueError(f"surfaces must have shape (B, p, p), got {surfaces.shape}.")
    return detect_curvature_feature(surfaces, interval)


def curvature_proportion(labels) -> np.ndarray:
    """Predominant curvature proportion ``max(#(+1), #(−1)) / p²`` per landscape of ``(B, p, p)`` labels."""
    labels = np.asarray(labels)
    size = labels.shape[1] * labels.shape[2]
    return np.maximum((labels == 1).sum(axis=(1, 2)), (labels == -1).sum(axis=(1, 2))) / size


def gradient_norms(params, motif_type: str, points: int = 41) -> np.ndarray:
    """``‖∇_x r‖`` of the RAW motif output at every grid point, ``(B, points, points)``.

    The normalised landscape's clean input-gradient norm (``calculate_gradients``, spec-effect §4.6) is this times the
    per-motif constant ``2/(M − m)``; rank statistics (Spearman) do not depend on it.
    """
    params = torch.as_tensor(np.asarray(params, dtype=np.float32))
    inputs = grid_inputs((-1, 1), points)

    def one(row):
        return torch.func.grad(lambda x: raw_outputs(row[None], motif_type, x).sum())(inputs)

    grads = torch.func.vmap(one)(params)
    return grads.norm(dim=-1).double().numpy().reshape(-1, points, points)


def row_spearman(first, second) -> np.ndarray:
    """Spearman correlation of matching rows of two ``(B, N)`` arrays (average ranks for ties; NaN if constant)."""
    a = stats.rankdata(np.asarray(first, float), axis=1)
    b = stats.rankdata(np.asarray(second, float), axis=1)
    a -= a.mean(axis=1, keepdims=True)
    b -= b.mean(axis=1, keepdims=True)
    denominator = np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, (a * b).sum(axis=1) / np.where(denominator > 0, denominator, 1), np.nan)


def escape_extremes(loss) -> tuple[np.ndarray, np.ndarray]:
    """Per escape record, the iterations of the smallest ("before escaping") and largest ("after") loss."""
    loss = np.asarray(loss)
    return np.argmin(loss, axis=1), np.argmax(loss, axis=1)


def _imitation_trajectories(loop, steps: int, learn_rate: float = 1e-3, points: int = 41) -> np.ndarray:
    """States ``(4, steps + 1, 3)`` of the four catchers imitating ``loop`` with Adam (initial state first).

    Adam is element-wise, so training the four catchers in one tensor equals four separate runs;
    after every step weights are clamped to their signed magnitude bounds [1e-3, 1] and biases to [−1, 1].
    """
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


def embed_2d(distances, seed: int = 0) -> np.ndarray:
    """2-D embedding of a precomputed distance matrix (scikit-learn metric MDS, SMACOF; replaces UMAP).

    Both coordinates are min–max scaled to [0, 1] as in the reference.
    """
    from sklearn.manifold import MDS

    model = MDS(n_components=2, metric="precomputed", n_init=1, init="classical_mds", random_state=seed,
                max_iter=300, normalized_stress="auto")
    points = model.fit_transform(np.asarray(distances, float))
    low, high = points.min(axis=0), points.max(axis=0)
    return (points - low) / np.where(high > low, high - low, 1.0)


# --------------------------------------------------------------------------------------------------- raw access


class Raw:
    """Access to ``OUT/raw`` that records every file read (for the manifest checksums)."""

    def __init__(self, raw_dir: Path):
        self.root = Path(raw_dir)
        self.read: set[Path] = set()

    def path(self, relative: str) -> Path:
        path = self.root / relative
        if not path.is_file():
            raise MissingRaw(f"raw file {relative} not found")
        self.read.add(path)
        return path

    def exists(self, relative: str) -> bool:
        return (self.root / relative).is_file()

    def npy(self, relative: str) -> np.ndarray:
        return np.load(self.path(relative), allow_pickle=False)

    def npz(self, relative: str) -> dict:
        with np.load(self.path(relative), allow_pickle=False) as archive:
            return {k: archive[k] for k in archive.files}

    def pack(self, relative: str) -> dict:
        return load_pack(self.path(relative))

    def json(self, relative: str):
        return load_json(self.path(relative))

    def structures(self, folder: str, suffix: str, motif_type: str | None = None) -> list[str]:
        """Loop structure names ``<type>.<k>`` with an existing ``folder/<name><suffix>``, in reference order."""
        types = LOOP_TYPES if motif_type is None else (motif_type,)
        return [f"{t}.{k}" for t in types for k in (1, 2, 3, 4) if self.exists(f"{folder}/{t}.{k}{suffix}")]


def _require(names, what: str):
    if not names:
        raise MissingRaw(f"no raw {what}")
    return names


def _escape(raw: Raw, structure: str) -> dict:
    data = raw.npz(f"particular/{structure}.escape.npz")
    for key in ("escaper", "catcher", "choice", "loss"):
        if key not in data:
            raise ValueError(f"raw/particular/{structure}.escape.npz lacks {key!r}.")
    return data


# --------------------------------------------------------------------------------------------------- task 1–2 packs


def pack_main02(raw: Raw, scale: str) -> dict:
    """Fig. 2. "a": MDS map of the example loop and four catcher imitation trajectories; "b"/"c": KDEs per loop type
    of Lipschitz values and of trade-off losses ≤ 0.03; "d"/"e": nearest-bin joint counts (rows Lipschitz,
    columns difference) of incoherent/coherent loops divided by their common maximum."""
    pack: dict = {"b": {}, "c": {}}
    joint = {}
    for motif_type in LOOP_TYPES:
        names = _require(raw.structures("robustness", ".npy", motif_type), f"robustness of {motif_type}")
        lipschitz = np.concatenate([raw.npy(f"robustness/{s}.npy") for s in names])
        x, y = kde_curve(lipschitz, *LIPSCHITZ_RANGE)
        pack["b"][motif_type] = {"x": x, "y": y}
        names = _require(raw.structures("trade-offs", ".npy", motif_type), f"trade-offs of {motif_type}")
        trade = [raw.npy(f"trade-offs/{s}.npy") for s in names]
        loss = np.concatenate([t[:, 1] for t in trade])
        x, y = kde_curve(loss[loss <= DIFFERENCE_RANGE[1]], *DIFFERENCE_RANGE)
        pack["c"][motif_type] = {"x": x, "y": y}
        robust = np.concatenate([raw.npy(f"robustness/{s}.npy") for s in names])
        joint[motif_type] = nearest_bin_counts(loss, robust, DIFFERENCE_RANGE, LIPSCHITZ_RANGE)
    peak = max(float(m.max()) for m in joint.values()) or 1.0
    pack["d"], pack["e"] = joint["incoherent-loop"] / peak, joint["coherent-loop"] / peak
    pack["de"] = {"x": np.linspace(*DIFFERENCE_RANGE, 100), "y": np.linspace(*LIPSCHITZ_RANGE, 100)}
    steps = 20 if scale == "smoke" else 100
    states = _imitation_trajectories(EXAMPLE_LOOP, steps)
    surfaces = np.concatenate([landscapes([EXAMPLE_LOOP], "incoherent-loop").reshape(1, -1),
                               landscapes(states.reshape(-1, 3), "collider").reshape(4 * (steps + 1), -1)])
    squared = (surfaces ** 2).sum(axis=1)
    mse = np.maximum(squared[:, None] + squared[None, :] - 2 * surfaces @ surfaces.T, 0) / surfaces.shape[1]
    np.fill_diagonal(mse, 0.0)
    starts = 1 + np.arange(4) * (steps + 1)
    pack["a"] = {"points": embed_2d(np.sqrt(mse)), "starts": starts, "stops": starts + steps,
                 "loop": np.asarray(EXAMPLE_LOOP), "catchers": states[:, -1], "method": "metric MDS (scikit-learn)"}
    return pack


def pack_main03(raw: Raw, scale: str) -> dict:
    """Fig. 3: |w_xy| ("b"/"d") and |b_y| ("c"/"e") of the escaper at the argmin/argmax-loss iterations, (2, n)."""
    pack = {}
    for motif_type, (weight_key, bias_key) in zip(LOOP_TYPES, (("b", "c"), ("d", "e"))):
        names = _require(raw.structures("particular", ".escape.npz", motif_type), f"escape of {motif_type}")
        weights, biases = [], []
        for structure in names:
            data = _escape(raw, structure)
            before, after = escape_extremes(data["loss"])
            rows = np.arange(len(before))
            for column, store in ((0, weights), (3, biases)):
                store.append(np.abs(np.stack([data["escaper"][rows, before, column],
                                              data["escaper"][rows, after, column]])))
        pack[weight_key], pack[bias_key] = np.concatenate(weights, axis=1), np.concatenate(biases, axis=1)
    return pack


def _escape_curvatures(raw: Raw, structure: str, points: int = 101):
    """Loop and catcher predominant curvature proportions before/after for every record: (E, 4)."""
    motif_type, _ = parse_structure(structure)
    data = _escape(raw, structure)
    before, after = escape_extremes(data["loss"])
    rows = np.arange(len(before))
    columns = []
    for kind, key, size in ((motif_type, "escaper", 5), ("collider", "catcher", 3)):
        for index in (before, after):
            params = data[key][rows, index].reshape(-1, size)
            columns.append(curvature_proportion(curvature_batch(landscapes(params, kind, points), 1 / (points - 1))))
    return np.stack(columns, axis=1), data, before, after


def _example(raw: Raw, structure: str, record: int, points: int = 41) -> dict:
    motif_type, _ = parse_structure(structure)
    data = _escape(raw, structure)
    record = min(record, data["loss"].shape[0] - 1)
    before, after = escape_extremes(data["loss"][record:record + 1])
    surfaces = landscapes(data["escaper"][record, [before[0], after[0]]], motif_type, points)
    labels = curvature_batch(surfaces, 1 / (points - 1))
    return {"before": surfaces[0], "after": surfaces[1], "before_curvature": labels[0], "after_curvature": labels[1],
            "record": record, "structure": structure}


def pack_main04(raw: Raw, scale: str) -> dict:
    """Fig. 4: worked examples "a"/"b" (41-grid landscapes and curvature labels before/after) and "c"/"d":
    (n, 4) predominant curvature proportions [loop before, loop after, collider before, collider after]
    at 101 points; "c_example"/"d_example" = row of the worked example in "c"/"d" (−1 when absent)."""
    pack = {}
    for motif_type, letter, example in (("incoherent-loop", "c", "a"), ("coherent-loop", "d", "b")):
        names = _require(raw.structures("particular", ".escape.npz", motif_type), f"escape of {motif_type}")
        blocks, offset, marker = [], 0, -1
        structure, record = EXAMPLE_RECORDS[f"main04/{example}"]
        if structure not in names:
            structure = names[0]
        for name in names:
            block = _escape_curvatures(raw, name)[0]
            if name == structure:
                marker = offset + min(record, block.shape[0] - 1)
            blocks.append(block)
            offset += block.shape[0]
        pack[letter], pack[f"{letter}_example"] = np.concatenate(blocks), marker
        pack[example] = _example(raw, structure, record)
    return pack


def _kde_panels(raw: Raw, folder: str, column, low: float, high: float) -> dict:
    pack = {}
    for t_index, motif_type in enumerate(LOOP_TYPES):
        names = raw.structures(folder, ".npy", motif_type)
        values = {s: raw.npy(f"{folder}/{s}.npy") for s in names}
        if column is not None:
            values = {s: v[:, column] for s, v in values.items()}
        for k in range(5):
            letter = LETTERS[t_index * 5 + k]
            chosen = list(values.values()) if k == 0 else [values[s] for s in values if s.endswith(f".{k}")]
            if not chosen:
                continue
            x, y = kde_curve(np.concatenate(chosen), low, high)
            pack[letter] = {"x": x, "y": y, "type": motif_type, "index": k}
    if not pack:
        raise MissingRaw(f"no raw {folder}")
    return pack


def pack_supp01(raw: Raw, scale: str) -> dict:
    """Fig. S1: Lipschitz KDEs; "a"…"j" = incoherent all, 1–4, coherent all, 1–4 (absent structures omitted)."""
    return _kde_panels(raw, "robustness", None, *LIPSCHITZ_RANGE)


def pack_supp02(raw: Raw, scale: str) -> dict:
    """Fig. S2: KDEs of all trade-off losses (column 1) on [0, 0.03], layout as S1."""
    return _kde_panels(raw, "trade-offs", 1, *DIFFERENCE_RANGE)


def pack_supp04(raw: Raw, scale: str) -> dict:
    """Fig. S4: coherent-loop.1 records 42 and 60: landscapes of the initial loop and after every tenth of the
    outer iterations, "a"/"b" = {"landscapes": (n, 41, 41), "iterations": (n,) (0 = initial), "record"}."""
    structure = "coherent-loop.1"
    data = _escape(raw, structure)
    selection = raw.npy(f"particular/{structure}.selection.npy")
    initial = raw.npy(f"parameters/{structure}.npy")[selection]
    records, steps = data["loss"].shape
    marks = sorted({max(1, round(steps * k / 10)) for k in range(1, 11)})
    pack = {}
    for letter in ("a", "b"):
        record = min(EXAMPLE_RECORDS[f"supp04/{letter}"][1], records - 1)
        params = np.concatenate([initial[record][None], data["escaper"][record, [m - 1 for m in marks]]])
        pack[letter] = {"landscapes": landscapes(params, "coherent-loop"), "iterations": np.array([0] + marks),
                        "record": record}
    return pack


def escape_correlations(escaper, loss, motif_type: str, points: int = 41) -> np.ndarray:
    """Per-step Spearman correlations of one escape record (spec-works §4 supp05).

    For every step ``t`` from argmin to argmax − 2 of ``loss``: Spearman between the gradient-norm map of the
    escaper at ``t`` and ``|landscape(t + 1) − landscape(t)|``. Returns a 1-D array (possibly empty).
    """
    start, stop = int(np.argmin(loss)), int(np.argmax(loss))
    steps = np.arange(start, stop - 1)
    if steps.size == 0:
        return np.empty(0)
    surfaces = landscapes(escaper[start:stop], motif_type, points).reshape(stop - start, -1)
    norms = gradient_norms(escaper[steps], motif_type, points).reshape(steps.size, -1)
    change = np.abs(surfaces[1:steps.size + 1] - surfaces[:steps.size])
    return row_spearman(norms, change)


def pack_supp05(raw: Raw, scale: str) -> dict:
    """Fig. S5: coherent-loop.1–4 ("a"…"d"): per record a KDE (100 points on [−1, 1], normalised to sum 1) of the
    per-step gradient/landscape-change Spearman correlations, (E, 100); "x" = the grid."""
    names = _require(raw.structures("particular", ".escape.npz", "coherent-loop"), "escape of coherent loops")
    pack = {"x": np.linspace(-1, 1, 100)}
    for name in names:
        data = _escape(raw, name)
        rows = []
        for escaper, loss in zip(data["escaper"], data["loss"]):
            _, y = kde_curve(escape_correlations(escaper, loss, "coherent-loop"), -1, 1)
            rows.append(y / y.sum() if y.sum() > 0 else y)
        pack[LETTERS[parse_structure(name)[1] - 1]] = np.array(rows)
    return pack


def _pack_proportions(raw: Raw, motif_type: str) -> dict:
    names = _require(raw.structures("particular", ".escape.npz", motif_type), f"escape of {motif_type}")
    return {LETTERS[parse_structure(n)[1] - 1]: _escape_curvatures(raw, n)[0][:, :2] for n in names}


def pack_supp06(raw: Raw, scale: str) -> dict:
    """Fig. S6: incoherent-loop.1–4 ("a"…"d"): (E, 2) loop predominant curvature proportion before/after (101 grid)."""
    return _pack_proportions(raw, "incoherent-loop")


def pack_supp08(raw: Raw, scale: str) -> dict:
    """Fig. S8: as S6 for coherent-loop.1–4."""
    return _pack_proportions(raw, "coherent-loop")


def pack_supp07(raw: Raw, scale: str, points: int = 101) -> dict:
    """Fig. S7: for incoherent records whose loop curvature proportion decreased, the ridge/valley region
    (landscape > 0 when the before-map has no +1 label, else landscape < 0) and its area fraction before/after.
    "a": example maps of the first such record (101 grid); "b": (n, 2) area fractions."""
    names = _require(raw.structures("particular", ".escape.npz", "incoherent-loop"), "escape of incoherent loops")
    fractions, example = [], None
    for name in names:
        data = _escape(raw, name)
        before, after = escape_extremes(data["loss"])
        rows = np.arange(len(before))
        first = landscapes(data["escaper"][rows, before], "incoherent-loop", points)
        second = landscapes(data["escaper"][rows, after], "incoherent-loop", points)
        labels_1, labels_2 = curvature_batch(first, 1 / (points - 1)), curvature_batch(second, 1 / (points - 1))
        decreased = curvature_proportion(labels_2) < curvature_proportion(labels_1)
        for r in np.flatnonzero(decreased):
            ridge = not np.any(labels_1[r] == 1)
            region_1 = first[r] > 0 if ridge else first[r] < 0
            region_2 = second[r] > 0 if ridge else second[r] < 0
            fractions.append((region_1.mean(), region_2.mean()))
            if example is None:
                example = {"before": first[r], "after": second[r], "before_curvature": labels_1[r],
                           "after_curvature": labels_2[r], "before_region": region_1.astype(float),
                           "after_region": region_2.astype(float), "structure": name, "record": int(r)}
    pack = {"b": np.array(fractions, dtype=float).reshape(-1, 2)}
    if example is not None:
        pack["a"] = example
    return pack


LANDSCAPE_NAMES = ("Quadratic Saddle", "Monkey Saddle", "Branin", "three-hump Camel", "six-hump Camel")


def pack_supp09(raw: Raw, scale: str) -> dict:
    """Fig. S9: the five target landscapes of ``effect.expression.get_landscape`` (41 grid), "b"…"f"."""
    try:
        from effect.expression import get_landscape
    except ImportError as error:  # the expression module is optional until it is installed
        raise MissingRaw(f"effect.expression unavailable ({error})") from error
    return {letter: {"name": name, "landscape": np.asarray(get_landscape(name), dtype=np.float64)}
            for letter, name in zip("bcdef", LANDSCAPE_NAMES)}


# --------------------------------------------------------------------------------------------------- task 3–5 packs
#
# Raw formats: docs/raw-data.md. Agent letters b, i, c, a map to the panel letters c, d, e, f (Fig. 5/6) and
# to a, b, c, d (S25); the UCI domains biology, physics-chemistry, health-medicine to a, b, c (S26–S30).

PASS_SCORE = 195.0
AGENT_ORDER = ("b", "i", "c", "a")
AGENT_PANELS = dict(zip(AGENT_ORDER, "cdef"))
OUTCOMES = ("S", "F1", "F2", "F3")
DOMAINS = ("biology", "physics-chemistry", "health-medicine")
DOMAIN_LABELS = {"biology": "case study in biology", "physics-chemistry": "case study in physics and chemistry",
                 "health-medicine": "case study in health and medicine"}
MILESTONES = (1.0, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001)
FRACTIONS = np.arange(11) / 10.0
#: Columns of the (Σ, 4) per-group metric traces and of the (Σ, 3) Hessian trace (docs/raw-data.md, task 5).
GROUP_COLUMNS = {"coherent-loop": 1, "incoherent-loop": 2, "network": 3}
HESSIAN_MAX = 1
S19_RANGE = ((0.0, 0.06), (-0.004, 0.008))
S22_RANGE = ((-0.012, 0.002), (-0.008, 0.006))
#: Largest number of points fed to one 2-D KDE (a seeded subsample beyond; Spearman always uses every point).
KDE_POINTS = 20000
#: Largest number of curves per S20 panel (evenly spaced over the runs) and points of its log-spaced step grid.
S20_CURVES, S20_POINTS = 200, 100


def spearman(first, second) -> float:
    """:func:`scipy.stats.spearmanr` of two 1-D samples over their jointly finite entries (NaN if undefined)."""
    first, second = np.asarray(first, float).ravel(), np.asarray(second, float).ravel()
    keep = np.isfinite(first) & np.isfinite(second)
    first, second = first[keep], second[keep]
    if first.size < 2 or np.ptp(first) == 0 or np.ptp(second) == 0:
        return float("nan")
    return float(stats.spearmanr(first, second)[0])


def kde_density_2d(x_values, y_values, x_grid, y_grid, max_points: int = KDE_POINTS, seed: int = 0) -> np.ndarray:
    """2-D :class:`scipy.stats.gaussian_kde` (default bandwidth) on ``y_grid × x_grid``, normalised to max 1.

    Returns ``(len(y_grid), len(x_grid))`` (rows = y). Degenerate samples (fewer than 3 finite points or a
    singular covariance) give all zeros. More than ``max_points`` points are subsampled with a seeded generator.
    """
    x_values, y_values = np.asarray(x_values, float).ravel(), np.asarray(y_values, float).ravel()
    keep = np.isfinite(x_values) & np.isfinite(y_values)
    sample = np.vstack([x_values[keep], y_values[keep]])
    density = np.zeros((len(y_grid), len(x_grid)))
    if sample.shape[1] > max_points:
        sample = sample[:, np.sort(np.random.default_rng(seed).choice(sample.shape[1], max_points, replace=False))]
    if sample.shape[1] < 3:
        return density
    gx, gy = np.meshgrid(np.asarray(x_grid, float), np.asarray(y_grid, float))
    try:
        density = stats.gaussian_kde(sample)(np.vstack([gx.ravel(), gy.ravel()])).reshape(gx.shape)
    except (np.linalg.LinAlgError, ValueError):
        return density
    peak = density.max()
    return density / peak if peak > 0 else density


def classify_outcomes(scores, eval_noises, train_noise: float, pass_score: float = PASS_SCORE) -> np.ndarray:
    """Outcome type per agent (spec-works §4 main06): 0 = S, 1 = F1, 2 = F2, 3 = F3.

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


def first_reach(values, offsets, milestones=MILESTONES, steps=None) -> np.ndarray:
    """First iteration (1-based) at which each run's loss is ≤ each milestone; 0 if never. ``(M, S)`` int.

    ``values``/``offsets`` are concatenated traces (run j = ``values[offsets[j]:offsets[j + 1]]``); ``steps``
    (same length as ``values``) gives the iteration of each entry when the traces are subsampled
    (default: consecutive iterations 1, 2, …).
    """
    values, offsets = np.asarray(values, float), np.asarray(offsets, np.int64)
    out = np.zeros((len(milestones), len(offsets) - 1), dtype=np.int64)
    for j in range(len(offsets) - 1):
        trace = values[offsets[j]:offsets[j + 1]]
        iteration = (np.arange(1, trace.size + 1) if steps is None
                     else np.asarray(steps, np.int64)[offsets[j]:offsets[j + 1]])
        for m, milestone in enumerate(milestones):
            hits = np.flatnonzero(trace <= milestone)
            out[m, j] = iteration[hits[0]] if hits.size else 0
    return out


def best_at_own_noise(test, train_noises, eval_noises) -> np.ndarray:
    """``(A, T)`` number of repeats whose best evaluation score (first maximum) is at their training noise.

    ``test`` is ``(A, T, R, K)``; a training noise that is not an evaluation noise gives NaN.
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


def _real_world(raw: Raw, name: str, keys) -> dict:
    data = raw.npz(f"real-world/{name}.npz")
    missing = [k for k in keys if k not in data]
    if missing:
        raise ValueError(f"raw/real-world/{name}.npz lacks {missing}.")
    data["agents"] = np.asarray([str(a) for a in data["agents"]])
    return data


def pack_main05(raw: Raw, scale: str) -> dict:
    """Fig. 5 from ``real-world/adjustments.1.npz``: "b" (A, T) mean training fitness of the best agents over the
    repeats; "c"–"f" (agents b, i, c, a; absent agents omitted) (T, K) mean evaluation score [training noise ×
    evaluation noise]; "agents", "training_noise", "evaluation_noise" = the axes."""
    data = _real_world(raw, "adjustments.1", ("agents", "train_noises", "eval_noises", "train_fitness", "test"))
    pack = {"agents": data["agents"], "training_noise": data["train_noises"].astype(float),
            "evaluation_noise": data["eval_noises"].astype(float), "b": data["train_fitness"].mean(axis=-1)}
    for a, agent in enumerate(data["agents"]):
        if agent in AGENT_PANELS:
            pack[AGENT_PANELS[agent]] = data["test"][a].mean(axis=1)
    return pack


def pack_main06(raw: Raw, scale: str) -> dict:
    """Fig. 6: "a" from ``real-world/iterations.npz`` = {"caps", "repeats", agent: qualified counts (C,)}
    (recounted from ``test`` when ``qualified`` is absent); "c"–"f" (agents b, i, c, a) from
    ``real-world/adjustments.2.npz`` = counts (4,) of the outcome types [S, F1, F2, F3]
    (:func:`classify_outcomes`); "outcomes" = the type names, "train_noise" = the long runs' training noise."""
    caps = _real_world(raw, "iterations", ("agents", "caps", "test", "eval_noises"))
    if "qualified" in caps:
        qualified = caps["qualified"]
    else:
        min_passes = max(1, caps["eval_noises"].size - 1)
        qualified = ((caps["test"] >= PASS_SCORE).sum(axis=-1) >= min_passes).sum(axis=-1)
    pack = {"a": {"caps": caps["caps"].astype(np.int64), "repeats": np.int64(caps["test"].shape[2]),
                  **{agent: qualified[a].astype(float) for a, agent in enumerate(caps["agents"])}},
            "outcomes": np.array(OUTCOMES)}
    runs = _real_world(raw, "adjustments.2", ("agents", "eval_noises", "train_noise", "test"))
    pack["train_noise"] = np.float64(runs["train_noise"])
    for a, agent in enumerate(runs["agents"]):
        if agent in AGENT_PANELS:
            kinds = classify_outcomes(runs["test"][a], runs["eval_noises"], float(runs["train_noise"]))
            pack[AGENT_PANELS[agent]] = np.bincount(kinds, minlength=4).astype(float)
    return pack


def pack_supp24(raw: Raw, scale: str) -> dict:
    """Fig. S24 from ``real-world/adjustments.2.npz``: per agent {"F1", "F2", "F3"} evaluation-score rows
    (n, K) of the agents of that outcome type (possibly (0, K)); "evaluation_noise" (K,)."""
    runs = _real_world(raw, "adjustments.2", ("agents", "eval_noises", "train_noise", "test"))
    pack = {"evaluation_noise": runs["eval_noises"].astype(float)}
    for a, agent in enumerate(runs["agents"]):
        kinds = classify_outcomes(runs["test"][a], runs["eval_noises"], float(runs["train_noise"]))
        pack[agent] = {name: runs["test"][a][kinds == k] for k, name in enumerate(OUTCOMES) if k > 0}
    return pack


def pack_supp25(raw: Raw, scale: str) -> dict:
    """Fig. S25: F3 evaluation-score rows (n, K) per agent, "a"…"d" = agents b, i, c, a (absent agents omitted)."""
    runs = _real_world(raw, "adjustments.2", ("agents", "eval_noises", "train_noise", "test"))
    pack = {"evaluation_noise": runs["eval_noises"].astype(float)}
    for a, agent in enumerate(runs["agents"]):
        if agent in AGENT_ORDER:
            kinds = classify_outcomes(runs["test"][a], runs["eval_noises"], float(runs["train_noise"]))
            pack["abcd"[AGENT_ORDER.index(agent)]] = runs["test"][a][kinds == 3]
    return pack


def _uci_domains(raw: Raw) -> dict:
    tree = raw.pack("real-world/uci.datasets.npz")
    domains = {d: tree[d] for d in DOMAINS if d in tree}
    if not domains:
        raise MissingRaw(f"raw/real-world/uci.datasets.npz holds none of the domains {DOMAINS}")
    return domains


def pack_supp26(raw: Raw, scale: str) -> dict:
    """Fig. S26: per domain ("a"/"b"/"c" = biology, physics-chemistry, health-medicine) the class counts of the
    training and test splits: {"label", "classes" (L,), "train" (L,), "test" (L,)}, L = ``label_number``."""
    pack = {}
    for domain, data in _uci_domains(raw).items():
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
            for domain, data in _uci_domains(raw).items()}


def _uci_runs(raw: Raw) -> dict:
    runs = {d: _real_world(raw, d, ("agents", "train_noises", "eval_noises", "train_fitness", "test"))
            for d in DOMAINS if raw.exists(f"real-world/{d}.npz")}
    if not runs:
        raise MissingRaw(f"no raw real-world/<domain>.npz for any domain of {DOMAINS}")
    first = next(iter(runs.values()))
    for domain, data in runs.items():
        for key in ("agents", "train_noises", "eval_noises"):
            if data[key].shape != first[key].shape or np.any(data[key] != first[key]):
                raise ValueError(f"raw/real-world/{domain}.npz has other {key!r} than the first domain.")
    return runs


def pack_supp28(raw: Raw, scale: str) -> dict:
    """Fig. S28: per domain {"label", "values" (A, T)} mean training F1 of the best agents; "agents",
    "training_noise" = the axes (shared by the domains)."""
    runs = _uci_runs(raw)
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
    runs = _uci_runs(raw)
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
    runs = _uci_runs(raw)
    first = next(iter(runs.values()))
    pack = {"agents": first["agents"], "training_noise": first["train_noises"].astype(float),
            "repeats": np.int64(first["test"].shape[2])}
    for domain, data in runs.items():
        pack["abc"[DOMAINS.index(domain)]] = {
            "label": DOMAIN_LABELS[domain],
            "values": best_at_own_noise(data["test"], data["train_noises"], data["eval_noises"])}
    return pack


# task 5 ----------------------------------------------------------------------------------------------------


def _landscape_file(name: str, prefix: str) -> str:
    return f"network-scale/{prefix}.{name}.npz"


def _pack_network(raw: Raw, name: str) -> dict:
    """S10–S14 for one landscape: "a"/"b" (Nn, 2) [mean final loss, mean iterations] of the collider-only /
    loop-only networks per motif number, "c" (Nn, 4) "%.2E" strings [C loss, C iterations, L loss,
    L iterations], "motifs" (Nn,), "name"."""
    tree = raw.pack(_landscape_file(name, "loop.vs.collider"))
    motifs = np.asarray(tree["motif_numbers"], dtype=np.int64)
    pack = {"name": name, "motifs": motifs}
    for letter, kind in (("a", "collider"), ("b", "loop")):
        pack[letter] = np.array([[np.mean(tree[kind][f"n{n}"]["final_loss"]),
                                  np.mean(tree[kind][f"n{n}"]["iterations"])] for n in motifs], dtype=float)
    pack["c"] = np.array([[f"{v:.2E}" for v in (*c, *l)] for c, l in zip(pack["a"], pack["b"])])
    return pack


def pack_supp10(raw: Raw, scale: str) -> dict:
    """Fig. S10: Quadratic Saddle collider-only vs loop-only networks (layout: :func:`_pack_network`)."""
    return _pack_network(raw, "Quadratic Saddle")


def pack_supp11(raw: Raw, scale: str) -> dict:
    """Fig. S11: Monkey Saddle (as S10)."""
    return _pack_network(raw, "Monkey Saddle")


def pack_supp12(raw: Raw, scale: str) -> dict:
    """Fig. S12: Branin (as S10)."""
    return _pack_network(raw, "Branin")


def pack_supp13(raw: Raw, scale: str) -> dict:
    """Fig. S13: three-hump Camel (as S10)."""
    return _pack_network(raw, "three-hump Camel")


def pack_supp14(raw: Raw, scale: str) -> dict:
    """Fig. S14: six-hump Camel (as S10)."""
    return _pack_network(raw, "six-hump Camel")


class Restricted:
    """One ``incoherent.vs.coherent.<name>.npz`` with per-run access to its subsampled traces."""

    def __init__(self, tree: dict, name: str):
        self.name = name
        self.tree = tree
        trace = tree.get("trace", {})
        needed = ("offsets", "step", "training_loss", "lipschitz", "sparsity", "spectral_norm",
                  "gradient_variance", "hessian")
        missing = [f"trace/{k}" for k in needed if k not in trace]
        missing += [k for k in ("incoherent", "initial_loss", "final_loss", "iterations") if k not in tree]
        if missing:
            raise ValueError(f"raw incoherent.vs.coherent.{name}.npz lacks {missing}.")
        self.trace = trace
        self.offsets = np.asarray(trace["offsets"], dtype=np.int64)
        self.k = np.asarray(tree["incoherent"], dtype=np.int64)

    def runs(self, k: int) -> np.ndarray:
        return np.flatnonzero(self.k == k)

    def run(self, j: int) -> dict:
        """Trace samples of run ``j``: step, training_loss, lipschitz, sparsity, spectral_norm, … arrays."""
        start, stop = self.offsets[j], self.offsets[j + 1]
        return {key: np.asarray(value)[start:stop] for key, value in self.trace.items() if key != "offsets"}

    @staticmethod
    def intact(run: dict) -> int:
        """Number of leading samples before the first weight collapse (whole-network utilisation < 1)."""
        collapsed = np.flatnonzero(run["sparsity"][:, GROUP_COLUMNS["network"]] < 1)
        return int(collapsed[0]) if collapsed.size else len(run["step"])


def _restricted(raw: Raw, name: str | None = None) -> Restricted:
    """The restricted-network file of ``name`` (default: Quadratic Saddle, else the first landscape present)."""
    names = [name] if name else [n for n in LANDSCAPE_NAMES
                                 if raw.exists(_landscape_file(n, "incoherent.vs.coherent"))]
    if not names or not raw.exists(_landscape_file(names[0], "incoherent.vs.coherent")):
        raise MissingRaw("no raw network-scale/incoherent.vs.coherent.<landscape>.npz")
    return Restricted(raw.pack(_landscape_file(names[0], "incoherent.vs.coherent")), names[0])


def pack_supp15(raw: Raw, scale: str) -> dict:
    """Fig. S15: per landscape ("a"…"e" in :data:`LANDSCAPE_NAMES` order; absent ones omitted) {"name",
    "successes" (11,), "totals" (11,)} = runs with final loss ≤ threshold and all runs, per number k of
    incoherent loops (one run per configuration in the paper; configuration × seed otherwise)."""
    pack = {"fractions": FRACTIONS}
    for letter, name in zip("abcde", LANDSCAPE_NAMES):
        if raw.exists(_landscape_file(name, "incoherent.vs.coherent")):
            data = _restricted(raw, name)
            threshold = float(data.tree.get("threshold", 1e-3))
            success = np.asarray(data.tree["final_loss"], float) <= threshold
            pack[letter] = {"name": name, "totals": np.bincount(data.k, minlength=11)[:11].astype(float),
                            "successes": np.bincount(data.k[success], minlength=11)[:11].astype(float)}
    if len(pack) == 1:
        raise MissingRaw("no raw network-scale/incoherent.vs.coherent.<landscape>.npz")
    return pack


def pack_supp16(raw: Raw, scale: str) -> dict:
    """Fig. S16 (Quadratic Saddle). "a": {"milestones" (10,), "iterations" (10, S) first 1-based iteration at
    which each unrestricted loop-only run (n = 10, else the largest n run) reaches the milestone, 0 = never,
    "motif_number"}; "b" (11, 10): per k and milestone, among restricted runs whose initial loss is above the
    milestone, the share that never reach it or reach it later than the slowest unrestricted run (NaN when
    no run qualifies or no unrestricted run reached it). Restricted timings use the full loss traces
    (``loss/values``) when stored, else the subsampled ``trace/training_loss`` (``"b_source"`` says which)."""
    restricted = _restricted(raw)
    name = restricted.name
    tree = raw.pack(_landscape_file(name, "loop.vs.collider"))
    motifs = [int(n) for n in tree["motif_numbers"]]
    n = 10 if 10 in motifs else max(motifs)
    loop = tree["loop"][f"n{n}"]
    unrestricted = first_reach(loop["values"], loop["offsets"])
    slowest = np.array([row[row > 0].max() if np.any(row > 0) else np.nan for row in unrestricted])
    losses = restricted.tree.get("loss", {})
    if "values" in losses and "offsets" in losses:
        reach, source = first_reach(losses["values"], losses["offsets"]), "loss/values"
    else:
        reach = first_reach(restricted.trace["training_loss"], restricted.offsets, steps=restricted.trace["step"])
        source = "trace/training_loss"
    initial = np.asarray(restricted.tree["initial_loss"], float)
    share = np.full((11, len(MILESTONES)), np.nan)
    for k in range(11):
        runs = restricted.runs(k)
        for m, milestone in enumerate(MILESTONES):
            chosen = runs[initial[runs] > milestone]
            if chosen.size and np.isfinite(slowest[m]):
                late = (reach[m, chosen] == 0) | (reach[m, chosen] > slowest[m])
                share[k, m] = late.mean()
    return {"fractions": FRACTIONS, "name": name, "b": share, "b_source": source,
            "a": {"milestones": np.array(MILESTONES), "iterations": unrestricted.astype(float),
                  "motif_number": np.int64(n)}}


def pack_supp17(raw: Raw, scale: str) -> dict:
    """Fig. S17: "a" (11,) failure rate (final loss > threshold) per k (NaN where no run); "b" = {"0"…"10":
    sorted final losses of the failing runs}."""
    data = _restricted(raw)
    final = np.asarray(data.tree["final_loss"], float)
    threshold = float(data.tree.get("threshold", 1e-3))
    rates = np.full(11, np.nan)
    failures = {}
    for k in range(11):
        runs = data.runs(k)
        failed = final[runs][final[runs] > threshold]
        if runs.size:
            rates[k] = failed.size / runs.size
        failures[str(k)] = np.sort(failed)
    return {"fractions": FRACTIONS, "name": data.name, "a": rates, "b": failures}


def pack_supp18(raw: Raw, scale: str) -> dict:
    """Fig. S18: key ``LETTERS[2 k + c]`` for k incoherent loops and group c (0 = coherent loops, 1 = incoherent
    loops): {"points" (n, 2) [log10 final loss, final utilisation of the group] of the failing runs,
    "spearman" between final loss and final utilisation over all runs of k}; omitted when the group is empty."""
    data = _restricted(raw)
    final = np.asarray(data.tree["final_loss"], float)
    threshold = float(data.tree.get("threshold", 1e-3))
    last = data.offsets[1:] - 1
    pack = {"fractions": FRACTIONS, "name": data.name}
    for k in range(11):
        runs = data.runs(k)
        for c, group in enumerate(("coherent-loop", "incoherent-loop")):
            if not runs.size or (group == "coherent-loop" and k == 10) or (group == "incoherent-loop" and k == 0):
                continue
            utilisation = np.asarray(data.trace["sparsity"])[last[runs], GROUP_COLUMNS[group]]
            failing = final[runs] > threshold
            pack[LETTERS[2 * k + c]] = {
                "points": np.c_[np.log10(final[runs][failing]), utilisation[failing]].reshape(-1, 2),
                "spearman": spearman(final[runs], utilisation)}
    return pack


def _deltas(data: Restricted, k: int):
    """Per k, pooled over runs truncated before the first collapse: (t, Δloss, ΔLip, Δgradient variance)
    with Δloss/ΔLip = value(t) − value(t + 1) and Δgradient variance = value(t + 1) − value(t)."""
    parts = []
    for j in data.runs(k):
        run = data.run(j)
        end = data.intact(run)
        if end < 2:
            continue
        loss, lip = run["training_loss"][:end], run["lipschitz"][:end]
        variance = run["gradient_variance"][:end, GROUP_COLUMNS["network"]]
        parts.append(np.c_[run["step"][:end - 1], loss[:-1] - loss[1:], lip[:-1] - lip[1:],
                           variance[1:] - variance[:-1]])
    return np.concatenate(parts) if parts else np.empty((0, 4))


def pack_supp19(raw: Raw, scale: str) -> dict:
    """Fig. S19: "a" (11,) per-k Spearman(Δloss, t); "b"…"l" (k = 0…10; omitted without runs): {"x" (100,),
    "y" (100,), "density" (100, 100) 2-D KDE of (Δloss, ΔLipschitz) normalised to max 1 (rows = y),
    "spearman"(Δloss, ΔLipschitz)}. Deltas between consecutive trace samples (every ``metric_every``
    iterations), each run truncated before its first weight collapse."""
    data = _restricted(raw)
    x, y = np.linspace(*S19_RANGE[0], 100), np.linspace(*S19_RANGE[1], 100)
    pack = {"fractions": FRACTIONS, "name": data.name, "a": np.full(11, np.nan)}
    for k in range(11):
        if not data.runs(k).size:
            continue
        deltas = _deltas(data, k)
        pack["a"][k] = spearman(deltas[:, 1], deltas[:, 0])
        pack[LETTERS[k + 1]] = {"x": x, "y": y, "density": kde_density_2d(deltas[:, 1], deltas[:, 2], x, y),
                                "spearman": spearman(deltas[:, 1], deltas[:, 2])}
    return pack


def pack_supp20(raw: Raw, scale: str) -> dict:
    """Fig. S20: key ``LETTERS[2 k + c]`` (c = 0 coherent, 1 incoherent loops): {"curves" (n, P) spectral norm of
    the group, each run truncated before its first collapse and linearly interpolated onto "iterations" (P,)
    log-spaced steps (NaN outside the run's range)}; at most :data:`S20_CURVES` runs (evenly spaced)."""
    data = _restricted(raw)
    pack = {"fractions": FRACTIONS, "name": data.name}
    for k in range(11):
        runs = data.runs(k)
        if runs.size > S20_CURVES:
            runs = runs[np.unique(np.linspace(0, runs.size - 1, S20_CURVES).round().astype(int))]
        traces = [data.run(j) for j in runs]
        traces = [(r["step"][:data.intact(r)], r["spectral_norm"][:data.intact(r)]) for r in traces]
        traces = [t for t in traces if t[0].size]
        if not traces:
            continue
        top = max(int(steps[-1]) for steps, _ in traces)
        grid = np.unique(np.round(np.logspace(0, np.log10(max(top, 1)), S20_POINTS)))
        for c, group in enumerate(("coherent-loop", "incoherent-loop")):
            column = GROUP_COLUMNS[group]
            curves = [np.interp(grid, steps, norm[:, column], left=np.nan, right=np.nan) for steps, norm in traces
                      if np.isfinite(norm[:, column]).any()]
            if curves:
                pack[LETTERS[2 * k + c]] = {"curves": np.array(curves), "iterations": grid}
    return pack


def pack_supp21(raw: Raw, scale: str) -> dict:
    """Fig. S21: per k ("a"…"k"; omitted without runs) {"x_coh", "y_coh", "x_inc", "y_inc"}: KDE (100 points on
    [−1, 1], normalised to sum 1; empty arrays when no correlation exists) of the per-run Spearman correlations
    between the group's spectral norm and utilisation over the samples right after a utilisation drop > 1e-4
    (runs with fewer than two such samples or a constant series contribute nothing)."""
    data = _restricted(raw)
    pack = {"fractions": FRACTIONS, "name": data.name}
    for k in range(11):
        runs = data.runs(k)
        if not runs.size:
            continue
        entry = {}
        for group, short in (("coherent-loop", "coh"), ("incoherent-loop", "inc")):
            column, values = GROUP_COLUMNS[group], []
            for j in runs:
                run = data.run(j)
                utilisation, norm = run["sparsity"][:, column], run["spectral_norm"][:, column]
                drops = np.flatnonzero(utilisation[:-1] - utilisation[1:] > 1e-4) + 1
                if drops.size >= 2:
                    values.append(spearman(norm[drops], utilisation[drops]))
            values = np.array([v for v in values if np.isfinite(v)])
            if values.size:
                x, y = kde_curve(values, -1.0, 1.0)
                entry[f"x_{short}"], entry[f"y_{short}"] = x, y / y.sum() if y.sum() > 0 else y
            else:
                entry[f"x_{short}"], entry[f"y_{short}"] = np.empty(0), np.empty(0)
        pack[LETTERS[k]] = entry
    return pack


def pack_supp22(raw: Raw, scale: str) -> dict:
    """Fig. S22: "x" (40,), "y" (40,) grids; per k ("a"…"k"; omitted without runs) {"density" (40, 40) 2-D KDE of
    (Δ whole-network gradient variance, ΔLipschitz) increments (t + 1 minus t, truncated as S19) normalised to
    max 1 (rows = y), "spearman"}."""
    data = _restricted(raw)
    x, y = np.linspace(*S22_RANGE[0], 40), np.linspace(*S22_RANGE[1], 40)
    pack = {"fractions": FRACTIONS, "name": data.name, "x": x, "y": y}
    for k in range(11):
        if not data.runs(k).size:
            continue
        deltas = _deltas(data, k)
        variance, lipschitz = deltas[:, 3], -deltas[:, 2]
        pack[LETTERS[k]] = {"density": kde_density_2d(variance, lipschitz, x, y),
                            "spearman": spearman(variance, lipschitz)}
    return pack


def pack_supp23(raw: Raw, scale: str) -> dict:
    """Fig. S23: per k ("a"…"k"; omitted without runs) (3, 3) counts of [sign Δ largest Hessian eigenvalue (rows:
    −, 0, +)] × [sign ΔLipschitz (columns)], Δ = later minus earlier of consecutive samples where the Hessian
    was computed (finite), over every step of every run (not truncated)."""
    data = _restricted(raw)
    pack = {"fractions": FRACTIONS, "name": data.name}
    for k in range(11):
        runs = data.runs(k)
        if not runs.size:
            continue
        counts = np.zeros((3, 3))
        for j in runs:
            run = data.run(j)
            hessian, lipschitz = run["hessian"][:, HESSIAN_MAX], run["lipschitz"]
            kept = np.flatnonzero(np.isfinite(hessian) & np.isfinite(lipschitz))
            rows = np.sign(np.diff(hessian[kept])).astype(int) + 1
            cols = np.sign(np.diff(lipschitz[kept])).astype(int) + 1
            np.add.at(counts, (rows, cols), 1.0)
        pack[LETTERS[k]] = counts
    return pack


# --------------------------------------------------------------------------------------------------- driver

PACKS = {"main02": pack_main02, "main03": pack_main03, "main04": pack_main04, "main05": pack_main05,
         "main06": pack_main06,
         "supp01": pack_supp01, "supp02": pack_supp02, "supp04": pack_supp04, "supp05": pack_supp05,
         "supp06": pack_supp06, "supp07": pack_supp07, "supp08": pack_supp08, "supp09": pack_supp09,
         **{f"supp{n}": globals()[f"pack_supp{n}"] for n in range(10, 31)}}


def _check_scale(scale):
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, got {scale!r}.")
    return scale


def pack_one(out_dir, name: str, scale: str = "quick") -> tuple[dict | None, dict]:
    """Build one pack in memory; returns ``(tree or None, {relative raw path: sha256})``."""
    if name not in PACKS:
        raise ValueError(f"name must be one of {sorted(PACKS)}, got {name!r}.")
    raw = Raw(Path(out_dir) / "raw")
    tree = PACKS[name](raw, _check_scale(scale))
    tree.setdefault("meta", {})["scale"] = scale
    return tree, {str(p.relative_to(raw.root)): sha256_file(p) for p in sorted(raw.read)}


def _current(entry, root: Path, scale: str) -> bool:
    if not entry or entry.get("scale") != scale or not entry.get("inputs") and not entry.get("static"):
        return False
    for relative, digest in entry.get("inputs", {}).items():
        path = root / relative
        if not path.is_file() or sha256_file(path) != digest:
            return False
    return True


def pack_all(out_dir, scale: str = "quick", names=None, force: bool = False) -> dict:
    """Write ``OUT/data/<name>.npz`` for every pack whose raw inputs exist; returns ``{name: status}``.

    A pack is rebuilt when it is missing, when ``force`` is set, when the scale changed, or when the
    SHA-256 of any raw input differs from the one recorded in ``OUT/data/manifest.json``.
    Status is ``"built"``, ``"current"`` or ``"skipped: <reason>"``.
    """
    _check_scale(scale)
    out_dir = Path(out_dir)
    data = out_dir / "data"
    manifest_path = data / "manifest.json"
    manifest = load_json(manifest_path) if manifest_path.is_file() else {}
    status = {}
    for name in names or PACKS:
        if name not in PACKS:
            raise ValueError(f"names must be in {sorted(PACKS)}, got {name!r}.")
        entry = manifest.get(name)
        if not force and (data / f"{name}.npz").is_file() and _current(entry, out_dir / "raw", scale):
            status[name] = "current"
            continue
        try:
            tree, inputs = pack_one(out_dir, name, scale)
        except MissingRaw as reason:
            status[name] = f"skipped: {reason}"
            manifest.pop(name, None)
            continue
        save_pack(data / f"{name}.npz", tree)
        manifest[name] = {"scale": scale, "inputs": inputs, "static": not inputs}
        status[name] = "built"
    save_json(manifest_path, manifest)
    return status


def main(argv=None) -> dict:
    """CLI: ``python works/run_2_packs.py --out DIR [--scale quick] [--force]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="output directory OUT (reads OUT/raw, writes OUT/data)")
    parser.add_argument("--scale", default="quick", choices=SCALES)
    parser.add_argument("--force", action="store_true", help="rebuild every pack")
    args = parser.parse_args(argv)
    status = pack_all(args.out, args.scale, force=args.force)
    for name, state in status.items():
        print(f"{name}: {state}")
    return status


if __name__ == "__main__":
    main()
