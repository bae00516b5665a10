"""A static PNG of a map's layers for printed reports (matplotlib): the same layers, colours and
legend classes as the HTML page, with a scale bar, a north arrow and the sample-data note.

Only the layers shown when the page opens are drawn, each with its first theme.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from .page import MapClass, MapLayer, Theme, format_number
from .styles import OTHER_CLASS

__all__ = ["render_png"]

_SCALE_STEPS = (100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000)


def _first_theme(layer: MapLayer) -> Theme:
    return next((t for t in layer.themes if t.year is None), layer.themes[0])


def _metric(series: gpd.GeoSeries) -> gpd.GeoSeries:
    if series.crs is None:
        raise ValueError("a layer has no CRS")
    if series.crs.is_projected:
        return series
    return series.to_crs(series.estimate_utm_crs())


def render_png(
    layers: Sequence[MapLayer],
    *,
    title: str,
    lang: str = "vi",
    note: str | None = None,
    credits: str | None = None,
    size: tuple[float, float] = (11.69, 8.27),
    dpi: int = 150,
) -> bytes:
    """PNG bytes of the visible ``layers`` (bottom first), A4 landscape by default.

    Parameters
    ----------
    layers : sequence of MapLayer
        As for :func:`ntmgis.maps.page.render_map`; hidden layers are left out.
    title : str
    lang : {"vi", "en"}
        Number format of the legend counts and the scale bar.
    note : str, optional
        Sample-data note, printed in a banner under the title.
    credits : str, optional
        One line of sources printed at the bottom.
    size : (float, float)
        Figure size in inches.
    dpi : int

    Returns
    -------
    bytes
        The PNG (no timestamp or software version in it: the same inputs give the same bytes).
    """
    shown = [layer for layer in layers if layer.visible]
    if not shown:
        raise ValueError("no visible layer to draw")
    crs = _metric(shown[0].geometry).crs
    # A bare Figure on the Agg canvas: no pyplot, so no global backend switch and no figure left
    # open in a user's session.
    fig = Figure(figsize=size, dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.02, 0.07, 0.68, 0.83))
    handles: list[Any] = []
    for layer in shown:
        theme = _first_theme(layer)
        _draw_layer(ax, layer, theme, crs)
        handles += _legend_handles(layer, theme, lang)
    ax.set_aspect("equal")
    ax.autoscale_view()
    ax.set_axis_off()
    _scale_bar(ax, lang)
    _north_arrow(ax)
    fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.71, 0.9),
        fontsize=6.5,
        frameon=False,
        handlelength=1.6,
        ncol=1,
    )
    fig.text(0.02, 0.965, title, fontsize=13, fontweight="bold", va="top")
    if note:
        fig.text(
            0.02,
            0.925,
            note,
            fontsize=9,
            fontweight="bold",
            va="top",
            bbox={"facecolor": "#fff4cc", "edgecolor": "#e6a100", "boxstyle": "square,pad=0.3"},
        )
    if credits:
        fig.text(0.02, 0.02, credits, fontsize=6, color="#333333", va="bottom", wrap=True)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def _draw_layer(ax: Any, layer: MapLayer, theme: Theme, crs: Any) -> None:
    """Draw one layer in ``crs`` with the colours of ``theme``, and its labels."""
    geometry = layer.geometry.to_crs(crs)
    by_code = {c.code: c for c in theme.classes}
    colours = [by_code[v].colour if v in by_code else OTHER_CLASS for v in theme.values]
    if layer.kind == "line":
        ax.add_collection(_lines(layer, theme, geometry, colours, by_code))
    else:
        # Villages may be points, polygons or both (contracts.yaml): each drawn as what it is.
        points = (geometry.geom_type == "Point").to_numpy()
        if layer.kind == "polygon" and not points.all():
            _areas(ax, layer, geometry[~points], [c for c, p in zip(colours, points, strict=True) if not p])
        _points(ax, layer, geometry[points], [c for c, p in zip(colours, points, strict=True) if p])
    if layer.label_texts is not None:
        for point, text in zip(geometry.representative_point(), layer.label_texts, strict=True):
            ax.annotate(
                text,
                (point.x, point.y),
                ha="center",
                va="center",
                fontsize=6.5,
                fontweight="bold",
                color="#1a1a1a",
                zorder=4,
            )


def _areas(ax: Any, layer: MapLayer, geometry: gpd.GeoSeries, colours: Sequence[str]) -> None:
    frame = gpd.GeoDataFrame({"colour": list(colours)}, geometry=geometry.to_numpy(), crs=geometry.crs)
    outline = bool(layer.style.get("outline"))
    frame.plot(
        ax=ax,
        color="none" if outline else frame["colour"],
        edgecolor=frame["colour"] if outline else layer.style.get("color", "#4d4d4d"),
        linewidth=0.6,
        alpha=1.0,
    )


def _points(ax: Any, layer: MapLayer, geometry: gpd.GeoSeries, colours: Sequence[str]) -> None:
    if not len(geometry):
        return
    outline = bool(layer.style.get("outline"))
    ax.scatter(
        list(geometry.x),
        list(geometry.y),
        facecolors="none" if outline else list(colours),
        s=float(layer.style.get("radius", 7 if outline else 5)) ** 2,
        edgecolors=list(colours) if outline else layer.style.get("color", "#333333"),
        linewidths=1.2 if outline else 0.6,
        zorder=3,
    )


def _lines(
    layer: MapLayer,
    theme: Theme,
    geometry: gpd.GeoSeries,
    colours: Sequence[str],
    by_code: Mapping[str, MapClass],
) -> LineCollection:
    """The parts of a line layer, each as wide as its class (or the layer style) says."""
    segments, widths, line_colours = [], [], []
    for geom, value, colour in zip(geometry, theme.values, colours, strict=True):
        if geom is None or geom.is_empty:
            continue
        weight = by_code[value].weight if value in by_code else None
        width = weight if weight else layer.style.get("weight", 1.5)
        for part in getattr(geom, "geoms", [geom]):
            segments.append(list(part.coords))
            widths.append(0.35 * float(width))
            line_colours.append(colour)
    return LineCollection(segments, colors=line_colours, linewidths=widths)


def _legend_handles(layer: MapLayer, theme: Theme, lang: str) -> list[Any]:
    """The legend of one layer: its theme title, then each class with its feature count."""
    handles: list[Any] = [Patch(visible=False, label=theme.title)]
    for cls in theme.classes:
        count = sum(1 for v in theme.values if v == cls.code)
        text = f"{cls.label} ({format_number(count, lang)})"
        if layer.kind == "polygon":
            handles.append(Patch(facecolor=cls.colour, edgecolor="#4d4d4d", label=text))
        elif layer.kind == "line":
            handles.append(Line2D([], [], color=cls.colour, linewidth=1.5, label=text))
        else:
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    linestyle="",
                    markerfacecolor=cls.colour,
                    markeredgecolor="#333333",
                    label=text,
                )
            )
    return handles


def _scale_bar(ax: Any, lang: str) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    target = (x1 - x0) / 5
    length = max(s for s in _SCALE_STEPS if s <= target) if target >= _SCALE_STEPS[0] else _SCALE_STEPS[0]
    left, bottom = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.04
    height = (y1 - y0) * 0.008
    for i in range(2):  # two alternating halves, as on a printed map
        ax.add_patch(
            Rectangle(
                (left + i * length / 2, bottom),
                length / 2,
                height,
                facecolor="#1a1a1a" if i == 0 else "#ffffff",
                edgecolor="#1a1a1a",
                linewidth=0.6,
                zorder=5,
            )
        )
    text = (
        f"{format_number(length / 1000, lang, 1 if length % 1000 else 0)} km"
        if length >= 1000
        else f"{length} m"
    )
    ax.text(left + length / 2, bottom + height * 2, text, ha="center", va="bottom", fontsize=7, zorder=5)


def _north_arrow(ax: Any) -> None:
    # The metric CRS of the map has grid north up; at district scale it is within a degree of true
    # north, which a report figure does not need to show.
    ax.annotate(
        "N",
        xy=(0.95, 0.95),
        xytext=(0.95, 0.86),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=9,
        fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "#1a1a1a", "linewidth": 1.2},
    )
