"""The command-line options shared by ``python -m works`` and ``works/run_1_tasks.py``.

Kept free of heavy imports (no numpy, no torch) so that the checks that refuse a run — a folder in use, a
folder of another run configuration, a bad argument — answer within a second.

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser()
>>> add_arguments(parser)
>>> args = parser.parse_args(["--out", "OUT", "--scale", "smoke", "--tasks", "1", "2"])
>>> args.scale, args.tasks, args.fresh
('smoke', [1, 2], False)
"""

from __future__ import annotations

__all__ = ["SCALES", "SEMANTICS", "TASKS", "add_arguments", "require_out"]

#: Scale presets (equal to :data:`works.layout.SCALES`, repeated here to keep this module light).
SCALES = ("smoke", "quick", "paper")
#: Run semantics (equal to :data:`works.layout.SEMANTICS`).
SEMANTICS = ("reference", "corrected")
#: Task numbers (the keys of :data:`works.tasks.MODULES`).
TASKS = (1, 2, 3, 4, 5, 6, 7)


def add_arguments(parser, estimate: bool = False) -> None:
    """The options shared by ``run_1_tasks`` and ``python -m works``.

    With ``estimate=True`` (``python -m works``) the parser also has ``--estimate``, and ``--out`` is optional
    in the parser: the caller must require it unless ``--estimate`` is given (see :func:`require_out`).
    """
    parser.add_argument("--out", required=not estimate, help="output directory OUT (writes OUT/raw)")
    parser.add_argument("--scale", default="quick", choices=SCALES)
    parser.add_argument("--tasks", nargs="+", type=int, default=list(TASKS), choices=TASKS)
    parser.add_argument("--workers", type=int, default=None, help="processes (default all cores; 1 = in-process)")
    parser.add_argument("--dask", default=None, help="'local' (LocalCluster) or a scheduler address tcp://host:port")
    parser.add_argument("--memory-gb", type=float, default=None,
                        help="memory the units' hints may use at once (default 80 %% of the machine's)")
    parser.add_argument("--semantics", default="reference", choices=SEMANTICS)
    parser.add_argument("--seed", type=int, default=None, help="base seed (default: the preset's)")
    parser.add_argument("--uci-dir", default=None,
                        help="folder with other copies of the UCI files of task 4 (default: $MOTIFEFFECT_UCI_DIR "
                             "if set, else the copies shipped in practice/data/uci; nothing is downloaded)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument("--fresh", action="store_true",
                        help="delete the results already in OUT (raw, data, show, videos, REPORT.md) first; needed "
                             "to reuse a folder of another scale, semantics, seed or package version")
    parser.add_argument("--wait", action="store_true", help="wait for another run using OUT to finish instead of "
                                                            "stopping")
    parser.add_argument("--debug", action="store_true", help="full tracebacks instead of one-line errors")
    if estimate:
        parser.add_argument("--estimate", action="store_true",
                            help="run nothing and write nothing: calibrate every unit kind on small samples and "
                                 "print the projected units, CPU-hours, wall time, disk and peak memory per task")


def require_out(parser, args) -> None:
    """``parser.error`` (exit status 2) when ``--out`` is missing and ``--estimate`` was not asked for."""
    if args.out is None and not getattr(args, "estimate", False):
        parser.error("the following arguments are required: --out")
