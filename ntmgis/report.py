"""Reports of an assessment: an XLSX workbook and the same tables as CSV files.

:func:`report_tables` turns an :class:`~ntmgis.assessment.Assessment` into display
tables with Vietnamese (default) or English headers and labels; :func:`write_report` writes them
as one workbook (atomically: a temporary file in the same folder, then a rename) and as CSV files
in a sibling folder ``<name>_csv/`` (UTF-8 with BOM, so that Excel shows Vietnamese correctly).

Sheets: about (sets, year, legend), communes × criteria (``Đ`` met, ``✗`` not met with the gap,
``–`` not assessed), indicators at the target level, progress against the plan by year, sector
targets, model villages, cross-check findings, roads and canals by commune (km, share, the
criterion's threshold), segments to upgrade with their assumed cost, villages out of reach of a
market, production zones, unverified thresholds and data problems. When the
workspace is the illustrative sample, its note heads every sheet (and is a column of every CSV).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .assessment import Assessment
from .codes import MET, NOT_MET, criterion_sort_key
from .district import district_kind
from .io import write_bytes_atomic
from .io.safe_text import safe_cells, safe_csv_frame
from .io.table_layout import layout
from .io.xlsx import Sheet, workbook_bytes
from .labels import LANGUAGES, text, words
from .problems import ProblemReport, feature_words, layer_word
from .report_closing import closing_sheet
from .units_view import UnitsView
from .values import is_missing
from .vocab import label
from .workspace import Workspace

__all__ = ["ReportFiles", "SHEETS", "SYMBOLS", "report_tables", "write_report", "write_tables"]

#: Cell symbols of the communes × criteria sheet.
SYMBOLS = {"met": "Đ", "not_met": "✗", "not_assessed": "–", "not_applicable": ""}

#: Sheet keys (CSV file names) and titles (≤ 31 characters, Excel's limit), from the label catalogue.
SHEETS: Mapping[str, Mapping[str, str]] = {
    key: {lang: words("report_sheets", lang)[key] for lang in LANGUAGES} for key in words("report_sheets")
}
_LEVEL_COLUMNS = ("highest_level", "recognised_level", "target_level", "level")
_FILLS = {"met": "C6EFCE", "not_met": "FFC7CE", "not_assessed": "EDEDED"}


@dataclass(frozen=True)
class ReportFiles:
    """What :func:`write_report` wrote."""

    xlsx: Path
    csv_files: tuple[Path, ...]


def _t(code: object, lang: str) -> object:
    """Display label of a status / method code (the code itself when unknown)."""
    if not isinstance(code, str):
        return code
    return words("report_codes", lang).get(code, code)


def _unit(unit: object, lang: str) -> object:
    """Display word of an indicator's or target's unit (``pass/fail`` → ``đạt/không đạt``)."""
    if not isinstance(unit, str):
        return unit
    return words("report_units", lang).get(unit, unit)


def _target(code: object, lang: str) -> object:
    """Display name of a plan target id (``keep_ntm_share`` → ``Xã duy trì đạt chuẩn NTM``)."""
    return label("plan_target", code, lang) if isinstance(code, str) and code else code


def _level(code: object, lang: str) -> object:
    if not isinstance(code, str) or not code:
        return code
    return label("ntm_level", code, lang)


def _yes_no(value: object, lang: str) -> object:
    if is_missing(value):
        return None
    return _t(MET if bool(value) else NOT_MET, lang)


def _has(value: object, lang: str) -> object:
    if is_missing(value):
        return None
    return _w(lang)["yes" if bool(value) else "no"]


def _in_lang(table: pd.DataFrame, column: str, lang: str) -> pd.Series:
    """A free-text column in the sheet's language: ``column`` is English, ``column_vi`` Vietnamese."""
    return table[f"{column}_vi"] if lang == "vi" and f"{column}_vi" in table else table[column]


def _w(lang: str) -> Mapping[str, str]:
    return words("report", lang)


def _headers(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    headers = words("report_headers", lang)
    return frame.rename(columns={c: headers[c] for c in frame.columns if c in headers})


def _communes_sheet(assessment: Assessment, lang: str) -> pd.DataFrame:
    summary = assessment.communes
    criteria = assessment.criteria
    columns = sorted(criteria["criterion"].unique(), key=criterion_sort_key) if len(criteria) else []
    cells = {}
    for row in criteria.to_dict("records"):
        symbol = SYMBOLS[row["status"]]
        gap = row[f"gap_{lang}"]
        cells[(row["unit_code"], row["level"], row["criterion"])] = f"{symbol} {gap}" if gap else symbol
    rows = []
    for commune in summary.to_dict("records"):
        code = commune["commune_code"]
        kind, highest = commune["kind"], commune["highest_level"]
        record: dict[str, object] = {
            "commune_code": code,
            "name": commune["name"],
            "kind": label("commune_kind", kind, lang) if isinstance(kind, str) else kind,
            "highest_level": _level(highest, lang)
            if isinstance(highest, str)
            else (_t("not_assessed", lang) if commune["assessed"] else None),
            "recognised_level": _level(commune["recognised_level"], lang),
            "target_level": _level(commune["target_level"], lang),
            "target_year": commune["target_year"],
            "schedule_status": _t(commune["schedule_status"], lang),
            "criteria_met": commune["criteria_met"],
            "criteria_total": commune["criteria_total"],
        }
        for criterion in columns:
            if not commune["assessed"]:
                record[criterion] = ""
            else:
                record[criterion] = cells.get(
                    (code, commune["target_level"], criterion),
                    "" if commune["note"] == "" else SYMBOLS["not_assessed"],
                )
        record["gap"] = commune[f"gap_{lang}"]
        unverified = commune["unverified"]
        record["unverified"] = (
            f"{unverified} ({_w(lang)['unverified_note']})"
            if isinstance(unverified, str) and unverified
            else ""
        )
        record["note"] = commune["note_vi" if lang == "vi" else "note"]
        rows.append(record)
    frame = pd.DataFrame(rows)
    if len(frame):
        for column in ("target_year", "criteria_met", "criteria_total"):
            frame[column] = pd.array([None if pd.isna(v) else int(v) for v in frame[column]], dtype="Int64")
    return _headers(frame, lang) if len(frame) else frame


def _indicators_sheet(assessment: Assessment, lang: str) -> pd.DataFrame:
    table = assessment.indicators
    # A criterion reported as a whole ("Đạt" for criterion 2) decides without its indicators:
    # show its verdict beside them so that "not assessed" indicators do not read as failures.
    criteria = assessment.criteria.set_index(["unit_code", "level", "criterion"])["status"].to_dict()
    criterion_status = [
        criteria.get(key)
        for key in zip(table["unit_code"], table["target_level"], table["criterion"], strict=True)
    ]
    frame = pd.DataFrame(
        {
            "unit_code": table["unit_code"],
            "target_level": table["target_level"].map(lambda v: _level(v, lang)),
            "criterion": table["criterion"],
            "indicator": table["indicator"],
            "indicator_name": table["short_" + lang],
            "value": table["value"],
            "unit": table["unit"].map(lambda v: _unit(v, lang)),
            "op": table["op"].map(lambda v: _t(v, lang)),
            "threshold": table["threshold"],
            "met": table["status"].map(lambda v: _t(v, lang)),
            "criterion_result": [_t(v, lang) for v in criterion_status],
            "method": table["method"].map(lambda v: _t(v, lang)),
            "source": _in_lang(table, "source", lang),
            "verified": [
                _w(lang)["checked"] if v else _w(lang)["unverified_note"] for v in table["verified"]
            ],
            "criteria_set": table["criteria_set"],
            "year": table["year"],
            "status_year": table["status_year"],
            "gap": table[f"gap_{lang}"],
            "note": _in_lang(table, "note", lang),
        }
    )
    return _headers(frame, lang)


def _no_plan_rows(
    columns: Sequence[str], lang: str, *, keys: Sequence[str] = ("no_plan", "no_plan_detail")
) -> pd.DataFrame:
    """A plan-only sheet with nothing to show (no plan, no targets): says why in its first column."""
    message = [text(f"common.{key}", lang) for key in keys]
    return pd.DataFrame({columns[0]: message}, columns=list(columns))


def _progress_sheet(assessment: Assessment, lang: str) -> pd.DataFrame:
    frame = assessment.progress.rename(columns={"year": "plan_year"})
    if not assessment.has_plan:
        return _headers(_no_plan_rows(list(frame.columns), lang), lang)
    frame["measure"] = frame["measure"].map(lambda v: _t(v, lang))
    frame["status"] = frame["status"].map(lambda v: _t(v, lang))
    return _headers(frame, lang)


def _sectors_sheet(assessment: Assessment, lang: str, unit_word: str) -> pd.DataFrame:
    if not assessment.has_plan or assessment.sectors.empty:
        columns = [c for c in assessment.sectors.columns if c != "value_unit"]
        keys = ("no_plan", "no_plan_detail") if not assessment.has_plan else ("plan_no_targets",)
        return _headers(_no_plan_rows(columns, lang, keys=keys), lang)
    frame = assessment.sectors.copy()
    # The plan's district targets are named after the unit ("Thị xã NTM nâng cao"), not "Huyện".
    own = {
        "district": unit_word,
        "district_nang_cao": words("district", lang)["nang_cao"].format(
            unit=unit_word, unit_lower=unit_word.lower()
        ),
    }
    frame["group"] = frame["group"].map(lambda v: own.get(v) or _t(v, lang))
    frame["status"] = frame["status"].map(lambda v: _t(v, lang))
    frame["met"] = frame["met"].map(lambda v: _yes_no(v, lang))
    for column, display in (("unit", _unit), ("op", _t), ("value_source", _t), ("target_id", _target)):
        if column in frame:
            frame[column] = frame[column].map(lambda v, display=display: display(v, lang))
    frame = frame.drop(columns=["value_unit"])
    return _headers(frame, lang)


def _villages_sheet(assessment: Assessment, lang: str) -> pd.DataFrame:
    frame = assessment.villages.copy()
    frame["kind"] = frame["kind"].map(lambda v: label("village_kind", v, lang) if isinstance(v, str) else v)
    for column in ("status", "schedule_status"):
        frame[column] = frame[column].map(lambda v: _t(v, lang))
    frame["model_village"] = frame["model_village"].map(lambda v: _yes_no(v, lang))
    frame["note"] = frame["note"].map(lambda v: _t(v, lang))  # a note code (not_a_thon)
    frame["gap"] = frame[f"gap_{lang}"]
    frame = frame.drop(columns=["gap_vi", "gap_en", "assessed"])
    return _headers(frame, lang)


def _cross_check_sheet(assessment: Assessment, lang: str) -> pd.DataFrame:
    table = assessment.cross_check
    names = dict(zip(assessment.communes["commune_code"], assessment.communes["name"], strict=True))
    frame = pd.DataFrame(
        {
            "unit_code": table["unit_code"],
            "name": table["unit_code"].map(names),
            "level": table["level"].map(lambda v: _level(v, lang)),
            "criterion": table["criterion"],
            "indicator": table["indicator"],
            "reported_at": table["reported_at"].map(lambda v: _t(v, lang)),
            "reported_met": table["reported_met"].map(lambda v: _yes_no(v, lang)),
            "measured_value": table["measured_value"],
            "unit": table["unit"].map(lambda v: _unit(v, lang)),
            "threshold": table["threshold"],
            "measured_met": table["measured_met"].map(lambda v: _yes_no(v, lang)),
            "verified": [
                _w(lang)["checked"] if v else _w(lang)["unverified_note"] for v in table["verified"]
            ],
            "finding": table[f"finding_{lang}"],
        }
    )
    return _headers(frame, lang)


def _networks_sheet(assessment: Assessment, lang: str) -> pd.DataFrame:
    columns = [
        "commune_code",
        "name",
        "network",
        "road_class",
        "total_km",
        "done_km",
        "share",
        "indicator",
        "target_level",
        "op",
        "threshold",
        "verified",
        "indicator_share",
        "met",
    ]
    names = dict(zip(assessment.communes["commune_code"], assessment.communes["name"], strict=True))
    frames = []
    for network in ("roads", "canals"):
        table = assessment.coverage(network)
        if table.empty:
            continue
        done = "concretized_km" if network == "roads" else "lined_km"
        frames.append(
            pd.DataFrame(
                {
                    "commune_code": table["commune_code"],
                    "name": table["commune_code"].map(names),
                    "network": _w(lang)[f"network_{network}"],
                    "road_class": table["road_class"].map(lambda v: label("road_class", v, lang))
                    if network == "roads"
                    else _w(lang)["commune_canals"],
                    "total_km": table["total_km"],
                    "done_km": table[done],
                    "share": table["share"],
                    "indicator": table["indicator"],
                    "target_level": table["target_level"].map(lambda v: _level(v, lang)),
                    "op": table["op"],
                    "threshold": table["threshold"],
                    "verified": [
                        None if pd.isna(t) else _w(lang)["checked"] if v else _w(lang)["unverified_note"]
                        for t, v in zip(table["threshold"], table["verified"], strict=True)
                    ],
                    "indicator_share": table["indicator_share"],
                    "met": table["indicator_status"].map(lambda v: _t(v, lang)),
                }
            )
        )
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    return _headers(frame[columns], lang)


_UPGRADE_VOCABS = (("road_class", "road_class"), ("surface", "surface"), ("target_surface", "surface"))


def _upgrade_sheet(assessment: Assessment, lang: str, unit_word: str) -> pd.DataFrame:
    columns = [
        "commune_code",
        "segment_id",
        "road_class",
        "surface",
        "length_km",
        "target_surface",
        "million_vnd_per_km",
        "cost_million_vnd",
        "cost_assumption",
    ]
    layer, totals = assessment.segments_to_upgrade, assessment.upgrade_totals
    if layer is None or totals is None:
        return _headers(pd.DataFrame(columns=columns), lang)
    frame = pd.DataFrame(layer.drop(columns=layer.geometry.name))[columns]
    assumption = _w(lang)["cost_assumption"]
    frame["cost_assumption"] = frame["cost_assumption"].map(lambda v: assumption if v else "")
    frame = frame.sort_values(["commune_code", "road_class", "segment_id"], kind="stable")
    # Totals per commune and class (the analysis's) close each commune's block, then the district total.
    totals = totals[["commune_code", "road_class", "length_km", "cost_million_vnd"]].copy()
    for table in (frame, totals):
        for column, vocab in (
            ("road_class", "road_class"),
            ("surface", "surface"),
            ("target_surface", "surface"),
        ):
            if column in table:
                table[column] = table[column].map(
                    lambda v, vocab=vocab: label(vocab, v, lang) if isinstance(v, str) else v
                )
    totals["segment_id"] = _w(lang)["total"]
    district = pd.DataFrame(
        [
            {
                "commune_code": unit_word,
                "segment_id": _w(lang)["grand_total"],
                "length_km": frame["length_km"].sum(),
                "cost_million_vnd": frame["cost_million_vnd"].sum(),
            }
        ]
    )
    frame = pd.concat([frame, totals, district], ignore_index=True).reindex(columns=columns)
    order = (
        frame["commune_code"].astype(str)
        + "|"
        + frame["road_class"].fillna("~").astype(str)
        + "|"
        + frame["segment_id"].eq(_w(lang)["total"]).map({True: "1", False: "0"})
    )
    frame = frame.iloc[order.argsort(kind="stable")]
    return _headers(frame.reset_index(drop=True), lang)


def _reach_sheet(assessment: Assessment, lang: str) -> pd.DataFrame:
    columns = [
        "commune_code",
        "name",
        "village_id",
        "village_name",
        "population",
        "network_m",
        "network_target",
        "straight_m",
        "straight_target",
        "snap_m",
        "status",
        "radius_m",
        "assumption",
    ]
    layer = assessment.market_gaps
    if layer is None:
        return _headers(pd.DataFrame(columns=columns), lang)
    frame = pd.DataFrame(layer.drop(columns=layer.geometry.name)).copy()
    names = dict(zip(assessment.communes["commune_code"], assessment.communes["name"], strict=True))
    villages = assessment.villages
    village_names = (
        dict(zip(villages["village_id"].astype(str), villages["name"], strict=False)) if len(villages) else {}
    )
    frame["name"] = frame["commune_code"].astype(str).map(names)
    frame["village_name"] = frame["village_id"].astype(str).map(village_names)
    frame["assumption"] = _w(lang)["radius_assumption"] + _network_warning(assessment, lang)
    frame["status"] = frame["status"].map(lambda v: _t(v, lang))
    frame = frame[columns].sort_values(["commune_code", "village_id"], kind="stable")
    return _headers(frame, lang)


def _network_warning(assessment: Assessment, lang: str) -> str:
    """``"; <warning>"`` when reach ran on a road network that is not connected, else ``""``."""
    pieces = assessment.reach_network_pieces()
    if pieces is None or pieces <= 1:
        return ""
    return "; " + text("network.reach_warning", lang, pieces=pieces)


def _zones_sheet(workspace: Workspace | None, assessment: Assessment, lang: str) -> pd.DataFrame:
    columns = [
        "zone_id",
        "name",
        "crop",
        "vietgap",
        "growing_area_code",
        "area_ha",
        "communes_ha",
        "overlaps",
    ]
    areas_table, by_commune = assessment.zones, assessment.zones_by_commune
    overlaps = assessment.zone_overlaps
    if (
        areas_table is None
        or by_commune is None
        or overlaps is None
        or workspace is None
        or not workspace.has_layer("production_zones")
    ):
        return _headers(pd.DataFrame(columns=columns), lang)
    zones = workspace.layer("production_zones")  # names, crops, codes: attributes only
    areas = areas_table.set_index("zone_id")["area_ha"]
    split = (
        by_commune.dropna(subset=["commune_code"])
        .groupby("zone_id")[["commune_code", "area_ha"]]
        .apply(
            lambda g: "; ".join(f"{c}: {a:.2f}" for c, a in zip(g["commune_code"], g["area_ha"], strict=True))
        )
    )
    partner: dict[str, list[str]] = {}
    for r in overlaps.itertuples():
        partner.setdefault(r.zone_id_a, []).append(f"{r.zone_id_b} ({r.overlap_ha:.2f} ha)")
        partner.setdefault(r.zone_id_b, []).append(f"{r.zone_id_a} ({r.overlap_ha:.2f} ha)")
    ids = zones["zone_id"].astype(str)
    frame = pd.DataFrame(
        {
            "zone_id": ids,
            "name": zones["name"] if "name" in zones else None,
            "crop": zones["crop"].map(lambda v: label("crop", v, lang) if isinstance(v, str) else v),
            "vietgap": zones["vietgap"].map(lambda v: _has(v, lang)),
            "growing_area_code": zones["growing_area_code"] if "growing_area_code" in zones else None,
            "area_ha": ids.map(areas),
            "communes_ha": ids.map(split),
            "overlaps": ids.map(lambda z: ", ".join(partner.get(z, []))),
        }
    )
    sectors = assessment.sectors.set_index("target_id")
    summary = []
    titles = {
        "vietgap_concentrated_zone_ha": _w(lang)["vietgap_area"],
        "zones_with_growing_area_code": _w(lang)["zones_with_code"],
    }
    for target_id, title in titles.items():
        if target_id in sectors.index:
            r = sectors.loc[target_id]
            value = "–" if pd.isna(r["value"]) else f"{r['value']:.1f}"
            summary.append(
                {
                    "zone_id": _unit_word(workspace, lang),
                    "name": f"{title}: {value} / {_t(r['op'], lang)} {r['target']}",
                    "vietgap": _t(r["status"], lang),
                }
            )
    frame = pd.concat([frame, pd.DataFrame(summary, columns=columns)], ignore_index=True)
    return _headers(frame[columns], lang)


def _unverified_sheet(assessment: Assessment, lang: str) -> pd.DataFrame:
    table = assessment.unverified_thresholds
    frame = pd.DataFrame(
        {
            "criteria_set": table["criteria_set"],
            "level": table["level"].map(lambda v: _level(v, lang)),
            "criterion": table["criterion"],
            "indicator": table["indicator"],
            "indicator_name": table["name_" + lang],
            "op": table["op"].map(lambda v: _t(v, lang)),
            "threshold": table["threshold"],
            "unit": table["unit"].map(lambda v: _unit(v, lang)),
            "source": _in_lang(table, "source", lang),
            "threshold_note": _in_lang(table, "threshold_note", lang),
            "overridden": table["overridden"].map(lambda v: _yes_no(v, lang) if v else ""),
            "used_for": table["used_for"],
            "flag": [_w(lang)["unverified_note"] if v else "" for v in table["flag"]],
        }
    )
    return _headers(frame, lang)


def _problems_sheet(workspace: Workspace | None, assessment: Assessment, lang: str) -> pd.DataFrame:
    """One row per kind of problem (count, a few examples, the fix), errors first.

    Never one row per feature: a district's labels read as codes would be tens of thousands of rows.
    Every row is kept by ``ntmgis validate --out problems.csv``.
    """
    found = workspace.problems if workspace is not None else ProblemReport()
    frame = (found + assessment.problems).kinds(lang)
    frame["severity"] = frame["severity"].map(lambda v: _t(v, lang))
    frame["layer"] = frame["layer"].map(lambda v: layer_word(str(v), lang))
    frame["examples"] = frame["examples"].map(lambda v: feature_words(str(v), lang))
    return _headers(frame.rename(columns={"count": "problem_count"}), lang)


def _unit_word(workspace: Workspace | None, lang: str) -> str:
    """The word of the unit the workspace covers ("Huyện", "Thị xã", "Các xã"...)."""
    district = getattr(workspace, "district", None)
    if district is None:
        return _w(lang)["district"]
    return words("district", lang)[f"word_{district_kind(district)}"]


def _about_sheet(workspace: Workspace | None, assessment: Assessment, lang: str) -> pd.DataFrame:
    provenance = assessment.provenance
    w = _w(lang)
    items = [
        (_unit_word(workspace, lang), getattr(workspace, "name", "") if workspace is not None else ""),
        (w["about_unit_period"], provenance.unit_period or w["about_unit_period_unknown"]),
        (w["about_sets"], "; ".join(f"{set_id}: {basis}" for set_id, basis in provenance.legal_bases)),
        (w["about_choice"], f"{_t(provenance.criteria_reason, lang)} ({provenance.as_of.isoformat()})"),
        (w["about_year"], provenance.year),
        (w["about_region"], provenance.region or ""),
        *(
            [
                (w["about_plan"], text("common.no_plan", lang)),
                (w["about_year_source"], w[f"year_source.{provenance.year_source}"]),
            ]
            if provenance.plan is None
            else []
        ),
        (w["about_prefer"], w[f"prefer_{provenance.prefer}"]),
        (w["about_legend"], w["legend"]),
        (w["about_unverified"], w["unverified_explained"]),
        (w["about_costs"], w["costs_explained"]),
        (w["about_radius"], w["radius_explained"].format(radius=f"{assessment.market_radius_m:.0f}")),
    ]
    return _headers(pd.DataFrame(items, columns=["key", "value"]), lang)


def report_tables(
    workspace: Workspace | None, assessment: Assessment, *, lang: str = "vi"
) -> dict[str, pd.DataFrame]:
    """The report's tables, with display headers and labels, keyed as :data:`SHEETS`.

    Parameters
    ----------
    workspace : Workspace or None
        For the district name, the sample note and ``workspace.problems``.
    assessment : ntmgis.assessment.Assessment
    lang : {"vi", "en"}

    Returns
    -------
    dict of str to DataFrame
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, not {lang!r}")
    if not isinstance(assessment, Assessment):
        raise TypeError(f"report an Assessment (ntmgis.assessment.assess), not {type(assessment).__name__}")
    return {
        "about": _about_sheet(workspace, assessment, lang),
        "communes": _communes_sheet(assessment, lang),
        "indicators": _indicators_sheet(assessment, lang),
        "progress": _progress_sheet(assessment, lang),
        "sectors": _sectors_sheet(assessment, lang, _unit_word(workspace, lang)),
        "villages": _villages_sheet(assessment, lang),
        "cross_check": _cross_check_sheet(assessment, lang),
        "networks": _networks_sheet(assessment, lang),
        "upgrade": _upgrade_sheet(assessment, lang, _unit_word(workspace, lang)),
        "reach": _reach_sheet(assessment, lang),
        "zones": _zones_sheet(workspace, assessment, lang),
        "unverified": _unverified_sheet(assessment, lang),
        "problems": _problems_sheet(workspace, assessment, lang),
        "closing": _headers(closing_sheet(workspace, assessment, lang=lang), lang),
    }


def _rows(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    """The frame's rows as cell values (:func:`~ntmgis.io.safe_text.safe_cells`), column by column."""
    columns = []
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        values = column.tolist()
        numpy = isinstance(column.dtype, np.dtype)  # extension dtypes (Int64, string) hold pd.NA
        if numpy and column.dtype.kind == "f":  # Python floats already: only NaN becomes an empty cell
            columns.append([None if v != v else v for v in values])
        elif numpy and column.dtype.kind in "iub":  # Python ints and bools already
            columns.append(values)
        else:
            columns.append(safe_cells(values))
    return list(zip(*columns, strict=True)) if columns else [() for _ in range(len(frame))]


def _fill(value: object) -> str | None:
    """The fill colour of a communes × criteria cell (by its leading symbol), or None."""
    if not isinstance(value, str) or not value:
        return None
    status = next((s for s, sym in SYMBOLS.items() if sym and value.startswith(sym)), None)
    return _FILLS.get(status) if status is not None else None


def _workbook(
    tables: Mapping[str, pd.DataFrame],
    *,
    titles: Mapping[str, str],
    note: str | None,
    lang: str,
    notes: Mapping[str, str] | None = None,
) -> bytes:
    sheets = []
    for key, frame in tables.items():
        header = [str(h) for h in frame.columns]
        spec = layout(key, header, lang)
        sheets.append(
            Sheet(
                title=titles[key],
                header=header,
                rows=_rows(frame),
                note=(notes or {}).get(key, note) or None,
                fill=_fill if key == "communes" else None,
                formats=spec.formats,
                frozen_columns=spec.frozen_columns,
                empty=spec.empty,
            )
        )
    return workbook_bytes(sheets)


def write_report(
    workspace: Workspace | None,
    assessment: Assessment,
    out_path: str | os.PathLike[str],
    *,
    lang: str = "vi",
    csv: bool = True,
    units: UnitsView | None = None,
) -> ReportFiles:
    """Write the assessment as an XLSX workbook (atomically) and as CSV files beside it.

    Parameters
    ----------
    workspace : Workspace or None
        Gives the district name, the sample note (on every sheet when ``workspace.sample``) and
        ``workspace.problems`` for the data-problems sheet.
    assessment : ntmgis.assessment.Assessment
        From :func:`ntmgis.assessment.assess`.
    out_path : path-like
        The workbook, ``*.xlsx``. CSV files go to ``<stem>_csv/<sheet key>.csv``.
    lang : {"vi", "en"}
        Headers and labels; Vietnamese by default.
    csv : bool
        Also write the CSV files.
    units : UnitsView, optional
        The assessment in later units (:func:`ntmgis.units_view.rolled_up`): its sheets are added
        (:mod:`ntmgis.report_units`), each headed by a note naming its units.

    Returns
    -------
    ReportFiles

    Raises
    ------
    ValueError
        When ``out_path`` does not end in ``.xlsx`` or ``lang`` is unknown.
    """
    tables = report_tables(workspace, assessment, lang=lang)
    note = workspace.note(lang) if workspace is not None and getattr(workspace, "sample", False) else None
    titles = {k: SHEETS[k][lang] for k in tables}
    notes: dict[str, str] = {}
    if units is not None:
        from .report_units import units_notes, units_tables, units_titles

        tables |= units_tables(units, lang=lang)
        titles |= units_titles(units, lang=lang)
        notes = units_notes(units, lang=lang, note=note)
    return write_tables(tables, out_path, titles=titles, lang=lang, note=note, csv=csv, notes=notes)


def write_tables(
    tables: Mapping[str, pd.DataFrame],
    out_path: str | os.PathLike[str],
    *,
    titles: Mapping[str, str] | None = None,
    lang: str = "vi",
    note: str | None = None,
    csv: bool = True,
    notes: Mapping[str, str] | None = None,
) -> ReportFiles:
    """Write display tables as one XLSX workbook (atomically) and CSV files beside it.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        Sheet key (also the CSV file name) → table.
    out_path : path-like
        ``*.xlsx``; CSV files go to ``<stem>_csv/<key>.csv`` (UTF-8 with BOM, for Excel).
    titles : mapping, optional
        Sheet titles (≤ 31 characters); default the keys.
    lang : {"vi", "en"}
        Language of the data-note column of the CSV files.
    note : str, optional
        Shown above every sheet and as a column of every CSV (the sample note).
    csv : bool
        Also write the CSV files.
    notes : mapping of str to str, optional
        A sheet's own note instead of ``note`` (by sheet key), e.g. the units it is in.

    Returns
    -------
    ReportFiles
    """
    target = Path(out_path)
    if target.suffix.lower() != ".xlsx":
        raise ValueError(f"the report is an .xlsx workbook; got {target.name!r}")
    titles = {k: (titles or {}).get(k, k)[:31] for k in tables}
    write_bytes_atomic(target, _workbook(tables, titles=titles, note=note, lang=lang, notes=notes))
    written: list[Path] = []
    if csv:
        folder = target.with_name(f"{target.stem}_csv")
        for key, frame in tables.items():
            out = frame.copy()
            sheet_note = (notes or {}).get(key, note)
            data_note = words("report_headers", lang)["data_note"]
            if sheet_note and data_note not in out:  # the closing sheet carries its own
                out[data_note] = sheet_note
            text = safe_csv_frame(out).to_csv(index=False)
            written.append(write_bytes_atomic(folder / f"{key}.csv", text.encode("utf-8-sig")))
    return ReportFiles(xlsx=target, csv_files=tuple(written))
