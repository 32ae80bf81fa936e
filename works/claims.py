"""Rows of the reproduction report: one paper claim, the number measured here and whether its direction holds.

Task modules build their ``CLAIMS`` with :func:`claim`; :mod:`works.report` collects and prints them.

Examples
--------
>>> claim(4, "lower Lipschitz", "0.9 vs 1.1", True)["verdict"]
'holds'
>>> claim(4, "lower Lipschitz", "—", None)["verdict"]
'not run'
>>> fmt(1234567), fmt(0.000123)
('1,234,567', '0.000123')
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["agent_index", "claim", "fmt", "load_npz", "verdict"]


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


def claim(number: int, statement: str, measured: str, flag, note: str = "") -> dict:
    """One report row ``{"claim", "paper", "measured", "verdict", "note"}``."""
    return {"claim": number, "paper": statement, "measured": measured, "verdict": verdict(flag), "note": note}


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
