"""The experiments of the pipeline, one module each, and the registry that finds them.

Contract of a task module
-------------------------
A task module ``works/tasks/<name>.py`` holds one experiment from configuration to figures, so a reader
who opens it sees what is configured, computed, stored, packed and drawn. It defines:

``NUMBER`` : int
    The task number (1-7) used by ``--tasks`` and as the first part of every unit key (``"task<N>/..."``).
``CONFIG`` : type
    Its frozen config dataclass (``Task<N>Config``); :class:`works.scales.Scale` holds one as ``task<N>`` and
    :mod:`works.scales` imports the class from the task module.
``plan(scale) -> list[list[works.units.Unit]]``
    The stages of the task in execution order; the units of one stage are independent of each other and
    later stages may read files written by earlier ones. Unit functions are module-level functions
    ``unit_*(config, raw_dir, seed)`` of the task module (``Unit.function`` = ``"works.tasks.<name>:unit_*"``).
    The unit's ``config`` dict may be produced from a small frozen dataclass (``dataclasses.asdict``), but
    its keys, the unit keys and therefore the seeds must stay what they are (they identify the raw data).
    Every raw file name comes from :mod:`works.layout`.
``PACKS`` : dict[str, callable]
    Pack name (``"main02"``, ``"supp10"``, ...) -> ``packer(raw, scale) -> dict`` where ``raw`` is a
    :class:`works.packing.Raw` (records what was read; raises :class:`works.packing.MissingRaw` when a file
    is absent) and ``scale`` the scale name. Packers only reshape and summarise stored raw data; a number that
    needs an experiment to be run comes from a unit. Shared statistics live in :mod:`works.summaries`.
``FIGURES`` : dict[str, callable]
    Figure stem (``"main02"``, ``"supp10"``) -> ``draw(out_dir) -> list[Path]`` (the PDF and PNG written under
    ``OUT/show``). One function per panel; ``draw`` builds the figure with :func:`works.figures.runner.compose`.
``CLAIMS`` : tuple[callable]
    Report claims this task's raw data support: ``claim(out_dir: Path) -> list[dict]`` with rows made by
    :func:`works.claims.claim` (claims whose data are absent are returned as "not run", never omitted). A claim
    that compares groups passes its :mod:`works.stats` comparison(s) as ``comparison=`` (the verdict then comes
    from the bootstrap interval and the test, never from a raw sign) and names its figure (``figure=``, with a
    one-sentence ``caption=``).

A module too large for one file (~400 lines) keeps this overview in ``works/tasks/<name>.py`` and imports its
packers / panels from ``works/tasks/<name>_packs.py`` / ``works/tasks/<name>_figures.py``.

Adding an experiment: write the module, add its config to :class:`works.scales.Scale` and its module name to
:data:`MODULES` below; the entry points (``run_1_tasks``, ``run_2_packs``, ``show_*``, ``report``) pick it up.

Examples
--------
>>> sorted(MODULES)
[1, 2, 3, 4, 5, 6, 7]
"""

from __future__ import annotations

import importlib

__all__ = ["MODULES", "all_claims", "all_figures", "all_packs", "task_module", "task_modules"]

#: Task number -> module implementing it.
MODULES = {1: "works.tasks.motifs", 2: "works.tasks.escape", 3: "works.tasks.cartpole", 4: "works.tasks.uci",
           5: "works.tasks.networks", 6: "works.tasks.connectome",
           7: "works.tasks.diversity"}


def task_module(number: int):
    """The module of task ``number``."""
    if number not in MODULES:
        raise ValueError(f"number must be one of {sorted(MODULES)}, got {number!r}.")
    return importlib.import_module(MODULES[number])


def task_modules() -> list:
    """Every task module, in task order."""
    return [task_module(number) for number in sorted(MODULES)]


def _merged(attribute: str) -> dict:
    table = {}
    for module in task_modules():
        for name, function in getattr(module, attribute).items():
            if name in table:
                raise RuntimeError(f"{attribute} entry {name!r} is defined by two task modules.")
            table[name] = function
    return table


def all_packs() -> dict:
    """Pack name -> packer of every task, sorted by name."""
    return dict(sorted(_merged("PACKS").items()))


def all_figures() -> dict:
    """Figure stem -> draw function of every task, sorted by stem."""
    return dict(sorted(_merged("FIGURES").items()))


def all_claims() -> list:
    """The claim functions of every task, in task order."""
    return [claim for module in task_modules() for claim in module.CLAIMS]
