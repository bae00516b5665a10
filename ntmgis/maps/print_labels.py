"""Labels of the printed map that never overlap: a greedy placement in display space.

Labels are tried in order of importance (the largest commune first); each is tried at its anchor,
then above, below, right and left of it; the first position whose box (as the renderer measures
it) overlaps neither a placed label nor an obstacle (a marker, the scale bar, the north arrow) and
stays inside the map frame is kept; a label that fits nowhere is left out. Fewer labels, each
readable, rather than names run together ("Xã Đại HóaXã Quang Tiến").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.text import Text
from matplotlib.transforms import Bbox

__all__ = ["LabelCandidate", "place_labels"]

# Offsets tried, in points from the anchor: on it, then above, below, right, left, the diagonals,
# and once more a little farther (still inside a commune at print scale).
_OFFSETS = (
    (0.0, 0.0),
    (0.0, 7.0),
    (0.0, -7.0),
    (12.0, 0.0),
    (-12.0, 0.0),
    (10.0, 7.0),
    (-10.0, 7.0),
    (10.0, -7.0),
    (-10.0, -7.0),
    (0.0, 13.0),
    (0.0, -13.0),
)
# Space kept around each label box, in pixels, so two labels never touch.
_PAD_PX = 1.5


@dataclass(frozen=True)
class LabelCandidate:
    """A text to write at ``(x, y)`` (data coordinates); higher ``priority`` is placed first."""

    text: str
    x: float
    y: float
    priority: float


def _overlaps(box: Bbox, others: Sequence[Bbox]) -> bool:
    return any(box.overlaps(other) for other in others)


def _inside(box: Bbox, frame: Bbox) -> bool:
    return frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1


def place_labels(
    ax: Axes,
    candidates: Sequence[LabelCandidate],
    obstacles: Sequence[Bbox],
    renderer: RendererBase,
    *,
    fontsize: float = 6.5,
) -> tuple[list[Text], int]:
    """Write the labels of ``candidates`` on ``ax`` where they overlap nothing.

    ``ax`` must have its final limits and aspect (call ``ax.apply_aspect()`` first): positions are
    measured in display pixels.

    Returns
    -------
    (list of Text, int)
        The labels written, and how many candidates were left out.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from matplotlib.backends.backend_agg import FigureCanvasAgg
    >>> fig = Figure(figsize=(2, 2), dpi=72)
    >>> canvas = FigureCanvasAgg(fig)
    >>> ax = fig.add_axes((0, 0, 1, 1), xlim=(0, 10), ylim=(0, 10))
    >>> twins = [LabelCandidate("Đại Hóa", 5, 5, 2), LabelCandidate("Quang Tiến", 5, 5, 1)]
    >>> placed, dropped = place_labels(ax, twins, [], canvas.get_renderer())
    >>> [t.get_text() for t in placed], dropped
    (['Đại Hóa', 'Quang Tiến'], 0)
    >>> bool(placed[0].get_window_extent().overlaps(placed[1].get_window_extent()))
    False
    """
    frame = ax.get_window_extent(renderer)
    placed: list[Text] = []
    boxes: list[Bbox] = []
    dropped = 0
    for candidate in sorted(candidates, key=lambda c: (-c.priority, c.text)):
        label = ax.annotate(
            candidate.text,
            (candidate.x, candidate.y),
            xytext=(0, 0),
            textcoords="offset points",
            ha="center",
            va="center",
            fontsize=fontsize,
            fontweight="bold",
            color="#1a1a1a",
            zorder=6,
            annotation_clip=True,
            # A white halo keeps the name readable over roads and fills.
            path_effects=[patheffects.withStroke(linewidth=1.8, foreground="white")],
        )
        for dx, dy in _OFFSETS:
            label.set_position((dx, dy))
            box = label.get_window_extent(renderer).padded(_PAD_PX)
            if _inside(box, frame) and not _overlaps(box, boxes) and not _overlaps(box, obstacles):
                placed.append(label)
                boxes.append(box)
                break
        else:
            label.remove()
            dropped += 1
    return placed, dropped
