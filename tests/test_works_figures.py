"""Figures and videos render from (synthetic, seeded) packed data; missing/malformed packs raise clear errors."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from effect.structures import weight_signs  # noqa: E402
from works import show_main, show_supp, show_video  # noqa: E402
from works._io import flatten, save_npz, save_pack, unflatten  # noqa: E402
from works.figures import diagrams, panels  # noqa: E402
from works.figures.packs import need, open_pack  # noqa: E402
from works.figures.synthetic import synthetic_packs, write_synthetic_packs  # noqa: E402

DRAWERS = {**{n: show_main.DRAWERS[n] for n in show_main.FIGURES},
           **{n: show_supp.DRAWERS[n] for n in show_supp.FIGURES}}
SCHEMATIC = {"main01", "supp03"}
#: One entry per data-driven figure that its drawing code must read (corrupted / deleted below).
READS = {"main02": "b/incoherent-loop/y", "main03": "c", "main04": "a/after", "main05": "b", "main06": "a/caps",
         "supp01": "a/type", "supp02": "b/x", "supp04": "a/iterations", "supp05": "x", "supp06": "a",
         "supp07": "b", "supp08": "b", "supp09": "c/landscape", "supp10": "a", "supp11": "b", "supp12": "c",
         "supp13": "motifs", "supp14": "name", "supp15": "fractions", "supp16": "a/milestones", "supp17": "a",
         "supp18": "fractions", "supp19": "a", "supp20": "fractions", "supp21": "fractions", "supp22": "x",
         "supp23": "fractions", "supp24": "evaluation_noise", "supp25": "evaluation_noise", "supp26": "a/train",
         "supp27": "a/train", "supp28": "agents", "supp29": "domains", "supp30": "repeats"}


def test_inventory():
    assert show_main.FIGURES == [f"main{n:02d}" for n in range(1, 7)]
    assert show_supp.FIGURES == [f"supp{n:02d}" for n in range(1, 31)]
    assert set(READS) | SCHEMATIC == set(DRAWERS)
    assert set(synthetic_packs()) == set(READS)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("figures")
    write_synthetic_packs(out, seed=3)
    main = show_main.draw_all(out)
    supp = show_supp.draw_all(out)
    return out, {**main, **supp}


def test_every_figure_renders_pdf_and_png(rendered):
    out, result = rendered
    for name in DRAWERS:
        for suffix in (".pdf", ".png"):
            path = out / "show" / f"{name}{suffix}"
            assert path.is_file() and path.stat().st_size > 1000, path
        assert [p.name for p in result[name]] == [f"{name}.pdf", f"{name}.png"]
    assert (out / "show" / "main02.pdf").read_bytes()[:5] == b"%PDF-"
    assert plt.get_fignums() == []


@pytest.mark.parametrize("name", sorted(READS))
def test_missing_pack_names_it(tmp_path, name):
    with pytest.raises(FileNotFoundError, match=name):
        DRAWERS[name](tmp_path)


@pytest.mark.parametrize("name", sorted(READS))
def test_malformed_key_names_pack_and_key(tmp_path, name):
    flat = flatten(synthetic_packs(seed=1)[name])
    key = READS[name]
    was_text = key in flat and flat[key].dtype.kind == "U"
    flat = {k: v for k, v in flat.items() if not k.startswith(key + "/")}
    flat[key] = np.array([[1.5, 2.5]] * 3) if was_text else np.array(["bad", "value", "x"])  # wrong kind and shape
    save_pack(tmp_path / "data" / f"{name}.npz", unflatten(flat))
    try:
        with pytest.raises(ValueError, match=f"'{name}'.*'{key}'"):
            DRAWERS[name](tmp_path)
    finally:
        plt.close("all")


@pytest.mark.parametrize("name", ["main02", "main03", "main05", "supp04", "supp16", "supp24", "supp29"])
def test_deleted_key_names_pack_and_key(tmp_path, name):
    flat = {k: v for k, v in flatten(synthetic_packs()[name]).items()
            if k != READS[name] and not k.startswith(READS[name] + "/")}
    save_pack(tmp_path / "data" / f"{name}.npz", unflatten(flat))
    try:
        with pytest.raises(ValueError, match=f"no key '{READS[name]}'"):
            DRAWERS[name](tmp_path)
    finally:
        plt.close("all")


def test_draw_all_skip_missing(tmp_path):
    write_synthetic_packs(tmp_path, names=["main03"])
    result = show_main.draw_all(tmp_path, names=["main01", "main02", "main03"], skip_missing=True)
    assert result["main02"].startswith("skipped") and (tmp_path / "show" / "main03.png").is_file()
    with pytest.raises(ValueError, match="names"):
        show_supp.draw_all(tmp_path, names=["supp31"])


def test_open_pack_and_need(tmp_path):
    save_pack(tmp_path / "data" / "demo.npz", {"a": {"x": np.arange(4.0)}, "s": "text"})
    pack = open_pack(tmp_path, "demo")
    assert need(pack, "a/x", shape=(4,), kind="f").sum() == 6
    with pytest.raises(ValueError, match="shape"):
        need(pack, "a/x", shape=(3,))
    with pytest.raises(ValueError, match="kind"):
        need(pack, "s", kind="f")
    with pytest.raises(ValueError, match="no key 'a/y'"):
        need(pack, "a/y")


def test_panel_helpers_closed_forms():
    assert panels.curvature_proportion_counts([0.1, 0.5, 0.3], [0.2, 0.4, 0.3]) == (1, 1)
    np.testing.assert_allclose(panels.log_density([0.0, 1e-3, 1.0]), [-10, -3, 0])
    fig, ax = plt.subplots()
    diagrams.draw_motif(ax, "coherent-loop", 2)
    # coherent-loop.2 has signs (−, +, −): two bar heads (dashed shaft + bar = 2 lines each), one arrow
    assert len(ax.lines) == 4 and len(ax.texts) == 3 + 1  # node labels + the arrow annotation
    with pytest.raises(ValueError, match="motif_type"):
        diagrams.draw_motif(ax, "fork", 1)
    with pytest.raises(ValueError, match="weights"):
        diagrams.draw_motif(ax, "collider", weights=[1, 2, 3])
    plt.close(fig)


def _escape_raw(out, structure="coherent-loop.2", records=3, steps=7):
    rng = np.random.default_rng(0)
    motif_type, k = structure.rsplit(".", 1)
    sign = np.array(weight_signs(motif_type, int(k)))
    escaper = np.concatenate([sign * rng.uniform(0.1, 1, (records, steps, 3)), rng.uniform(-1, 1, (records, steps, 2))],
                             -1)
    catcher = np.concatenate([rng.uniform(0.1, 1, (records, steps, 2)), rng.uniform(-1, 1, (records, steps, 1))], -1)
    save_npz(out / "raw" / "particular" / f"{structure}.escape.npz",
             {"escaper": escaper, "catcher": catcher, "choice": np.zeros((records, steps), int),
              "loss": rng.uniform(0, 0.1, (records, steps))})


def test_frame_plan_counts():
    paper = show_video.frame_plan(100, 100, show_video.VIDEO_SCALES["paper"])
    assert len(paper) == 12424  # spec-works §7: 24 + 100 × (24 + 100)
    smoke = show_video.frame_plan(3, 7, show_video.VIDEO_SCALES["smoke"])
    assert smoke[0] == ("title",) and smoke[1] == ("case", 0) and smoke[-1] == ("step", 0, 6)
    assert len(smoke) == 1 + 1 + 4


def test_video_smoke(tmp_path):
    from PIL import Image

    _escape_raw(tmp_path)
    result = show_video.make_all(tmp_path, scale="smoke", fmt="gif")
    path = result["coherent-loop.2"]
    assert path.suffix == ".gif" and path.stat().st_size > 0
    assert result["incoherent-loop.1"].startswith("skipped")
    with Image.open(path) as image:
        assert image.n_frames == len(show_video.frame_plan(3, 7, show_video.VIDEO_SCALES["smoke"]))
    with pytest.raises(ValueError, match="structure"):
        show_video.make_video(tmp_path, "collider.1")
    with pytest.raises(FileNotFoundError, match="incoherent-loop.2"):
        show_video.make_video(tmp_path, "incoherent-loop.2")
