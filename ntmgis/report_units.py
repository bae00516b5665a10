"""The report's sheets in later units (``ntmgis report --units 2025-07``), from a :class:`UnitsView`.

Five sheets: the new units with their sums (km, ha, households, works and cost) and shares recomputed
from the sums; every old unit beside its new unit with its own statuses (never combined); roads and
canals by class; the segments still to upgrade and canals to line; the new units' measured
infrastructure shares against the 2026–2030 set (its thresholds are null: "ngưỡng chưa có",
unverified). Each sheet's header note says which units it is in.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .labels import LANGUAGES, words
from .units_view import UnitsView
from .vocab import label

__all__ = ["RECUT_SHEET", "UNITS_SHEETS", "unit_kinds", "units_notes", "units_tables", "units_titles"]

#: Sheet keys (CSV file names) of the sheets in later units (``units_recut`` only with the user's polygons).
UNITS_SHEETS = (
    "units_communes",
    "units_constituents",
    "units_networks",
    "units_works",
    "units_2026",
    "units_closing",
)
RECUT_SHEET = "units_recut"


def _w(lang: str) -> Mapping[str, str]:
    return words("units_view", lang)


def _headers(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    headers = words("report_headers", lang)
    return frame.rename(columns={c: headers.get(c, c) for c in frame.columns})


def _in_set(values: pd.Series, lang: str) -> list[str]:
    return [_w(lang)["yes" if bool(v) else "no"] for v in values]


def unit_kinds(values: pd.Series, lang: str) -> list[str]:
    """Unit kinds; a ward (phường, not a commune kind of the vocabulary) from this module's words."""
    return [_w(lang)["kind.phuong"] if k == "phuong" else str(label("commune_kind", k, lang)) for k in values]


def _level(values: pd.Series, lang: str) -> list[object]:
    return [label("ntm_level", v, lang) if isinstance(v, str) else v for v in values]


def _communes(view: UnitsView, lang: str) -> pd.DataFrame:
    u = view.units
    table = pd.DataFrame(
        {
            "commune_code": u["commune_code"],
            "name": u["name"],
            "kind": unit_kinds(u["kind"], lang),
            "units_in_set": _in_set(u["in_commune_set"], lang),
            "units_constituents": u["constituents"],
            "units_n_constituents": u["n_constituents"],
        }
    )
    columns = {
        "population": "population",
        "households": "units_households",
        "villages": "units_villages",
        "road_km": "units_road_km",
        "hardened_km": "units_hardened_km",
        "hardened_share": "units_hardened_share",
        "canal_km": "units_canal_km",
        "lined_km": "units_lined_km",
        "lined_share": "units_lined_share",
        "zone_ha": "units_zone_ha",
        "vietgap_ha": "units_vietgap_ha",
        "works_km": "units_works_km",
        "works_cost_million_vnd": "units_works_cost",
    }
    for source, code in columns.items():
        if source in u.columns:
            table[code] = u[source].to_numpy()
    return _headers(table, lang)


def _constituents(view: UnitsView, lang: str) -> pd.DataFrame:
    c = view.constituents
    table = pd.DataFrame(
        {
            "commune_code": c["commune_code"],
            "name": c["name"],
            "units_in_set": _in_set(c["in_commune_set"], lang),
            "units_old_code": c["old_code"],
            "units_old_name": c["old_name"],
            "units_old_kind": unit_kinds(c["old_kind"], lang),
        }
    )
    for column in ("highest_level", "recognised_level", "target_level"):
        if column in c.columns:
            table[column] = _level(c[column], lang)
    if "recognised_year" in c.columns:
        table["recognised_year"] = c["recognised_year"].to_numpy()
    if "schedule_status" in c.columns:
        status = words("report_codes", lang)
        table["schedule_status"] = [
            status.get(str(s), s) if isinstance(s, str) else s for s in c["schedule_status"]
        ]
    return _headers(table, lang)


def _names(view: UnitsView) -> dict[str, str]:
    return dict(zip(view.units["commune_code"], view.units["name"], strict=True))


def _networks(view: UnitsView, lang: str) -> pd.DataFrame:
    names = _names(view)
    parts = []
    if view.roads is not None:
        roads = view.roads
        parts.append(
            pd.DataFrame(
                {
                    "commune_code": roads["commune_code"],
                    "network": _w(lang)["road"],
                    "units_class": [label("road_class", r, lang) for r in roads["road_class"]],
                    "total_km": roads["total_km"],
                    "done_km": roads["concretized_km"],
                    "share": roads["share"],
                }
            )
        )
    if view.canals is not None:
        canals = view.canals
        parts.append(
            pd.DataFrame(
                {
                    "commune_code": canals["commune_code"],
                    "network": _w(lang)["canal"],
                    "units_class": _w(lang)["canal_class"],
                    "total_km": canals["total_km"],
                    "done_km": canals["lined_km"],
                    "share": canals["share"],
                }
            )
        )
    if not parts:
        return _headers(pd.DataFrame(columns=["commune_code", "name", "network", "units_class"]), lang)
    table = pd.concat(parts, ignore_index=True).sort_values(["commune_code", "network"], kind="stable")
    table.insert(1, "name", table["commune_code"].map(names))
    return _headers(table.reset_index(drop=True), lang)


def _works(view: UnitsView, lang: str) -> pd.DataFrame:
    w = view.works
    classes = [
        label("road_class", c, lang) if n == "road" else label("canal_level", c, lang)
        for n, c in zip(w["network"], w["work_class"], strict=True)
    ]
    table = pd.DataFrame(
        {
            "commune_code": w["commune_code"],
            "name": w["name"],
            "units_old_code": w["old_code"],
            "units_old_name": w["old_name"],
            "network": [_w(lang)[n] for n in w["network"]],
            "segment_id": w["segment_id"],
            "units_work_class": classes,
            "length_km": w["length_km"],
            "cost_million_vnd": w["cost_million_vnd"],
        }
    )
    return _headers(table, lang)


def _closing(view: UnitsView, lang: str) -> pd.DataFrame:
    """The 2021–2025 closing account in the new units: each new unit's old communes side by side,
    each with its own verdict (never combined)."""
    c = view.closing
    if c is None or not len(c):
        return _headers(pd.DataFrame(columns=["as_of", "commune_code", "name", "units_old_code"]), lang)
    closing_words = words("closing", lang)
    table = pd.DataFrame(
        {
            "as_of": [d.isoformat() for d in c["as_of"]],
            "commune_code": c["commune_code"],
            "name": c["name"],
            "units_in_set": _in_set(c["in_commune_set"], lang),
            "units_old_code": c["old_code"],
            "units_old_name": c["old_name"],
            "measure": _level(c["level"], lang),
            "plan_year": pd.to_numeric(c["plan_year"], errors="coerce").astype("Int64"),
            "recognised_level": _level(c["recognised_level"], lang),
            "recognised_year": pd.to_numeric(c["recognised_year"], errors="coerce").astype("Int64"),
            "decision": c["decision"],
            "verdict": [closing_words.get(str(v), v) if isinstance(v, str) else v for v in c["verdict"]],
        }
    )
    return _headers(table, lang)


def _label_group(group: object, lang: str) -> str:
    """A commune group code (``nhom_2``) as words ("Nhóm 2"); none: an empty cell."""
    if not isinstance(group, str) or not group:
        return ""
    return _w(lang)["group"].format(number=group.rsplit("_", 1)[-1])


def _threshold_text(threshold: float, overridden: bool, source: object, lang: str) -> str:
    """The threshold in words: not set, the number, or the user's own with its source text."""
    if pd.isna(threshold):
        return _w(lang)["threshold_not_set"]
    if overridden:
        return _w(lang)["threshold_user"].format(value=f"{threshold:g} %", source=source)
    return f"{threshold:g} %"


def _next_set(view: UnitsView, lang: str) -> pd.DataFrame:
    i = view.indicators
    if not len(i):
        return _headers(pd.DataFrame(columns=["commune_code", "name", "indicator"]), lang)
    names = _names(view)
    in_set = dict(zip(view.units["commune_code"], view.units["in_commune_set"], strict=True))
    table = pd.DataFrame(
        {
            "commune_code": i["commune_code"],
            "name": i["commune_code"].map(names),
            "units_in_set": _in_set(i["commune_code"].map(in_set), lang),
            "indicator": i["indicator"],
            "indicator_name": i[f"name_{lang}"],
            "done_km": i["done_km"],
            "total_km": i["total_km"],
            "share": i["share"],
            "units_group": [_label_group(g, lang) for g in i["commune_group"]],
            "units_threshold": [
                _threshold_text(t, o, src, lang)
                for t, o, src in zip(i["threshold"], i["overridden"], i["source"], strict=True)
            ],
            "units_status": [
                _w(lang)["outside_set"] if v == "not_applicable" else words("report_codes", lang).get(v, v)
                for v in i["status"].astype(str)
            ],
            "verified": i["verified"],
            "criteria_set": i["criteria_set"],
            "source": i["source_vi" if lang == "vi" and "source_vi" in i else "source"],
        }
    )
    return _headers(table.sort_values(["commune_code", "indicator"], kind="stable", ignore_index=True), lang)


def _recut(view: UnitsView, lang: str) -> pd.DataFrame:
    r = view.recut
    assert r is not None
    table = pd.DataFrame(
        {
            "commune_code": r["commune_code"],
            "name": r["commune_code"].map(_names(view)),
            "units_quantity": [words("report_headers", lang)[f"units_{q}"] for q in r["quantity"]],
            "units_rolled_up": r["rolled_up"],
            "units_recut": r["recut"],
            "units_difference": r["difference"],
            "units_relative": r["relative"],
            "units_over_tolerance": [_w(lang)["over" if o else "within"] for o in r["over_tolerance"]],
        }
    )
    return _headers(table, lang)


def units_tables(view: UnitsView, *, lang: str = "vi") -> dict[str, pd.DataFrame]:
    """The sheets in later units, keyed as :data:`UNITS_SHEETS` (display headers in ``lang``).

    Examples
    --------
    >>> import ntmgis
    >>> from ntmgis.assessment import assess
    >>> from ntmgis.crosswalk import packaged_crosswalk
    >>> from ntmgis.units_view import rolled_up
    >>> ws = ntmgis.load_workspace()
    >>> view = rolled_up(assess(ws), packaged_crosswalk(), to="2025-07", communes=ws.layer("communes"))
    >>> tables = units_tables(view, lang="en")
    >>> len(tables["units_communes"]), len(tables["units_constituents"])
    (6, 22)
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, not {lang!r}")
    tables = {
        "units_communes": _communes(view, lang),
        "units_constituents": _constituents(view, lang),
        "units_networks": _networks(view, lang),
        "units_works": _works(view, lang),
        "units_2026": _next_set(view, lang),
        "units_closing": _closing(view, lang),
    }
    if view.recut is not None:
        tables[RECUT_SHEET] = _recut(view, lang)
    return tables


def _keys(view: UnitsView) -> tuple[str, ...]:
    return (*UNITS_SHEETS, RECUT_SHEET) if view.recut is not None else UNITS_SHEETS


def units_titles(view: UnitsView, *, lang: str = "vi") -> dict[str, str]:
    """Sheet titles (≤ 31 characters) naming the later period."""
    return {key: _w(lang)[f"sheet.{key}"].format(period=view.to_period)[:31] for key in _keys(view)}


def units_notes(view: UnitsView, *, lang: str = "vi", note: str | None = None) -> dict[str, str]:
    """The header note of each sheet in later units: which units, from which, by which crosswalk."""
    said = _w(lang)["note"].format(
        period=view.to_period, start=view.from_period, file=Path(view.crosswalk_file).name
    )
    return {key: f"{note} · {said}" if note else said for key in _keys(view)}
