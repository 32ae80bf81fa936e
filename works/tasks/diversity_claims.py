"""Report claims of task 7 (learned diversity), from the raw files of :mod:`works.tasks.diversity` only.

Claim 18: a layer mixing two learned types beats every homogeneous layer (MNIST-1D accuracy, van der Pol test
loss). 19: the mix has a higher normalised participation ratio r. 20: the mix sits in a flatter minimum
(smaller Hessian trace). 21: more near-zero Hessian eigenvalues. 22: under learned node activations,
incoherent loops keep the lower Lipschitz estimate and the larger nearest-collider difference of the tanh
motifs. Every comparison uses :func:`works.stats.compare_groups` (difference of means for networks, of medians
for loops; 95 % bootstrap interval; Mann-Whitney U); the verdict of a row is "holds" only when every
comparison of the row holds.

Examples
--------
>>> import tempfile
>>> rows = diversity_claims(tempfile.mkdtemp())
>>> sorted({row["verdict"] for row in rows}), [row["claim"] for row in rows]
(['not run'], [18, 19, 20, 21, 22])
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from works import layout
from works.claims import claim, load_npz
from works.stats import HOLDS, REVERSED, compare_groups
from works.tasks.diversity_packs import DIVERSITY_TASKS, primary

__all__ = ["CLAIMS", "MAX_LOOPS", "diversity_claims", "loop_claims", "overall", "short"]

#: Loops per group entering a loop-ordering bootstrap (a seeded subsample above it keeps paper scale tractable).
MAX_LOOPS = 20_000
_LEARNED_LOOPS = ("type-1", "type-2", "mix")


def short(label: str, result) -> str:
    """``label: Δmean = e [lo, hi], p = p`` for one :class:`works.stats.Comparison`.

    Examples
    --------
    >>> from works.stats import compare_groups
    >>> short("relu", compare_groups([1.0, 2.0, 3.0], [0.0, 1.0, 2.0], expected="greater"))
    'relu: Δmean = 1 [-0.3333, 2.333], p = 0.37'
    """
    low, high = result.ci
    return (f"{label}: {result.effect_name} = {result.effect:.4g} [{low:.4g}, {high:.4g}], "
            f"p = {result.p_value:.2g}")


def overall(results: dict) -> str:
    """Verdict of a row of comparisons: the common verdict when all agree, else which hold, reverse or stay
    unresolved.

    Examples
    --------
    >>> from works.stats import compare_groups
    >>> up = compare_groups(np.arange(50.0) + 100, np.arange(50.0), expected="greater")
    >>> overall({"a": up}), overall({"a": up, "b": compare_groups([1.0, 2.0], [1.5, 2.5], expected="greater")})
    ('holds', 'holds vs a; not resolved vs b')
    """
    verdicts = {r.verdict for r in results.values()}
    if len(verdicts) == 1:
        return verdicts.pop()
    parts = []
    for name, state in (("holds", HOLDS), ("reversed", REVERSED), ("not resolved", None)):
        chosen = [k for k, r in results.items() if (r.verdict == state if state else r.verdict not in (HOLDS,
                                                                                                        REVERSED))]
        if chosen:
            parts.append(f"{name} vs {', '.join(chosen)}")
    return "; ".join(parts)


def _mix_rows(out: Path, number: int, statement: str, quantity, expected, note: str) -> dict:
    """One row: the mix against each pure network type on ``quantity(task)`` for every task run; ``expected``
    (a direction or a function of the task) is the sign the claim predicts for mix − type."""
    texts, results = [], {}
    for task in DIVERSITY_TASKS:
        data = load_npz(out / layout.RAW / layout.diversity_file(task))
        if data is None:
            continue
        types = [str(t) for t in data["network_types"]]
        if "mix" not in types:
            continue
        name = quantity(task)
        direction = expected(task) if callable(expected) else expected
        values = np.asarray(data[name], float)
        mix = values[types.index("mix")]
        task_results = {}
        for t, network_type in enumerate(types):
            if network_type != "mix":
                task_results[network_type] = compare_groups(mix, values[t], expected=direction, seed=number)
        n = len(mix)
        texts.append(f"{task} {name} (mix − type, n = {n} per type): "
                     + "; ".join(short(k, r) for k, r in task_results.items()))
        results.update({f"{task}/{k}": r for k, r in task_results.items()})
    if not results:
        return claim(number, statement, "—", None, note)
    return claim(number, statement, " | ".join(texts), overall(results), note, comparison=results)


def _better(task: str) -> str:
    """Direction of "better" for the task's performance scalar (accuracy up, forecast error down)."""
    return "greater" if primary(task) == "accuracy" else "less"


def diversity_claims(out_dir) -> list:
    """Claims 18-21 (networks) and 22 (loops)."""
    out = Path(out_dir)
    rows = [
        _mix_rows(out, 18, "a hidden layer mixing two learned activation types beats every homogeneous layer "
                  "(learned diversity)", primary, _better,
                  "MNIST-1D: test accuracy (higher is better); van der Pol: Euler forecast error (lower is better)"),
        _mix_rows(out, 19, "the mixed layer has a higher participation ratio of hidden activity",
                  lambda task: "participation_ratio_normalised", "greater",
                  "r = R / N of the centred covariance of hidden activity on the test inputs"),
        _mix_rows(out, 20, "the mixed layer sits in a flatter minimum (smaller Hessian trace)",
                  lambda task: "hessian_trace", "less", "Hutchinson estimate on training examples"),
        _mix_rows(out, 21, "the mixed layer has more near-zero Hessian eigenvalues",
                  lambda task: "near_zero_fraction", "greater",
                  "stochastic Lanczos quadrature; |λ| ≤ 1e-3 max|λ| counts as near zero"),
    ]
    return rows + loop_claims(out)


def _subsample(values, seed: int) -> np.ndarray:
    values = np.asarray(values, float)
    if values.size <= MAX_LOOPS:
        return values
    return np.random.default_rng(seed).choice(values, MAX_LOOPS, replace=False)


def loop_claims(out_dir) -> list:
    """Claim 22: incoherent vs coherent loops under learned node activations (tanh as the reference)."""
    out = Path(out_dir)
    statement = ("loop ordering under learned activations: incoherent loops keep the lower Lipschitz estimate and "
                 "the larger nearest-collider difference")
    texts, results = [], {}
    for task in DIVERSITY_TASKS:
        data = load_npz(out / layout.RAW / layout.diversity_loops_file(task))
        if data is None:
            continue
        for measure, expected in (("lipschitz", "less"), ("difference", "greater")):
            parts = []
            for label in [str(x) for x in data["labels"]]:
                incoherent = _subsample(data[f"{label}/incoherent-loop/{measure}"], 0)
                coherent = _subsample(data[f"{label}/coherent-loop/{measure}"], 1)
                result = compare_groups(incoherent, coherent, expected=expected, statistic="median", seed=22)
                parts.append(short(label, result))
                if label in _LEARNED_LOOPS:
                    results[f"{task}/{measure}/{label}"] = result
            n = data[f"tanh/incoherent-loop/{measure}"].size
            texts.append(f"{task} {measure} (L_i − L_c, {n:,} loops per type): " + "; ".join(parts))
    note = ("verdict over the learned activations (type-1, type-2, mix = hidden type-1 / output type-2); tanh "
            f"shown as the motif study's reference; at most {MAX_LOOPS:,} loops per group enter the bootstrap")
    if not results:
        return [claim(22, statement, "—", None, note)]
    return [claim(22, statement, " | ".join(texts), overall(results), note, comparison=results)]


CLAIMS = (diversity_claims,)
