"""One offline map page from declarative layers: the engine every ntmgis map is drawn with.

A map is a list of :class:`MapLayer`; each layer has geometry, one or more :class:`Theme` (a class
per feature, e.g. the NTM level or the status of criterion 2, with legend rows in their natural
order), popup :class:`Field` values and a few style options. :func:`render_map` writes the page:

* Leaflet (inlined from the pinned npm copy, see :mod:`ntmgis.maps.assets`), one project script and
  stylesheet, and the data as JSON in ``<script type="application/json">`` elements, escaped so
  that no value can end the element;
* geometry as shared arcs (:mod:`ntmgis.maps.topology`): a border between two communes is stored
  once, coordinates are quantized, delta-encoded and written as short text; a big layer's
  repeated names and texts are written once (:mod:`ntmgis.maps.compact`);
* polygons as SVG paths, lines and points on one canvas (thousands of road segments stay fast);
* a Content-Security-Policy allowing exactly the inlined scripts and styles (by hash): user text
  reaches the page only as text nodes, and injected markup could not run anyway.

Nothing here computes an indicator: layers arrive with their classes and texts decided
(:mod:`ntmgis.maps.planner` derives them from an Assessment). The same inputs give byte-identical
HTML: features are sorted by key, JSON keys are sorted, counts and numbers are plain data.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal
from urllib.parse import urlsplit

import geopandas as gpd
import numpy as np
import shapely
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from ..labels import LANGUAGES, words
from ..problems import Problem
from ..values import is_missing
from . import assets
from .compact import compact_texts, merged_lines
from .detail import METRES_PER_DEGREE, drawing_detail, pixel_metres
from .drops import drawable_layers, undrawn_lines
from .topology import DEFAULT_DECIMALS, encode_geometries

__all__ = [
    "MapClass",
    "Theme",
    "Field",
    "MapLayer",
    "SummaryTable",
    "Timeline",
    "render_map",
    "map_page",
    "MapPage",
    "format_number",
    "default_theme",
    "is_missing",
    "LANGS",
]

LANGS = LANGUAGES
Kind = Literal["polygon", "line", "point"]
FieldFormat = Literal["text", "number", "year", "category", "bool", "rows"]


def _page_words(lang: str) -> dict[str, str]:
    """The page's own interface words: the ``page_*`` entries of ``catalogue/map.yaml``, without
    the prefix (domain labels come with the layers)."""
    return {
        key.removeprefix("page_"): text for key, text in words("map", lang).items() if key.startswith("page_")
    }


# Inside <script type="application/json"> only "</script" and "<!--" could end or confuse the
# element; escaping <, > and & rules both out, and U+2028/2029 are escaped for older JS parsers.
_JSON_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


@dataclass(frozen=True)
class MapClass:
    """One legend row: a class code, its label and how features of the class are drawn.

    ``weight`` (line width in px) and ``dash`` (SVG dash pattern, e.g. ``"4 4"``) override the
    layer's style for this class.
    """

    code: str
    label: str
    colour: str
    weight: float | None = None
    dash: str | None = None


@dataclass(frozen=True)
class Theme:
    """One way of colouring a layer: a class code per feature and the legend classes in order.

    Parameters
    ----------
    id : str
        Identifier (unique within the layer).
    title : str
        Radio-button label and legend heading.
    values : sequence of str
        Class code of each feature (same order as the layer's geometry).
    classes : sequence of MapClass
        Legend rows in their natural order (e.g. chưa đạt < đạt NTM < nâng cao < kiểu mẫu).
    detail : sequence of str, optional
        A line per feature shown in the popup while the theme is active (e.g. the gap text).
    always : sequence of str
        Class codes kept in the legend with a zero count (e.g. "not assessed"); other classes
        nobody has are left out.
    year : int, optional
        Makes the theme one step of the timeline; the year control switches between them.
    group : str, optional
        Radio group heading (e.g. "Tiêu chí").
    """

    id: str
    title: str
    values: Sequence[str]
    classes: Sequence[MapClass]
    detail: Sequence[str | None] | None = None
    always: Sequence[str] = ()
    year: int | None = None
    group: str | None = None


@dataclass(frozen=True)
class Field:
    """One popup row: a label and a value per feature.

    ``format``: ``text``; ``number`` (with ``decimals`` and ``unit``, written 1.234,5 in
    Vietnamese); ``year`` (no thousands separator); ``category`` (a code, shown through
    ``labels``); ``bool`` (yes / no); ``rows`` (a small table under the popup rows: per feature
    a sequence of ``(label, value, status code)``, the code colouring the value, e.g. a
    commune's criteria and their verdicts). Empty values are not shown.
    """

    label: str
    values: Sequence[Any]
    format: FieldFormat = "text"
    decimals: int = 0
    unit: str = ""
    labels: Mapping[str, str] | None = None


@dataclass(frozen=True)
class MapLayer:
    """A layer of the page.

    Parameters
    ----------
    id : str
        Identifier (``window.ntmgis.layers[id]`` in the page).
    title : str
        Name in the layer list.
    kind : {"polygon", "line", "point"}
    geometry : GeoSeries
        One geometry per feature, in any CRS (transformed to WGS 84).
    keys : sequence of str
        Feature identifiers: features are drawn and stored sorted by key, so the page does not
        depend on the row order.
    names : sequence of str
        Tooltip and popup title of each feature.
    themes : sequence of Theme
        At least one; the first is shown first.
    fields : sequence of Field
        Popup rows.
    visible : bool
        Shown when the page opens.
    searchable : bool
        Names are found by the search box (accent- and đ-insensitive).
    label_texts : sequence of str, optional
        Text written on the map for each feature (polygons: at a point inside each).
    style : mapping
        Leaflet path options for the layer (``weight``, ``fillOpacity``, ``radius``, ``color``...).
    highlight : sequence of str
        Keys of features drawn with a strong outline (e.g. communes a scenario changes).
    contexts : sequence of str, optional
        Where each feature is (e.g. a village's commune): shown beside the name in search
        results and searched with it, so that two "Thôn Chùa Đông" can be told apart.
    """

    id: str
    title: str
    kind: Kind
    geometry: gpd.GeoSeries
    keys: Sequence[str]
    names: Sequence[str]
    themes: Sequence[Theme]
    fields: Sequence[Field] = ()
    visible: bool = True
    searchable: bool = False
    label_texts: Sequence[str] | None = None
    style: Mapping[str, Any] = field(default_factory=dict)
    highlight: Sequence[str] = ()
    contexts: Sequence[str | None] | None = None


def default_theme(layer: MapLayer) -> Theme:
    """The theme a layer opens on: its first theme that is not a timeline year (the page's
    script picks the same, ``plain[0]`` in ``static/ntmgis_map.js``), so the print map and the page agree.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoSeries([shapely.Point(0, 0)], crs="EPSG:4326")
    >>> themes = [Theme("plan_2024", "2024", ["x"], [], year=2024), Theme("level", "Mức", ["x"], [])]
    >>> default_theme(MapLayer("communes", "Xã", "point", g, ["a"], ["A"], themes)).id
    'level'
    """
    return next((t for t in layer.themes if t.year is None), layer.themes[0])


@dataclass(frozen=True)
class SummaryTable:
    """A table of the summary panel; ``statuses`` gives one status code per row for colouring
    (``met``, ``not_met``, ``no_data``...)."""

    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    statuses: Sequence[str] | None = None


@dataclass(frozen=True)
class Timeline:
    """The year control: its years, the year shown first and lines of text per year."""

    years: Sequence[int]
    start: int
    notes: Mapping[int, Sequence[str]] = field(default_factory=dict)


def format_number(value: float, lang: str, decimals: int = 0) -> str:
    """``1234.5`` as ``"1.234,5"`` (vi) or ``"1,234.5"`` (en), with ``decimals`` decimals."""
    text = f"{float(value):,.{decimals}f}"
    if lang == "vi":
        text = text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    return text


def _text(value: object) -> str | None:
    return None if is_missing(value) else str(value).strip()


def _field_json(f: Field, order: np.ndarray, keys: list[str]) -> dict[str, Any]:
    values = [f.values[i] for i in order]
    out: dict[str, Any] = {"label": str(f.label), "format": f.format}
    if f.format == "number":
        out["decimals"] = int(f.decimals)
        out["unit"] = str(f.unit)
        out["values"] = [None if is_missing(v) else round(float(v), int(f.decimals)) for v in values]
    elif f.format == "year":
        out["values"] = [None if is_missing(v) else int(v) for v in values]
    elif f.format == "bool":
        out["values"] = [None if is_missing(v) else bool(v) for v in values]
    elif f.format == "rows":
        out["values"] = [
            None if v is None or not len(v) else [[str(part) for part in row] for row in v] for v in values
        ]
    elif f.format == "category":
        # Codes become indices into one label list: thousands of road segments repeat a handful
        # of classes.
        codes = sorted({str(v) for v in values if not is_missing(v)})
        index = {code: i for i, code in enumerate(codes)}
        labels = f.labels or {}
        out["labels"] = [str(labels.get(code, code)) for code in codes]
        out["values"] = [None if is_missing(v) else index[str(v)] for v in values]
    else:
        out["values"] = compact_texts([_text(v) for v in values], keys)
    return out


def _theme_json(theme: Theme, order: np.ndarray, layer_id: str) -> dict[str, Any]:
    values = [str(theme.values[i]) for i in order]
    counts = Counter(values)
    known = [c.code for c in theme.classes]
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ValueError(f"layer {layer_id!r}, theme {theme.id!r}: values {unknown} have no class")
    classes = [c for c in theme.classes if counts.get(c.code) or c.code in theme.always]
    index = {c.code: i for i, c in enumerate(classes)}
    out: dict[str, Any] = {
        "id": str(theme.id),
        "title": str(theme.title),
        "classes": [
            {
                "code": c.code,
                "label": str(c.label),
                "colour": c.colour,
                "count": counts.get(c.code, 0),
                **({"weight": c.weight} if c.weight is not None else {}),
                **({"dash": c.dash} if c.dash is not None else {}),
            }
            for c in classes
        ],
        "values": [index[v] for v in values],
    }
    if theme.detail is not None:
        out["detail"] = [_text(theme.detail[i]) for i in order]
    if theme.year is not None:
        out["year"] = int(theme.year)
    if theme.group is not None:
        out["group"] = str(theme.group)
    return out


def _check_layer(layer: MapLayer) -> None:
    n = len(layer.geometry)
    sizes = {
        "keys": len(layer.keys),
        "names": len(layer.names),
        **{f"theme {t.id}": len(t.values) for t in layer.themes},
        **{f"field {f.label}": len(f.values) for f in layer.fields},
        **({"label_texts": len(layer.label_texts)} if layer.label_texts is not None else {}),
        **({"contexts": len(layer.contexts)} if layer.contexts is not None else {}),
    }
    wrong = {name: size for name, size in sizes.items() if size != n}
    if wrong:
        raise ValueError(f"layer {layer.id!r} has {n} geometries but {wrong}")
    if not layer.themes:
        raise ValueError(f"layer {layer.id!r} needs at least one theme")
    if layer.kind not in ("polygon", "line", "point"):
        raise ValueError(f"layer {layer.id!r}: kind must be polygon, line or point, not {layer.kind!r}")
    if len(set(map(str, layer.keys))) != n:
        raise ValueError(f"layer {layer.id!r}: feature keys are not unique")


def _layer_json(layer: MapLayer, order: np.ndarray) -> dict[str, Any]:
    keys = [str(layer.keys[i]) for i in order]
    highlight = {str(k) for k in layer.highlight}
    out: dict[str, Any] = {
        "id": layer.id,
        "title": str(layer.title),
        "kind": layer.kind,
        "visible": bool(layer.visible),
        "searchable": bool(layer.searchable),
        "merged": merged_lines(layer.kind, len(keys)),  # drawn as a few lines per class
        "labels": None
        if layer.label_texts is None
        else compact_texts([_text(layer.label_texts[i]) or "" for i in order], keys),
        "style": dict(sorted(layer.style.items())),
        "keys": keys,
        "names": compact_texts([_text(layer.names[i]) or "" for i in order], keys),
        "themes": [_theme_json(t, order, layer.id) for t in layer.themes],
        "fields": [_field_json(f, order, keys) for f in layer.fields],
    }
    if highlight:
        out["highlight"] = [i for i, k in enumerate(keys) if k in highlight]
    if layer.contexts is not None:
        out["contexts"] = compact_texts([_text(layer.contexts[i]) or "" for i in order], keys)
    return out


def _basemap_config(url: str | None, attribution: str | None) -> dict[str, str] | None:
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"basemap must be an http(s) tile URL template, not {url!r}")
    missing = [p for p in ("{z}", "{x}", "{y}") if p not in url]
    if missing:
        raise ValueError(f"basemap URL template lacks {', '.join(missing)}: {url!r}")
    return {"url": url, "attribution": "" if attribution is None else str(attribution)}


@dataclass(frozen=True)
class MapPage:
    """A written page and what it could not draw (:func:`map_page`)."""

    html: str
    #: One warning per layer and reason features were left out of the drawing (count, first names).
    undrawn: tuple[Problem, ...] = ()


def render_map(
    layers: Sequence[MapLayer],
    *,
    title: str,
    lang: str = "vi",
    note: str | None = None,
    provenance: Sequence[str] = (),
    summary: Sequence[SummaryTable] = (),
    timeline: Timeline | None = None,
    basemap: str | None = None,
    basemap_attribution: str | None = None,
    decimals: int = DEFAULT_DECIMALS,
    simplify: float | None = None,
    max_zoom: int | None = None,
) -> str:
    """HTML of an offline map of ``layers`` (drawn in order: the first at the bottom).

    Parameters
    ----------
    layers : sequence of MapLayer
    title : str
        Title above the map and in the browser tab.
    lang : {"vi", "en"}
        Language of the interface text and number format.
    note : str, optional
        Banner above the map, e.g. ``"Dữ liệu minh họa — illustrative sample"``.
    provenance : sequence of str
        Lines of the sources panel (files, criteria set, unverified thresholds...).
    summary : sequence of SummaryTable
        Tables of the summary panel.
    timeline : Timeline, optional
        Year control; switches every layer that has themes with a ``year``.
    basemap : str, optional
        Online tile URL template added under the layers. Off by default: the default page names
        no URL and needs no network.
    basemap_attribution : str, optional
        Credit for the basemap, shown as text in the sources panel.
    decimals : int
        Coordinate grid, ``10**-decimals`` degree (5 ≈ 1 m).
    simplify : float, optional
        Tolerance in metres of the drawn boundaries and lines, applied once to each shared arc
        (0: none). Default: one screen pixel at ``max_zoom`` (:mod:`ntmgis.maps.detail`), named
        in the sources panel. Only the drawing is simplified.
    max_zoom : int, optional
        Closest zoom the page allows. Default: :data:`ntmgis.maps.detail.ZOOM_IN` levels closer
        than the zoom showing every layer.

    Returns
    -------
    str
        The whole page; write it with :func:`ntmgis.io.write_text_atomic`.

    Raises
    ------
    ValueError
        When a layer's sequences do not match its geometry, a theme value has no class, keys
        repeat or ids clash.
    ntmgis.maps.assets.WebAssetError
        When Leaflet is not installed at the pinned version.
    """
    return map_page(
        layers,
        title=title,
        lang=lang,
        note=note,
        provenance=provenance,
        summary=summary,
        timeline=timeline,
        basemap=basemap,
        basemap_attribution=basemap_attribution,
        decimals=decimals,
        simplify=simplify,
        max_zoom=max_zoom,
    ).html


def map_page(
    layers: Sequence[MapLayer],
    *,
    title: str,
    lang: str = "vi",
    note: str | None = None,
    provenance: Sequence[str] = (),
    summary: Sequence[SummaryTable] = (),
    timeline: Timeline | None = None,
    basemap: str | None = None,
    basemap_attribution: str | None = None,
    decimals: int = DEFAULT_DECIMALS,
    simplify: float | None = None,
    max_zoom: int | None = None,
) -> MapPage:
    """The page of :func:`render_map` (same parameters) and the features it could not draw.

    Returns
    -------
    MapPage
        ``html`` the page; ``undrawn`` one warning per layer and reason a feature was left out of
        the drawing (:func:`ntmgis.maps.drops.drawable_layers`), also listed in its sources panel.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> theme = Theme("t", "T", ["a", "a"], [MapClass("a", "A", "#000")])
    >>> layer = MapLayer("markets", "Chợ", "point", gpd.GeoSeries([Point(106.2, 21.3), Point()], crs=4326),
    ...                  ["m1", "m2"], ["Chợ A", "Chợ B"], [theme])
    >>> page = map_page([layer], title="Thử")  # doctest: +SKIP
    >>> [(p.layer, p.feature, p.count) for p in page.undrawn]  # doctest: +SKIP
    [('markets', 'Chợ B', 1)]
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    ids = [layer.id for layer in layers]
    if len(set(ids)) != len(ids):
        raise ValueError(f"layer ids repeat: {ids}")
    basemap_config = _basemap_config(basemap, basemap_attribution)
    # A feature the page cannot draw is left out of the drawing and said (ntmgis.maps.drops).
    layers, undrawn_found, undrawn = drawable_layers(layers)
    provenance = [*provenance, *undrawn_lines(undrawn_found, layers, lang)]
    orders: dict[str, np.ndarray] = {}
    geometries: dict[str, Any] = {}
    anchors: dict[str, Any] = {}
    for layer in layers:
        _check_layer(layer)
        order = np.array(sorted(range(len(layer.keys)), key=lambda i: str(layer.keys[i])), dtype=int)
        orders[layer.id] = order
        series = gpd.GeoSeries(layer.geometry.to_numpy()[order], crs=layer.geometry.crs)
        geometries[layer.id] = series
        if layer.label_texts is not None:
            # Label anchors are taken in the source (projected) CRS, where "inside" is exact.
            anchors["label:" + layer.id] = series.representative_point()
    detail = drawing_detail(_bounds(geometries.values()))
    max_zoom = detail.max_zoom if max_zoom is None else int(max_zoom)
    if simplify is None:
        same = max_zoom == detail.max_zoom
        simplify = detail.tolerance_m if same else _pixel_at(max_zoom, geometries.values())
    # A grid step is at most 1/scale degree of latitude on the ground: metres → grid units.
    grid_tolerance = simplify * 10**decimals / METRES_PER_DEGREE
    topology = encode_geometries({**geometries, **anchors}, decimals=decimals, simplify=grid_tolerance)
    drawing = (
        words("map", lang)["simplified_note"].format(metres=format_number(simplify, lang, 1), zoom=max_zoom)
        if simplify > 0
        else None
    )
    config = {
        "lang": lang,
        "title": str(title),
        "note": None if note is None else str(note),
        "max_zoom": max_zoom,
        # How the geometry is drawn: a line of the sources panel after the data's sources.
        "drawing": drawing,
        "provenance": [str(line) for line in provenance],
        "undrawn": undrawn,
        "basemap": basemap_config,
        "summary": [
            {
                "title": str(t.title),
                "columns": [str(c) for c in t.columns],
                "rows": [[str(cell) for cell in row] for row in t.rows],
                **({"statuses": [str(s) for s in t.statuses]} if t.statuses is not None else {}),
            }
            for t in summary
        ],
        "timeline": None
        if timeline is None
        else {
            "years": [int(y) for y in timeline.years],
            "start": int(timeline.start),
            "notes": {str(y): [str(line) for line in lines] for y, lines in sorted(timeline.notes.items())},
        },
        "ui": {
            key: text.format(leaflet=assets.PINNED_VERSIONS["leaflet"])
            for key, text in _page_words(lang).items()
            if key != "noscript"
        },
    }
    data = {"topology": topology, "layers": [_layer_json(layer, orders[layer.id]) for layer in layers]}
    html = _render_page(
        lang=lang,
        title=str(title),
        noscript=_page_words(lang)["noscript"],
        config=config,
        data=data,
        tile_scheme=urlsplit(basemap).scheme if basemap else None,
    )
    return MapPage(html, undrawn_found)


def _bounds(layers: Any) -> tuple[float, float, float, float]:
    """``(west, south, east, north)`` in degrees of every non-empty layer (the sample area's
    when there is none)."""
    boxes = []
    for series in layers:
        box = series.total_bounds
        if len(series) and np.isfinite(box).all():
            frame = gpd.GeoSeries([shapely.box(*box)], crs=series.crs)
            boxes.append(frame.to_crs(4326).total_bounds if series.crs is not None else box)
    if not boxes:
        return (106.02, 21.31, 106.19, 21.47)
    stacked = np.asarray(boxes)
    return (
        float(stacked[:, 0].min()),
        float(stacked[:, 1].min()),
        float(stacked[:, 2].max()),
        float(stacked[:, 3].max()),
    )


def _pixel_at(zoom: int, layers: Any) -> float:
    west, south, east, north = _bounds(layers)
    return round(pixel_metres(zoom, (south + north) / 2), 2)


# --------------------------------------------------------------------------------------------
# Page
# --------------------------------------------------------------------------------------------


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("ntmgis.maps", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def _static(name: str) -> str:
    return resources.files("ntmgis.maps").joinpath("static", name).read_text(encoding="utf-8")


def _script_json(data: Mapping[str, Any]) -> Markup:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return Markup(text.translate(_JSON_ESCAPES))  # noqa: S704 - escaped for a script element above


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def _render_page(
    *,
    lang: str,
    title: str,
    noscript: str,
    config: Mapping[str, Any],
    data: Mapping[str, Any],
    tile_scheme: str | None,
) -> str:
    scripts = [assets.leaflet_js(), _static("ntmgis_map.js")]
    styles = [assets.leaflet_css(), _static("ntmgis_map.css")]
    # Only the inlined scripts and styles may run, and nothing may be fetched; injected markup
    # would be inert even if it ever reached the DOM. Tiles are allowed only for an opt-in basemap.
    img_src = "data:" + (f" {tile_scheme}:" if tile_scheme else "")
    csp = "; ".join(
        [
            "default-src 'none'",
            "script-src " + " ".join(_csp_hash(s) for s in scripts),
            "style-src " + " ".join(_csp_hash(s) for s in styles),
            f"img-src {img_src}",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
    template = _environment().get_template("district_map.html.j2")
    return template.render(
        lang=lang,
        title=title,
        noscript=noscript,
        csp=csp,
        # Vendor and project code is trusted text that must reach the page unescaped.
        leaflet_css=Markup(styles[0]),  # noqa: S704
        map_css=Markup(styles[1]),  # noqa: S704
        leaflet_js=Markup(scripts[0]),  # noqa: S704
        map_js=Markup(scripts[1]),  # noqa: S704
        config_json=_script_json(config),
        data_json=_script_json(data),
    )
