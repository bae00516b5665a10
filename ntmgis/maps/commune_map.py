"""The district map: communes coloured by NTM level, as one offline, self-contained HTML file.

The page carries Leaflet (inlined from the pinned npm copy, see :mod:`ntmgis.maps.assets`), a
small project script and stylesheet, and the data as JSON in ``<script type="application/json">``
elements. The script puts user text into the page only as text nodes, never as HTML, and a
Content-Security-Policy that allows exactly the inlined scripts and styles (by hash) backs this up:
a commune named ``<img src=x onerror=alert(1)>`` shows as those characters.

The same inputs give byte-identical HTML: no random ids, no timestamps, sorted JSON keys, features
sorted by commune code, coordinates rounded to a fixed number of decimals.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from ..problems import DataError, Problem
from ..vocab import label, vocabulary
from . import assets

__all__ = ["render_commune_map", "NOT_ASSESSED", "LEVEL_COLOURS", "NOT_ASSESSED_COLOUR"]

#: Class of a commune whose level column is empty.
NOT_ASSESSED = "not_assessed"
#: Fill colours of the ``ntm_level`` codes, lowest level first: ColorBrewer YlGn, 5 classes, with
#: the palest (#ffffcc) left out so the lowest level stays visible on a plain background.
LEVEL_COLOURS = ("#c2e699", "#78c679", "#31a354", "#006837")
#: Neutral grey, outside the sequential palette, for communes not assessed.
NOT_ASSESSED_COLOUR = "#bdbdbd"
# 6 decimals of a degree ≈ 0.1 m: far below what a district map can show, and it keeps the file
# small and the output stable.
COORDINATE_DECIMALS = 6
_REQUIRED = ("commune_code", "name", "kind")
_LANGS = ("vi", "en")

# Interface text of the page. Domain labels (commune kinds, NTM levels) come from vocabulary.yaml.
_UI: dict[str, dict[str, str]] = {
    "vi": {
        "legend_title": "Mức đạt chuẩn NTM",
        "not_assessed": "Chưa đánh giá",
        "total": "Tổng số",
        "sources_title": "Nguồn dữ liệu",
        "basemap": "Bản đồ nền",
        "software": "Vẽ bằng ntmgis với Leaflet {leaflet} (giấy phép BSD-2-Clause); mở được "
                    "không cần mạng.",
        "noscript": "Cần bật JavaScript để xem bản đồ này.",
        "commune": "{kind} {name} ({code})",
    },
    "en": {
        "legend_title": "NTM level",
        "not_assessed": "Not assessed",
        "total": "Total",
        "sources_title": "Sources",
        "basemap": "Basemap",
        "software": "Drawn with ntmgis and Leaflet {leaflet} (BSD-2-Clause licence); works "
                    "without a network.",
        "noscript": "JavaScript is needed to show this map.",
        "commune": "{name} {kind} ({code})",
    },
}

# Inside <script type="application/json"> only "</script" and "<!--" could end or confuse the
# element; escaping <, > and & rules both out, and U+2028/2029 are escaped for older JS parsers.
_JSON_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                               "\u2028": "\\u2028", "\u2029": "\\u2029"})


def render_commune_map(
    communes: gpd.GeoDataFrame,
    *,
    level_column: str = "ntm_level",
    title: str,
    note: str | None = None,
    provenance: Sequence[str] = (),
    lang: str = "vi",
    basemap: str | None = None,
    basemap_attribution: str | None = None,
    labels: bool = True,
) -> str:
    """HTML of an offline map of ``communes`` coloured by their NTM level.

    The function only draws: the levels are given, not computed.

    Parameters
    ----------
    communes : GeoDataFrame
        (Multi)Polygons in any CRS (the project works in EPSG:9214), with columns
        ``commune_code``, ``name``, ``kind`` and ``level_column``.
    level_column : str
        Column holding ``ntm_level`` codes (``chua_dat``, ``ntm``, ``nang_cao``, ``kieu_mau``);
        an empty value draws the commune as *not assessed*.
    title : str
        Title shown above the map and in the browser tab.
    note : str, optional
        Banner shown above the map, e.g. ``"Dữ liệu minh họa — illustrative sample"``.
    provenance : sequence of str
        Lines of the sources panel (files, plan, dates).
    lang : {"vi", "en"}
        Language of labels and interface text.
    basemap : str, optional
        Online tile URL template (``https://.../{z}/{x}/{y}.png``) added under the communes. Off by
        default: the default page names no URL and needs no network.
    basemap_attribution : str, optional
        Credit for the basemap, shown as text in the sources panel.
    labels : bool
        Write commune names on the map.

    Returns
    -------
    str
        The whole page; write it with :func:`ntmgis.io.write_text_atomic`.

    Raises
    ------
    DataError
        (a ``ValueError``) listing every problem of ``communes``: missing columns, no CRS, missing
        or non-polygon geometry, level values outside ``ntm_level``.
    ntmgis.maps.assets.WebAssetError
        When Leaflet is not installed at the pinned version.

    Examples
    --------
    >>> from ntmgis.io import write_text_atomic
    >>> html = render_commune_map(communes, title="Huyện Tân Yên", note="Dữ liệu minh họa")  # doctest: +SKIP
    >>> write_text_atomic("out/tan_yen_map.html", html)  # doctest: +SKIP
    """
    if lang not in _LANGS:
        raise ValueError(f"lang must be one of {_LANGS}, not {lang!r}")
    _check_communes(communes, level_column)
    basemap_config = _basemap_config(basemap, basemap_attribution)
    levels = _levels(communes[level_column])
    features = _features(communes, levels, lang)
    config = {
        "lang": lang,
        "title": str(title),
        "note": None if note is None else str(note),
        "provenance": [str(line) for line in provenance],
        "legend": _legend(levels, lang),
        "labels": bool(labels),
        "basemap": basemap_config,
        "ui": {key: text.format(leaflet=assets.PINNED_VERSIONS["leaflet"])
               for key, text in _UI[lang].items() if key not in ("commune", "noscript")},
    }
    return _render_page(
        lang=lang,
        title=str(title),
        noscript=_UI[lang]["noscript"],
        config=config,
        communes={"type": "FeatureCollection", "features": features},
        tile_scheme=urlsplit(basemap).scheme if basemap else None,
    )


# --------------------------------------------------------------------------------------------
# Input contract
# --------------------------------------------------------------------------------------------

def _check_communes(communes: gpd.GeoDataFrame, level_column: str) -> None:
    if not isinstance(communes, gpd.GeoDataFrame):
        raise TypeError(f"communes must be a GeoDataFrame, not {type(communes).__name__}")
    problems: list[Problem] = []

    def problem(feature: str, what: str, action: str) -> None:
        problems.append(Problem("", "communes", feature, what, action, "error"))

    for column in (*_REQUIRED, level_column):
        if column not in communes.columns:
            problem("", f"missing required column '{column}'",
                    "add the column (see the communes contract in contracts.yaml)")
    if communes.crs is None:
        problem("", "the layer has no CRS", "set it, e.g. communes.set_crs('EPSG:9214')")
    if communes.empty:
        problem("", "no communes to draw", "pass a layer with at least one commune")
    if problems:
        raise DataError(problems, "cannot draw the commune map")

    ids = [f"commune_code={code}" for code in communes["commune_code"]]
    geometry = communes.geometry
    for feature, geom in zip(ids, geometry, strict=True):
        if geom is None or geom.is_empty:
            problem(feature, "no geometry", "give the commune its boundary")
        elif geom.geom_type not in ("Polygon", "MultiPolygon"):
            problem(feature, f"geometry is a {geom.geom_type}, not a (Multi)Polygon",
                    "use the commune boundary")
    known = vocabulary()["ntm_level"]
    for feature, value in zip(ids, communes[level_column], strict=True):
        if not _is_missing(value) and value not in known:
            problem(feature, f"'{level_column}' value {value!r} is not an ntm_level code",
                    f"use one of {', '.join(known)} or leave it empty (not assessed)")
    if problems:
        raise DataError(problems, "cannot draw the commune map")


def _is_missing(value: object) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value is None or bool(pd.isna(value))


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


# --------------------------------------------------------------------------------------------
# Data for the page
# --------------------------------------------------------------------------------------------

def _levels(values: pd.Series) -> list[str]:
    return [NOT_ASSESSED if _is_missing(v) else str(v) for v in values]


def _ordered_levels() -> list[str]:
    entries = vocabulary()["ntm_level"]
    order = sorted(entries, key=lambda code: entries[code]["rank"])
    if len(order) != len(LEVEL_COLOURS):
        raise AssertionError("LEVEL_COLOURS needs one colour per ntm_level code")
    return order


def _legend(levels: list[str], lang: str) -> list[dict[str, Any]]:
    counts = pd.Series(levels).value_counts()
    rows = [{"level": code, "label": label("ntm_level", code, lang), "colour": colour,
             "count": int(counts.get(code, 0))}
            for code, colour in zip(_ordered_levels(), LEVEL_COLOURS, strict=True)]
    rows.append({"level": NOT_ASSESSED, "label": _UI[lang]["not_assessed"],
                 "colour": NOT_ASSESSED_COLOUR, "count": int(counts.get(NOT_ASSESSED, 0))})
    return rows


def _text(value: object) -> str:
    return "" if _is_missing(value) else str(value).strip()


def _commune_title(kind: object, name: object, code: object, lang: str) -> str:
    kind_text = label("commune_kind", _text(kind), lang) if _text(kind) else ""
    if lang == "en":
        kind_text = kind_text.lower()
    text = _UI[lang]["commune"].format(kind=kind_text, name=_text(name), code=_text(code))
    return " ".join(text.replace("()", "").split())


def _features(communes: gpd.GeoDataFrame, levels: list[str], lang: str) -> list[dict[str, Any]]:
    # Label anchors are taken in the source (projected) CRS, where "inside the polygon" is
    # exact, then transformed like the boundaries.
    anchors = communes.geometry.representative_point().to_crs(4326)
    boundaries = communes.geometry.to_crs(4326)
    rounded = shapely.transform(boundaries.to_numpy(), lambda xy: np.round(xy, COORDINATE_DECIMALS))
    anchor_xy = np.round(shapely.get_coordinates(anchors.to_numpy()), COORDINATE_DECIMALS)
    if not (np.isfinite(shapely.get_coordinates(rounded)).all() and np.isfinite(anchor_xy).all()):
        raise DataError(Problem("", "communes", "", f"coordinates cannot be transformed from "
                                f"{communes.crs.to_string()} to WGS 84",
                                "check the CRS of the layer", "error"), "cannot draw the commune map")
    not_assessed = _UI[lang]["not_assessed"]
    features = []
    for i, (code, name, kind) in enumerate(
            zip(communes["commune_code"], communes["name"], communes["kind"], strict=True)):
        level = levels[i]
        features.append({
            "type": "Feature",
            "properties": {
                "code": _text(code),
                "name": _text(name),
                "title": _commune_title(kind, name, code, lang),
                "level": level,
                "level_label": not_assessed if level == NOT_ASSESSED else label("ntm_level", level, lang),
                "label_at": [float(anchor_xy[i, 1]), float(anchor_xy[i, 0])],  # Leaflet: lat, lon
            },
            "geometry": shapely.geometry.mapping(rounded[i]),
        })
    features.sort(key=lambda f: f["properties"]["code"])
    return features


# --------------------------------------------------------------------------------------------
# Page
# --------------------------------------------------------------------------------------------

@cache
def _environment() -> Environment:
    return Environment(loader=PackageLoader("ntmgis.maps", "templates"), autoescape=True,
                       undefined=StrictUndefined, keep_trailing_newline=True)


def _static(name: str) -> str:
    return resources.files("ntmgis.maps").joinpath("static", name).read_text(encoding="utf-8")


def _script_json(data: Mapping[str, Any]) -> Markup:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False)
    return Markup(text.translate(_JSON_ESCAPES))  # noqa: S704 - escaped for a script element above


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def _render_page(*, lang: str, title: str, noscript: str, config: Mapping[str, Any],
                 communes: Mapping[str, Any], tile_scheme: str | None) -> str:
    scripts = [assets.leaflet_js(), _static("ntmgis_map.js")]
    styles = [assets.leaflet_css(), _static("ntmgis_map.css")]
    # Only the inlined scripts and styles may run, and nothing may be fetched; injected markup
    # would be inert even if it ever reached the DOM. Tiles are allowed only for an opt-in basemap.
    img_src = "data:" + (f" {tile_scheme}:" if tile_scheme else "")
    csp = "; ".join([
        "default-src 'none'",
        "script-src " + " ".join(_csp_hash(s) for s in scripts),
        "style-src " + " ".join(_csp_hash(s) for s in styles),
        f"img-src {img_src}",
        "base-uri 'none'",
        "form-action 'none'",
    ])
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
        communes_json=_script_json(communes),
    )
