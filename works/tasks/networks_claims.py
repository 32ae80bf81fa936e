"""Report claims of task 5 (fixed motif networks), from the raw files of :mod:`works.tasks.networks` only.

Claim 2 counts the restricted 10-loop fits run. Claim 7: among the restricted networks, more coherent loops (fewer
incoherent, count k) give more failures (final loss above the threshold): Spearman trend of failure with k over
runs, decided on the Quadratic Saddle (else the first landscape), the final loss standing in where the failure
rate is constant. Claim 8: loop-only networks reach a lower mean final loss than collider-only ones, one paired
difference of log10 mean final loss per (landscape, motif number) cell. Every claim is "not run" ("—") when its
raw files are absent.

Examples
--------
>>> import tempfile
>>> rows = [row for rule in CLAIMS for row in rule(tempfile.mkdtemp())]
>>> [(row["claim"], row["measured"]) for row in rows]
[(2, '—'), (7, '—'), (8, '—')]
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from works import layout
from works._io import load_pack
from works.claims import DESCRIPTIVE, claim, load_npz
from works.layout import INCOHERENT_VS_COHERENT, LOOP_VS_COLLIDER
from works.stats import compare_paired, compare_trend

__all__ = ["CLAIMS", "failure_trend", "loop_claims", "restricted_claims"]


def failure_trend(data) -> tuple:
    """Claim 7 on one restricted file: (label, comparison, measured text) or None when fewer than three k were run.

    The trend of the failure indicator (final loss above the threshold) with the incoherent count k, over runs;
    when every run fails or every run succeeds the failure rate is constant and the final loss is used instead.
    """
    ks = np.asarray(data["incoherent"], dtype=np.float64)
    present = [k for k in range(11) if np.any(ks == k)]
    if len(present) <= 2:
        return None
    failure = ~np.asarray(data["success"], dtype=bool)
    rates = [float(np.mean(failure[ks == k])) for k in present]
    landscape = str(data["landscape"])
    text = (f"{landscape}: failure rate (final MSE > {float(data['threshold']):g}) per incoherent count k = "
            + ", ".join(f"{k}:{r:.0%}" for k, r in zip(present, rates)) + f" over {ks.size} runs")
    if np.ptp(failure.astype(np.float64)) > 0:
        return f"{landscape} (failure)", compare_trend(ks, failure.astype(np.float64), expected="less", seed=7), text
    finals = np.asarray(data["final_loss"], dtype=np.float64)
    text += "; failure rate constant, final loss used"
    return f"{landscape} (final loss)", compare_trend(ks, finals, expected="less", seed=7), text


def restricted_claims(out_dir: Path) -> list:
    """Claims 2 and 7 from the restricted networks (claim 7 decided on Quadratic Saddle, else the first landscape;
    the other landscapes are shown as supporting sub-results)."""
    restricted = sorted((Path(out_dir) / layout.RAW).glob(layout.network_file(INCOHERENT_VS_COHERENT, "*")))
    total = 0
    trends = []
    for path in restricted:
        data = load_npz(path)
        total += int(data["keys"].size)
        trend = failure_trend(data)
        if trend is not None:
            trends.append(trend)
    trends.sort(key=lambda t: not t[0].startswith("Quadratic Saddle"))
    statement7 = ("in fixed-network training, more coherent loops (fewer incoherent) → more failures "
                  "(S16b/S17a trends)")
    if trends:
        row7 = claim(7, statement7, trends[0][2], comparison={label: c for label, c, _ in trends}, rule="first",
                     figure="supp17", caption="Fig. S17 shows, on the Quadratic Saddle, the failure rate per "
                     "incoherent fraction of the restricted 10-loop networks and the final losses of the failing runs.",
                     note="Spearman ρ between the incoherent count k and failure (1 = final loss above threshold) "
                          "over runs, expected < 0; the final loss replaces failure where the failure rate is "
                          "constant; the first landscape (Quadratic Saddle) decides, the others support")
    else:
        row7 = claim(7, statement7, "—", None)
    return [claim(2, "97,240 fixed-network training experiments",
                  f"{total:,} restricted fits run" if restricted else "—",
                  None if not restricted else DESCRIPTIVE,
                  "the paper's count is reached" if total >= 97_240 else
                  "the paper's count is reached at paper scale only (smaller presets run fewer configurations)",
                  figure="supp15", caption="Fig. S15 counts the restricted-network fits run (total) and the "
                  "successful ones per landscape and incoherent fraction."),
            row7]


def loop_claims(out_dir: Path) -> list:
    """Claim 8: final loss of loop-only vs collider-only networks, paired per (landscape, motif number) cell."""
    statement = "loop-only networks reach lower loss than collider-only networks"
    files = sorted((Path(out_dir) / layout.RAW).glob(layout.network_file(LOOP_VS_COLLIDER, "*")))
    if not files:
        return [claim(8, statement, "—", None)]
    differences, wins, runs = [], 0, 0
    for path in files:
        pack = load_pack(path)
        for n in pack["motif_numbers"]:
            loop_runs = np.asarray(pack["loop"][f"n{int(n)}"]["final_loss"], dtype=np.float64)
            collider_runs = np.asarray(pack["collider"][f"n{int(n)}"]["final_loss"], dtype=np.float64)
            loop, collider = float(np.mean(loop_runs)), float(np.mean(collider_runs))
            runs += loop_runs.size + collider_runs.size
            wins += loop < collider
            differences.append(np.log10(max(loop, _TINY)) - np.log10(max(collider, _TINY)))
    comparison = dataclasses.replace(compare_paired(differences, expected="less", seed=8),
                                     effect_name="median Δlog10 mean final loss")
    return [claim(8, statement, f"mean final loss lower for loop networks in {wins} of {len(differences)} "
                  f"(landscape, n) cells ({runs:,} runs)", comparison=comparison,
                  figure="supp10", caption="Fig. S10 (the first landscape; S11–S14 the others) compares the "
                  "training losses of networks built only from loops with networks built only from colliders, per "
                  "number of motifs.",
                  note="one pair per (landscape, n) cell: log10 mean final loss of loop-only minus collider-only "
                       "networks (expected < 0)")]


_TINY = 1e-300  # floor of a mean final loss before its logarithm


CLAIMS = (restricted_claims, loop_claims)
