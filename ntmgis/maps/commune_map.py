"""The simplest map: communes coloured by a given NTM level, as one offline HTML file.

One layer of the page engine (:mod:`ntmgis.maps.page`): the same inlined Leaflet, escaping,
Content-Security-Policy and determinism as the planners' map (:mod:`ntmgis.maps.planner`), for a
communes layer that comes with its level column and no Assessment.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import pandas as pd

from ..codes import NOT_ASSESSED
from ..labels import LANGUAGES, words
from ..names import normalize_text, strip_prefix
from ..problems import DataError, ParamValue, Problem
from ..values import is_missing
from ..vocab import label, vocabulary
from .page import MapClass, MapLayer, Theme, render_map

__all__ = [
    "render_commune_map",
    "NOT_ASSESSED",
    "LEVEL_COLOURS",
    "NOT_ASSESSED_COLOUR",
    "level_classes",
    "bare_name",
    "commune_title",
]

#: Fill colours of the ``ntm_level`` codes, lowest level first: ColorBrewer YlGn, 5 classes, with
#: the palest (#ffffcc) left out so the lowest level stays visible on a plain background.
LEVEL_COLOURS = ("#c2e699", "#78c679", "#31a354", "#006837")
#: The pilot "xã NTM hiện đại" of QĐ 51/2025 (``pilot_level``): one step darker than kiểu mẫu
#: (ColorBrewer Greens, 9 classes, the darkest), in the legend only where a set has the level.
PILOT_COLOURS = {"hien_dai": "#00441b"}
#: Neutral grey, outside the sequential palette, for communes not assessed.
NOT_ASSESSED_COLOUR = "#bdbdbd"
_REQUIRED = ("commune_code", "name", "kind")


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
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, not {lang!r}")
    _check_communes(communes, level_column)
    levels = _levels(communes[level_column])
    codes = [_text(c) for c in communes["commune_code"]]
    layer = MapLayer(
        id="communes",
        title=words("map", lang)["communes"],
        kind="polygon",
        geometry=communes.geometry,
        keys=codes,
        names=[
            commune_title(k, n, c, lang)
            for k, n, c in zip(communes["kind"], communes["name"], communes["commune_code"], strict=True)
        ],
        themes=[
            Theme(
                id="level",
                title=words("map", lang)["level_legend"],
                values=levels,
                classes=level_classes(lang),
                always=[c.code for c in level_classes(lang)],
            )
        ],
        # Labels on the map show the bare names; tooltips and popups the full title.
        label_texts=[bare_name(n, k) for n, k in zip(communes["name"], communes["kind"], strict=True)]
        if labels
        else None,
        searchable=True,
    )
    return render_map(
        [layer],
        title=str(title),
        lang=lang,
        note=note,
        provenance=provenance,
        basemap=basemap,
        basemap_attribution=basemap_attribution,
    )


# --------------------------------------------------------------------------------------------
# Input contract
# --------------------------------------------------------------------------------------------


def _check_communes(communes: gpd.GeoDataFrame, level_column: str) -> None:
    if not isinstance(communes, gpd.GeoDataFrame):
        raise TypeError(f"communes must be a GeoDataFrame, not {type(communes).__name__}")
    problems: list[Problem] = []

    def problem(feature: str, key: str, **params: ParamValue) -> None:
        problems.append(
            Problem.from_params(
                f"problems.{key}", params, layer="communes", feature=feature, severity="error"
            )
        )

    for column in (*_REQUIRED, level_column):
        if column not in communes.columns:
            problem("", "map_missing_column", column=column)
    if communes.crs is None:
        problem("", "map_no_crs")
    if communes.empty:
        problem("", "map_no_communes")
    if problems:
        raise DataError(problems, "problems.header_commune_map")

    ids = [f"commune_code={code}" for code in communes["commune_code"]]
    geometry = communes.geometry
    for feature, geom in zip(ids, geometry, strict=True):
        if geom is None or geom.is_empty:
            problem(feature, "map_no_geometry")
        elif geom.geom_type not in ("Polygon", "MultiPolygon"):
            problem(feature, "map_not_polygon", kind=str(geom.geom_type))
    known = vocabulary()["ntm_level"]
    for feature, value in zip(ids, communes[level_column], strict=True):
        if not is_missing(value) and value not in known:
            problem(
                feature, "map_unknown_level", column=level_column, value=repr(value), known=", ".join(known)
            )
    if problems:
        raise DataError(problems, "problems.header_commune_map")


def _levels(values: pd.Series) -> list[str]:
    return [NOT_ASSESSED if is_missing(v) else str(v) for v in values]


def level_classes(lang: str, *, pilot: bool = False) -> list[MapClass]:
    """Legend classes of ``ntm_level`` in rank order (chưa đạt < NTM < nâng cao < kiểu mẫu), then
    with ``pilot`` the ``pilot_level`` classes (xã NTM hiện đại, QĐ 51/2025), then *not assessed*.

    Examples
    --------
    >>> [c.code for c in level_classes("vi", pilot=True)][-2:]
    ['hien_dai', 'not_assessed']
    >>> level_classes("en", pilot=True)[-2].label
    'Modern NTM (pilot)'
    """
    entries = vocabulary()["ntm_level"]
    order = sorted(entries, key=lambda code: entries[code]["rank"])
    if len(order) != len(LEVEL_COLOURS):
        raise AssertionError("LEVEL_COLOURS needs one colour per ntm_level code")
    pilots = vocabulary()["pilot_level"] if pilot else {}
    return [
        *(
            MapClass(code, label("ntm_level", code, lang), colour)
            for code, colour in zip(order, LEVEL_COLOURS, strict=True)
        ),
        *(
            MapClass(code, label("pilot_level", code, lang), PILOT_COLOURS[code])
            for code in sorted(pilots, key=lambda code: pilots[code]["rank"])
        ),
        MapClass(NOT_ASSESSED, words("map", lang)["not_assessed"], NOT_ASSESSED_COLOUR),
    ]


def _text(value: object) -> str:
    return "" if is_missing(value) else str(value).strip()


def bare_name(name: object, kind: object) -> str:
    """``name`` without an administrative prefix that repeats ``kind``: the kind is written by
    the map, so ``("Xã An Dương", "xa")`` is ``"An Dương"``, never "Xã Xã An Dương". A prefix that
    says another kind than ``kind`` is kept: the map does not rename a unit.

    Examples
    --------
    >>> bare_name("Xã An Dương", "xa")
    'An Dương'
    >>> bare_name("TT. Cao Thượng", "thi_tran")
    'Cao Thượng'
    >>> bare_name("Xã An Dương", "thi_tran")
    'Xã An Dương'
    >>> bare_name("Lạng Giang", "xa")
    'Lạng Giang'
    """
    text = _text(name) or ""
    prefix, rest = strip_prefix(text) if text else (None, text)
    if prefix is None or prefix != _text(kind):
        return text
    # The rest as written, not normalised: the map shows the name the user gave.
    start = next((j for j in range(1, len(text) + 1) if normalize_text(text[j:]) == rest), 0)
    return text[start:].lstrip() if start else rest


def commune_title(kind: object, name: object, code: object, lang: str) -> str:
    """``"Xã Phúc Hòa (07324)"`` / ``"Phúc Hòa commune (07324)"``; a name that already starts
    with its kind ("Xã Phúc Hòa") is not prefixed twice.

    Examples
    --------
    >>> commune_title("xa", "Xã Phúc Hòa", "07324", "vi")
    'Xã Phúc Hòa (07324)'
    >>> commune_title("xa", "Xã Phúc Hòa", "07324", "en")
    'Phúc Hòa commune (07324)'
    """
    kind_text = label("commune_kind", _text(kind), lang) if _text(kind) else ""
    if lang == "en":
        kind_text = kind_text.lower()
    text = words("map", lang)["commune_title"].format(
        kind=kind_text, name=bare_name(name, kind), code=_text(code)
    )
    return " ".join(text.replace("()", "").split())
