"""Shared pytest fixtures: single-threaded torch, the packaged UCI folder."""

import pytest
import torch

from practice.datasets import DATA_DIR

torch.set_num_threads(1)


@pytest.fixture
def uci_dir():
    """The folder with the authentic UCI files shipped inside the package (``practice/data/uci``)."""
    return DATA_DIR
