"""The reproduction report ``OUT/REPORT.md``: the paper's headline claims against this run's raw data.

For each headline claim of the paper (the ``CLAIMS`` of the task modules, :mod:`works.tasks`) and the grid
statistics of task 1 the report gives the paper's statement, the numbers measured here (computed from
``OUT/raw`` only), n per group, the effect with its 95 % bootstrap confidence interval, a scale-free size, a
test with its p-value (:mod:`works.stats`) and a verdict: "holds", "reversed" or "not resolved at this scale
(CI spans 0)". Descriptive claims (sizes of the study) say "n/a"; claims whose raw data were not produced are
reported as "not run". Below the table each claim's figure is linked (``show/<figure>.png``) with one sentence
on what it shows, so the report reads on its own.

Examples
--------
>>> import tempfile
>>> path = write_report(tempfile.mkdtemp())      # nothing run yet: every claim is "not run"
>>> "not run" in path.read_text()
True
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from works import layout
from works._io import atomic_write_bytes
from works.guard import locked_step, step_arguments
from works.claims import DESCRIPTIVE, claim, stat_cells
from works.packing import one_line
from works.tasks import all_claims, motifs

__all__ = ["grid_statistics", "main", "measure_claims", "write_report"]

grid_statistics = motifs.grid_statistics

def _scale_claim(out: Path):
    manifest = out / layout.RAW / layout.MANIFEST_FILE
    if not manifest.is_file():
        return claim(13, "91.4 GiB raw data; several months on one laptop CPU", "—", None)
    from works.storage import Manifest

    units = Manifest(out / layout.RAW).units  # tolerant of a damaged manifest
    size = sum(f.get("size", 0) for u in units.values() for f in u["files"].values() if isinstance(f, dict))
    seconds = sum(u.get("seconds", 0.0) for u in units.values())
    return claim(13, "91.4 GiB raw data; several months on one laptop CPU",
                 f"{size / 2**20:.1f} MiB raw data (landscapes recomputed, not stored); {seconds / 60:.1f} "
                 f"CPU-minutes of work units", DESCRIPTIVE, "not a direction; reported for scale")


def measure_claims(out_dir, errors: dict | None = None) -> list:
    """All claims as dicts (:func:`works.claims.claim`), sorted by claim number.

    A claim function that raises (damaged raw data) is left out; with ``errors`` given, its one-line reason is
    stored there under ``"claims <module>.<function>"`` instead of raising.
    """
    out = Path(out_dir)
    claims = []
    for function in all_claims():
        try:
            claims += list(function(out))
        except Exception as error:
            if errors is None:
                raise
            errors[f"claims {function.__module__}.{function.__name__}"] = one_line(error)
    claims.append(_scale_claim(out))
    return sorted(claims, key=lambda row: row["claim"])


_HOW_TO_READ = (
    "Each comparison gives n per group, the effect (difference of means or medians, a difference of "
    "proportions, Spearman's ρ or the median paired difference) with its 95 % percentile-bootstrap "
    "confidence interval (2,000 resamples; fewer, at least 200, for groups of more than 20,000 values), a"
    " scale-free size (Cliff's δ, odds ratio, ρ or the share of positive pairs) and a two-sided test "
    "(Mann–Whitney U, Fisher's exact test, Spearman, Wilcoxon signed-rank). The verdict is \"holds\" when "
    "the interval lies on the side the paper predicts, \"reversed\" when it lies on the other side and \"not"
    " resolved at this scale (CI spans 0)\" otherwise, also when the test does not reject equality (p ≥ "
    "0.05; tiny samples can make the bootstrap interval collapse onto one value); it never rests on the "
    "sign of a raw difference. A claim with several sub-results (one per line) holds when every sub-"
    "result holds and is reversed when any is reversed, unless its note names a primary measure that "
    "decides alone. Small scales have small n: expect \"not resolved\" there.")


def _figure_lines(out: Path, rows) -> list:
    """One paragraph per claim with a figure: the caption and a relative image link (each image embedded once)."""
    lines, shown, verdicts = [], {}, {}
    for row in rows:  # a claim with several rows (one per comparison) gets one paragraph with all its verdicts
        if row.get("figure"):
            verdicts.setdefault((row["claim"], row["figure"]), []).append(row["verdict"])
    for row in rows:
        figure = row.get("figure")
        if not figure or (row["claim"], figure) not in verdicts:
            continue
        target = f"{layout.SHOW}/{layout.figure_file(figure, '.png')}"
        missing = "" if (out / target).is_file() else " (not drawn in this run)"
        said = verdicts.pop((row["claim"], figure))
        verdict = "; ".join(f"{v} ×{said.count(v)}" if said.count(v) > 1 else v for v in dict.fromkeys(said))
        lines.append(f"**Claim {row['claim']}** ({verdict}). {row.get('caption') or ''}{missing}")
        lines.append("")
        if figure in shown:
            lines.append(f"Figure `{figure}`: shown above under claim {shown[figure]} ([{target}]({target})).")
        else:
            shown[figure] = row["claim"]
            lines.append(f"![{figure}]({target})")
        lines.append("")
    return lines


def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def _timing_lines(out: Path) -> list:
    """A "Run time" section from ``OUT/timings.json`` (written by ``python -m works``; none when absent)."""
    try:
        steps = json.loads((out / layout.TIMINGS).read_text())
    except (OSError, ValueError):
        return []
    if not isinstance(steps, dict):
        return []
    lines = ["", "## Run time", "",
             "Wall-clock seconds of each step of the last `python -m works` run in this folder (a resumed run "
             "counts only the units it computed).", "",
             "| step | wall time | units computed | units already done |", "| --- | ---: | ---: | ---: |"]
    for step, row in steps.items():
        row = row if isinstance(row, dict) else {}
        seconds = row.get("seconds")
        wall = f"{seconds:,.0f} s ({seconds / 60:.1f} min)" if isinstance(seconds, (int, float)) else "—"
        lines.append(f"| {_cell(step)} | {wall} | {row.get('units computed', '')} | "
                     f"{row.get('units already done', '')} |")
    return lines


def write_report(out_dir, title: str | None = None, missing: dict | None = None) -> Path:
    """Write ``OUT/REPORT.md`` and return its path.

    ``missing`` maps what this run could not produce (``"task 4"``, ``"pack supp26"``, ``"figure supp26"``)
    to the one-line reason; the report lists them in a section "Missing from this run".
    """
    out = Path(out_dir)
    config_path = out / layout.RAW / layout.CONFIG_FILE
    try:
        config = json.loads(config_path.read_text()) if config_path.is_file() else {}
    except ValueError:
        config = {}
    config = config if isinstance(config, dict) else {}
    lines = [f"# {title or 'MotifEffect reproduction report'}", ""]
    lines.append(f"Scale: **{config.get('name', 'unknown')}**, semantics: **{config.get('semantics', 'unknown')}**, "
                 f"base seed {config.get('seed', '—')}. Numbers are measured from `raw/` of this run.")
    missing = dict(missing or {})
    rows = measure_claims(out, missing)
    try:
        grid = motifs.grid_statistics(out)
    except Exception as error:
        grid, missing["grid statistics"] = {}, one_line(error)
    if missing:
        lines += ["", "## Missing from this run", "",
                  "The rest of the report covers what exists; claims that need the missing data say \"not run\".", "",
                  "| what | why |", "| --- | --- |"]
        lines += [f"| {_cell(what)} | {_cell(why)} |" for what, why in missing.items()]
    lines += ["", "## Headline claims", "", _HOW_TO_READ, "",
              "| # | paper | measured here | n | effect [95% CI] | size | test | verdict | note |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for row in rows:
        cells = stat_cells(row)
        lines.append(f"| {row['claim']} | {_cell(row['paper'])} | {_cell(row['measured'])} | {cells['n']} | "
                     f"{cells['effect']} | {cells['size']} | {cells['test']} | {row['verdict']} | "
                     f"{_cell(row['note'])} |")
    lines += ["", "## Figures", ""] + _figure_lines(out, rows)
    lines += ["", "## Grid statistics", "",
              "| loop type | quantity | n | mean | median |", "| --- | --- | --- | --- | --- |"]
    for motif_type, row in grid.items():
        for name, value in row.items():
            if value is None:
                lines.append(f"| {motif_type} | {name} | — | — | not run |")
            else:
                lines.append(f"| {motif_type} | {name} | {value['n']:,} | {value['mean']:.6g} | "
                             f"{value['median']:.6g} |")
    lines += _timing_lines(out)
    lines += ["", ("Claim 3 is reported both ways: the nearest-neighbour MSE to the full collider grid (what task 2 "
              "selects on) and the gradient-fitted trade-off loss of task 1c (what Fig. 2c plots)."), ""]
    path = out / layout.REPORT
    atomic_write_bytes(path, "\n".join(lines).encode("utf-8"))
    return path


def main(argv=None) -> Path:
    """CLI: ``python works/report.py --out DIR``."""
    parser = argparse.ArgumentParser(description="Write OUT/REPORT.md from OUT/raw.")
    parser.add_argument("--out", required=True)
    step_arguments(parser)
    args = parser.parse_args(argv)

    def action(out):
        path = write_report(out)
        print(path)
        return path

    return locked_step(args, action)


if __name__ == "__main__":
    main()
