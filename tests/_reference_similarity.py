"""Slow per-item reference paths of the batched catch and escape (used by the tests and a benchmark).

Each function takes and returns the arrays of :func:`effect.search.catch` /
:func:`effect.search.escape` but runs the original per-motif algorithm of
:mod:`effect.similarity` on :class:`effect.motifs.NeuralMotif` objects, one
reference (escaper) at a time.
"""

import copy

import numpy as np

from effect.search import _check_params
from effect.similarity import _build_motif, _maximum_minimum_loss_search, _minimum_loss_search, _motif_params
from effect._checks import check_semantics, check_thresholds
from effect.engine import grid_inputs
from effect.structures import catcher_parameters


def catch_per_item(reference_params, reference_type, catcher_params=None, value_range=(-1, 1), points=41,
                   learn_rate=1e-3, threshold=100, semantics="reference"):
    """Array-in/array-out :func:`catch` through the original per-motif algorithm (slow reference path).

    References are built from float64 values and catchers from Python floats, like the
    original pipeline (float64 and float32 parameters respectively).
    """
    semantics = check_semantics(semantics)
    references = _check_params(reference_params, reference_type, "reference").numpy()
    catchers = _check_params(catcher_parameters() if catcher_params is None else catcher_params, "collider",
                             "catcher").numpy()
    escapers = [_build_motif(reference_type, row, semantics, True) for row in references]
    colliders = [_build_motif("collider", row, semantics, False) for row in catchers]
    inputs = grid_inputs(value_range, points)
    out = {"params": np.empty((len(escapers), 3)), "loss": np.empty(len(escapers)),
           "index": np.empty(len(escapers), dtype=np.int64), "step": np.empty(len(escapers), dtype=np.int64)}
    for b, escaper in enumerate(escapers):
        best = None
        for c, catcher in enumerate(colliders):
            motifs, losses = _minimum_loss_search(inputs, escaper, copy.deepcopy(catcher), learn_rate, threshold,
                                                  semantics)
            k = int(np.argmin(losses))
            if best is None or losses[k] < best[0]:
                best = (losses[k], c, k, _motif_params(motifs[k]))
        out["loss"][b], out["index"][b], out["step"][b], out["params"][b] = best
    return out


def escape_per_item(escaper_params, escaper_type, catcher_params=None, value_range=(-1, 1), points=41,
                    learn_rate=1e-3, thresholds=(100, 100), semantics="reference"):
    """Array-in/array-out :func:`escape` (2-D input) through the original per-motif algorithm."""
    semantics = check_semantics(semantics)
    rows = _check_params(escaper_params, escaper_type, "escaper").numpy()
    catcher_rows = _check_params(catcher_parameters() if catcher_params is None else catcher_params, "collider",
                                 "catcher").numpy()
    catchers = [_build_motif("collider", row, semantics, False) for row in catcher_rows]
    outer, inner = check_thresholds(thresholds)
    inputs = grid_inputs(value_range, points)
    out = {"escaper": np.empty((len(rows), outer, rows.shape[1])), "catcher": np.empty((len(rows), outer, 3)),
           "choice": np.empty((len(rows), outer), dtype=np.int64), "loss": np.empty((len(rows), outer))}
    finals = []
    for e, row in enumerate(rows):
        escaper = _build_motif(escaper_type, row, semantics, True)
        motifs, losses, choices, used = _maximum_minimum_loss_search(inputs, escaper, catchers, learn_rate, outer,
                                                                     inner, semantics)
        out["escaper"][e] = [_motif_params(m[0]) for m in motifs]
        out["catcher"][e] = [_motif_params(m[1]) for m in motifs]
        out["loss"][e], out["choice"][e] = losses, choices
        finals.append([_motif_params(c) for c in used])
    out["catchers"] = np.array(finals[-1] if semantics == "reference" else finals)
    return out
