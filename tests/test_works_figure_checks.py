"""Every figure is readable: no text below 7 pt, no overlapping text, no data outside an axis, data in every panel.

Each figure is drawn into memory (``save_figure`` of the figure runner is replaced by a capture, so nothing is
rasterised) from three kinds of packed data:

- ``synthetic``: the well-formed synthetic packs of :mod:`works.figures.synthetic`; every panel has data, so
  every axes must hold finite data;
- ``degenerate``: the same packs with what small runs produce (training-noise bars far below the pass score,
  undefined rank correlations, groups without agents); an axes may then be blank only when it says why
  (axis switched off with a message), never an empty frame;
- ``extensions``: the extension figures (tasks 6 and 7) from packs their packers build out of the synthetic raw
  files of ``tests/test_works_task6.py`` and ``tests/test_works_task7.py``; every axes must hold data;
- a finished pipeline run (``slow``): the ``OUT`` folder named by the environment variable ``WORKS_FIGURE_RUN``
  (e.g. a cached quick run), or else a smoke run of all seven tasks made for the test session. Set
  ``WORKS_FIGURE_RUN_COMPLETE=1`` to also demand data in every axes (the quick-scale acceptance check).
"""

import copy
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import figure_checks  # noqa: E402
from works import layout, show_ext, show_main, show_supp  # noqa: E402
from works._io import save_pack  # noqa: E402
from works.figures import runner  # noqa: E402
from works.figures.synthetic import synthetic_packs  # noqa: E402

DRAWERS = {**show_main.DRAWERS, **show_supp.DRAWERS, **show_ext.DRAWERS}
NAMES = show_main.FIGURES + show_supp.FIGURES
EXTENSIONS = show_ext.FIGURES
#: The figures whose packs :func:`_degenerate_packs` changes (the others would be drawn from the synthetic packs again).
DEGENERATE = ["main05", "main06", "supp16", "supp17", "supp18", "supp19", "supp21"]


def _degenerate_packs(seed: int = 5) -> dict:
    """Synthetic packs with the values of a small run: bars below the usual floor, NaN correlations, no agents."""
    packs = copy.deepcopy(synthetic_packs(seed))
    packs["main05"]["b"][:, 2:] = [[95.0, 58.0, 41.0]] * 4  # the quick run's 20 % / 40 % training-noise bars
    packs["main06"]["a"].update({a: np.zeros(14) for a in "bica"})  # no agent qualifies at any cap
    packs["supp19"]["a"] = np.full(11, np.nan)  # Spearman undefined at every fraction
    for letter in "bcdefghijkl":
        packs["supp19"][letter]["spearman"] = np.nan
    packs["supp18"]["a"]["spearman"] = np.nan
    packs["supp17"]["b"] = {str(k): np.empty(0) for k in range(11)}  # no failing network
    packs["supp16"]["b"] = np.ones((11, 10))  # every restricted fit slower than the slowest unrestricted one
    for k in range(11):  # no run with two utilisation drops: no correlation at any fraction (the smoke run)
        packs["supp21"][layout.LETTERS[k]] = {key: np.empty(0) for key in ("x_coh", "y_coh", "x_inc", "y_inc")}
    return {name: packs[name] for name in DEGENERATE}


def _draw_captured(out_dir, names=None) -> dict:
    """Draw ``names`` (default every figure) whose pack is in ``out_dir`` (the drawers directly, not the
    manifest-keeping runner); returns ``{stem: {kind: problems}}``."""
    captured = {}

    def capture(fig, out, stem, **kwargs):
        captured[stem] = {"empty": figure_checks.empty_axes(fig), "blank_frames": _blank_frames(fig),
                          "hidden": figure_checks.hidden_data(fig), "small": figure_checks.small_text(fig),
                          "overlap": figure_checks.overlapping_text(fig)}
        plt.close(fig)
        return []

    original = runner.save_figure
    runner.save_figure = capture
    try:
        for name in names or DRAWERS:
            try:
                DRAWERS[name](out_dir)
            except FileNotFoundError:  # no pack of this figure in the folder
                continue
    finally:
        runner.save_figure = original
    return captured


def _blank_frames(fig) -> list[str]:
    """Axes drawn with a frame and ticks but no data (an empty plot that does not say why it is empty).

    Reference lines (``axhline``/``axvline``, drawn in axes coordinates) do not count as data."""
    problems = []
    for ax in fig.axes:
        if not ax.axison or not ax.get_visible() or _is_colourbar(ax):
            continue
        artists = [a for a in list(ax.lines) + list(ax.collections) + list(ax.images) + list(ax.patches)
                   if _in_data_coordinates(ax, a)]
        if not any(figure_checks._has_finite_data(a) for a in artists):
            problems.append(f"axes {ax.get_title() or ax.get_ylabel() or ax.get_xlabel()!r} is an empty frame")
    return problems


def _in_data_coordinates(ax, artist) -> bool:
    if hasattr(artist, "get_data_transform"):  # patches
        return artist.get_data_transform() == ax.transData
    if artist.get_transform() == ax.transData:  # lines, images, meshes, filled areas
        return True
    return (hasattr(artist, "get_offset_transform") and artist.get_offset_transform() == ax.transData
            and bool(np.size(artist.get_offsets())))  # scatter


def _is_colourbar(ax) -> bool:
    return hasattr(ax, "_colorbar") or ax.get_label() == "<colorbar>"


def _write(packs, out_dir) -> Path:
    for name, tree in packs.items():
        save_pack(Path(out_dir) / layout.DATA / layout.pack_file(name), tree)
    return Path(out_dir)


@pytest.fixture(scope="session")
def synthetic_figures(tmp_path_factory):
    return _draw_captured(_write(synthetic_packs(seed=3), tmp_path_factory.mktemp("synthetic")))


@pytest.fixture(scope="session")
def degenerate_figures(tmp_path_factory):
    return _draw_captured(_write(_degenerate_packs(), tmp_path_factory.mktemp("degenerate")), DEGENERATE)


@pytest.fixture(scope="session")
def extension_figures(tmp_path_factory):
    """The extension figures (tasks 6 and 7) from packs built by their packers out of the synthetic raw files of
    their own tests."""
    from test_works_task6 import _synthetic_raw as connectome_raw
    from test_works_task7 import _synthetic_raw as diversity_raw
    from works.run_2_packs import pack_all

    out = tmp_path_factory.mktemp("extensions")
    connectome_raw(out)
    diversity_raw(out / layout.RAW, seeds=15)
    status = pack_all(out, "smoke", names=EXTENSIONS)
    assert set(status.values()) == {"built"}, status
    return _draw_captured(out, EXTENSIONS)


@pytest.fixture(scope="session")
def run_figures(tmp_path_factory):
    """Figures of a finished pipeline run: ``WORKS_FIGURE_RUN`` if set, else a fresh in-process smoke run."""
    run = os.environ.get("WORKS_FIGURE_RUN")
    if not run:
        from works.__main__ import run_pipeline
        from works.executors import make_executor
        from works.scales import get_scale

        run = tmp_path_factory.mktemp("smoke-run")
        with make_executor(workers=1) as executor:
            run_pipeline(run, get_scale("smoke"), (1, 2, 3, 4, 5, 6, 7), executor, progress=False, log=None)
    return _draw_captured(Path(run), NAMES + EXTENSIONS)


def _problems(figures, name, kinds):
    assert name in figures, f"{name} was not drawn"
    return [p for kind in kinds for p in figures[name][kind]]


def test_every_figure_is_drawn(synthetic_figures, degenerate_figures):
    assert sorted(synthetic_figures) == sorted(NAMES)
    assert sorted(degenerate_figures) == sorted(DEGENERATE)


@pytest.mark.parametrize("name", NAMES)
def test_synthetic_figure_is_readable(synthetic_figures, name):
    problems = _problems(synthetic_figures, name, ("small", "overlap", "hidden", "blank_frames"))
    assert not problems, "\n".join([name] + problems)


@pytest.mark.parametrize("name", DEGENERATE)
def test_degenerate_figure_is_readable(degenerate_figures, name):
    problems = _problems(degenerate_figures, name, ("small", "overlap", "hidden", "blank_frames"))
    assert not problems, "\n".join([name] + problems)


@pytest.mark.parametrize("name", EXTENSIONS)
def test_extension_figure_is_readable(extension_figures, name):
    problems = _problems(extension_figures, name, ("empty", "small", "overlap", "hidden", "blank_frames"))
    assert not problems, "\n".join([name] + problems)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES + EXTENSIONS)
def test_run_figure_is_readable(run_figures, name):
    assert name in run_figures, f"{name} has no pack in this run"
    kinds = ("small", "overlap", "hidden", "blank_frames")
    if os.environ.get("WORKS_FIGURE_RUN_COMPLETE") == "1":
        kinds += ("empty",)
    problems = _problems(run_figures, name, kinds)
    assert not problems, "\n".join([name] + problems)


def test_checks_catch_hidden_bars_and_blank_frames():
    fig, (left, right) = plt.subplots(1, 2)
    left.bar([0, 1], [95.0, 180.0])
    left.set_ylim(150, 200)
    right.set_xlim(-0.05, 0.05)
    assert figure_checks.hidden_data(fig) == ["axes 'axes #0': 1 of 2 bars lie outside the axis limits"]
    assert _blank_frames(fig) == ["axes '' is an empty frame"]
    left.set_ylim(0, 200)
    right.set_axis_off()
    assert figure_checks.hidden_data(fig) == [] and _blank_frames(fig) == []
    left.set_ylim(0, 150)  # the 180 bar's top is cut off (the S17a failure rates above a fixed 0-50 % scale)
    assert figure_checks.hidden_data(fig) == ["axes 'axes #0': 1 of 2 bars are cut off by the upper axis limit"]
    plt.close(fig)


def test_a_table_of_finite_numbers_is_data():
    fig, (numbers, missing, labels) = plt.subplots(1, 3)
    for ax in (numbers, missing, labels):
        ax.set_axis_off()
    numbers.table(cellText=[["n/a", "\u22120.2%"]], rowLabels=["change"], colLabels=["convex", "concave"])
    missing.table(cellText=[["n/a", "nan"], ["inf", ""]], rowLabels=["before", "after"])
    labels.table(cellText=[["convex", "concave"]])
    assert figure_checks.empty_axes(fig) == ["axes 'axes #1' holds no finite data",
                                             "axes 'axes #2' holds no finite data"]
    numbers.tables[0].set_visible(False)
    assert len(figure_checks.empty_axes(fig)) == 3
    plt.close(fig)
