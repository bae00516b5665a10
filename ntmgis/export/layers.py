"""The result layers of an Assessment as GeoDataFrames, each with the web map's styles beside it.

Every layer is built from what the planners' map shows (:mod:`ntmgis.maps.layers`): the class code
each feature is coloured by is the map theme's value, and the style's classes are the theme's
classes (colour, label, weight), so a GeoPackage opened in QGIS looks like the web map without a
second colour table. Column names are short ASCII (``level_eval``, ``v_2_1``), unique and at
most 63 characters: GeoPackage, PostGIS and QGIS keep them as they are.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from .. import __version__
from ..assessment import Assessment
from ..labels import words
from ..maps import styles
from ..maps.layers import commune_layer, culture_house_gap_layer, market_gap_layer, upgrade_layer
from ..maps.page import Kind, MapClass, MapLayer, Theme
from ..workspace import Workspace

__all__ = ["PROVENANCE", "LayerStyle", "result_layers", "styled_layers"]

#: Name of the non-spatial provenance table (key, label, value).
PROVENANCE = "provenance"
#: Longest column (and layer) name GeoPackage, PostGIS and QGIS keep unchanged.
MAX_NAME = 63

# Map theme id → the communes column holding its class codes.
_COMMUNE_THEMES = {
    "evaluated": "level_eval",
    "recognised": "level_recog",
    "target": "target_lvl",
    "schedule": "schedule",
    "criteria_met": "crit_class",
}


@dataclass(frozen=True)
class LayerStyle:
    """One style of a layer: a categorised renderer on ``field`` with the map theme's classes.

    Attributes
    ----------
    name : str
        ``styleName`` in ``layer_styles`` (the map theme's title).
    field : str
        The column whose values are the class codes.
    classes : tuple of MapClass
        Categories in legend order (code, label, colour, line weight, dash).
    kind : {"polygon", "line", "point"}
    default : bool
        ``useAsDefault``: the style QGIS applies when the layer is opened.
    label_field : str, optional
        Column written on the map (commune names).
    base : mapping
        The web map's layer style (``weight``, ``fillOpacity``, ``outline``, ``color``).
    """

    name: str
    field: str
    classes: tuple[MapClass, ...]
    kind: Kind
    default: bool = False
    label_field: str | None = None
    base: Mapping[str, float | str | bool] = dataclasses.field(default_factory=dict)


def result_layers(
    workspace: Workspace, assessment: Assessment, *, lang: str = "vi"
) -> dict[str, gpd.GeoDataFrame]:
    """Every gap layer and the communes with their status and indicators, in the working CRS.

    Parameters
    ----------
    workspace : Workspace
    assessment : Assessment
        From :func:`ntmgis.assessment.assess` on ``workspace``.
    lang : {"vi", "en"}
        Language of the text columns (gap texts, labels of the provenance table).

    Returns
    -------
    dict of str to GeoDataFrame
        ``communes`` (one row per commune: levels evaluated, recognised and target, schedule,
        criteria counts, ``c_<criterion>`` verdicts and ``v_<indicator>`` / ``s_<indicator>``
        value and verdict of each indicator at the target level), each assessed gap layer of
        ``assessment.gap_layers()`` under its own name, and ``provenance`` (no geometry:
        ``key, label, value`` rows: year, criteria sets, legal bases, sample note …).

    Examples
    --------
    >>> import ntmgis
    >>> from ntmgis.assessment import assess
    >>> ws = ntmgis.load_workspace()
    >>> layers = result_layers(ws, assess(ws))
    >>> sorted(layers)[:3]
    ['canals_to_line', 'communes', 'market_gaps']
    >>> len(layers["communes"]), layers["communes"].crs == ws.layer("communes").crs
    (22, True)
    """
    return styled_layers(workspace, assessment, lang=lang)[0]


def styled_layers(
    workspace: Workspace, assessment: Assessment, *, lang: str = "vi"
) -> tuple[dict[str, gpd.GeoDataFrame], dict[str, list[LayerStyle]]]:
    """:func:`result_layers` and, per spatial layer, its styles (the first one the default).

    Examples
    --------
    >>> import ntmgis
    >>> from ntmgis.assessment import assess
    >>> ws = ntmgis.load_workspace()
    >>> layers, found = styled_layers(ws, assess(ws), lang="en")
    >>> [(s.field, s.default) for s in found["communes"][:3]]   # the sample has recognitions
    [('level_recog', True), ('level_eval', False), ('target_lvl', False)]
    """
    communes, commune_styles = _communes(workspace, assessment, lang)
    layers: dict[str, gpd.GeoDataFrame] = {"communes": communes}
    found: dict[str, list[LayerStyle]] = {"communes": commune_styles}
    for name, frame in assessment.gap_layers().items():
        layer, style = _gap_layer(name, frame, workspace, assessment, lang)
        layers[name] = layer
        found[name] = [style]
    layers[PROVENANCE] = _provenance(workspace, assessment, lang)
    return layers, found


# --------------------------------------------------------------------------------------------
# Communes
# --------------------------------------------------------------------------------------------


def column_name(prefix: str, code: object) -> str:
    """A short ASCII column name for a criterion or indicator code.

    Examples
    --------
    >>> column_name("v", "17.5"), column_name("s", "KM.1")
    ('v_17_5', 's_km_1')
    """
    stem = re.sub(r"[^0-9a-z]+", "_", str(code).lower()).strip("_")
    return f"{prefix}_{stem}"[:MAX_NAME]


def _style(
    theme: Theme,
    column: str,
    kind: Kind,
    *,
    default: bool = False,
    label_field: str | None = None,
    base: Mapping[str, float | str | bool] | None = None,
) -> LayerStyle:
    return LayerStyle(theme.title, column, tuple(theme.classes), kind, default, label_field, dict(base or {}))


def _communes(
    workspace: Workspace, assessment: Assessment, lang: str
) -> tuple[gpd.GeoDataFrame, list[LayerStyle]]:
    shown = commune_layer(workspace, assessment, lang=lang)
    communes = workspace.layer("communes")
    summary = assessment.communes.set_index("commune_code").reindex(shown.keys)
    themes = {th.id: th for th in shown.themes}
    data: dict[str, object] = {
        "code": list(shown.keys),
        "name": list(communes["name"]),
        "kind": list(communes["kind"]),
        "label": list(shown.label_texts or []),
    }
    for theme_id, column in _COMMUNE_THEMES.items():
        data[column] = list(themes[theme_id].values)
    for source, column in (
        ("recognised_year", "recog_year"),
        ("target_year", "target_year"),
        ("criteria_met", "crit_met"),
        ("criteria_not_met", "crit_not"),
        ("criteria_not_assessed", "crit_na"),
        ("criteria_total", "crit_total"),
        ("gap_" + lang, "gap"),
        ("missing", "missing"),
        ("unverified", "unverified"),
        ("note", "note"),
    ):
        data[column] = summary[source].to_numpy() if source in summary.columns else None
    criterion_themes = [th for th in shown.themes if th.id.startswith("criterion_")]
    for th in criterion_themes:
        data[column_name("c", th.id.removeprefix("criterion_"))] = list(th.values)
    frame = pd.DataFrame(data)
    frame = pd.concat([frame, _indicator_columns(assessment, shown.keys)], axis=1)
    layer = gpd.GeoDataFrame(frame, geometry=list(communes.geometry), crs=communes.crs)
    base = dict(shown.style)
    # The map's first theme opens the layer: recognised with recognitions, else the measured level.
    order = [th for th in shown.themes if th.id in _COMMUNE_THEMES]
    commune_styles = [
        _style(th, _COMMUNE_THEMES[th.id], "polygon", default=i == 0, label_field="label", base=base)
        for i, th in enumerate(order)
    ]
    commune_styles += [
        _style(
            th, column_name("c", th.id.removeprefix("criterion_")), "polygon", label_field="label", base=base
        )
        for th in criterion_themes
    ]
    return layer, commune_styles


def _indicator_columns(assessment: Assessment, codes: Sequence[str]) -> pd.DataFrame:
    """``v_<indicator>`` (value) and ``s_<indicator>`` (verdict) at each commune's target level."""
    table = assessment.indicators.drop_duplicates(["unit_code", "indicator"])
    if not len(table):
        return pd.DataFrame(index=range(len(codes)))
    keys = [str(u) for u in table["unit_code"]]
    table = table.assign(unit_code=keys)
    order = list(dict.fromkeys(table["indicator"]))
    values = table.pivot(index="unit_code", columns="indicator", values="value").reindex(codes)
    status = table.pivot(index="unit_code", columns="indicator", values="status").reindex(codes)
    out: dict[str, object] = {}
    for indicator in order:
        out[column_name("v", indicator)] = pd.to_numeric(values[indicator], errors="coerce").to_numpy()
        out[column_name("s", indicator)] = status[indicator].to_numpy()
    return pd.DataFrame(out)


# --------------------------------------------------------------------------------------------
# Gap layers
# --------------------------------------------------------------------------------------------


def _gap_layer(
    name: str, frame: gpd.GeoDataFrame, workspace: Workspace, assessment: Assessment, lang: str
) -> tuple[gpd.GeoDataFrame, LayerStyle]:
    """A gap layer with its class column and the style of the map layer that shows it."""
    layer = gpd.GeoDataFrame(frame.reset_index(drop=True).copy(), geometry=frame.geometry.name, crs=frame.crs)
    shown = _map_layer(name, workspace, assessment, lang)
    if shown is not None:
        theme = shown.themes[0]
        column = "surface" if name == "segments_to_upgrade" else _CLASS_COLUMN[name]
        layer[column] = list(theme.values)
        style = _style(theme, column, shown.kind, default=True, base=dict(shown.style))
    else:
        layer[_CLASS_COLUMN[name]], style = _own_theme(name, layer, lang)
    if "commune_code" in layer.columns and "commune" not in layer.columns:
        names = dict(
            zip(workspace.layer("communes")["commune_code"], workspace.layer("communes")["name"], strict=True)
        )
        layer.insert(layer.columns.get_loc("commune_code") + 1, "commune", layer["commune_code"].map(names))
    return layer, style


#: The class column of each gap layer (the field its style is categorised on).
_CLASS_COLUMN = {
    "segments_to_upgrade": "surface",
    "canals_to_line": "canal_cls",
    "market_gaps": "reach",
    "villages_without_culture_house": "gap",
    "zones_by_commune": "vietgap_cls",
}


def _map_layer(name: str, workspace: Workspace, assessment: Assessment, lang: str) -> MapLayer | None:
    builders = {
        "segments_to_upgrade": upgrade_layer,
        "market_gaps": market_gap_layer,
        "villages_without_culture_house": culture_house_gap_layer,
    }
    builder = builders.get(name)
    return None if builder is None else builder(workspace, assessment, lang=lang)


def _own_theme(name: str, layer: gpd.GeoDataFrame, lang: str) -> tuple[list[str], LayerStyle]:
    """Class codes and style of a gap layer the web map draws only as part of a bigger layer:
    canal pieces to line (the map's "unlined, commune-managed" class), zones split by commune
    (the map's VietGAP classes)."""
    t = words("map", lang)
    title = words("export", lang)[name]
    if name == "canals_to_line":
        colour, weight = styles.CANAL["unlined_xa"]
        found = [MapClass("unlined_xa", t["unlined_xa"], colour, weight=weight)]
        return ["unlined_xa"] * len(layer), LayerStyle(title, "canal_cls", tuple(found), "line", default=True)
    values = ["vietgap" if v is True else "not_vietgap" for v in layer["vietgap"].astype(object)]
    found = [MapClass(code, t[code], styles.ZONE[code]) for code in ("not_vietgap", "vietgap")]
    base: dict[str, float | str | bool] = {"weight": 1, "fillOpacity": 0.75, "color": "#00441b"}
    return values, LayerStyle(title, "vietgap_cls", tuple(found), "polygon", default=True, base=base)


# --------------------------------------------------------------------------------------------
# Provenance
# --------------------------------------------------------------------------------------------


def _provenance(workspace: Workspace, assessment: Assessment, lang: str) -> gpd.GeoDataFrame:
    """The provenance table: how the results were made, one ``key, label, value`` row each."""
    t = words("export", lang)
    p = assessment.provenance
    rows: list[tuple[str, str]] = [
        ("year", str(p.year)),
        ("as_of", p.as_of.isoformat()),
        ("criteria_sets", p.criteria_sets),
        ("criteria_reason", p.criteria_reason),
        *(("legal_basis", f"{set_id}: {basis}") for set_id, basis in p.legal_bases),
        ("plan", p.plan or ""),
        ("unit_period", p.unit_period or t["unit_period_unknown"]),
        (
            "closing_dates",
            ", ".join(d.isoformat() for d in assessment.closing.dates) if assessment.closing else "",
        ),
        ("market_radius_m", f"{p.market_radius_m:g}"),
        ("unit_costs_assumed", t["yes"] if p.unit_costs_assumed else t["no"]),
        ("sample_note", workspace.note(lang) or ""),
        ("crs", str(workspace.working_crs)),
        ("generator", f"ntmgis {__version__}"),
    ]
    return gpd.GeoDataFrame(
        {
            "key": [k for k, _ in rows],
            "label": [t["key_" + k] for k, _ in rows],
            "value": [v for _, v in rows],
        }
    )
