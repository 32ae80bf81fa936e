"""Catch, escape and max-min loss searches on :class:`effect.motifs.NeuralMotif` objects.

The original package's per-motif API: :func:`minimum_loss_search` trains one
catcher toward one escaper with ``torch.optim.Adam`` and deep copies of every
state, :func:`maximum_minimum_loss_search` runs the adversarial escape of one
escaper, and :func:`execute_catch_processes` / :func:`execute_escape_processes`
run them over lists. By default (``engine="batched"``) the list functions hand
batchable work to the array engine of :mod:`effect.search` (:func:`catch`,
:func:`escape`, re-exported here) and convert the results back to motifs;
``engine="loop"`` runs the original algorithm motif by motif.

``semantics="reference"`` (default) reproduces the original's quirks (frozen
clamped parameters, pre-step losses paired with post-step states, catchers
shared across escapers); ``"corrected"`` fixes them. ``docs/quirks.md`` and
:mod:`effect.search` list them.

Examples
--------
>>> from effect.motifs import NeuralMotif
>>> loop = NeuralMotif("incoherent-loop", 1, ["tanh"] * 2, ["sum"] * 2, [-1.0, 0.652, 1.0], [1.0, 0.337])
>>> catcher = NeuralMotif("collider", 1, ["tanh"], ["sum"], [0.5, 0.5], [0.0])
>>> [(motif, loss)] = execute_catch_processes([loop], [catcher], (-1, 1), 41, 1e-3, 2)
>>> type(motif).__name__, round(float(loss), 6)
('NeuralMotif', 0.246667)
"""

from __future__ import annotations

import copy

import numpy as np
import torch

from effect._checks import check_learn_rate, check_positive_int, check_semantics, check_thresholds
from effect.engine import grid_inputs
from effect.motifs import NeuralMotif
from effect.search import _progress, catch, escape
from effect.structures import MOTIF_INDICES, n_weights, weight_signs

__all__ = [
    "minimum_loss_search",
    "execute_catch_processes",
    "maximum_minimum_loss_search",
    "execute_escape_processes",
    "catch",
    "escape",
]

ENGINES = ("batched", "loop")


def _check_engine(engine):
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}.")
    return engine


# ---------------------------------------------------------------------------------------------
# the original algorithm on NeuralMotif objects


def _rebind(optimizer, module):
    """Corrected semantics: point the optimizer at parameters that ``restrict`` replaced.

    The Adam state moves with it, so a clamp acts like an in-place clamp and nothing
    freezes. Parameters are matched by position (registration order).
    """
    group = optimizer.param_groups[0]
    for k, (old, new) in enumerate(zip(group["params"], module.parameters())):
        if old is not new:
            group["params"][k] = new
            state = optimizer.state.pop(old, None)
            if state:
                optimizer.state[new] = {key: (v.to(new.dtype) if key != "step" else v) for key, v in state.items()}


def _forward(motif, inputs, optimizer, semantics):
    output = motif(inputs)
    if semantics == "corrected" and optimizer is not None:
        _rebind(optimizer, motif)
    return output


def _mse(first, second):
    return torch.nn.functional.mse_loss(first, second)


def _minimum_loss_search(inputs, escaper, catcher, learn_rate, threshold, semantics, escaper_optimizer=None):
    optimizer = torch.optim.Adam(catcher.parameters(), lr=learn_rate)
    with torch.no_grad():  # detached: the original's extra backward into the escaper has no effect
        target = _forward(escaper, inputs, escaper_optimizer, semantics)
    motifs, losses = [], []
    loss = _mse(target, _forward(catcher, inputs, optimizer, semantics))
    for k in range(threshold):
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        catcher.restrict()
        if semantics == "corrected":
            _rebind(optimizer, catcher)
        motifs.append(copy.deepcopy(catcher))
        if semantics == "reference":
            losses.append(loss.item())
        if k < threshold - 1 or semantics == "corrected":
            loss = _mse(target, _forward(catcher, inputs, optimizer, semantics))
        if semantics == "corrected":
            losses.append(loss.item())
    return motifs, losses


def minimum_loss_search(value_range, points, escaper, catcher, learn_rate, threshold, semantics="reference"):
    """Train ``catcher`` (in place) to imitate ``escaper`` with Adam and MSE.

    Parameters
    ----------
    value_range, points : input grid (``prepare_data``).
    escaper, catcher : NeuralMotif
    learn_rate : float
    threshold : int
        Number of Adam steps.
    semantics : {"reference", "corrected"}
        Reference: ``losses[k]`` is the loss BEFORE step ``k`` while ``motifs[k]`` is the
        state AFTER it, and a parameter that ``restrict`` replaces stays frozen (with
        ``NeuralMotif(semantics="reference")``). Corrected: ``losses[k]`` is the loss of
        ``motifs[k]`` and clamped parameters keep training.

    Returns
    -------
    motifs : list of NeuralMotif, length ``threshold``
        Deep copies of the catcher after every step.
    losses : list of float, length ``threshold``

    Examples
    --------
    >>> from effect.motifs import NeuralMotif
    >>> loop = NeuralMotif("incoherent-loop", 1, ["tanh"] * 2, ["sum"] * 2, [-1.0, 0.652, 1.0], [1.0, 0.337])
    >>> catcher = NeuralMotif("collider", 1, ["tanh"], ["sum"], [0.5, 0.5], [0.0])
    >>> motifs, losses = minimum_loss_search((-1, 1), 41, loop, catcher, 1e-3, 2)
    >>> round(losses[0], 6)
    0.247458
    """
    semantics = check_semantics(semantics)
    return _minimum_loss_search(grid_inputs(value_range, points), escaper, catcher, check_learn_rate(learn_rate),
                                check_positive_int(threshold, "threshold"), semantics)


def execute_catch_processes(references, catchers, value_range, points, learn_rate, threshold, verbose=False,
                            semantics="reference", engine="batched"):
    """Best imitation of every reference by any of the catchers.

    For every reference each catcher (a deep copy, so every reference starts from the
    same catchers) runs :func:`minimum_loss_search`; the argmin state (first minimum)
    of the catcher with the smallest loss (first catcher on ties) is kept.

    Parameters
    ----------
    references : list of NeuralMotif
    catchers : list of NeuralMotif (colliders)
    value_range, points, learn_rate, threshold : see :func:`minimum_loss_search`.
    verbose : bool
        Show a progress bar.
    semantics : {"reference", "corrected"}
    engine : {"batched", "loop"}
        ``"batched"`` runs :func:`catch` when all references share one type and the
        catchers are tanh/sum colliders with default bounds; ``"loop"`` is the
        original per-motif algorithm.

    Returns
    -------
    list of (NeuralMotif, numpy.float64)
        Chosen catcher state and its loss, one per reference.
    """
    semantics = check_semantics(semantics)
    inputs = grid_inputs(value_range, points)
    learn_rate = check_learn_rate(learn_rate)
    threshold = check_positive_int(threshold, "threshold")
    if _check_engine(engine) == "batched" and _batchable(references, catchers):
        arrays = catch(np.array([_motif_params(m) for m in references]), references[0].t,
                       np.array([_motif_params(c) for c in catchers]), value_range, points, learn_rate, threshold,
                       semantics, weight_bound=catchers[0].weight_bound, bias_bound=catchers[0].bias_bound,
                       verbose=verbose)
        return [(_with_params(catchers[index], params), np.float64(loss))
                for params, loss, index in zip(arrays["params"], arrays["loss"], arrays["index"])]
    results = []
    for reference in _progress(references, verbose, "catch"):
        best_motif, best_loss = None, None
        for catcher in catchers:
            motifs, losses = _minimum_loss_search(inputs, reference, copy.deepcopy(catcher), learn_rate, threshold,
                                                  semantics)
            k = int(np.argmin(losses))
            if best_loss is None or losses[k] < best_loss:
                best_motif, best_loss = motifs[k], losses[k]
        results.append((best_motif, np.float64(best_loss)))
    return results


def _maximum_minimum_loss_search(inputs, escaper, catchers, learn_rate, outer, inner, semantics, verbose=False):
    if semantics == "corrected":
        catchers = [copy.deepcopy(c) for c in catchers]
    optimizer = torch.optim.Adam(escaper.parameters(), lr=learn_rate)
    motifs, losses, choices = [], [], []
    steps = _progress(range(outer), verbose, "max-min search")
    for _ in steps:
        finals, final_losses = [], []
        for catcher in catchers:
            trace, trace_losses = _minimum_loss_search(inputs, escaper, catcher, learn_rate, inner, semantics,
                                                       escaper_optimizer=optimizer)
            finals.append(trace[-1])
            final_losses.append(trace_losses[-1])
        choice = int(np.argmin(final_losses))
        target = finals[choice]
        loss = _mse(_forward(escaper, inputs, optimizer, semantics), target(inputs))
        optimizer.zero_grad()
        (-loss).backward()
        optimizer.step()
        escaper.restrict()
        if semantics == "corrected":
            _rebind(optimizer, escaper)
        with torch.no_grad():
            after = _mse(_forward(escaper, inputs, optimizer, semantics), target(inputs)).item()
        motifs.append((copy.deepcopy(escaper), copy.deepcopy(target)))
        losses.append(after)
        choices.append(choice)
        if verbose:  # the original's narrative, as the progress bar's postfix
            steps.set_postfix(choice=choice, loss=f"{after:.6f}", catcher_losses=[f"{v:.6f}" for v in final_losses])
    return motifs, losses, choices, catchers


def maximum_minimum_loss_search(value_range, points, escaper, catchers, learn_rate, thresholds, verbose=False,
                                semantics="reference"):
    """Adversarial escape of ``escaper`` from the best of ``catchers``.

    Each outer step trains every catcher ``thresholds[1]`` steps toward the escaper
    (in place, warm-started), picks the catcher with the smallest final loss and takes
    one Adam gradient-ASCENT step of the escaper on the MSE to it (one optimizer for
    the whole call).

    Parameters
    ----------
    escaper : NeuralMotif
        Modified in place.
    catchers : list of NeuralMotif
        Reference: trained in place (their state carries over to the next call).
        Corrected: deep-copied first, and ranked by the loss of their final state.
    thresholds : (int, int)
        (outer steps, inner catcher steps).
    verbose : bool
        Progress bar over the outer steps showing the catchers' losses, the chosen
        catcher and the escaper's loss after each step.
    semantics : {"reference", "corrected"}

    Returns
    -------
    motifs : list of (NeuralMotif, NeuralMotif), length ``thresholds[0]``
        (escaper after the step, chosen catcher state).
    losses : list of float
        MSE between the two after the escaper's step.
    """
    semantics = check_semantics(semantics)
    outer, inner = check_thresholds(thresholds)
    motifs, losses, _, _ = _maximum_minimum_loss_search(grid_inputs(value_range, points), escaper, catchers,
                                                        check_learn_rate(learn_rate), outer, inner, semantics,
                                                        verbose)
    return motifs, losses


def execute_escape_processes(motif_pairs, value_range, points, learn_rate, thresholds, verbose=False,
                             semantics="reference", engine="batched"):
    """Run :func:`maximum_minimum_loss_search` for every ``(escaper, catchers)`` pair.

    Parameters
    ----------
    motif_pairs : list of (NeuralMotif, list of NeuralMotif)
        In task 2 all pairs share the same catcher objects (reference: warm start
        carries over from one escaper to the next; corrected: fresh copies each).
    engine : {"batched", "loop"}
        ``"batched"`` uses :func:`escape` when all pairs share one catcher list and the
        motifs are tanh/sum with default bounds; the escapers and the shared catchers
        are updated in place like the original.

    Returns
    -------
    list of (motifs, losses), one per pair (see :func:`maximum_minimum_loss_search`).
    """
    semantics = check_semantics(semantics)
    inputs = grid_inputs(value_range, points)
    learn_rate = check_learn_rate(learn_rate)
    outer, inner = check_thresholds(thresholds)
    escapers = [pair[0] for pair in motif_pairs]
    shared = motif_pairs[0][1] if motif_pairs else []
    if (_check_engine(engine) == "batched" and motif_pairs and all(pair[1] is shared for pair in motif_pairs)
            and _batchable(escapers, shared)):
        arrays = escape(np.array([_motif_params(m) for m in escapers]), escapers[0].t,
                        np.array([_motif_params(c) for c in shared]), value_range, points, learn_rate,
                        (outer, inner), semantics, weight_bound=shared[0].weight_bound,
                        bias_bound=shared[0].bias_bound, verbose=verbose)
        results = []
        for e, escaper in enumerate(escapers):
            motifs = [(_with_params(escaper, arrays["escaper"][e, s]),
                       _with_params(shared[arrays["choice"][e, s]], arrays["catcher"][e, s])) for s in range(outer)]
            results.append((motifs, [float(v) for v in arrays["loss"][e]]))
            _set_params(escaper, arrays["escaper"][e, -1])
        if semantics == "reference":
            for catcher, params in zip(shared, arrays["catchers"]):
                _set_params(catcher, params)
        return results
    return [_maximum_minimum_loss_search(inputs, escaper, catchers, learn_rate, outer, inner, semantics)[:2]
            for escaper, catchers in _progress(motif_pairs, verbose, "escape")]



# ---------------------------------------------------------------------------------------------
# NeuralMotif <-> arrays


def _motif_params(motif):
    """``weights + biases`` of a NeuralMotif as a list of Python floats."""
    return [float(w.weight.detach()) for w in motif.w] + [float(b.bias.detach()) for b in motif.b]


def _set_params(motif, values):
    with torch.no_grad():
        for param, value in zip([w.weight for w in motif.w] + [b.bias for b in motif.b], values):
            param.copy_(torch.as_tensor(float(value), dtype=param.dtype))


def _with_params(motif, values):
    clone = copy.deepcopy(motif)
    _set_params(clone, values)
    return clone


def _default_options(motif):
    loop = "loop" in motif.t
    acts = ["tanh"] * (2 if loop else 1)
    aggs = ["sum"] * (2 if loop else 1)
    return list(motif.a) == acts and list(motif.g or []) == aggs


def _batchable(escapers, catchers):
    if not escapers or not catchers:
        return False
    kinds = {"loop" if "loop" in m.t else m.t for m in escapers}
    bounds = {(tuple(m.weight_bound), tuple(m.bias_bound)) for m in list(escapers) + list(catchers)}
    return (len(kinds) == 1 and kinds <= {"loop", "collider"} and all(_default_options(m) for m in escapers)
            and all(c.t == "collider" and _default_options(c) for c in catchers) and len(bounds) == 1)


def _motif_structure(motif_type, row):
    """``(type, index)`` whose sign table matches the row; loops may switch coherent <-> incoherent."""
    signs = tuple(1 if v > 0 else -1 for v in row[: n_weights(motif_type)])
    loops = ("incoherent-loop", "coherent-loop")
    candidates = [motif_type] + [t for t in loops if "loop" in motif_type and t != motif_type]
    for kind in candidates:
        for index in MOTIF_INDICES:
            if weight_signs(kind, index) == signs:
                return kind, index
    raise ValueError(f"weights {list(row[: n_weights(motif_type)])} match no {motif_type} sign pattern.")


def _build_motif(motif_type, row, semantics, as_float64):
    n_w = n_weights(motif_type)
    values = [np.float64(v) if as_float64 else float(v) for v in row]
    loop = "loop" in motif_type
    return NeuralMotif(*_motif_structure(motif_type, row), ["tanh"] * (2 if loop else 1),
                       ["sum"] * (2 if loop else 1), weights=values[:n_w], biases=values[n_w:], semantics=semantics)
