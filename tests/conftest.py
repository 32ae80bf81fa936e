"""Shared pytest fixtures: single-threaded torch, the packaged UCI folder."""

import pytest
import torch

from practice.datasets import DATA_DIR

torch.set_num_threads(1)


def pytest_configure(config):
    """Register the markers of this suite."""
    config.addinivalue_line("markers", "slow: whole-pipeline runs (minutes); deselect with -m 'not slow'")


@pytest.fixture
def uci_dir():
    """The folder with the authentic UCI files shipped inside the package (``practice/data/uci``)."""
    return DATA_DIR
