"""Small lookups shared by the planner's layer and panel builders (:mod:`ntmgis.maps.layers`,
:mod:`ntmgis.maps.panels`): cell text, column access, legend classes, distances and values as text."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import pandas as pd

from ..labels import words
from ..values import is_missing
from ..vocab import label, vocabulary
from .page import Kind, MapClass, format_number
from .styles import OTHER_CLASS


def ui(lang: str) -> Mapping[str, str]:
    """The map's interface words (``catalogue/map.yaml``) in ``lang``."""
    return words("map", lang)


def area_kind(geometry: gpd.GeoSeries) -> Kind:
    """``"point"`` for a layer of places only, else ``"polygon"``: villages may be points,
    polygons or both (``contracts.yaml``), and the page draws each feature as what it is.

    Examples
    --------
    >>> import shapely
    >>> area_kind(gpd.GeoSeries([shapely.Point(0, 0), None]))
    'point'
    >>> area_kind(gpd.GeoSeries([shapely.Point(0, 0), shapely.box(0, 0, 1, 1)]))
    'polygon'
    """
    present = geometry[geometry.notna() & ~geometry.is_empty]
    return "point" if len(present) and bool((present.geom_type == "Point").all()) else "polygon"


def cell(value: object) -> str | None:
    """``value`` as stripped text, ``None`` when missing."""
    return None if is_missing(value) else str(value).strip()


def whole(value: object) -> int | None:
    """``value`` as an int, ``None`` when missing."""
    return None if is_missing(value) else int(value)  # type: ignore[call-overload]


def column(frame: pd.DataFrame, name: str) -> list[Any]:
    """The values of ``frame[name]``, or ``None`` per row when the optional column is absent."""
    return list(frame[name]) if name in frame.columns else [None] * len(frame)


def lookup(frame: pd.DataFrame | None, key: str, name: str) -> dict[str, Any]:
    """``{str(key): name}`` of ``frame`` (empty when the frame or column is absent)."""
    if frame is None or frame.empty or name not in frame.columns:
        return {}
    return {str(k): v for k, v in zip(frame[key], frame[name], strict=True)}


def classes(values: Iterable[str], known: Sequence[MapClass]) -> list[MapClass]:
    """``known`` classes plus any code the data has that they do not name (drawn grey, never
    dropped: a new status code must show, not vanish)."""
    codes = {c.code for c in known}
    extra = sorted({v for v in values if v not in codes})
    return [*known, *(MapClass(code, code, OTHER_CLASS) for code in extra)]


def vocab_classes(vocab: str, colours: Mapping[str, str], lang: str, **extra: Any) -> list[MapClass]:
    """One class per code of vocabulary ``vocab`` that has a colour, in vocabulary order."""
    return [
        MapClass(code, label(vocab, code, lang), colours.get(code, OTHER_CLASS), **extra)
        for code in vocabulary()[vocab]
        if code in colours
    ]


def vocab_labels(vocab: str, lang: str) -> dict[str, str]:
    """``{code: label}`` of vocabulary ``vocab``."""
    return {k: label(vocab, k, lang) for k in vocabulary()[vocab]}


def km(metres: float, lang: str) -> str:
    """``2000`` m as ``"2,0 km"`` (vi) / ``"2.0 km"`` (en)."""
    return f"{format_number(metres / 1000.0, lang, 1)} km"


def unit_text(unit: str | None, lang: str) -> str:
    """The unit written after a value; shares carry their own ``%``."""
    if not unit or unit == "share":
        return ""
    return ui(lang).get(f"unit:{unit}", unit)


def value_text(value: object, unit: str | None, lang: str) -> str:
    """A plan or sector value as the map writes it (``"62,5 %"``, ``"1.200 triệu đồng"``, ``"2–3"``)."""
    if is_missing(value):
        return "–"
    if isinstance(value, (tuple, list)):
        return "–".join(value_text(v, unit, lang) for v in value).replace(f" {unit_text(unit, lang)}–", "–")
    if isinstance(value, str):
        return value
    number = float(value)  # type: ignore[arg-type]
    if unit == "share":
        return f"{format_number(number * 100, lang, 1).removesuffix(',0').removesuffix('.0')} %"
    decimals = 0 if number.is_integer() else 1
    text = format_number(number, lang, decimals)
    return f"{text} {unit_text(unit, lang)}".strip()


def target_text(row: Mapping[str, Any], lang: str) -> str:
    """A target with its operator: ``"≥ 60 %"``; ranges as written (``"400–500 triệu đồng"``)."""
    target = row.get("target")
    if not isinstance(target, (tuple, list)) and is_missing(target):
        return "–"
    if isinstance(target, str) and "–" in target:  # a range already written "400–500"
        return f"{target} {unit_text(row.get('unit'), lang)}".strip()
    # "==", "=" and "between" have no entry: no operator is written.
    op = ui(lang).get(f"op:{row.get('op')}", "")
    return op + value_text(target, row.get("unit"), lang)
