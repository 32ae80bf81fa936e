"""The quick preset of tasks 1, 2 and 5 holds what its figures need (cheap checks of the configs only)."""

from works.layout import ALL_LOOPS, LANDSCAPES
from works.scales import get_scale
from works.tasks import escape, motifs


def test_quick_runs_every_loop_structure_in_tasks_1_and_2():
    quick = get_scale("quick")
    assert quick.task1.structures == ALL_LOOPS  # S1/S2 panels b-e, g-j and S5-S8 panels b-d are per structure
    escapes = [unit.key for unit in escape.plan(quick)[0]]
    assert escapes == [f"task2/particular/{structure}" for structure in ALL_LOOPS]
    trade_offs = [unit for stage in motifs.plan(quick) for unit in stage if unit.key.count("/") == 2
                  and unit.key.startswith("task1/trade-offs/")]
    assert [unit.key.split("/")[-1] for unit in trade_offs] == list(ALL_LOOPS)


def test_quick_escapes_start_caught_and_the_original_presets_do_not_warm_up():
    quick, smoke, paper = get_scale("quick"), get_scale("smoke"), get_scale("paper")
    assert quick.task2.semantics == "corrected" and quick.task2.warmup >= 1000
    assert escape.plan(quick)[0][0].config["warmup"] == quick.task2.warmup
    assert smoke.task2.warmup == 0 and paper.task2.warmup == 0


def test_quick_fits_every_landscape():
    assert get_scale("quick").task5.landscapes == LANDSCAPES


def test_restricted_samples_keep_the_all_ones_multiset_and_draw_the_rest_from_the_reference_order():
    import pytest

    from works.tasks.networks import restricted_configurations

    everything = restricted_configurations("all")
    order = {key: position for position, (key, _, _) in enumerate(everything)}
    for m in (1, 4, 300):
        sample = restricted_configurations(m)
        assert sample == restricted_configurations(m)  # a fixed sample
        keys = [key for key, _, _ in sample]
        assert len(set(keys)) == len(keys) and [order[key] for key in keys] == sorted(order[key] for key in keys)
        for k in range(11):
            of_k = [key for key, flags_1, _ in sample if flags_1.count(0) == k]
            total = sum(1 for _, flags_1, _ in everything if flags_1.count(0) == k)
            assert len(of_k) == min(m, total)  # 286 multisets at k = 0 and 10, 3,136 at k = 5
            assert of_k[0] == "0" * k + "1" * (10 - k) + "-" + "1" * 10  # the all-ones configuration first
        for key, flags_1, flags_2 in sample:
            assert everything[order[key]] == (key, flags_1, flags_2)
    assert len({key for key, _, _ in restricted_configurations(4)} - {key for key, _, _ in
                                                                    restricted_configurations("ones")}) == 33
    for wrong in (0, -2, "some", True, 2.5):
        with pytest.raises(ValueError, match="indices"):
            restricted_configurations(wrong)


def test_quick_restricted_fits_vary_the_loop_mix_on_the_detailed_landscape_and_sample_metrics_early():
    from works.tasks import networks

    quick = get_scale("quick")
    t5 = quick.task5
    units = networks.plan(quick)[2]
    per_landscape = {}
    for unit in units:
        assert unit.config["metric_every"] == t5.metric_every
        per_landscape.setdefault(unit.config["landscape"], []).append(unit.config)
    assert set(per_landscape) == set(LANDSCAPES)
    for landscape, configs in per_landscape.items():
        indices, seeds = t5.restricted(landscape)
        assert all(config["seeds"] == seeds for config in configs)
        assert sorted(map(list, (c for config in configs for c in config["configurations"]))) == sorted(
            map(list, networks.restricted_configurations(indices)))
    # on the landscape of S16-S23, several multisets per k and several runs of each (S18's per-k Spearman)
    assert t5.restricted(networks.DETAILED) == (4, 2)
    assert all(len(config["configurations"]) * config["seeds"] >= 8 for config in per_landscape[networks.DETAILED])
    # the weights first collapse 11-111 iterations into a restricted fit; S19/S22 need two samples before that
    assert t5.metric_every <= 10 < networks.CONFIG().metric_every
    assert get_scale("paper").task5.metric_every == 1 and get_scale("paper").task5.restricted(networks.DETAILED) == (
        "all", 1)
