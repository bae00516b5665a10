"""The print map: a page (A4 or A3, PNG or PDF) of a map's layers for printed reports (matplotlib).

The same layers, colours and legend classes as the HTML page; one theme per layer (the page's
default, or the one asked for: :func:`print_themes` lists them); labels that never overlap each
other nor a marker (:mod:`ntmgis.maps.print_labels`); legends without zero-count rows; a scale bar
(matplotlib-scalebar) drawn in the metric working CRS; a north arrow; title, sample-data note and
sources in the margins.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from matplotlib_scalebar.scalebar import ScaleBar

from ..labels import words
from ..problems import Problem
from .drops import drawable_layers, undrawn_lines
from .page import MapClass, MapLayer, Theme, default_theme, format_number
from .print_labels import LabelCandidate, place_labels
from .styles import OTHER_CLASS

__all__ = [
    "DPI_RANGE",
    "PAPERS",
    "LegendEntry",
    "PrintMap",
    "print_map",
    "print_themes",
    "render_png",
]

#: ISO 216 sheets, portrait (width, height) in inches: A4 210 × 297 mm, A3 297 × 420 mm.
PAPERS: Mapping[str, tuple[float, float]] = {"A4": (210 / 25.4, 297 / 25.4), "A3": (297 / 25.4, 420 / 25.4)}
#: Print resolutions ``ntmgis map --dpi`` accepts (dots per inch): below 72 labels are unreadable
#: on paper, above 600 an A3 PNG passes 100 megapixels. :func:`print_map` also draws previews
#: down to 20 dpi.
DPI_RANGE = (72, 600)
_PREVIEW_DPI = 20
Orientation = Literal["portrait", "landscape"]
# Where the map sits on the sheet (figure fractions): the legend takes the right margin, title
# and note the top, sources the bottom.
_MAP_BOX = (0.02, 0.11, 0.68, 0.78)
_LEGEND_FONT = 6.5
_LABEL_FONT = 6.5


@dataclass(frozen=True)
class LegendEntry:
    """One legend row as drawn: the layer and theme it belongs to, its text and feature count."""

    layer: str
    theme: str
    label: str
    count: int


@dataclass(frozen=True)
class PrintMap:
    """A drawn print map: the figure and, as data, what it shows.

    ``legend`` are the class rows (no zero counts); ``labels`` the feature labels written (none
    overlapping), ``dropped_labels`` how many did not fit.
    """

    figure: Figure
    legend: tuple[LegendEntry, ...]
    labels: tuple[Text, ...]
    dropped_labels: int
    title: str
    #: Features not drawn, per layer id (:mod:`ntmgis.maps.drops`); each reason is in ``problems``
    #: and in the credits line.
    undrawn: Mapping[str, int] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()

    def save(self, fmt: Literal["png", "pdf"] = "png") -> bytes:
        """The sheet as PNG or PDF bytes, with no timestamp or software version (the same
        inputs give the same bytes). The PDF embeds its fonts as TrueType (DejaVu Sans, which
        has every Vietnamese letter), so the text stays text."""
        buffer = io.BytesIO()
        if fmt == "pdf":
            metadata: dict[str, str | None] = {
                "Title": self.title,
                "Creator": None,
                "Producer": None,
                "CreationDate": None,
            }
            with mpl.rc_context({"pdf.fonttype": 42}):
                self.figure.savefig(buffer, format="pdf", metadata=metadata)
        elif fmt == "png":
            self.figure.savefig(buffer, format="png", metadata={"Software": None})
        else:
            raise ValueError(f"format must be png or pdf, not {fmt!r}")
        return buffer.getvalue()


def print_themes(layers: Sequence[MapLayer]) -> dict[str, tuple[str, str]]:
    """Every theme of ``layers`` by the name ``--theme`` takes: the first layer's (the communes)
    by their id (``evaluated``, ``criterion_2``, ``plan_2024``), the others as ``layer:theme``
    (``roads:surface``).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoSeries([shapely.Point(0, 0)], crs="EPSG:3405")
    >>> a = MapLayer("communes", "Xã", "point", g, ["a"], ["A"], [Theme("level", "Mức", ["x"], [])])
    >>> b = MapLayer("roads", "Đường", "point", g, ["r"], ["R"], [Theme("class", "Cấp", ["x"], [])])
    >>> print_themes([a, b])
    {'level': ('communes', 'level'), 'roads:class': ('roads', 'class')}
    """
    found: dict[str, tuple[str, str]] = {}
    for index, layer in enumerate(layers):
        for theme in layer.themes:
            found[theme.id if index == 0 else f"{layer.id}:{theme.id}"] = (layer.id, theme.id)
    return found


def _chosen_themes(layers: Sequence[MapLayer], theme: str | None, lang: str) -> dict[str, Theme]:
    """Layer id → theme drawn: the visible layers with their page default, and the layer of
    ``theme`` (shown even when the page hides it) with that theme."""
    chosen = {layer.id: default_theme(layer) for layer in layers if layer.visible}
    if theme is None:
        return chosen
    known = print_themes(layers)
    if theme not in known:
        message = words("map", lang)["print_unknown_theme"]
        raise ValueError(message.format(theme=theme, known=", ".join(known)))
    layer_id, theme_id = known[theme]
    layer = next(layer for layer in layers if layer.id == layer_id)
    chosen[layer_id] = next(t for t in layer.themes if t.id == theme_id)
    return chosen


def _metric(series: gpd.GeoSeries) -> Any:
    """The CRS to draw in: the layer's own when it is projected in metres (the working CRS),
    else its UTM zone, so that one data unit is one metre for the scale bar."""
    if series.crs is None:
        raise ValueError("a layer has no CRS")
    crs = series.crs
    if crs.is_projected and all(axis.unit_name in ("metre", "meter") for axis in crs.axis_info[:2]):
        return crs
    return series.estimate_utm_crs()


def _orientation(extent: tuple[float, float, float, float], paper: tuple[float, float]) -> Orientation:
    """The orientation in which the district is drawn largest."""
    width, height = max(extent[2] - extent[0], 1.0), max(extent[3] - extent[1], 1.0)

    def scale(sheet: tuple[float, float]) -> float:
        return min(sheet[0] * _MAP_BOX[2] / width, sheet[1] * _MAP_BOX[3] / height)

    return "landscape" if scale((paper[1], paper[0])) > scale(paper) else "portrait"


def print_map(
    layers: Sequence[MapLayer],
    *,
    title: str,
    lang: str = "vi",
    note: str | None = None,
    credits: str | None = None,
    theme: str | None = None,
    paper: str = "A4",
    orientation: Orientation | None = None,
    dpi: int = 150,
) -> PrintMap:
    """Draw the print map of ``layers`` (bottom first).

    Parameters
    ----------
    layers : sequence of MapLayer
        As for :func:`ntmgis.maps.page.render_map`; the layers the page shows when it opens are
        drawn, each with the theme the page opens on.
    title : str
    lang : {"vi", "en"}
        Number format of the legend counts and the scale bar; language of the messages.
    note : str, optional
        Sample-data note, printed in a banner under the title.
    credits : str, optional
        Sources, as-of date and plan, printed in the bottom margin.
    theme : str, optional
        A name from :func:`print_themes`: that theme is drawn (its layer shown even if the page
        hides it). Unknown names raise ``ValueError`` listing the valid ones.
    paper : {"A4", "A3"}
    orientation : {"portrait", "landscape"}, optional
        Default: the one that draws the district largest.
    dpi : int
        Within :data:`DPI_RANGE` for print; down to 20 for a preview.

    Returns
    -------
    PrintMap

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoSeries([shapely.box(0, 0, 3000, 2000)], crs="EPSG:3405")
    >>> level = Theme("level", "Mức", ["ntm"], [MapClass("ntm", "Đạt chuẩn NTM", "#78c679")])
    >>> layer = MapLayer("communes", "Xã", "polygon", g, ["a"], ["Xã A"], [level], label_texts=["A"])
    >>> drawn = print_map([layer], title="Huyện Tân Yên", dpi=72)
    >>> drawn.legend
    (LegendEntry(layer='communes', theme='level', label='Đạt chuẩn NTM', count=1),)
    >>> [t.get_text() for t in drawn.labels], drawn.figure.get_size_inches().round(2).tolist()
    (['A'], [11.69, 8.27])
    """
    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {sorted(PAPERS)}, not {paper!r}")
    if not _PREVIEW_DPI <= dpi <= DPI_RANGE[1]:
        raise ValueError(f"dpi must be within {_PREVIEW_DPI}–{DPI_RANGE[1]}, not {dpi}")
    chosen = _chosen_themes(layers, theme, lang)
    shown = [layer for layer in layers if layer.id in chosen]
    if not shown:
        raise ValueError("no visible layer to draw")
    shown, undrawn_found, undrawn = drawable_layers(shown)
    credits = " · ".join(filter(None, [credits, *undrawn_lines(undrawn_found, shown, lang)])) or None
    crs = _metric(shown[0].geometry)
    drawn = {layer.id: layer.geometry.to_crs(crs) for layer in shown}
    extent = tuple(drawn[shown[0].id].total_bounds)
    sheet = PAPERS[paper]
    if (orientation or _orientation(extent, sheet)) == "landscape":
        sheet = (sheet[1], sheet[0])
    # A bare Figure on the Agg canvas: no pyplot, so no global backend switch and no figure left
    # open in a user's session.
    fig = Figure(figsize=sheet, dpi=dpi)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes(_MAP_BOX)
    handles: list[Any] = []
    entries: list[LegendEntry] = []
    for layer in shown:
        _draw_layer(ax, layer, chosen[layer.id], drawn[layer.id])
        layer_handles, layer_entries = _legend(layer, chosen[layer.id], lang)
        handles += layer_handles
        entries += layer_entries
    ax.set_aspect("equal")
    ax.autoscale_view()
    ax.set_axis_off()
    scale_bar = ScaleBar(
        1.0,
        "m",
        location="lower left",
        length_fraction=0.2,
        box_alpha=0.8,
        font_properties={"size": 7},
        scale_formatter=lambda value, unit: f"{format_number(value, lang)} {unit}",
    )
    ax.add_artist(scale_bar)
    arrow = _north_arrow(ax)
    _margins(fig, handles, title=title, note=note, credits=credits)
    renderer = canvas.get_renderer()
    fig.draw(renderer)  # final limits and aspect; the scale bar measures itself
    obstacles = [
        scale_bar.info.window_extent,
        arrow.get_window_extent(renderer),
        *_marker_boxes(ax, shown, drawn, dpi),
    ]
    labels, dropped = place_labels(
        ax, _label_candidates(shown, drawn), obstacles, renderer, fontsize=_LABEL_FONT
    )
    return PrintMap(fig, tuple(entries), tuple(labels), dropped, title, undrawn, undrawn_found)


def render_png(
    layers: Sequence[MapLayer],
    *,
    title: str,
    lang: str = "vi",
    note: str | None = None,
    credits: str | None = None,
    theme: str | None = None,
    paper: str = "A4",
    orientation: Orientation | None = None,
    dpi: int = 150,
) -> bytes:
    """PNG bytes of :func:`print_map` (same parameters).

    Returns
    -------
    bytes
        The PNG (no timestamp or software version in it: the same inputs give the same bytes).
    """
    drawn = print_map(
        layers,
        title=title,
        lang=lang,
        note=note,
        credits=credits,
        theme=theme,
        paper=paper,
        orientation=orientation,
        dpi=dpi,
    )
    return drawn.save("png")


def _margins(fig: Figure, handles: list[Any], *, title: str, note: str | None, credits: str | None) -> None:
    """Legend in the right margin, title and note at the top, sources at the bottom."""
    width, height = fig.get_size_inches()
    rows = max(1, int(height * _MAP_BOX[3] * 72 / (_LEGEND_FONT * 1.75)))
    fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(_MAP_BOX[0] + _MAP_BOX[2] + 0.01, _MAP_BOX[1] + _MAP_BOX[3]),
        fontsize=_LEGEND_FONT,
        frameon=False,
        handlelength=1.6,
        ncol=1 if len(handles) <= rows else 2,
    )
    fig.text(0.02, 1 - 0.35 / height, title, fontsize=13, fontweight="bold", va="top", wrap=True)
    if note:
        fig.text(
            0.02,
            1 - 0.7 / height,
            note,
            fontsize=9,
            fontweight="bold",
            va="top",
            bbox={"facecolor": "#fff4cc", "edgecolor": "#e6a100", "boxstyle": "square,pad=0.3"},
        )
    if credits:
        fig.text(0.02, 0.01, credits, fontsize=5.5, color="#333333", va="bottom", wrap=True)


def _draw_layer(ax: Any, layer: MapLayer, theme: Theme, geometry: gpd.GeoSeries) -> None:
    """Draw one layer (already in the drawing CRS) with the colours of ``theme``."""
    by_code = {c.code: c for c in theme.classes}
    colours = [by_code[v].colour if v in by_code else OTHER_CLASS for v in theme.values]
    if layer.kind == "line":
        _lines(ax, layer, theme, geometry)
        return
    # Villages may be points, polygons or both (contracts.yaml): each drawn as what it is.
    points = (geometry.geom_type == "Point").to_numpy()
    if layer.kind == "polygon" and not points.all():
        _areas(ax, layer, geometry[~points], [c for c, p in zip(colours, points, strict=True) if not p])
    _points(ax, layer, geometry[points], [c for c, p in zip(colours, points, strict=True) if p])


def _marker_radius_pt(layer: MapLayer) -> float:
    return float(layer.style.get("radius", 7 if layer.style.get("outline") else 5)) / 2


def _label_candidates(shown: Sequence[MapLayer], drawn: Mapping[str, gpd.GeoSeries]) -> list[LabelCandidate]:
    """The labels of the drawn layers at a point inside each feature, the largest feature first."""
    found = []
    for layer in shown:
        if layer.label_texts is None:
            continue
        geometry = drawn[layer.id]
        for point, area, label in zip(
            geometry.representative_point(), geometry.area, layer.label_texts, strict=True
        ):
            if label and point is not None and not point.is_empty:
                found.append(LabelCandidate(str(label), point.x, point.y, float(area)))
    return found


def _marker_boxes(
    ax: Any, shown: Sequence[MapLayer], drawn: Mapping[str, gpd.GeoSeries], dpi: int
) -> list[Bbox]:
    """The display boxes of every point marker: labels keep off them."""
    boxes = []
    for layer in shown:
        geometry = drawn[layer.id]
        points = geometry[(geometry.geom_type == "Point").to_numpy()]
        if not len(points):
            continue
        radius = _marker_radius_pt(layer) * dpi / 72 + 1
        for x, y in ax.transData.transform(list(zip(points.x, points.y, strict=True))):
            boxes.append(Bbox.from_extents(x - radius, y - radius, x + radius, y + radius))
    return boxes


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
        s=(2 * _marker_radius_pt(layer)) ** 2,
        edgecolors=list(colours) if outline else layer.style.get("color", "#333333"),
        linewidths=1.2 if outline else 0.6,
        zorder=3,
    )


def _lines(ax: Any, layer: MapLayer, theme: Theme, geometry: gpd.GeoSeries) -> None:
    """A line layer as one path per class, each as wide as its class (or the layer style) says:
    a province's 100,000 segments draw (and print to PDF) as a handful of paths. The first
    legend class is drawn on top (national roads over lanes)."""
    parts, feature = shapely.get_parts(geometry.to_numpy(), return_index=True)
    coords, owner = shapely.get_coordinates(parts, return_index=True)
    if not len(coords):
        return
    codes = np.full(len(coords), MplPath.LINETO, dtype=MplPath.code_type)
    codes[np.r_[True, owner[1:] != owner[:-1]]] = MplPath.MOVETO
    values = np.asarray([str(v) for v in theme.values], dtype=object)[feature][owner]
    known = [c.code for c in theme.classes]
    styles_by_code = [(c.code, c.colour, c.weight) for c in theme.classes]
    other = sorted(set(values) - set(known))
    for code, colour, weight in [*reversed(styles_by_code), *((o, OTHER_CLASS, None) for o in other)]:
        mask = values == code
        if not mask.any():
            continue
        width = 0.35 * float(weight if weight else layer.style.get("weight", 1.5))
        path = MplPath(coords[mask], codes[mask])
        patch = PathPatch(path, facecolor="none", edgecolor=colour, linewidth=width, capstyle="round")
        # add_artist, not add_patch: add_patch walks every vertex as a Bézier curve for the limits.
        ax.add_artist(patch)
        patch.set_clip_path(ax.patch)
        ax.update_datalim([coords[mask].min(axis=0), coords[mask].max(axis=0)])


def _legend(layer: MapLayer, theme: Theme, lang: str) -> tuple[list[Any], list[LegendEntry]]:
    """The legend of one layer: its theme title, then each class that has features, with its
    count (a printed sheet has no room for empty rows; the page keeps some for the order)."""
    counts = Counter(str(v) for v in theme.values)
    handles: list[Any] = [Patch(visible=False, label=theme.title)]
    entries = []
    for cls in theme.classes:
        count = counts.get(cls.code, 0)
        if not count:
            continue
        entries.append(LegendEntry(layer.id, theme.id, cls.label, count))
        handles.append(_handle(layer, cls, f"{cls.label} ({format_number(count, lang)})"))
    # A layer with nothing to show (no segment to upgrade) has no heading either.
    return (handles if entries else []), entries


def _legend_handles(layer: MapLayer, theme: Theme, lang: str) -> list[Any]:
    """The legend handles of one layer (:func:`_legend` without the entries)."""
    return _legend(layer, theme, lang)[0]


def _handle(layer: MapLayer, cls: MapClass, text: str) -> Any:
    if layer.kind == "polygon":
        return Patch(facecolor=cls.colour, edgecolor="#4d4d4d", label=text)
    if layer.kind == "line":
        return Line2D([], [], color=cls.colour, linewidth=1.5, label=text)
    return Line2D(
        [], [], marker="o", linestyle="", markerfacecolor=cls.colour, markeredgecolor="#333333", label=text
    )


def _north_arrow(ax: Any) -> Text:
    # The metric CRS of the map has grid north up; at district scale it is within a degree of true
    # north, which a report figure does not need to show.
    return ax.annotate(
        "N",
        xy=(0.95, 0.97),
        xytext=(0.95, 0.88),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=9,
        fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "#1a1a1a", "linewidth": 1.2},
    )
