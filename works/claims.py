"""Rows of the reproduction report: one paper claim, what was measured here and how sure the verdict is.

Task modules build their ``CLAIMS`` with :func:`claim`; :mod:`works.report` collects and prints them. A claim that
compares groups carries one or more :class:`works.stats.Comparison` objects (``comparison=``): the report then shows
n per group, the effect with its 95 % bootstrap interval, a scale-free size and the test's p-value, and the verdict
is the comparison's ("holds", "reversed" or "not resolved at this scale (CI spans 0)"), never a raw sign. A
comparison whose interval is off zero but whose test is not significant (p ≥ :data:`ALPHA`) is reported as not
resolved: with a handful of samples a percentile-bootstrap interval can collapse onto a single value (three
successes out of three resample to three out of three), and the test guards against that.

Several sub-results (one per training noise, per domain, per measure) are passed as a dict ``{label: Comparison}``
and combined by ``rule`` (see :func:`combine`): ``"all"`` — the claim holds when every sub-result holds and is
reversed when any sub-result is reversed; ``"first"`` — the first sub-result decides and the others are shown as
supporting measures.

Examples
--------
>>> claim(4, "lower Lipschitz", "0.9 vs 1.1", True)["verdict"]
'holds'
>>> claim(4, "lower Lipschitz", "—", None)["verdict"]
'not run'
>>> from works.stats import compare_groups
>>> row = claim(4, "lower Lipschitz", "means", comparison=compare_groups([1.0, 1.1, 0.9, 1.0] * 5,
...             [2.0, 2.1, 1.9, 2.0] * 5, expected="less"), figure="main02", caption="Fig. 2b: Lipschitz.")
>>> row["verdict"], row["figure"], stat_cells(row)["n"]
('holds', 'main02', '20 vs 20')
>>> fmt(1234567), fmt(0.000123)
('1,234,567', '0.000123')
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from works.stats import HOLDS, REVERSED, UNRESOLVED, Comparison

__all__ = ["ALPHA", "DESCRIPTIVE", "RESAMPLES", "RULES", "agent_index", "bootstrap_resamples", "claim", "combine",
           "fmt", "load_npz", "stat_cells", "two_sided", "verdict"]

#: Significance level the test of a comparison must reach for a "holds" or "reversed" verdict.
ALPHA = 0.05
#: Verdict of a claim that states a number rather than a direction (no test).
DESCRIPTIVE = "n/a"
#: Bootstrap resamples of a claim's interval (fewer for very large groups, :func:`bootstrap_resamples`).
RESAMPLES = 2000
#: How the verdicts of several sub-results make the claim's verdict (:func:`combine`).
RULES = ("all", "first")


def fmt(value, digits: int = 4) -> str:
    """A measured number for the report: ints with thousands separators, floats to ``digits`` significant digits."""
    if value is None:
        return "—"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    return f"{value:.{digits}g}"


def verdict(flag) -> str:
    """``"holds"`` / ``"does not hold"`` for a bool, ``"not run"`` for None; a string is kept as it is."""
    if isinstance(flag, str):
        return flag
    return "not run" if flag is None else ("holds" if flag else "does not hold")


def bootstrap_resamples(size: int, *, budget: int = 40_000_000, floor: int = 200) -> int:
    """Bootstrap resamples for a group of ``size`` values: :data:`RESAMPLES`, reduced so that at most ``budget``
    values are drawn per group, never below ``floor``.

    At the paper scale a loop type has 441,000 motifs; 2,000 resamples of both types would draw 1.8e9 values per
    claim, while the interval is then far narrower than any effect of interest and 200 resamples locate it well.

    Examples
    --------
    >>> bootstrap_resamples(1_600), bootstrap_resamples(100_000), bootstrap_resamples(441_000)
    (2000, 400, 200)
    """
    if isinstance(size, bool) or int(size) != size or size < 0:
        raise ValueError(f"size must be a non-negative integer, got {size!r}.")
    return int(min(RESAMPLES, max(floor, budget // max(int(size), 1))))


def combine(verdicts, rule: str = "all") -> str:
    """The claim's verdict from the verdicts of its sub-results.

    Parameters
    ----------
    verdicts : sequence of str
        Verdicts of the sub-results, each one of ``"holds"``, ``"reversed"`` and the unresolved verdict.
    rule : {"all", "first"}
        ``"all"``: holds when every sub-result holds, reversed when at least one is reversed (the claim is stated
        for every sub-case, so one reversal contradicts it), otherwise not resolved. ``"first"``: the first
        sub-result (the primary measure) decides.

    Examples
    --------
    >>> combine(["holds", "holds"]), combine(["holds", "reversed"]), combine(["holds", "reversed"], "first")
    ('holds', 'reversed', 'holds')
    >>> combine(["holds", "not resolved at this scale (CI spans 0)"])
    'not resolved at this scale (CI spans 0)'
    """
    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}, got {rule!r}.")
    verdicts = list(verdicts)
    if not verdicts:
        return UNRESOLVED
    if rule == "first":
        return verdicts[0]
    if REVERSED in verdicts:
        return REVERSED
    return HOLDS if all(v == HOLDS for v in verdicts) else UNRESOLVED


def two_sided(comparison: Comparison) -> Comparison:
    """The comparison of a claim that predicts a difference but not its sign: an interval off zero on either side
    "holds", so the verdict is never "reversed".

    Examples
    --------
    >>> from works.stats import compare_counts
    >>> compare_counts(1, 20, 19, 20, expected="greater").verdict
    'reversed'
    >>> two_sided(compare_counts(1, 20, 19, 20, expected="greater")).verdict
    'holds'
    """
    if not isinstance(comparison, Comparison):
        raise TypeError(f"comparison must be a works.stats.Comparison, got {type(comparison).__name__}.")
    return dataclasses.replace(comparison, verdict=HOLDS if comparison.verdict == REVERSED else comparison.verdict)


def _record(label: str, comparison: Comparison) -> dict:
    if not isinstance(comparison, Comparison):
        raise TypeError(f"comparison must be a works.stats.Comparison or a dict of them, got "
                        f"{type(comparison).__name__}.")
    return {"label": label, "n": [int(k) for k in comparison.n], "effect": float(comparison.effect),
            "effect_name": comparison.effect_name, "ci": [float(v) for v in comparison.ci],
            "size": float(comparison.size), "size_name": comparison.size_name, "p": float(comparison.p_value),
            "test": comparison.test, "verdict": _guarded(comparison),
            "guarded": _guarded(comparison) != comparison.verdict}


def _guarded(comparison: Comparison) -> str:
    """The comparison's verdict, unresolved unless its test also rejects equality at :data:`ALPHA`."""
    decided = comparison.verdict in (HOLDS, REVERSED)
    return comparison.verdict if not decided or comparison.p_value < ALPHA else UNRESOLVED


def claim(number: int, statement: str, measured: str, flag=None, note: str = "", *, comparison=None,
          rule: str = "all", figure: str | None = None, caption: str = "") -> dict:
    """One report row.

    Parameters
    ----------
    number : int
        Claim number (the report's row order).
    statement : str
        What the paper says.
    measured : str
        What was measured here, in words and numbers.
    flag : bool, str or None
        The verdict without a test: a bool ("holds" / "does not hold"), a string kept as it is (``"n/a"`` for a
        descriptive claim), or None — "not run" when there is no ``comparison``, else the comparison's verdict.
    note : str
        A remark shown in the last column.
    comparison : works.stats.Comparison or dict of str to Comparison, optional
        The statistics of the claim; a dict holds labelled sub-results combined by ``rule``.
    rule : {"all", "first"}
        How sub-results make the verdict (:func:`combine`).
    figure : str, optional
        Stem of the figure that shows the claim (``"main02"``); the report links ``show/<figure>.png``.
    caption : str
        One sentence on what that figure shows.

    Returns
    -------
    dict
        ``{"claim", "paper", "measured", "verdict", "note", "comparisons", "figure", "caption"}`` where
        ``comparisons`` is a list of plain dicts (label, n, effect, effect_name, ci, size, size_name, p, test,
        verdict, guarded — True when the test overruled the interval).
    """
    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}, got {rule!r}.")
    if comparison is None:
        records = []
    elif isinstance(comparison, dict):
        records = [_record(str(label), value) for label, value in comparison.items()]
    else:
        records = [_record("", comparison)]
    if flag is None and records:
        decided = combine([r["verdict"] for r in records], rule)
    else:
        decided = verdict(flag)
    return {"claim": number, "paper": statement, "measured": measured, "verdict": decided, "note": note,
            "comparisons": records, "figure": figure, "caption": caption}


def _number(value, digits: int = 4) -> str:
    value = float(value)
    if not np.isfinite(value):
        return "nan" if np.isnan(value) else ("inf" if value > 0 else "−inf")
    return f"{value:.{digits}g}"


def stat_cells(row: dict) -> dict:
    """The statistics columns of a report row as text: ``{"n", "effect", "size", "test"}``.

    Sub-results are written one per line (``<br>``), each prefixed by its label. A descriptive claim gives
    ``"n/a"`` in every column, a claim without statistics (not run) ``"—"``.

    Examples
    --------
    >>> stat_cells(claim(1, "882,000 motifs", "144", "n/a"))["effect"]
    'n/a'
    """
    records = row.get("comparisons") or []
    if not records:
        fill = DESCRIPTIVE if row.get("verdict") == DESCRIPTIVE else "—"
        return {"n": fill, "effect": fill, "size": fill, "test": fill}
    cells = {"n": [], "effect": [], "size": [], "test": []}
    for r in records:
        prefix = f"{r['label']}: " if r["label"] else ""
        low, high = r["ci"]
        cells["n"].append(prefix + " vs ".join(f"{k:,}" for k in r["n"]))
        cells["effect"].append(f"{prefix}{r['effect_name']} = {_number(r['effect'])} "
                               f"[{_number(low)}, {_number(high)}]")
        cells["size"].append(f"{prefix}{r['size_name']} = {_number(r['size'], 3)}")
        guard = " (interval off 0 but test not significant)" if r.get("guarded") else ""
        cells["test"].append(f"{prefix}{r['test']} p = {_number(r['p'], 2)}{guard}")
    return {key: "<br>".join(value) for key, value in cells.items()}


def load_npz(path: Path):
    """Every array of an ``.npz`` file as a dict, or None when the file does not exist."""
    path = Path(path)
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def agent_index(data, letter: str):
    """Row of agent ``letter`` in ``data["agents"]`` (None when that agent was not run)."""
    agents = [str(a) for a in data["agents"]]
    return agents.index(letter) if letter in agents else None
