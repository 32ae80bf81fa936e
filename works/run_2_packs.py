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
from effect.structures import LOOP_TYPES, catcher_parameters, parse_structure
from works._io import load_json, load_pack, save_json, save_pack, sha256_file

__all__ = ["PACKS", "SCALES", "pack_all", "pack_one", "kde_curve", "nearest_bin_counts", "curvature_batch",
           "curvature_proportion", "gradient_norms", "row_spearman", "escape_extremes", "main"]

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

    Batched form of ``effect.operations.detect_curvature_feature`` (spec-effect §4.8): numpy ``gradient``
    twice with spacing ``interval``, symmetrised mixed derivative, closed-form eigenvalues, exact sign tests.
    """
    surfaces = np.asarray(surfaces, dtype=np.float64)
    if surfaces.ndim != 3:
        raise ValueError(f"surfaces must have shape (B, p, p), got {surfaces.shape}.")
    gx, gy = np.gradient(surfaces, interval, axis=(1, 2))
    hxx, hxy = np.gradient(gx, interval, axis=(1, 2))
    hyx, hyy = np.gradient(gy, interval, axis=(1, 2))
    mixed = (hxy + hyx) / 2.0
    mean = (hxx + hyy) / 2.0
    radius = np.sqrt(((hxx - hyy) / 2.0) ** 2 + mixed ** 2)
    high, low = mean + radius, mean - radius
    labels = np.zeros_like(surfaces)
    labels[(high <= 0) & (low <= 0)] = 1.0
    labels[(labels == 0) & (high >= 0) & (low >= 0)] = -1.0
    return labels


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


# --------------------------------------------------------------------------------------------------- driver

PACKS = {"main02": pack_main02, "main03": pack_main03, "main04": pack_main04,
         "supp01": pack_supp01, "supp02": pack_supp02, "supp04": pack_supp04, "supp05": pack_supp05,
         "supp06": pack_supp06, "supp07": pack_supp07, "supp08": pack_supp08, "supp09": pack_supp09}


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
