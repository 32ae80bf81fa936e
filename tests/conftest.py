"""Shared pytest fixtures: single-threaded torch, the shared UCI folder."""

import os
from pathlib import Path

import pytest
import torch

torch.set_num_threads(1)

ROOT = Path(__file__).resolve().parents[1]
SHARED_UCI = Path(os.environ.get("MOTIFEFFECT_UCI_DIR", ROOT.parent / "shared" / "data" / "uci"))


def pytest_configure(config):
    """Register the markers of this suite."""
    config.addinivalue_line("markers", "slow: whole-pipeline runs (minutes); deselect with -m 'not slow'")


@pytest.fixture
def uci_dir():
    """The folder with the authentic UCI files; skips when it is absent."""
    if not (SHARED_UCI / "ecoli.data").is_file():
        pytest.skip(f"UCI reference data not found at {SHARED_UCI} (set MOTIFEFFECT_UCI_DIR)")
    return SHARED_UCI
