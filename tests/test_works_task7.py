"""Task 7 (learned diversity, works/tasks/diversity*.py): planner, units, packers, figures and claims at smoke size."""

from dataclasses import asdict, replace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from effect.diversity_experiments import run_unit, task_data, types_from_arrays  # noqa: E402
from figure_checks import figure_problems  # noqa: E402
from works import layout, show_ext  # noqa: E402
from works._io import save_npz  # noqa: E402
from works.figures import runner  # noqa: E402
from works.packing import MissingRaw, Raw  # noqa: E402
from works.scales import get_scale  # noqa: E402
from works.stats import HOLDS, REVERSED  # noqa: E402
from works.tasks import MODULES, all_figures, all_packs, diversity  # noqa: E402
from works.tasks.diversity_claims import diversity_claims, overall  # noqa: E402
from works.tasks.diversity_packs import (  # noqa: E402
    QUANTILES,
    SCALARS,
    _density,
    pack_ext05,
    pack_ext06,
    pack_ext07,
    pack_ext08,
)
from works.units import run_unit as run_work_unit  # noqa: E402
from works.units import unit_seed  # noqa: E402

TINY = diversity.Task7Config(tasks=("vanderpol",), network_types=("tanh", "mix"), seeds=2, trajectories=6, steps=30,
                             hidden=12, sub_hidden=6, outer_steps=2, inner_steps=1, meta_batch=16, epochs=1,
                             batch_size=32, hessian_points=20, trace_samples=3, slq_iterations=4, slq_runs=1,
                             forecast_steps=5, loop_magnitudes=(0.5, 1.0), loop_biases=(0.0,), loop_points=7,
                             loop_indices=(1,))


def test_registered_everywhere():
    assert MODULES[7] == "works.tasks.diversity"
    assert {"ext05", "ext06", "ext07", "ext08"} <= set(all_packs()) and set(diversity.PACKS) <= set(all_packs())
    assert show_ext.FIGURES == sorted(n for n in all_figures() if n.startswith("ext"))
    assert {"ext05", "ext06", "ext07", "ext08"} <= set(show_ext.FIGURES)
    for name in ("smoke", "quick", "paper"):
        assert isinstance(get_scale(name).task7, diversity.Task7Config)
    assert get_scale("quick").task7.seeds >= 20 and 50 <= get_scale("paper").task7.seeds <= 100


@pytest.mark.parametrize("name", ["smoke", "quick"])
def test_planner_keys_outputs_and_dependencies(name):
    scale = get_scale(name)
    t7 = scale.task7
    learn, train, gather = diversity.plan(scale)
    assert [u.key for u in learn] == [f"task7/{task}/types" for task in t7.tasks]
    networks = [u for u in train if u.function.endswith(":unit_network")]
    loops = [u for u in train if u.function.endswith(":unit_loops")]
    assert len(networks) == len(t7.tasks) * len(t7.network_types) * t7.seeds and len(loops) == len(t7.tasks)
    units = learn + train + gather
    assert len({u.key for u in units}) == len(units)
    assert all(u.key.startswith("task7/") and u.base_seed == scale.seed for u in units)
    outputs = [path for u in units for path in u.outputs]
    assert len(set(outputs)) == len(outputs)
    for unit in networks + loops:
        task = unit.config["task"]
        assert unit.depends == (layout.diversity_types_file(task),)
    for unit in networks:
        c = unit.config
        assert unit.outputs == (layout.diversity_unit_file(c["task"], c["network_type"], c["seed_index"]),)
        assert c["sizes"] == asdict(t7.sizes())
    for unit in gather:
        task = unit.config["task"]
        assert unit.outputs == (layout.diversity_file(task),)
        assert set(unit.depends) == {u.outputs[0] for u in networks if u.config["task"] == task}
    seeds = {int(unit_seed(scale.seed, u.key).generate_state(1)[0]) for u in networks}
    assert len(seeds) == len(networks)


def test_sizes_carry_the_config():
    sizes = TINY.sizes()
    assert (sizes.hidden, sizes.epochs, sizes.trace_samples, sizes.base) == (12, 1, 3, "sine")
    assert sizes.type_seed == 0 and sizes.mu == 1.0  # fields the config does not hold keep the library defaults


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """The tiny vanderpol plan, run unit by unit through the pipeline's unit runner."""
    raw = tmp_path_factory.mktemp("task7") / "raw"
    scale = replace(get_scale("smoke"), task7=TINY)
    stages = diversity.plan(scale)
    for stage in stages:
        for unit in stage:
            run_work_unit(unit, raw)
    return raw, scale, stages


def test_units_write_the_documented_files(tiny_run):
    raw, scale, (learn, train, gather) = tiny_run
    with np.load(raw / layout.diversity_types_file("vanderpol")) as data:
        assert data["knots"].shape == (100,) and data["values"].shape == (2, 100)
        assert data["outer_loss"].shape == (TINY.outer_steps,) and data["inner_loss"].shape == (TINY.outer_steps, 1)
        assert str(data["base"]) == "sine"
    with np.load(raw / layout.diversity_file("vanderpol")) as data:
        assert [str(t) for t in data["network_types"]] == list(TINY.network_types)
        for name in SCALARS:
            assert data[name].shape == (2, TINY.seeds)
        assert np.all(np.isnan(data["accuracy"]))  # no accuracy for a regression task
        assert np.all(np.isfinite(data["forecast_error"])) and np.all(data["participation_ratio_normalised"] > 0)
    with np.load(raw / layout.diversity_loops_file("vanderpol")) as data:
        assert [str(x) for x in data["labels"]] == list(diversity.LOOP_LABELS)
        sizes = {data[f"{label}/{loop}/{m}"].size for label in diversity.LOOP_LABELS for loop in layout.LOOP_TYPES
                 for m in ("lipschitz", "difference")}
        assert sizes == {2**3 * 1}  # 2 magnitudes ** 3 weights x 1 bias ** 2, one index


def test_network_unit_equals_the_library_call(tiny_run):
    """The stored scalars are run_unit's with the stored types and the unit's own seed (per-item reference)."""
    raw, scale, (learn, train, gather) = tiny_run
    unit = next(u for u in train if u.key == "task7/vanderpol/mix/s001")
    with np.load(raw / layout.diversity_types_file("vanderpol")) as data:
        types = types_from_arrays({"knots": data["knots"], "values": data["values"]})
    sizes = TINY.sizes()
    seed = int(unit_seed(scale.seed, unit.key).generate_state(1)[0] % (2**31 - 1))
    expected = run_unit("vanderpol", "mix", seed, types, sizes, task_data("vanderpol", sizes))
    with np.load(raw / unit.outputs[0]) as stored:
        assert set(stored.files) == set(expected)
        for name, value in expected.items():
            assert float(stored[name]) == pytest.approx(value, rel=1e-6, abs=1e-9), name
    with np.load(raw / layout.diversity_file("vanderpol")) as data:
        assert data["hessian_trace"][1, 1] == pytest.approx(expected["hessian_trace"], rel=1e-6)


# --------------------------------------------------------------------------------------------- packers


def _synthetic_raw(raw, seeds=12, mix_shift=0.2, seed=0):
    """Raw files of both tasks with known values; the mix is better by ``mix_shift`` on every measure."""
    rng = np.random.default_rng(seed)
    types = ("relu", "tanh", "sine", "type-1", "type-2", "mix")
    for task in ("mnist1d", "vanderpol"):
        table = {name: rng.normal(1.0, 0.05, (len(types), seeds)) for name in SCALARS}
        sign = np.where(np.array(types) == "mix", 1.0, 0.0)[:, None]
        table["accuracy"] = 0.5 + sign * mix_shift + rng.normal(0, 0.02, (len(types), seeds))
        table["forecast_error"] = 1.0 - sign * mix_shift + rng.normal(0, 0.02, (len(types), seeds))
        table["participation_ratio_normalised"] = 0.1 + sign * mix_shift + rng.normal(0, 0.01, (len(types), seeds))
        table["hessian_trace"] = 10.0 - 10 * sign * mix_shift + rng.normal(0, 0.1, (len(types), seeds))
        table["near_zero_fraction"] = 0.3 + sign * mix_shift + rng.normal(0, 0.01, (len(types), seeds))
        if task == "mnist1d":
            table["forecast_error"][:] = np.nan
        else:
            table["accuracy"][:] = np.nan
        save_npz(raw / layout.diversity_file(task), {"task": np.array(task), "network_types": np.array(types),
                                                     "seeds": np.int64(seeds), **table})
        knots = np.linspace(-10, 10, 100)
        save_npz(raw / layout.diversity_types_file(task), {"knots": knots, "values": np.stack([np.sin(knots),
                                                                                                np.tanh(knots)]),
                                                           "outer_loss": np.ones(3), "inner_loss": np.ones((3, 2)),
                                                           "base": np.array("sine")})
        loops = {"labels": np.array(diversity.LOOP_LABELS), "loop_types": np.array(layout.LOOP_TYPES)}
        for label in diversity.LOOP_LABELS:
            loops[f"{label}/incoherent-loop/lipschitz"] = rng.normal(1.0, 0.1, 300)
            loops[f"{label}/coherent-loop/lipschitz"] = rng.normal(1.5, 0.1, 300)
            loops[f"{label}/incoherent-loop/difference"] = rng.normal(0.05, 0.01, 300)
            loops[f"{label}/coherent-loop/difference"] = rng.normal(0.02, 0.01, 300)
        save_npz(raw / layout.diversity_loops_file(task), loops)
    return types


def test_box_packers_reshape_the_gathered_tables(tmp_path):
    types = _synthetic_raw(tmp_path)
    raw = Raw(tmp_path)
    ext05, ext07 = pack_ext05(raw, "smoke"), pack_ext07(raw, "smoke")
    with np.load(tmp_path / layout.diversity_file("mnist1d")) as m, np.load(tmp_path / layout.diversity_file(
            "vanderpol")) as v:
        np.testing.assert_array_equal(ext05["a"]["values"], m["accuracy"])
        np.testing.assert_array_equal(ext05["b"]["values"], m["loss"])
        np.testing.assert_array_equal(ext05["c"]["values"], v["forecast_error"])
        np.testing.assert_array_equal(ext05["d"]["values"], v["loss"])
        np.testing.assert_array_equal(ext07["a"]["values"], m["hessian_trace"])
        np.testing.assert_array_equal(ext07["d"]["values"], v["near_zero_fraction"])
    assert [str(t) for t in ext05["a"]["network_types"]] == list(types)
    assert raw.read == {tmp_path / layout.diversity_file(t) for t in ("mnist1d", "vanderpol")}


def test_packers_skip_tasks_not_run_and_fail_without_data(tmp_path):
    _synthetic_raw(tmp_path)
    for name in ("mnist1d.npz", "mnist1d.types.npz", "mnist1d.loops.npz"):
        (tmp_path / "diversity" / name).unlink()
    raw = Raw(tmp_path)
    assert sorted(pack_ext05(raw, "smoke")) == ["c", "d"]
    assert sorted(pack_ext06(raw, "smoke")) == ["b"]
    assert sorted(pack_ext08(raw, "smoke")) == ["d", "e", "f"]
    for packer in (pack_ext05, pack_ext06, pack_ext07, pack_ext08):
        with pytest.raises(MissingRaw):
            packer(Raw(tmp_path / "empty"), "smoke")


def test_joint_density_is_a_normalised_kde(tmp_path):
    _synthetic_raw(tmp_path, seeds=40)
    pack = pack_ext06(Raw(tmp_path), "smoke", grid=80)["a"]
    with np.load(tmp_path / layout.diversity_file("mnist1d")) as m:
        np.testing.assert_array_equal(pack["x"], m["participation_ratio_normalised"])
        np.testing.assert_array_equal(pack["y"], m["accuracy"])
    dx, dy = np.diff(pack["grid_x"][:2])[0], np.diff(pack["grid_y"][:2])[0]
    mass = pack["density"].sum(axis=(1, 2)) * dx * dy
    assert pack["density"].shape == (6, 80, 80)
    # every type's points lie well inside the common grid; a density integrates to (nearly) 1 over it
    assert np.all(mass > 0.8) and np.all(mass < 1.01)
    degenerate = _density(np.ones(5), np.arange(5.0), pack["grid_x"], pack["grid_y"])
    assert np.all(np.isnan(degenerate))


def test_loop_pack_holds_the_percentiles(tmp_path):
    _synthetic_raw(tmp_path)
    pack = pack_ext08(Raw(tmp_path), "smoke")
    with np.load(tmp_path / layout.diversity_loops_file("vanderpol")) as loops:
        expected = np.percentile(loops["mix/coherent-loop/difference"], QUANTILES)
        n = loops["mix/coherent-loop/difference"].size
    mix = list(diversity.LOOP_LABELS).index("mix")
    np.testing.assert_allclose(pack["f"]["stats"][mix, 1], expected)
    assert pack["f"]["n"][mix, 1] == n and str(pack["e"]["measure"]) == "lipschitz"
    np.testing.assert_allclose(pack["a"]["values"][1], np.tanh(pack["a"]["knots"]))


# --------------------------------------------------------------------------------------------- figures


def test_figures_draw_real_panels_without_problems(tmp_path, monkeypatch):
    _synthetic_raw(tmp_path / "raw", seeds=15)
    from works import run_2_packs

    status = run_2_packs.pack_all(tmp_path, "smoke", names=["ext05", "ext06", "ext07", "ext08"])
    assert set(status.values()) == {"built"}
    problems = {}
    original = runner.save_figure

    def checked(fig, out_dir, stem, *args, **kwargs):
        problems[stem] = figure_problems(fig)
        return original(fig, out_dir, stem, *args, **kwargs)

    monkeypatch.setattr(runner, "save_figure", checked)
    result = show_ext.draw_all(tmp_path, names=["ext05", "ext06", "ext07", "ext08"])
    for stem, paths in result.items():
        assert [p.name for p in paths] == [f"{stem}.pdf", f"{stem}.png"] and all(p.stat().st_size > 1000 for p in paths)
        assert problems[stem] == [], (stem, problems[stem])
    assert plt.get_fignums() == []


def test_missing_pack_names_it(tmp_path):
    for stem in ("ext05", "ext06", "ext07", "ext08"):
        with pytest.raises(FileNotFoundError, match=stem):
            show_ext.DRAWERS[stem](tmp_path)


# --------------------------------------------------------------------------------------------- claims


def test_claims_follow_the_data(tmp_path):
    assert {row["verdict"] for row in diversity_claims(tmp_path)} == {"not run"}
    _synthetic_raw(tmp_path / "raw", mix_shift=0.2)
    rows = {row["claim"]: row for row in diversity_claims(tmp_path)}
    assert sorted(rows) == [18, 19, 20, 21, 22]
    assert all(rows[k]["verdict"] == HOLDS for k in rows), rows
    assert "n = 12 per type" in rows[18]["measured"]
    from works.claims import stat_cells

    for k in rows:  # the report's statistics columns: one line per comparison, with n, interval and p
        cells, comparisons = stat_cells(rows[k]), rows[k]["comparisons"]
        assert comparisons and all(len(cells[c].split("<br>")) == len(comparisons) for c in cells)
        assert all(r["n"][0] == 12 and r["ci"][0] <= r["effect"] <= r["ci"][1] and 0 <= r["p"] <= 1
                   for r in comparisons if k != 22)
    _synthetic_raw(tmp_path / "raw", mix_shift=-0.2, seed=1)
    rows = {row["claim"]: row for row in diversity_claims(tmp_path)}
    assert [rows[k]["verdict"] for k in (18, 19, 20, 21)] == [REVERSED] * 4


def test_overall_names_the_split():
    from works.stats import compare_groups

    up = compare_groups(np.arange(30.0) + 50, np.arange(30.0), expected="greater")
    down = compare_groups(np.arange(30.0), np.arange(30.0) + 50, expected="greater")
    assert overall({"a": up, "b": up}) == HOLDS
    assert overall({"a": up, "b": down}) == "holds vs a; reversed vs b"


def test_figure_checks_ignore_undrawn_tick_labels():
    """Tick labels outside the view limits are never drawn and cannot overlap; drawn overlaps still count."""
    from figure_checks import overlapping_text

    fig, ax = plt.subplots(figsize=(4, 2))
    ax.set_xticks([0.0, 0.5, 1.0, 1.01], ["0", "0.5", "1", "stale"])  # 1.01 lies just outside the limits below
    ax.set_xlim(0, 1)
    ax.text(0.5, 0.5, "overlap")
    ax.text(0.5, 0.5, "overlap")
    fig.canvas.draw()
    outside = ax.xaxis.get_major_ticks()[3]
    assert outside.label1.get_visible() and outside.label1.get_text() == "stale"  # kept "visible", never drawn
    assert overlapping_text(fig) == ["text 'overlap' overlaps 'overlap'"]
    plt.close(fig)
