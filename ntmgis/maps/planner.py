"""The planners' map: every criterion, gap and target of the district plan on one offline page.

Built from an :class:`ntmgis.assessment.Assessment` and its workspace; this module only *looks up*
what the Assessment decided (verdicts, gaps, schedule status, upgrade segments, market gaps) and
turns it into layers, legends and texts of :mod:`ntmgis.maps.page`. It computes no indicator.

Layers, bottom to top: communes (current level, evaluated level, target, schedule, criteria met,
the plan year by year, and one colouring per criterion at the commune's target level), production
zones, villages (model-village status and schedule), villages lacking a culture house, villages
out of market reach, canals, roads by class, segments to upgrade, facilities, markets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from ..vocab import label, vocabulary
from .commune_map import NOT_ASSESSED, NOT_ASSESSED_COLOUR, commune_title, level_classes
from .page import (
    Field,
    MapClass,
    MapLayer,
    SummaryTable,
    Theme,
    Timeline,
    format_number,
    is_missing,
    render_map,
)
from .static_image import render_png

__all__ = ["build_planner_map", "build_planner_png", "planner_layers", "planner_summary",
           "planner_provenance",
           "planner_timeline", "planner_title"]

_GREY_LIGHT = "#f0f0f0"

# Interface words of this map. Domain labels (levels, road classes, crops, plan targets) come from
# vocabulary.yaml; verdict and gap texts from the Assessment.
_T: dict[str, dict[str, str]] = {
    "vi": {
        "title": "Huyện {district} — bản đồ xây dựng nông thôn mới, đánh giá năm {year}",
        "communes": "Xã, thị trấn", "villages": "Thôn, tổ dân phố", "roads": "Đường giao thông",
        "upgrade": "Đoạn đường cần cứng hóa", "canals": "Kênh mương", "markets": "Chợ",
        "facilities": "Công trình công cộng", "no_culture_house": "Thôn chưa có nhà văn hóa",
        "market_gaps": "Thôn ngoài bán kính {radius} đến chợ", "zones": "Vùng sản xuất",
        "recognised": "Mức đạt chuẩn đã công nhận", "evaluated": "Mức đạt theo tiêu chí năm {year}",
        "target": "Mục tiêu theo kế hoạch", "schedule": "Tiến độ so với kế hoạch",
        "criteria_met": "Số tiêu chí đạt (mức mục tiêu)", "timeline": "Kế hoạch theo năm",
        "timeline_year": "Kế hoạch đến năm {year}", "criteria_group": "Tiêu chí (ở mức mục tiêu)",
        "criterion": "Tiêu chí {id} {name}",
        "met": "Đạt", "not_met": "Chưa đạt", "met_unverified": "Đạt (ngưỡng chưa xác minh)",
        "not_met_unverified": "Chưa đạt (ngưỡng chưa xác minh)", "not_assessed": "Chưa đánh giá",
        "not_applicable": "Không áp dụng",
        "achieved": "Đã đạt", "on_track": "Đúng tiến độ", "late": "Chậm so với kế hoạch",
        "not_scheduled": "Không có trong kế hoạch", "due": "Đến hạn (chưa đạt)",
        "planned_later": "Kế hoạch năm sau", "maintain": "Duy trì chuẩn NTM",
        "criteria_of": "{met}/{total} tiêu chí", "model_status": "Thôn kiểu mẫu",
        "model_schedule": "Tiến độ thôn kiểu mẫu",
        "code": "Mã", "kind": "Loại", "population": "Dân số", "households": "Số hộ",
        "people": "người", "commune": "Xã", "recognised_year": "Năm công nhận",
        "target_year": "Năm mục tiêu", "milestones": "Các mốc kế hoạch", "gaps": "Còn thiếu",
        "unverified": "Ngưỡng chưa xác minh", "note": "Ghi chú", "achieved_year": "Năm đạt",
        "segment": "Mã đoạn", "name": "Tên", "class": "Cấp đường", "surface": "Mặt đường",
        "width": "Bề rộng", "length": "Chiều dài", "cost": "Kinh phí ước tính",
        "million_vnd": "triệu đồng", "target_surface": "Mặt đường mục tiêu",
        "cost_assumption": "Đơn giá giả định", "road_class": "Theo cấp đường",
        "road_surface": "Theo mặt đường",
        "canal_level": "Cấp kênh", "lining": "Kết cấu", "managed_by": "Đơn vị quản lý",
        "lined_xa": "Kiên cố — xã quản lý", "unlined_xa": "Chưa kiên cố — xã quản lý",
        "lined_other": "Kiên cố — đơn vị khác", "unlined_other": "Chưa kiên cố — đơn vị khác",
        "canal_theme": "Kiên cố hóa (xã quản lý nét đậm)",
        "market_standard": "Đạt chuẩn chợ", "standard_met": "Đạt chuẩn",
        "market_met": "Đạt chuẩn", "market_planned": "Chưa đạt, có năm nâng cấp",
        "market_unplanned": "Chưa đạt, chưa có năm nâng cấp", "upgrade_year": "Năm nâng cấp (kế hoạch)",
        "in_plan": "Trong 8 xã, thị trấn cải tạo chợ (KH II.2.2)", "facility_kind": "Loại công trình",
        "village": "Thôn", "beyond": "Xa hơn {radius} theo đường", "unreachable": "Không tới được bằng đường",
        "network": "Quãng đường tới chợ gần nhất", "straight": "Khoảng cách đường chim bay",
        "nearest_market": "Chợ gần nhất", "no_culture": "Chưa có nhà văn hóa trong thôn",
        "vietgap_code": "VietGAP, có mã số vùng trồng", "vietgap": "VietGAP", "not_vietgap": "Chưa VietGAP",
        "zone_theme": "VietGAP — toàn huyện {value} / mục tiêu {target}", "crop": "Cây trồng",
        "area": "Diện tích", "growing_code": "Mã số vùng trồng", "certified_until": "Chứng nhận đến",
        "targets": "Mục tiêu kế hoạch {period} — hiện trạng năm {year}",
        "target_col": "Chỉ tiêu", "plan_col": "Kế hoạch", "value_col": "Hiện trạng", "status_col": "Đánh giá",
        "no_data": "Chưa có số liệu", "text": "Mô tả", "behind": "Chậm", "future": "Chưa đến hạn",
        "progress": "Tiến độ theo năm (lũy kế: kế hoạch / đạt)", "year_col": "Năm",
        "nang_cao_communes": "Xã nâng cao", "kieu_mau_communes": "Xã kiểu mẫu",
        "model_villages": "Thôn kiểu mẫu",
        "infrastructure": "Hạ tầng cần đầu tư", "upgrade_total": "Đường cần cứng hóa",
        "gap_villages": "Thôn ngoài bán kính {radius} đến chợ",
        "no_culture_total": "Thôn chưa có nhà văn hóa",
        "year_note": "{measure}: kế hoạch {planned}, đạt {achieved}", "not_yet": "chưa đến năm",
        "villages_unit": "thôn",
        "source_files": "Tệp dữ liệu", "plan_source": "Kế hoạch",
        "criteria_set": "Bộ tiêu chí: {ids}; năm đánh giá {year} ({reason})",
        "unverified_list": "Ngưỡng chưa xác minh đã dùng — {level}: {ids}",
        "radius_note": "Bán kính chợ {radius} theo đường: giả định phân tích, không phải quy định NTM",
        "costs_note": "Đơn giá cứng hóa: bảng giả định minh họa của ntmgis (analysis/unit_costs.csv)",
        "costs_given": "Đơn giá cứng hóa: bảng do người dùng cung cấp",
    },
    "en": {
        "title": "{district} district — New Rural Development map, assessed {year}",
        "communes": "Communes", "villages": "Villages", "roads": "Roads",
        "upgrade": "Road segments to harden", "canals": "Canals", "markets": "Markets",
        "facilities": "Public facilities", "no_culture_house": "Villages without a culture house",
        "market_gaps": "Villages beyond {radius} of a market", "zones": "Production zones",
        "recognised": "Recognised NTM level", "evaluated": "Level met by the criteria in {year}",
        "target": "Plan target", "schedule": "Schedule against the plan",
        "criteria_met": "Criteria met (at target level)", "timeline": "Plan by year",
        "timeline_year": "Plan up to {year}", "criteria_group": "Criteria (at target level)",
        "criterion": "Criterion {id} {name}",
        "met": "Met", "not_met": "Not met", "met_unverified": "Met (threshold unverified)",
        "not_met_unverified": "Not met (threshold unverified)", "not_assessed": "Not assessed",
        "not_applicable": "Not applicable",
        "achieved": "Achieved", "on_track": "On track", "late": "Behind the plan",
        "not_scheduled": "Not in the plan", "due": "Due (not yet met)",
        "planned_later": "Planned for a later year", "maintain": "Keep the NTM standard",
        "criteria_of": "{met}/{total} criteria", "model_status": "Model village",
        "model_schedule": "Model-village schedule",
        "code": "Code", "kind": "Kind", "population": "Population", "households": "Households",
        "people": "people", "commune": "Commune", "recognised_year": "Recognised in",
        "target_year": "Target year", "milestones": "Plan milestones", "gaps": "Missing",
        "unverified": "Unverified thresholds", "note": "Note", "achieved_year": "Achieved in",
        "segment": "Segment", "name": "Name", "class": "Road class", "surface": "Surface",
        "width": "Width", "length": "Length", "cost": "Estimated cost",
        "million_vnd": "million VND", "target_surface": "Target surface",
        "cost_assumption": "Assumed unit cost", "road_class": "By road class", "road_surface": "By surface",
        "canal_level": "Canal level", "lining": "Lining", "managed_by": "Managed by",
        "lined_xa": "Lined — commune-managed", "unlined_xa": "Unlined — commune-managed",
        "lined_other": "Lined — other managers", "unlined_other": "Unlined — other managers",
        "canal_theme": "Lining (commune-managed drawn thick)",
        "market_standard": "Market standard", "standard_met": "Meets the standard",
        "market_met": "Meets the standard", "market_planned": "Below standard, upgrade year set",
        "market_unplanned": "Below standard, no upgrade year", "upgrade_year": "Planned upgrade year",
        "in_plan": "Among the plan's 8 market units (II.2.2)", "facility_kind": "Facility kind",
        "village": "Village", "beyond": "Farther than {radius} by road",
        "unreachable": "Not reachable by road",
        "network": "Road distance to the nearest market", "straight": "Straight-line distance",
        "nearest_market": "Nearest market", "no_culture": "No culture house in the village",
        "vietgap_code": "VietGAP with growing-area code", "vietgap": "VietGAP", "not_vietgap": "Not VietGAP",
        "zone_theme": "VietGAP — district {value} / target {target}", "crop": "Crop",
        "area": "Area", "growing_code": "Growing-area code", "certified_until": "Certified until",
        "targets": "Plan targets {period} — status in {year}",
        "target_col": "Target", "plan_col": "Plan", "value_col": "Now", "status_col": "Status",
        "no_data": "No data", "text": "Description", "behind": "Behind", "future": "Not due yet",
        "progress": "Progress by year (cumulative: plan / achieved)", "year_col": "Year",
        "nang_cao_communes": "Advanced communes", "kieu_mau_communes": "Model communes",
        "model_villages": "Model villages",
        "infrastructure": "Infrastructure to invest in", "upgrade_total": "Roads to harden",
        "gap_villages": "Villages beyond {radius} of a market",
        "no_culture_total": "Villages without a culture house",
        "year_note": "{measure}: plan {planned}, achieved {achieved}", "not_yet": "not yet",
        "villages_unit": "villages",
        "source_files": "Data files", "plan_source": "Plan",
        "criteria_set": "Criteria sets: {ids}; assessment year {year} ({reason})",
        "unverified_list": "Unverified thresholds used — {level}: {ids}",
        "radius_note": "Market radius {radius} by road: an analysis assumption, not an NTM rule",
        "costs_note": "Hardening unit costs: ntmgis's illustrative assumption (analysis/unit_costs.csv)",
        "costs_given": "Hardening unit costs: table supplied by the user",
    },
}

# ColorBrewer RdYlGn ends for verdicts (red: not met, green: met), paler for verdicts that rest on
# an unverified threshold; greys for "not assessed" / "not applicable" stay outside the ramp.
_VERDICT = {"not_met": "#d7301f", "not_met_unverified": "#fc8d59", "met_unverified": "#a6d96a",
            "met": "#1a9641", NOT_ASSESSED: NOT_ASSESSED_COLOUR, "not_applicable": _GREY_LIGHT}
_SCHEDULE = {"late": "#d7301f", "due": "#fdae61", "on_track": "#a6d96a", "achieved": "#1a9641",
             "planned_later": "#abd9e9", "maintain": "#e0e0e0", "not_scheduled": "#e0e0e0",
             "not_applicable": _GREY_LIGHT, NOT_ASSESSED: NOT_ASSESSED_COLOUR}
# Road classes from the national road down to in-field tracks: darker and wider for higher classes.
_ROAD_STYLE = {"quoc_lo": ("#b30000", 4.0), "tinh": ("#e34a33", 3.5), "huyen": ("#fc8d59", 3.0),
               "xa": ("#6a3d9a", 2.5), "lien_thon": ("#1f78b4", 2.0), "truc_thon": ("#6baed6", 1.5),
               "ngo_xom": ("#9e9e9e", 1.0), "noi_dong": ("#8fbf6a", 1.0)}
_SURFACE_COLOURS = {"nhua": "#252525", "be_tong": "#636363", "gach": "#969696", "cap_phoi": "#fd8d3c",
                    "dat": "#a63603"}
_FACILITY_COLOURS = {"school": "#1f78b4", "culture_house": "#e31a1c", "health_station": "#33a02c",
                     "sports_ground": "#ff7f00", "waste_point": "#6a3d9a", "post_office": "#b15928"}
_CROP_COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666",
                 "#1f78b4")
_OP = {">=": "≥ ", ">": "> ", "<=": "≤ ", "<": "< ", "==": "", "=": ""}


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------

def _str(value: object) -> str | None:
    return None if is_missing(value) else str(value).strip()


def _int(value: object) -> int | None:
    return None if is_missing(value) else int(value)  # type: ignore[call-overload]


def _column(frame: pd.DataFrame, name: str) -> list[Any]:
    return list(frame[name]) if name in frame.columns else [None] * len(frame)


def _lookup(frame: pd.DataFrame, key: str, column: str) -> dict[str, Any]:
    if frame is None or frame.empty or column not in frame.columns:
        return {}
    return {str(k): v for k, v in zip(frame[key], frame[column], strict=True)}


def _classes(values: Iterable[str], known: Sequence[MapClass]) -> list[MapClass]:
    """``known`` classes plus any code the data has that they do not name (drawn grey, never
    dropped: a new status code must show, not vanish)."""
    codes = {c.code for c in known}
    extra = sorted({v for v in values if v not in codes})
    return [*known, *(MapClass(code, code, "#969696") for code in extra)]


def _km(metres: float, lang: str) -> str:
    return f"{format_number(metres / 1000.0, lang, 1)} km"


def _vocab_classes(vocab: str, colours: Mapping[str, str], lang: str, **extra: Any) -> list[MapClass]:
    return [MapClass(code, label(vocab, code, lang), colours.get(code, "#969696"), **extra)
            for code in vocabulary()[vocab] if code in colours]


# --------------------------------------------------------------------------------------------
# Communes
# --------------------------------------------------------------------------------------------

def _achieved_years(workspace: Any, assessment: Any) -> dict[tuple[str, str], int]:
    """(commune, level) → first year at that level or above, by the engine's own rule."""
    from ..criteria.evaluate import achieved_years

    recognitions = workspace.table("recognitions") if "recognitions" in workspace.table_names else None
    return achieved_years(assessment.communes, recognitions, year=assessment.year)


def _milestones(workspace: Any) -> dict[str, list[tuple[str, int]]]:
    plan = workspace.plan
    found: dict[str, list[tuple[str, int]]] = {}
    for level, schedule in (("nang_cao", plan.nang_cao_schedule()), ("kieu_mau", plan.kieu_mau_schedule())):
        for row in schedule.itertuples():
            found.setdefault(str(row.commune_code), []).append((level, int(row.year)))
    return {code: sorted(m, key=lambda x: x[1]) for code, m in found.items()}


def _timeline_class(milestones: list[tuple[str, int]], achieved: Mapping[tuple[str, str], int], code: str,
                    year: int, assessed_in: int) -> str:
    if not milestones:
        return "maintain"
    due = [m for m in milestones if m[1] <= year]
    if not due:
        return "planned_later"
    level = due[-1][0]
    when = achieved.get((code, level))
    if when is not None and when <= year:
        return "achieved"
    return "late" if year <= assessed_in else "due"


def _commune_layer(workspace: Any, assessment: Any, lang: str, years: Sequence[int]) -> MapLayer:
    t = _T[lang]
    communes = workspace.layer("communes")
    summary = assessment.communes.set_index("commune_code")
    codes = [str(c) for c in communes["commune_code"]]
    rows = [summary.loc[c].to_dict() if c in summary.index else {} for c in codes]
    levels = level_classes(lang)

    def level_of(value: object) -> str:
        return _str(value) or NOT_ASSESSED

    def verdict_classes(extra: Sequence[str]) -> list[MapClass]:
        return _classes(extra, [MapClass(code, t[code], _VERDICT[code]) for code in
                                ("not_met", "not_met_unverified", "met_unverified", "met", NOT_ASSESSED,
                                 "not_applicable")])

    gap = [_str(r.get("gap_" + lang)) for r in rows]
    # Every level stays in the legend, at zero too: the natural order is part of the message.
    every = [c.code for c in levels]
    themes: list[Theme] = [
        Theme("recognised", t["recognised"], [level_of(r.get("recognised_level")) for r in rows], levels,
              detail=gap, always=every),
        Theme("evaluated", t["evaluated"].format(year=assessment.year),
              [level_of(r.get("highest_level")) for r in rows], levels, detail=gap, always=every),
        Theme("target", t["target"], [level_of(r.get("target_level")) for r in rows], levels,
              detail=[_str(r.get("milestones")) for r in rows], always=every),
    ]
    schedule = [_str(r.get("schedule_status")) or NOT_ASSESSED for r in rows]
    themes.append(Theme("schedule", t["schedule"], schedule, _classes(schedule, [
        MapClass(code, t[code], _SCHEDULE[code]) for code in
        ("late", "on_track", "achieved", "not_applicable", NOT_ASSESSED)]),
        detail=gap, always=[NOT_ASSESSED]))

    # Criteria met at the target level, as "met/total"; classes ordered by the share met.
    counts: list[str] = []
    shares: dict[str, float] = {}
    for r in rows:
        met, total = _int(r.get("criteria_met")), _int(r.get("criteria_total"))
        if met is None or not total:
            counts.append(NOT_ASSESSED)
            continue
        code = f"{met}/{total}"
        counts.append(code)
        shares[code] = met / total
    ramp = ((1.0, "#1a9641"), (0.9, "#a6d96a"), (0.75, "#fdae61"), (0.0, "#d7191c"))
    count_classes = [MapClass(code, t["criteria_of"].format(met=code.split("/")[0], total=code.split("/")[1]),
                              next(colour for floor, colour in ramp if shares[code] >= floor))
                     for code in sorted(shares, key=lambda c: (shares[c], c))]
    count_classes.append(MapClass(NOT_ASSESSED, t["not_assessed"], NOT_ASSESSED_COLOUR))
    themes.append(Theme("criteria_met", t["criteria_met"], counts, count_classes, detail=gap,
                        always=[NOT_ASSESSED]))

    # The plan year by year: which milestone is due, and whether it was reached by then.
    milestones = _milestones(workspace)
    achieved = _achieved_years(workspace, assessment)
    timeline_known = [MapClass(code, t[code], _SCHEDULE[code]) for code in
                      ("late", "due", "achieved", "planned_later", "maintain")]
    for year in years:
        values = [_timeline_class(milestones.get(c, []), achieved, c, year, assessment.year) for c in codes]
        detail = ["; ".join(f"{label('ntm_level', lv, lang)} {y}" for lv, y in milestones.get(c, [])) or None
                  for c in codes]
        themes.append(Theme(f"plan_{year}", t["timeline_year"].format(year=year), values, timeline_known,
                            detail=detail, year=year, group=t["timeline"]))

    # One colouring per criterion, at each commune's target level.
    criteria = assessment.criteria
    targets = {c: _str(r.get("target_level")) for c, r in zip(codes, rows, strict=True)}
    at_target = criteria[[targets.get(str(u)) == lv for u, lv in zip(criteria["unit_code"], criteria["level"],
                                                                       strict=True)]]
    names = (criteria.drop_duplicates("criterion").set_index("criterion")["criterion_" + lang].to_dict()
             if len(criteria) else {})
    ids = sorted(names, key=lambda c: (not str(c).isdigit(), int(c) if str(c).isdigit() else 0, str(c)))
    by_key = {(str(r["unit_code"]), str(r["criterion"])): r for r in at_target.to_dict("records")}
    for cid in ids:
        values, details = [], []
        for c, r in zip(codes, rows, strict=True):
            found = by_key.get((c, str(cid)))
            if found is None:
                values.append("not_applicable" if r.get("assessed") is False or not r else NOT_ASSESSED)
                details.append(_str(r.get("note")))
                continue
            status = _str(found.get("status")) or NOT_ASSESSED
            if status in ("met", "not_met") and _str(found.get("unverified")):
                status += "_unverified"
            values.append(status)
            text = _str(found.get("gap_" + lang))
            unverified = _str(found.get("unverified"))
            if unverified:
                text = "; ".join(filter(None, [text, f"{t['unverified']}: {unverified}"]))
            details.append(text)
        themes.append(Theme(f"criterion_{cid}", t["criterion"].format(id=cid, name=names[cid]), values,
                            verdict_classes(values), detail=details, always=[NOT_ASSESSED],
                            group=t["criteria_group"]))

    fields = [
        Field(t["code"], codes),
        Field(t["recognised"], [label("ntm_level", v, lang) if _str(v) else None
                                for v in (r.get("recognised_level") for r in rows)]),
        Field(t["recognised_year"], [r.get("recognised_year") for r in rows], "year"),
        Field(t["evaluated"].format(year=assessment.year),
              [label("ntm_level", v, lang) if _str(v) else None
               for v in (r.get("highest_level") for r in rows)]),
        Field(t["target"], [label("ntm_level", v, lang) if _str(v) else None
                            for v in (r.get("target_level") for r in rows)]),
        Field(t["target_year"], [r.get("target_year") for r in rows], "year"),
        Field(t["schedule"], [t.get(s, s) if s != NOT_ASSESSED else None for s in schedule]),
        Field(t["criteria_met"], [t["criteria_of"].format(met=c.split("/")[0], total=c.split("/")[1])
                                  if c != NOT_ASSESSED else None for c in counts]),
        Field(t["gaps"], gap),
        Field(t["unverified"], [_str(r.get("unverified")) for r in rows]),
        Field(t["population"], _column(communes, "population"), "number", unit=t["people"]),
        Field(t["households"], _column(communes, "households"), "number"),
        Field(t["note"], [_str(r.get("note")) for r in rows]),
    ]
    return MapLayer(
        id="communes", title=t["communes"], kind="polygon", geometry=communes.geometry, keys=codes,
        names=[commune_title(k, n, c, lang) for k, n, c in
               zip(communes["kind"], communes["name"], communes["commune_code"], strict=True)],
        themes=themes, fields=fields, searchable=True, label_texts=[_str(n) or "" for n in communes["name"]],
        style={"weight": 1.2, "fillOpacity": 0.8})


# --------------------------------------------------------------------------------------------
# Villages and their gap layers
# --------------------------------------------------------------------------------------------

def _village_timeline(row: Mapping[str, Any], year: int, assessed_in: int) -> str:
    achieved = _int(row.get("achieved_year"))
    if achieved is None and row.get("status") == "met":
        achieved = assessed_in
    target = _int(row.get("target_year"))
    if achieved is not None and achieved <= year:
        return "achieved"
    if target is None:
        return "not_scheduled"
    if target > year:
        return "planned_later"
    return "late" if year <= assessed_in else "due"


def _village_layers(workspace: Any, assessment: Any, lang: str, years: Sequence[int]) -> list[MapLayer]:
    t = _T[lang]
    villages = workspace.layer("villages")
    ids = [str(v) for v in villages["village_id"]]
    summary = assessment.villages.set_index("village_id")
    rows = [summary.loc[v].to_dict() if v in summary.index else {} for v in ids]
    commune_names = _lookup(workspace.layer("communes"), "commune_code", "name")
    commune_of = [_str(commune_names.get(str(c))) for c in villages["commune_code"]]
    names = [_str(n) or v for n, v in zip(villages["name"], ids, strict=True)]
    status = [_str(r.get("status")) or NOT_ASSESSED for r in rows]
    schedule = [_str(r.get("schedule_status")) or NOT_ASSESSED for r in rows]
    gap = [_str(r.get("gap_" + lang)) for r in rows]
    themes = [
        Theme("model", t["model_status"], status, _classes(status, [
            MapClass(code, t[code], _VERDICT[code])
            for code in ("not_met", "met", NOT_ASSESSED, "not_applicable")]),
            detail=gap, always=[NOT_ASSESSED]),
        Theme("schedule", t["model_schedule"], schedule, _classes(schedule, [
            MapClass(code, t[code], _SCHEDULE[code]) for code in
            ("late", "on_track", "achieved", "not_scheduled", "not_applicable", NOT_ASSESSED)]), detail=gap),
    ]
    known = [MapClass(code, t[code], _SCHEDULE[code]) for code in
             ("late", "due", "achieved", "planned_later", "not_scheduled")]
    for year in years:
        themes.append(Theme(f"plan_{year}", t["timeline_year"].format(year=year),
                            [_village_timeline(r, year, assessment.year) for r in rows], known,
                            year=year, group=t["timeline"]))
    population = _column(villages, "population")
    fields = [
        Field(t["code"], ids),
        Field(t["commune"], commune_of),
        Field(t["kind"], list(villages["kind"]), "category",
              labels={k: label("village_kind", k, lang) for k in vocabulary()["village_kind"]}),
        Field(t["population"], population, "number", unit=t["people"]),
        Field(t["households"], _column(villages, "households"), "number"),
        Field(t["model_status"], [t.get(s, s) for s in status]),
        Field(t["target_year"], [r.get("target_year") for r in rows], "year"),
        Field(t["achieved_year"], [r.get("achieved_year") for r in rows], "year"),
    ]
    layers = [MapLayer(
        id="villages", title=t["villages"], kind="polygon", geometry=villages.geometry, keys=ids, names=names,
        themes=themes, fields=fields, visible=False, searchable=True, contexts=commune_of,
        style={"weight": 0.6, "fillOpacity": 0.7})]

    by_id = dict(zip(ids, zip(names, commune_of, population, strict=True), strict=True))

    def about(keys: list[str], what: int) -> list[Any]:
        return [by_id.get(k, (k, None, None))[what] for k in keys]

    lacking = assessment.villages_without_culture_house
    if lacking is not None:
        keys = [str(v) for v in lacking["village_id"]]
        layers.append(MapLayer(
            id="villages_without_culture_house", title=t["no_culture_house"], kind="polygon",
            geometry=lacking.geometry, keys=keys, names=about(keys, 0),
            themes=[Theme("no_culture_house", t["no_culture_house"], ["missing"] * len(keys),
                          [MapClass("missing", t["no_culture"], "#e31a1c")])],
            fields=[Field(t["code"], keys), Field(t["commune"], about(keys, 1)),
                    Field(t["population"], about(keys, 2), "number", unit=t["people"])],
            visible=False, style={"outline": True, "weight": 2.5, "fillOpacity": 0.15}))

    gaps = assessment.market_gaps
    if gaps is not None:
        radius = _km(assessment.market_radius_m, lang)
        keys = [str(v) for v in gaps["village_id"]]
        market_names = _lookup(workspace.layer("markets"), "market_id", "name") \
            if workspace.has_layer("markets") else {}
        reach = ["beyond" if not is_missing(m) else "unreachable" for m in gaps["network_m"]]
        layers.append(MapLayer(
            id="market_gaps", title=t["market_gaps"].format(radius=radius), kind="polygon",
            geometry=gaps.geometry, keys=keys, names=about(keys, 0),
            themes=[Theme("reach", t["market_gaps"].format(radius=radius), reach,
                          [MapClass("beyond", t["beyond"].format(radius=radius), "#6a51a3"),
                           MapClass("unreachable", t["unreachable"], "#3f007d", dash="4 4")])],
            fields=[Field(t["code"], keys), Field(t["commune"], about(keys, 1)),
                    Field(t["network"], [None if is_missing(m) else m / 1000 for m in gaps["network_m"]],
                          "number", decimals=2, unit="km"),
                    Field(t["nearest_market"], [_str(market_names.get(str(m))) if not is_missing(m) else None
                                                for m in gaps["network_target"]]),
                    Field(t["straight"], [None if is_missing(m) else m / 1000 for m in gaps["straight_m"]],
                          "number", decimals=2, unit="km"),
                    Field(t["population"], list(gaps["population"]), "number", unit=t["people"])],
            visible=False, style={"outline": True, "weight": 2.5, "fillOpacity": 0.2}))
    return layers


# --------------------------------------------------------------------------------------------
# Networks, points, zones
# --------------------------------------------------------------------------------------------

def _road_layers(workspace: Any, assessment: Any, lang: str) -> list[MapLayer]:
    t = _T[lang]
    roads = workspace.layer("roads")
    keys = [str(s) for s in roads["segment_id"]]
    road_classes = [MapClass(code, label("road_class", code, lang), colour, weight=weight)
                    for code, (colour, weight) in _ROAD_STYLE.items() if code in vocabulary()["road_class"]]
    classes = [str(c) for c in roads["road_class"]]
    surfaces = [str(s) if not is_missing(s) else NOT_ASSESSED for s in roads["surface"]]
    surface_classes = [*_vocab_classes("surface", _SURFACE_COLOURS, lang),
                       MapClass(NOT_ASSESSED, t["not_assessed"], NOT_ASSESSED_COLOUR)]
    names = [_str(n) or label("road_class", c, lang)
             for n, c in zip(roads["name"] if "name" in roads else [None] * len(keys), classes, strict=True)]
    road_labels = {k: label("road_class", k, lang) for k in vocabulary()["road_class"]}
    surface_labels = {k: label("surface", k, lang) for k in vocabulary()["surface"]}
    layers = [MapLayer(
        id="roads", title=t["roads"], kind="line", geometry=roads.geometry, keys=keys, names=names,
        themes=[Theme("class", t["road_class"], classes, _classes(classes, road_classes)),
                Theme("surface", t["road_surface"], surfaces, _classes(surfaces, surface_classes))],
        fields=[Field(t["segment"], keys), Field(t["class"], classes, "category", labels=road_labels),
                Field(t["surface"], list(roads["surface"]), "category", labels=surface_labels)],
        style={"weight": 1.5})]

    upgrade = assessment.segments_to_upgrade
    if upgrade is not None:
        # One road segment may be cut into pieces at commune borders: key = segment and commune.
        keys = [f"{s}@{c}" for s, c in zip(upgrade["segment_id"], upgrade["commune_code"], strict=True)]
        surfaces = [str(s) for s in upgrade["surface"]]
        commune_names = _lookup(workspace.layer("communes"), "commune_code", "name")
        layers.append(MapLayer(
            id="segments_to_upgrade", title=t["upgrade"], kind="line", geometry=upgrade.geometry, keys=keys,
            names=[f"{label('road_class', c, lang)} {s}" for c, s in
                   zip(upgrade["road_class"], upgrade["segment_id"], strict=True)],
            themes=[Theme("surface", t["upgrade"], surfaces, _classes(surfaces, [
                MapClass("dat", label("surface", "dat", lang), "#ce1256", weight=4.5),
                MapClass("cap_phoi", label("surface", "cap_phoi", lang), "#f768a1", weight=4.5)]))],
            fields=[Field(t["segment"], list(upgrade["segment_id"])),
                    Field(t["commune"], [_str(commune_names.get(str(c))) for c in upgrade["commune_code"]]),
                    Field(t["class"], list(upgrade["road_class"]), "category", labels=road_labels),
                    Field(t["surface"], surfaces, "category", labels=surface_labels),
                    Field(t["target_surface"], list(upgrade["target_surface"]), "category",
                          labels=surface_labels),
                    Field(t["length"], list(upgrade["length_km"]), "number", decimals=2, unit="km"),
                    Field(t["cost"], list(upgrade["cost_million_vnd"]), "number", unit=t["million_vnd"]),
                    Field(t["cost_assumption"], list(upgrade["cost_assumption"]), "bool")],
            style={"weight": 4.5}))
    return layers


def _canal_layer(workspace: Any, lang: str) -> MapLayer:
    t = _T[lang]
    canals = workspace.layer("canals")
    lined_codes = {k for k, v in vocabulary()["lining"].items() if v.get("kien_co")}
    values = [("lined" if str(lining) in lined_codes else "unlined")
              + ("_xa" if str(manager) == "xa" else "_other")
              for lining, manager in zip(canals["lining"], canals["managed_by"], strict=True)]
    keys = [str(s) for s in canals["segment_id"]]
    return MapLayer(
        id="canals", title=t["canals"], kind="line", geometry=canals.geometry, keys=keys,
        names=[_str(n) or t["canals"] for n in (canals["name"] if "name" in canals else [None] * len(keys))],
        themes=[Theme("lining", t["canal_theme"], values, [
            MapClass("lined_xa", t["lined_xa"], "#2171b5", weight=3.5),
            MapClass("unlined_xa", t["unlined_xa"], "#d94801", weight=3.5),
            MapClass("lined_other", t["lined_other"], "#6baed6", weight=1.5),
            MapClass("unlined_other", t["unlined_other"], "#fd8d3c", weight=1.5)])],
        fields=[Field(t["segment"], keys),
                Field(t["canal_level"], list(canals["canal_level"]), "category",
                      labels={k: label("canal_level", k, lang) for k in vocabulary()["canal_level"]}),
                Field(t["lining"], list(canals["lining"]), "category",
                      labels={k: label("lining", k, lang) for k in vocabulary()["lining"]}),
                Field(t["managed_by"], list(canals["managed_by"]), "category",
                      labels={k: label("manager", k, lang) for k in vocabulary()["manager"]})],
        visible=False)


def _market_layer(workspace: Any, lang: str) -> MapLayer:
    t = _T[lang]
    markets = workspace.layer("markets")
    keys = [str(m) for m in markets["market_id"]]
    planned_units = {str(c) for c in workspace.plan.market_units()["commune_code"]}
    values = []
    for met, year in zip(markets["standard_met"], markets["planned_upgrade_year"], strict=True):
        if is_missing(met):
            values.append(NOT_ASSESSED)
        elif bool(met):
            values.append("market_met")
        else:
            values.append("market_unplanned" if is_missing(year) else "market_planned")
    commune_names = _lookup(workspace.layer("communes"), "commune_code", "name")
    return MapLayer(
        id="markets", title=t["markets"], kind="point", geometry=markets.geometry, keys=keys,
        names=[_str(n) or k for n, k in zip(markets["name"], keys, strict=True)],
        themes=[Theme("standard", t["market_standard"], values, [
            MapClass("market_unplanned", t["market_unplanned"], "#d7301f"),
            MapClass("market_planned", t["market_planned"], "#fdae61"),
            MapClass("market_met", t["market_met"], "#1a9641"),
            MapClass(NOT_ASSESSED, t["not_assessed"], NOT_ASSESSED_COLOUR)], always=[NOT_ASSESSED])],
        fields=[Field(t["code"], keys),
                Field(t["kind"], _column(markets, "kind"), "category",
                      labels={k: label("market_kind", k, lang) for k in vocabulary()["market_kind"]}),
                Field(t["commune"], [_str(commune_names.get(str(c))) for c in markets["commune_code"]]),
                Field(t["standard_met"], list(markets["standard_met"]), "bool"),
                Field(t["upgrade_year"], list(markets["planned_upgrade_year"]), "year"),
                Field(t["in_plan"], [str(c) in planned_units for c in markets["commune_code"]], "bool")],
        style={"radius": 8, "weight": 2, "color": "#1a1a1a"})


def _facility_layer(workspace: Any, lang: str) -> MapLayer:
    t = _T[lang]
    facilities = workspace.layer("facilities")
    keys = [str(f) for f in facilities["facility_id"]]
    kinds = [str(k) for k in facilities["kind"]]
    village_names = _lookup(workspace.layer("villages"), "village_id", "name") \
        if workspace.has_layer("villages") else {}
    commune_names = _lookup(workspace.layer("communes"), "commune_code", "name")
    return MapLayer(
        id="facilities", title=t["facilities"], kind="point", geometry=facilities.geometry, keys=keys,
        names=[_str(n) or label("facility_kind", k, lang)
               for n, k in zip(facilities["name"], kinds, strict=True)],
        themes=[Theme("kind", t["facility_kind"], kinds,
                      _classes(kinds, _vocab_classes("facility_kind", _FACILITY_COLOURS, lang)))],
        fields=[Field(t["code"], keys),
                Field(t["commune"], [_str(commune_names.get(str(c))) for c in facilities["commune_code"]]),
                Field(t["village"], [_str(village_names.get(str(v))) for v in facilities["village_id"]]),
                Field(t["standard_met"], list(facilities["standard_met"]), "bool")],
        visible=False, style={"radius": 4, "weight": 1})


def _zone_layer(workspace: Any, assessment: Any, lang: str) -> MapLayer:
    t = _T[lang]
    zones = workspace.layer("production_zones")
    keys = [str(z) for z in zones["zone_id"]]
    codes = zones["growing_area_code"] if "growing_area_code" in zones else [None] * len(keys)
    values = [("vietgap_code" if not is_missing(code) else "vietgap") if bool(v) and not is_missing(v)
              else "not_vietgap" for v, code in zip(zones["vietgap"], codes, strict=True)]
    sectors = assessment.sectors.set_index("target_id")
    title = t["zones"]
    if "vietgap_concentrated_zone_ha" in sectors.index:
        row = sectors.loc["vietgap_concentrated_zone_ha"]
        value = "–" if is_missing(row["value"]) else f"{format_number(row['value'], lang, 1)} ha"
        title = t["zone_theme"].format(value=value, target=_target_text(row, lang))
    crops = list(vocabulary()["crop"])
    # The area measured in the working CRS, never the file's own area column.
    areas = assessment.zones
    measured = {} if areas is None else dict(zip(areas["zone_id"].astype(str), areas["area_ha"], strict=True))
    return MapLayer(
        id="production_zones", title=t["zones"], kind="polygon", geometry=zones.geometry, keys=keys,
        names=[_str(n) or k for n, k in zip(zones["name"], keys, strict=True)],
        themes=[Theme("vietgap", title, values, [
                    MapClass("not_vietgap", t["not_vietgap"], "#fee391"),
                    MapClass("vietgap", t["vietgap"], "#41ab5d"),
                    MapClass("vietgap_code", t["vietgap_code"], "#005a32")]),
                Theme("crop", t["crop"], [str(c) for c in zones["crop"]],
                      _classes([str(c) for c in zones["crop"]],
                               [MapClass(c, label("crop", c, lang), _CROP_COLOURS[i % len(_CROP_COLOURS)])
                                for i, c in enumerate(crops)]))],
        fields=[Field(t["code"], keys),
                Field(t["crop"], list(zones["crop"]), "category",
                      labels={k: label("crop", k, lang) for k in crops}),
                Field(t["vietgap"], list(zones["vietgap"]), "bool"),
                Field(t["area"], [measured.get(k) for k in keys], "number", decimals=1, unit="ha"),
                Field(t["growing_code"], list(codes)),
                Field(t["certified_until"], [_str(v) for v in zones["certified_until"]]
                      if "certified_until" in zones else [None] * len(keys))],
        visible=False, style={"weight": 1, "fillOpacity": 0.75, "color": "#00441b"})


# --------------------------------------------------------------------------------------------
# Summary, timeline, provenance
# --------------------------------------------------------------------------------------------

def _value_text(value: object, unit: str | None, lang: str) -> str:
    if is_missing(value):
        return "–"
    if isinstance(value, (tuple, list)):
        return "–".join(_value_text(v, unit, lang) for v in value).replace(f" {_unit(unit, lang)}–", "–")
    if isinstance(value, str):
        return value
    number = float(value)  # type: ignore[arg-type]
    if unit == "share":
        return f"{format_number(number * 100, lang, 1).removesuffix(',0').removesuffix('.0')} %"
    decimals = 0 if number.is_integer() else 1
    text = format_number(number, lang, decimals)
    return f"{text} {_unit(unit, lang)}".strip()


def _unit(unit: str | None, lang: str) -> str:
    if not unit or unit == "share":
        return ""
    if lang == "vi":
        return {"million VND": "triệu đồng", "zones": "vùng", "products": "sản phẩm",
                "million VND/person/year": "triệu đồng/người/năm", "products per commune": "sản phẩm/xã",
                "models per commune": "mô hình/xã", "models per village": "mô hình/thôn"}.get(unit, unit)
    return unit


def _target_text(row: Mapping[str, Any], lang: str) -> str:
    target = row.get("target")
    if is_missing(target) if not isinstance(target, (tuple, list)) else False:
        return "–"
    if isinstance(target, str) and "–" in target:  # a range already written "400–500"
        return f"{target} {_unit(row.get('unit'), lang)}".strip()
    op = _OP.get(str(row.get("op")), "") if row.get("op") != "between" else ""
    return op + _value_text(target, row.get("unit"), lang)


def planner_summary(workspace: Any, assessment: Any, *, lang: str = "vi") -> list[SummaryTable]:
    """Tables of the summary panel: plan targets beside their current value and status, progress
    by year, infrastructure totals.

    Parameters
    ----------
    workspace : ntmgis.workspace.Workspace
    assessment : ntmgis.assessment.Assessment
    lang : {"vi", "en"}

    Returns
    -------
    list of SummaryTable
    """
    t = _T[lang]
    status_word = {"met": t["met"], "not_met": t["not_met"], "no_data": t["no_data"], "text": t["text"],
                   "on_track": t["on_track"], "behind": t["behind"], "future": t["future"]}
    plan = workspace.plan
    progress = assessment.progress
    year = assessment.year
    rows: list[list[str]] = []
    statuses: list[str] = []
    first, last = (int(y) for y in plan.data["period"])
    now = progress[progress["year"] == min(max(year, first), last)]
    for measure, target_id, total in (
            ("nang_cao_communes", "nang_cao_total", plan.data["communes"]["nang_cao_total"]["value"]),
            ("kieu_mau_communes", "kieu_mau_total", plan.data["communes"]["kieu_mau_total"]["value"]),
            ("model_villages", "model_villages_total",
             plan.data["villages"]["model_villages_total"]["value"])):
        found = now[now["measure"] == measure]
        if found.empty:
            continue
        r = found.iloc[0]
        achieved = ("–" if is_missing(r["achieved_cumulative"])
                    else format_number(r["achieved_cumulative"], lang))
        planned = format_number(r["planned_cumulative"], lang)
        rows.append([label("plan_target", target_id, lang), format_number(total, lang),
                     f"{achieved} ({t['plan_col'].lower()} {year}: {planned})", status_word.get(r["status"],
                                                                                             r["status"])])
        statuses.append(str(r["status"]))
    for r in assessment.sectors.to_dict("records"):
        target = r.get("target")
        if r.get("target_id") == "budget_total":
            target_text = f"{format_number(float(target), lang)} {_unit('million VND', lang)}"
        else:
            blank = not isinstance(target, (tuple, list)) and is_missing(target)
            target_text = (_str(r.get("text")) or "–") if blank else _target_text(r, lang)
        rows.append([label("plan_target", str(r["target_id"]), lang), target_text,
                     _value_text(r.get("value"), _str(r.get("value_unit")) or _str(r.get("unit")), lang),
                     status_word.get(str(r.get("status")), str(r.get("status")))])
        statuses.append(str(r.get("status")))
    period = "–".join(str(y) for y in plan.data["period"])
    tables = [SummaryTable(t["targets"].format(period=period, year=year),
                           [t["target_col"], t["plan_col"], t["value_col"], t["status_col"]], rows, statuses)]

    measures = ("nang_cao_communes", "kieu_mau_communes", "model_villages")
    by_year = []
    for y in sorted(progress["year"].dropna().unique()):
        cells = [str(int(y))]
        for m in measures:
            found = progress[(progress["year"] == y) & (progress["measure"] == m)]
            if found.empty:
                cells.append("–")
                continue
            r = found.iloc[0]
            achieved = "–" if is_missing(r["achieved_cumulative"]) else str(int(r["achieved_cumulative"]))
            cells.append(f"{int(r['planned_cumulative'])} / {achieved}")
        by_year.append(cells)
    tables.append(SummaryTable(t["progress"], [t["year_col"], *(t[m] for m in measures)], by_year))

    infra: list[list[str]] = []
    totals = assessment.upgrade_totals
    if totals is not None:
        infra.append([t["upgrade_total"], f"{format_number(totals['length_km'].sum(), lang, 1)} km",
                      f"{format_number(totals['cost_million_vnd'].sum(), lang)} {t['million_vnd']}"])
    if assessment.market_gaps is not None:
        infra.append([t["gap_villages"].format(radius=_km(assessment.market_radius_m, lang)),
                      f"{len(assessment.market_gaps)} {t['villages_unit']}", ""])
    if assessment.villages_without_culture_house is not None:
        infra.append([t["no_culture_total"], f"{len(assessment.villages_without_culture_house)} "
                      f"{t['villages_unit']}", ""])
    if infra:
        tables.append(SummaryTable(t["infrastructure"], [t["target_col"], t["length"], t["cost"]], infra))
    return tables


def planner_timeline(workspace: Any, assessment: Any, *, lang: str = "vi") -> Timeline:
    """The year control of the plan period, with the plan's cumulative counts and what was achieved
    for each year (from the Assessment's district progress)."""
    t = _T[lang]
    first, last = (int(y) for y in workspace.plan.data["period"])
    years = list(range(first, last + 1))
    progress = assessment.progress
    notes: dict[int, list[str]] = {}
    for year in years:
        lines = []
        for r in progress[progress["year"] == year].to_dict("records"):
            achieved = (t["not_yet"] if is_missing(r["achieved_cumulative"])
                        else str(int(r["achieved_cumulative"])))
            lines.append(t["year_note"].format(measure=t.get(r["measure"], r["measure"]),
                                               planned=int(r["planned_cumulative"]), achieved=achieved))
        notes[year] = lines
    return Timeline(years=years, start=min(max(assessment.year, first), last), notes=notes)


def planner_provenance(workspace: Any, assessment: Any, *, lang: str = "vi") -> list[str]:
    """Lines of the sources panel: files, plan, criteria sets and year, unverified thresholds used,
    analysis assumptions."""
    t = _T[lang]
    lines = [f"{name}: {Path(path).name}" for name, path in workspace.sources.items()]
    lines.append(f"{t['plan_source']}: {workspace.plan.data.get('source', workspace.plan.source)} "
                 f"({workspace.plan.source})")
    provenance = assessment.provenance
    lines.append(t["criteria_set"].format(ids=provenance.criteria_sets, year=provenance.year,
                                          reason=provenance.criteria_reason))
    unverified = assessment.unverified_thresholds
    if len(unverified):
        used = unverified[unverified["used_for"].fillna("").astype(str).str.strip() != ""]
        for level in sorted(set(used["level"].astype(str)), key=lambda lv: vocabulary()["ntm_level"]
                            .get(lv, {}).get("rank", 9)):
            ids = sorted(set(used.loc[used["level"] == level, "indicator"].astype(str)),
                         key=lambda s: [int(p) if p.isdigit() else 0 for p in s.split(".")] + [s])
            lines.append(t["unverified_list"].format(level=label("ntm_level", level, lang),
                                                     ids=", ".join(ids)))
    lines.append(t["radius_note"].format(radius=_km(assessment.market_radius_m, lang)))
    lines.append(t["costs_note"] if assessment.provenance.unit_costs_assumed else t["costs_given"])
    if workspace.provenance:
        lines.append(str(workspace.provenance))
    return lines


def planner_title(workspace: Any, assessment: Any, *, lang: str = "vi") -> str:
    """Default title: ``"Huyện Tân Yên — bản đồ xây dựng nông thôn mới, đánh giá năm 2023"``."""
    district = workspace.district.get("name", workspace.name)
    return _T[lang]["title"].format(district=district, year=assessment.year)


def planner_layers(workspace: Any, assessment: Any, *, lang: str = "vi") -> list[MapLayer]:
    """The layers of the planners' map, bottom to top (only those the workspace has).

    Parameters
    ----------
    workspace : ntmgis.workspace.Workspace
    assessment : ntmgis.assessment.Assessment
        ``assess(workspace)``; nothing is recomputed here.
    lang : {"vi", "en"}

    Returns
    -------
    list of MapLayer
        Ids ``communes, production_zones, villages, villages_without_culture_house, market_gaps,
        canals, roads, segments_to_upgrade, facilities, markets``.
    """
    if lang not in _T:
        raise ValueError(f"lang must be one of {tuple(_T)}, not {lang!r}")
    first, last = (int(y) for y in workspace.plan.data["period"])
    years = list(range(first, last + 1))
    layers = [_commune_layer(workspace, assessment, lang, years)]
    if workspace.has_layer("production_zones"):
        layers.append(_zone_layer(workspace, assessment, lang))
    if workspace.has_layer("villages"):
        layers += _village_layers(workspace, assessment, lang, years)
    if workspace.has_layer("canals"):
        layers.append(_canal_layer(workspace, lang))
    if workspace.has_layer("roads"):
        layers += _road_layers(workspace, assessment, lang)
    if workspace.has_layer("facilities"):
        layers.append(_facility_layer(workspace, lang))
    if workspace.has_layer("markets"):
        layers.append(_market_layer(workspace, lang))
    return layers


def build_planner_map(
    workspace: Any,
    assessment: Any,
    *,
    lang: str = "vi",
    title: str | None = None,
    highlight: Mapping[str, Iterable[str]] | None = None,
    extra_layers: Sequence[MapLayer] = (),
    summary: Sequence[SummaryTable] | None = None,
    basemap: str | None = None,
    basemap_attribution: str | None = None,
) -> str:
    """HTML of the planners' map of ``workspace`` as ``assessment`` judged it.

    Parameters
    ----------
    workspace : ntmgis.workspace.Workspace
    assessment : ntmgis.assessment.Assessment
        ``ntmgis.assessment.assess(workspace)``; the map computes nothing itself.
    lang : {"vi", "en"}
        Language of every label and of the number format (1.234,5 in Vietnamese).
    title : str, optional
        Default :func:`planner_title`.
    highlight : mapping of layer id to keys, optional
        Features to outline strongly, e.g. ``{"communes": ["07324"]}`` for the communes a scenario
        changes (commune codes, village ids, segment ids; upgrade segments are
        ``"<segment_id>@<commune_code>"``).
    extra_layers : sequence of MapLayer
        Drawn on top of the planner layers (e.g. a scenario's new roads).
    summary : sequence of SummaryTable, optional
        Replaces the default summary panel (:func:`planner_summary`), e.g. with a scenario diff.
    basemap, basemap_attribution : str, optional
        Opt-in online tiles (see :func:`ntmgis.maps.page.render_map`).

    Returns
    -------
    str
        The page; write it with :func:`ntmgis.io.write_text_atomic`.

    Examples
    --------
    >>> from ntmgis.assessment import assess
    >>> from ntmgis.workspace import load_workspace
    >>> ws = load_workspace()  # doctest: +SKIP
    >>> html = build_planner_map(ws, assess(ws), lang="en")  # doctest: +SKIP
    """
    layers = planner_layers(workspace, assessment, lang=lang)
    if highlight:
        known = {layer.id for layer in layers}
        unknown = sorted(set(highlight) - known)
        if unknown:
            raise ValueError(f"highlight names unknown layers {unknown}; known: {sorted(known)}")
        layers = [_with_highlight(layer, highlight.get(layer.id, ())) for layer in layers]
    return render_map(
        [*layers, *extra_layers],
        title=planner_title(workspace, assessment, lang=lang) if title is None else title,
        lang=lang, note=workspace.note(lang),
        provenance=planner_provenance(workspace, assessment, lang=lang),
        summary=planner_summary(workspace, assessment, lang=lang) if summary is None else summary,
        timeline=planner_timeline(workspace, assessment, lang=lang),
        basemap=basemap, basemap_attribution=basemap_attribution)


def _with_highlight(layer: MapLayer, keys: Iterable[str]) -> MapLayer:
    keys = [str(k) for k in keys]
    if not keys:
        return layer
    missing = sorted(set(keys) - {str(k) for k in layer.keys})
    if missing:
        raise ValueError(f"highlight: layer {layer.id!r} has no features {missing[:5]}")
    return replace(layer, highlight=keys)


def build_planner_png(workspace: Any, assessment: Any, *, lang: str = "vi", title: str | None = None,
                      dpi: int = 150) -> bytes:
    """PNG of the planners' map for printed reports: the layers shown when the HTML page opens
    (communes by recognised level, roads by class, segments to upgrade, markets), with legend
    counts, scale bar, north arrow and the sample-data note.

    Returns
    -------
    bytes
        Write them with :func:`ntmgis.io.write_bytes_atomic` (or any binary write).
    """
    layers = planner_layers(workspace, assessment, lang=lang)
    credits = f"{workspace.plan.data.get('source', '')} · {assessment.provenance.criteria_sets} · {assessment.year}"
    title = planner_title(workspace, assessment, lang=lang) if title is None else title
    return render_png(layers, title=title, lang=lang, note=workspace.note(lang), credits=credits, dpi=dpi)
