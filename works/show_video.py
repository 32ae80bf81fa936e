"""Step 5 of the pipeline: Videos S1–S8, the adversarial escape of each loop structure.

Source: ``OUT/raw/particular/<structure>.escape.npz`` (``escaper`` (E, S, 5), ``catcher`` (E, S, 3),
``loss`` (E, S)). Output: ``OUT/videos/<structure>.gif`` (matplotlib's Pillow writer), or ``.mp4`` when
``ffmpeg`` is on the PATH and ``fmt="mp4"`` (or ``"auto"``) is asked for.

Frame sequence as in the reference: a title card ("train incoherent loop k / to escape from colliders" on
the type colour), then per case a white card "case NNN / E" followed by one frame per escape iteration:
header with iteration and loss; left, the loop and the chosen collider as motif diagrams (edge width = |w|);
middle, slider markers of the 5 loop and 3 collider parameters on [−1, 1] (grey level = |value|); right,
the two 41 × 41 landscapes (PRGn, −1…1). The reference holds cards for 24 frames at 24 fps and shows all
100 iterations of all 100 cases (12,424 frames); the ``smoke``/``quick`` scales show a few cases and
frames (see :data:`VIDEO_SCALES`).

Examples
--------
>>> from works.show_video import VIDEO_SCALES
>>> VIDEO_SCALES["smoke"]
VideoScale(cases=1, frames=4, card_frames=1, fps=4)
"""

from __future__ import annotations

import argparse
import shutil
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FFMpegWriter, FuncAnimation, PillowWriter

from effect.structures import LOOP_STRUCTURES, parse_structure
from works import layout
from works._io import temporary_name
from works.guard import locked_step, step_arguments
from works.figures.diagrams import draw_motif
from works.figures.style import COLOURS
from works.summaries import landscapes

__all__ = ["FORMATS", "VIDEO_SCALES", "VideoScale", "frame_plan", "main", "make_all", "make_video"]


@dataclass(frozen=True)
class VideoScale:
    """How much of each escape is animated: cases shown, iteration frames per case (``None`` = all),
    frames each card is held, frames per second."""

    cases: int | None
    frames: int | None
    card_frames: int
    fps: int


VIDEO_SCALES = {"smoke": VideoScale(1, 4, 1, 4), "quick": VideoScale(2, 6, 2, 4),
                "paper": VideoScale(None, None, 24, 24)}
FORMATS = ("auto", "gif", "mp4")
PARAMETER_NAMES = ("w$_{xy}$", "w$_{xz}$", "w$_{yz}$", "b$_y$", "b$_z$", "w$_{xz}$", "w$_{yz}$", "b$_z$")


def frame_plan(records: int, steps: int, scale: VideoScale) -> list[tuple]:
    """Frame list: ``("title",)``, ``("case", e)`` and ``("step", e, t)`` entries in display order."""
    cases = records if scale.cases is None else min(scale.cases, records)
    if scale.frames is None or scale.frames >= steps:
        iterations = np.arange(steps)
    else:
        iterations = np.unique(np.linspace(0, steps - 1, scale.frames).round().astype(int))
    plan = [("title",)] * scale.card_frames
    for e in range(cases):
        plan += [("case", e)] * scale.card_frames + [("step", e, int(t)) for t in iterations]
    return plan


def _title(structure):
    motif_type, index = parse_structure(structure)
    return f"train {motif_type.replace('-', ' ')} {index}\nto escape from colliders"


def make_video(out_dir, structure: str, scale: str = "quick", fmt: str = "auto") -> Path:
    """Animate the escape records of one loop structure; returns the video path.

    Raises
    ------
    FileNotFoundError
        If ``OUT/raw/particular/<structure>.escape.npz`` does not exist.
    ValueError
        On an unknown structure, scale or format, or a malformed escape file.
    """
    if structure not in LOOP_STRUCTURES:
        raise ValueError(f"structure must be one of {LOOP_STRUCTURES}, got {structure!r}.")
    if scale not in VIDEO_SCALES:
        raise ValueError(f"scale must be one of {tuple(VIDEO_SCALES)}, got {scale!r}.")
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, got {fmt!r}.")
    path = Path(out_dir) / layout.RAW / layout.escape_file(structure)
    if not path.is_file():
        raise FileNotFoundError(f"raw escape data {path} not found; run task 2 first.")
    with np.load(path, allow_pickle=False) as archive:
        missing = {"escaper", "catcher", "loss"} - set(archive.files)
        if missing:
            raise ValueError(f"raw escape data {path} lacks {sorted(missing)}.")
        escaper, catcher, loss = archive["escaper"], archive["catcher"], archive["loss"]
    if escaper.ndim != 3 or escaper.shape[2] != 5 or catcher.shape[:2] != escaper.shape[:2] or loss.shape != \
            escaper.shape[:2]:
        raise ValueError(f"raw escape data {path} has inconsistent shapes {escaper.shape}, {catcher.shape}, "
                         f"{loss.shape}.")
    motif_type, _ = parse_structure(structure)
    plan = frame_plan(escaper.shape[0], escaper.shape[1], VIDEO_SCALES[scale])
    steps = [p for p in plan if p[0] == "step"]
    rows = [(e, t) for _, e, t in steps]
    loop_maps = landscapes(np.array([escaper[e, t] for e, t in rows]), motif_type) if rows else None
    collider_maps = landscapes(np.array([catcher[e, t] for e, t in rows]), "collider") if rows else None
    index_of = {row: k for k, row in enumerate(rows)}

    fig = plt.figure(figsize=(10, 6), dpi=60)
    grid = fig.add_gridspec(2, 4, width_ratios=(1, 1.2, 1.3, 1.3))
    ax_loop, ax_collider = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[1, 0])
    ax_sliders = fig.add_subplot(grid[:, 1])
    ax_maps = [fig.add_subplot(grid[0, 2:]), fig.add_subplot(grid[1, 2:])]
    card = fig.add_axes((0, 0, 1, 1))
    images = [ax.imshow(np.zeros((41, 41)), origin="lower", extent=(-1, 1, -1, 1), cmap="PRGn", vmin=-1, vmax=1)
              for ax in ax_maps]
    for ax, image, label in zip(ax_maps, images, ("loop output", "collider output")):
        fig.colorbar(image, ax=ax, fraction=0.05)
        ax.set_title(label, fontsize=8)
    header = fig.suptitle("")

    def draw(frame):
        kind = frame[0]
        card.clear()
        card.set_axis_off()
        if kind in ("title", "case"):
            card.set_visible(True)
            card.add_patch(plt.Rectangle((0, 0), 1, 1, color=COLOURS[motif_type] if kind == "title" else "white"))
            text = _title(structure) if kind == "title" else f"case {frame[1] + 1:03d} / {escaper.shape[0]:03d}"
            card.text(0.5, 0.5, text, ha="center", va="center", fontsize=20)
            return []
        card.set_visible(False)
        e, t = frame[1], frame[2]
        header.set_text(f"iteration: {t + 1}    loss: {loss[e, t]:.5f}")
        for ax, kind_, params in ((ax_loop, motif_type, escaper[e, t, :3]), (ax_collider, "collider",
                                                                            catcher[e, t, :2])):
            ax.clear()
            draw_motif(ax, kind_, weights=params)
            ax.set_xlim(-0.3, 1.3)
            ax.set_ylim(-0.4, 1.1)
            ax.set_axis_off()
        ax_sliders.clear()
        values = np.concatenate([escaper[e, t], catcher[e, t]])
        ax_sliders.hlines(np.arange(8), -1, 1, color="#CCCCCC")
        ax_sliders.scatter(values, np.arange(8), c=np.abs(values), cmap="Greys", vmin=0, vmax=1, edgecolor="black",
                           zorder=3)
        ax_sliders.set_yticks(np.arange(8))
        ax_sliders.set_yticklabels(PARAMETER_NAMES)
        ax_sliders.set_xlim(-1.1, 1.1)
        ax_sliders.invert_yaxis()
        k = index_of[(e, t)]
        images[0].set_data(loop_maps[k].T)
        images[1].set_data(collider_maps[k].T)
        return []

    animation = FuncAnimation(fig, draw, frames=plan, blit=False, cache_frame_data=False)
    use_mp4 = fmt == "mp4" or (fmt == "auto" and shutil.which("ffmpeg") is not None and scale == "paper")
    if fmt == "mp4" and shutil.which("ffmpeg") is None:
        raise ValueError("fmt='mp4' needs ffmpeg on the PATH; use fmt='gif'.")
    target = Path(out_dir) / layout.VIDEOS / layout.video_file(structure, "mp4" if use_mp4 else "gif")
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_name(target)  # unique per process: two writers never share a temporary
    fps = VIDEO_SCALES[scale].fps
    writer = FFMpegWriter(fps=fps) if use_mp4 else PillowWriter(fps=fps)
    try:
        animation.save(temporary, writer=writer)
        temporary.replace(target)
    finally:
        plt.close(fig)
        temporary.unlink(missing_ok=True)
    return target


def make_all(out_dir, scale: str = "quick", fmt: str = "auto") -> dict:
    """Make one video per loop structure with escape data (S1–S4 = L_i-1…4, S5–S8 = L_c-1…4).

    Returns ``{structure: path or 'skipped: reason'}``; structures without raw escape data are skipped.
    """
    result = {}
    for structure in LOOP_STRUCTURES:
        try:
            result[structure] = make_video(out_dir, structure, scale, fmt)
        except FileNotFoundError as error:
            result[structure] = f"skipped: {error}"
    return result


def main(argv=None) -> dict:
    """CLI: ``python works/show_video.py --out DIR [--scale quick] [--format auto|gif|mp4]``."""
    parser = argparse.ArgumentParser(description="Make the escape videos S1–S8 from OUT/raw into OUT/videos.")
    parser.add_argument("--out", required=True)
    parser.add_argument("--scale", default="quick", choices=tuple(VIDEO_SCALES))
    parser.add_argument("--format", default="auto", choices=FORMATS)
    step_arguments(parser)
    args = parser.parse_args(argv)

    def action(out):
        result = make_all(out, args.scale, args.format)
        for name, value in result.items():
            print(name, value)
        return result

    return locked_step(args, action, scale=args.scale)


if __name__ == "__main__":
    main()
