"""motifeffect ``works``: the experiment pipeline of MotifEffect (raw data, packs, figures, videos, report).

Run everything with ``python -m works --scale quick --out DIR``. Each experiment is one module of
:mod:`works.tasks` (config, units, packers, panels, claims); :mod:`works.layout` names every file;
:mod:`works.scales` holds the presets; :mod:`works.units` / :mod:`works.storage` / :mod:`works.executors` run
idempotent work units with a manifest (in process, a process pool or Dask); :mod:`works.packing`,
:mod:`works.summaries` and :mod:`works.claims` serve the packers and the report; :mod:`works.estimate`
projects a scale's cost before it runs. The entry points
:mod:`works.run_1_tasks` (raw data), :mod:`works.run_2_packs` (packs), :mod:`works.show_main` /
:mod:`works.show_supp` / :mod:`works.show_video` (figures and videos) and :mod:`works.report`
(``OUT/REPORT.md``) collect what the task modules declare. Data flow: ``docs/architecture.md``; raw formats:
``docs/raw-data.md``.
"""

#: Version of the package (``setup.py``); recorded in ``OUT/run.json`` with the run configuration.
__version__ = "0.1.0"

__all__ = ["claims", "estimate", "executors", "layout", "packing", "report", "run_1_tasks", "run_2_packs", "scales",
           "show_main", "show_supp", "show_video", "storage", "summaries", "tasks", "units"]
