"""Packers of task 6 (the connectome and ElegansNet): ``ext01`` – ``ext04``.

Each packer reads the raw files of :mod:`works.tasks.connectome` only (``connectome/enrichment.<null>.npz``,
``connectome/training.npz``) and reshapes or summarises them.

Examples
--------
>>> sorted(PACKS)
['ext01', 'ext02', 'ext03', 'ext04']
>>> short_name("incoherent-loop.2"), short_name("fork"), family_of("rewired-0.50")
('IL2', 'fork', 'rewired p = 0.5')
"""

from __future__ import annotations

import numpy as np

from works import layout
from works.packing import MissingRaw, require

__all__ = ["NULL_ORDER", "PACKS", "family_of", "mean_interval", "pack_ext01", "pack_ext02", "pack_ext03",
           "pack_ext04", "short_name"]

#: Null models of the enrichment in figure order.
NULL_ORDER = ("degree", "rewire", "er", "ws", "ba")
_FAMILY_NAMES = {"connectome": "connectome", "degree": "degree-preserving", "rewire": "fully rewired",
                 "er": "Erdős–Rényi", "ws": "Watts–Strogatz", "ba": "Barabási–Albert",
                 "no-coherent": "no coherent loops", "no-incoherent": "no incoherent loops",
                 "random-removal": "random edges removed"}


def short_name(name: str) -> str:
    """Axis label of a census type: ``IL1`` … ``IL4``, ``CL1`` … ``CL4``, ``C1`` … ``C4``, ``fork``, ``chain``."""
    for prefix, short in (("incoherent-loop.", "IL"), ("coherent-loop.", "CL"), ("collider.", "C")):
        if name.startswith(prefix):
            return short + name[len(prefix):]
    return name


def family_of(label: str) -> str:
    """Readable name of a wiring label or null model (``"rewired-0.50"`` → ``"rewired p = 0.5"``)."""
    if label.startswith("rewired-"):
        return f"rewired p = {float(label.split('-', 1)[1]):g}"
    return _FAMILY_NAMES.get(label, label)


def mean_interval(values, resamples: int = 2000, seed: int = 0) -> tuple:
    """Mean and 95 % percentile bootstrap interval of the mean (NaN interval for fewer than two values).

    Examples
    --------
    >>> mean, low, high = mean_interval(np.arange(10.0))
    >>> mean, bool(low < 4.5 < high)
    (4.5, True)
    """
    from works.stats import bootstrap_interval

    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan"), float("nan"), float("nan")
    low, high = bootstrap_interval(lambda a: a.mean(axis=1), [values], resamples=resamples, seed=seed)
    return float(values.mean()), low, high


def _metric(data) -> str:
    return "accuracy" if np.isfinite(data["accuracy"]).any() else "mse"


def _training(raw) -> dict:
    return raw.npz(layout.connectome_training_file())


def pack_ext01(raw, scale: str) -> dict:
    """Enrichment z-scores: ``nulls`` (K,), ``names`` (14,) short census names, ``z``/``mean``/``std``/``p_greater``/
    ``p_less`` (K, 14), ``observed`` (14,), ``n_samples`` (K,), ``title``."""
    nulls = require([null for null in NULL_ORDER if raw.exists(layout.connectome_enrichment_file(null))],
                    "connectome enrichment files")
    tables = [raw.npz(layout.connectome_enrichment_file(null)) for null in nulls]
    first = tables[0]
    synapses = "+".join(str(s) for s in np.atleast_1d(first["synapses"]))
    return {"nulls": np.array([family_of(null) for null in nulls]),
            "names": np.array([short_name(str(n)) for n in first["names"]]),
            "observed": first["observed"].astype(np.float64),
            **{key: np.stack([t[key] for t in tables]).astype(np.float64)
               for key in ("z", "mean", "std", "p_greater", "p_less")},
            "n_samples": np.array([t["samples"].shape[0] for t in tables], dtype=np.int64),
            "title": np.array(f"{first['connectome']} ({synapses} synapses): z-score against each null model")}


def pack_ext02(raw, scale: str) -> dict:
    """Test metric per wiring: ``labels`` (W,) readable, ``group`` (units,) index into labels, ``values`` (units,),
    ``mean``/``low``/``high`` (W,) with a bootstrap 95 % interval, ``metric``."""
    data = _training(raw)
    metric = _metric(data)
    labels = list(dict.fromkeys(str(label) for label in data["label"]))
    group = np.array([labels.index(str(label)) for label in data["label"]], dtype=np.int64)
    summary = np.array([mean_interval(data[metric][group == g]) for g in range(len(labels))]).reshape(-1, 3)
    return {"labels": np.array([family_of(label) for label in labels]), "group": group,
            "values": data[metric].astype(np.float64), "mean": summary[:, 0], "low": summary[:, 1],
            "high": summary[:, 2], "metric": np.array(metric), "task": np.array(str(data["task"]))}


def pack_ext03(raw, scale: str) -> dict:
    """Metric against the rewired fraction (the connectome at p = 0): ``p`` (P,), ``mean``/``low``/``high`` (P,),
    ``points/p`` and ``points/values`` (one per unit), and ``references/<family>`` = mean of each random family."""
    data = _training(raw)
    metric = _metric(data)
    labels = [str(label) for label in data["label"]]
    rows = [(0.0, "connectome")] if "connectome" in labels else []
    rows += sorted({(float(label.split("-", 1)[1]), label) for label in labels if label.startswith("rewired-")})
    if len(rows) < 2:
        raise MissingRaw("no rewired wirings in connectome/training.npz")
    mask = {label: np.array([x == label for x in labels]) for _, label in rows}
    summary = np.array([mean_interval(data[metric][mask[label]]) for _, label in rows])
    points = np.concatenate([np.full(int(mask[label].sum()), p) for p, label in rows])
    values = np.concatenate([data[metric][mask[label]] for _, label in rows])
    references = {}
    for family in ("degree", "er", "ws", "ba"):
        chosen = np.array([x == family for x in labels])
        if chosen.any():
            references[family] = np.float64(np.nanmean(data[metric][chosen]))
    return {"p": np.array([p for p, _ in rows]), "mean": summary[:, 0], "low": summary[:, 1], "high": summary[:, 2],
            "points": {"p": points, "values": values.astype(np.float64)},
            "references": references, "metric": np.array(metric)}


def pack_ext04(raw, scale: str) -> dict:
    """Loop counts against the metric and the Lipschitz estimate, one point per unit: ``coherent``,
    ``incoherent``, ``values``, ``lipschitz`` (units,), ``group`` (units,) index into ``labels`` (families, the
    rewired fractions as one family), ``metric``."""
    data = _training(raw)
    metric = _metric(data)
    families = ["rewired" if str(label).startswith("rewired-") else str(label) for label in data["label"]]
    labels = list(dict.fromkeys(families))
    return {"coherent": data["coherent_loops"].astype(np.float64),
            "incoherent": data["incoherent_loops"].astype(np.float64),
            "values": data[metric].astype(np.float64), "lipschitz": data["lipschitz"].astype(np.float64),
            "group": np.array([labels.index(f) for f in families], dtype=np.int64),
            "labels": np.array([_FAMILY_NAMES.get(label, label) for label in labels]), "metric": np.array(metric)}


PACKS = {"ext01": pack_ext01, "ext02": pack_ext02, "ext03": pack_ext03, "ext04": pack_ext04}
