"""Memory hints of work units (works/units.py Unit.memory_gb) in the pool and Dask executors and the planners."""

import dataclasses

import pytest

from works.executors import DaskExecutor, MemoryGate, PoolExecutor, dask_resources
from works.scales import get_scale
from works.tasks import motifs, networks
from works.units import Unit, config_hash

CONFIG = {"loop": [-1.0, 0.652, 1.0, 1.0, 0.337], "steps": 2, "learn_rate": 1e-3, "points": 5}


def _units(hints):
    return [Unit(f"task1/imitation/example{i}", "works.tasks.motifs:unit_imitation", CONFIG,
                 ("imitation/example.npy",), memory_gb=hint) for i, hint in enumerate(hints)]


def test_the_hint_does_not_change_the_identity_of_a_unit():
    plain, hinted = _units([None])[0], Unit(**{**_units([None])[0].__dict__, "memory_gb": 3.0})
    assert config_hash(plain) == config_hash(hinted)


def test_gate_keeps_the_hints_in_flight_under_the_limit():
    gate = MemoryGate(4.0)
    assert gate.admit(3.0) and not gate.admit(2.0) and gate.admit(1.0)
    assert gate.in_flight_gb == 4.0 and not gate.admit(0.5)
    gate.release(3.0)
    gate.release(1.0)
    assert gate.admit(9.0)          # too large for the limit: admitted alone
    assert not gate.admit(0.1)
    with pytest.raises(ValueError, match="memory_gb"):
        MemoryGate(0)


def test_dask_annotation_is_capped_and_absent_without_declared_memory():
    big, small, plain = _units([12.0, 1.5, None])
    assert dask_resources(big, 8.0) == {"memory_gb": 8.0}
    assert dask_resources(small, 8.0) == {"memory_gb": 1.5}
    assert dask_resources(plain, 8.0) is None and dask_resources(big, None) is None


def test_pool_runs_hinted_units_larger_than_its_limit(tmp_path):
    units = _units([3.0, 3.0, None])
    with PoolExecutor(2, memory_gb=4.0) as executor:
        records = list(executor.run(units, tmp_path))
    assert sorted(r["key"] for r in records) == sorted(u.key for u in units)
    # the same config gives the same file, whatever unit wrote it last
    assert len({r["files"]["imitation/example.npy"]["sha256"] for r in records}) == 1


def test_local_dask_cluster_schedules_hinted_units_with_resources(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None,
                                  resources={"memory_gb": 2.0}) as cluster:
        executor = DaskExecutor(cluster.scheduler_address, 1)
        try:
            assert executor.capacity_gb() == 2.0
            units = _units([5.0, 1.0, None])  # 5 GiB is capped at the worker's 2 GiB, so it still runs
            records = list(executor.run(units, tmp_path))
        finally:
            executor.close()
    assert sorted(r["key"] for r in records) == sorted(u.key for u in units)


def test_planners_hint_the_large_units():
    scale = get_scale("paper")
    t1 = scale.task1
    stage_b = motifs.plan(scale)[1]
    within = next(u for u in stage_b if u.key == "task1/difference/incoherent-loop.1 for incoherent-loop.1")
    # 441,000 loops × 1,681 values × 4 bytes (float32 landscapes), plus 1 GiB: within the 4 GB goal
    assert motifs.population_size(t1, "incoherent-loop.1") == 10 ** 3 * 21 ** 2
    assert within.memory_gb == pytest.approx(1.0 + 441_000 * 1681 * 4 / 2**30, abs=0.01)
    assert within.memory_gb < 4
    assert all(u.memory_gb is None for u in stage_b if u.function.endswith("unit_tradeoff_chunk"))
    small = dataclasses.replace(scale, task5=dataclasses.replace(scale.task5, landscapes=("Branin",),
                                                                 restricted_indices="ones"))
    restricted = networks.plan(small)[2]
    assert all(u.memory_gb == networks.restricted_memory_gb(len(u.config["configurations"]),
                                                            networks.ASSUMED_CAPS["Branin"]) for u in restricted)
    # 500 configurations × 1 seed × 20,000 assumed iterations × 400 B, plus 0.5 GiB
    assert networks.restricted_memory_gb(500, 20_000) == pytest.approx(0.5 + 500 * 20_000 * 400 / 2**30, abs=0.01)


def test_memory_gb_option_reaches_the_pool_and_is_checked():
    from works.guard import UsageError
    from works.run_1_tasks import _parser, configure

    args = _parser().parse_args(["--out", "x", "--memory-gb", "0", "--workers", "2"])
    with pytest.raises(UsageError, match="--memory-gb"):
        configure(args, executor=False)
    _, pool = configure(_parser().parse_args(["--out", "x", "--memory-gb", "3", "--workers", "2"]))
    with pool:
        assert isinstance(pool, PoolExecutor) and pool.memory_gb == 3.0


def test_population_unit_in_blocks_equals_one_call(tmp_path, monkeypatch):
    """A population unit holds POPULATION_BLOCK landscapes at a time; its files equal those of one call."""
    import numpy as np

    from effect.operations import calculate_landscapes
    from effect.robustness import lipschitz_batch
    from effect.structures import structure_parameters

    config = {"structure": "incoherent-loop.1", "magnitudes": [0.001, 0.5, 1.0], "biases": [-1.0, 0.0, 1.0],
              "value_range": [-1.0, 1.0], "points": 9, "semantics": "reference"}
    config = {k: v for k, v in config.items() if k in {f.name for f in dataclasses.fields(motifs.PopulationUnit)}}
    monkeypatch.setattr(motifs, "POPULATION_BLOCK", 7)  # 3**3 * 3**2 = 243 motifs: 35 blocks, the last short
    motifs.unit_population(config, tmp_path, 0)
    params = structure_parameters("incoherent-loop.1", config["magnitudes"], config["biases"])
    whole = lipschitz_batch(calculate_landscapes(params, "incoherent-loop", (-1.0, 1.0), 9), 2.0 / 8)
    assert len(params) == 243
    np.testing.assert_array_equal(np.load(tmp_path / motifs.layout.parameters_file("incoherent-loop.1")), params)
    np.testing.assert_array_equal(np.load(tmp_path / motifs.layout.robustness_file("incoherent-loop.1")), whole)


def test_restricted_units_are_sized_by_each_landscape_s_assumed_cap():
    """Paper scale (cap read at run time): chunk × cap × seconds per network-iteration within the unit budget."""
    scale = get_scale("paper")
    restricted = networks.plan(scale)[2]
    for landscape in scale.task5.landscapes:
        units = [u for u in restricted if u.config["landscape"] == landscape]
        cap = networks.assumed_cap(landscape)
        assert cap == networks.ASSUMED_CAPS[landscape] >= 1.2 * networks.PAPER_CAPS[landscape]
        assert max(len(u.config["configurations"]) for u in units) == networks.chunk_size(1, cap)
        assert all(len(u.config["configurations"]) * cap * networks.SECONDS_PER_NETWORK_ITERATION
                   <= networks.UNIT_SECONDS for u in units)
        assert sum(len(u.config["configurations"]) for u in units) == 19_448
    assert networks.assumed_cap("Branin", 700) == 700 and networks.assumed_cap("elsewhere") == networks.ASSUMED_CAP
