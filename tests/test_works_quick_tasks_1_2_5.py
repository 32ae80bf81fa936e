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
