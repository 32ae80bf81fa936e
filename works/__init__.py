"""motifeffect ``works``: the experiment pipeline of MotifEffect (raw data, packs, figures, videos, report).

Run everything with ``python -m works --scale quick --out DIR``. Modules: :mod:`works.scales` (presets),
:mod:`works.units` / :mod:`works.storage` / :mod:`works.executors` (idempotent work units, manifest,
process-pool and Dask execution), :mod:`works.run_1_tasks` (tasks 1–5), :mod:`works.run_2_packs` (one pack
per figure), :mod:`works.show_main` / :mod:`works.show_supp` / :mod:`works.show_video` (figures and videos)
and :mod:`works.report` (``OUT/REPORT.md``). Raw formats: ``docs/raw-data.md``.
"""

__all__ = ["scales", "units", "storage", "executors", "run_1_tasks", "run_2_packs", "show_main", "show_supp",
           "show_video", "report"]
