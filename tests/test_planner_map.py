"""The planners' map as data: layers, counts, legends, themes, timeline, summary, escaping,
determinism, shared borders. What the browser makes of it: ``test_planner_map_browser.py``.

Expectations are derived from the workspace and the Assessment, never typed in.
"""

from __future__ import annotations

import dataclasses
import json
from html.parser import HTMLParser
from types import MappingProxyType

import geopandas as gpd
import pytest
import shapely

from ntmgis.maps import MapClass, MapLayer, Theme, build_planner_map, render_map
from ntmgis.maps.commune_map import NOT_ASSESSED
from ntmgis.maps.page import format_number
from ntmgis.maps.topology import decode_geometries, encode_geometries

HOSTILE = "<img src=x onerror=alert(1)>"
QUOTES = "Thôn \"Ngoặc\" 'đơn' `huyền` \\gạch\\ </script><!-- \u2028 &amp;"

# Gap layers the planners' map does not draw as layers of their own: canals are drawn by lining,
# production zones whole.
UNDRAWN = ("canals_to_line", "zones_by_commune")


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.data: dict[str, str] = {}
        self._id: str | None = None

    def handle_starttag(self, tag, attrs):
        self._id = dict(attrs).get("id") if tag == "script" else None

    def handle_data(self, data):
        if self._id:
            self.data[self._id] = data
            self._id = None


def page_data(html: str) -> tuple[dict, dict]:
    parser = _Scripts()
    parser.feed(html)
    return json.loads(parser.data["ntmgis-config"]), json.loads(parser.data["ntmgis-data"])


def layer(data: dict, layer_id: str) -> dict:
    return next(entry for entry in data["layers"] if entry["id"] == layer_id)


def theme(entry: dict, theme_id: str) -> dict:
    return next(t for t in entry["themes"] if t["id"] == theme_id)


def classes_by_key(entry: dict, theme_id: str) -> dict[str, str]:
    found = theme(entry, theme_id)
    return {key: found["classes"][v]["code"] for key, v in zip(entry["keys"], found["values"], strict=True)}


@pytest.fixture(scope="module")
def workspace(sample_workspace):
    return sample_workspace


@pytest.fixture(scope="module")
def assessment(sample_assessment):
    return sample_assessment


@pytest.fixture(scope="module")
def html(workspace, assessment):
    return build_planner_map(workspace, assessment)


@pytest.fixture(scope="module")
def data(html):
    return page_data(html)[1]


@pytest.fixture(scope="module")
def config(html):
    return page_data(html)[0]


# --------------------------------------------------------------------------------------------
# Layers and what they carry
# --------------------------------------------------------------------------------------------


def test_every_layer_with_the_feature_count_of_its_source(workspace, assessment, data):
    expected = {
        name: len(workspace.layer(name))
        for name in ("communes", "villages", "roads", "canals", "markets", "facilities", "production_zones")
    }
    expected |= {name: len(frame) for name, frame in assessment.gap_layers().items() if name not in UNDRAWN}
    counts = {entry["id"]: len(data["topology"]["layers"][entry["id"]]) for entry in data["layers"]}
    assert counts == expected
    for entry in data["layers"]:
        n = len(entry["keys"])
        assert len(entry["names"]) == n
        assert all(len(t["values"]) == n for t in entry["themes"])
        assert all(len(f["values"]) == n for f in entry["fields"])
        for t in entry["themes"]:  # legend counts add up to the features
            assert sum(c["count"] for c in t["classes"]) == n, (entry["id"], t["id"])


def test_commune_levels_in_natural_order_with_counts(assessment, data):
    communes = layer(data, "communes")
    recognised = theme(communes, "recognised")
    order = ["chua_dat", "ntm", "nang_cao", "kieu_mau", NOT_ASSESSED, "not_applicable"]
    assert [c["code"] for c in recognised["classes"]] == order
    # A town without a recognition is "not applicable" (it has no NTM level), anything else unknown.
    rows = assessment.communes
    unknown = rows["assessed"].eq(False).map({True: "not_applicable", False: NOT_ASSESSED})
    expected = rows["recognised_level"].fillna(unknown).value_counts()
    assert {c["code"]: c["count"] for c in recognised["classes"]} == {
        code: int(expected.get(code, 0)) for code in order
    }
    assert recognised["classes"][-2]["label"] == "Chưa đánh giá"
    assert recognised["classes"][-1]["label"] == "Không áp dụng"


def test_one_theme_per_criterion_at_the_target_level(assessment, data):
    communes = layer(data, "communes")
    summary = assessment.communes.set_index("commune_code")
    rows = assessment.criteria
    ids = set(rows["criterion"])
    assert {t["id"] for t in communes["themes"] if t["id"].startswith("criterion_")} == {
        f"criterion_{c}" for c in ids
    }
    for cid in ("2", "7", "13"):
        shown = classes_by_key(communes, f"criterion_{cid}")
        details = dict(zip(communes["keys"], theme(communes, f"criterion_{cid}")["detail"], strict=True))
        for r in rows[rows["criterion"] == cid].itertuples():
            if summary.loc[r.unit_code, "target_level"] != r.level:
                continue
            expected = r.status + ("_unverified" if r.status in ("met", "not_met") and r.unverified else "")
            assert shown[r.unit_code] == expected
            if r.gap_vi:
                assert r.gap_vi in details[r.unit_code]  # the gap text of the engine, in the popup
    statuses = {
        c["code"] for t in communes["themes"] if t["id"].startswith("criterion_") for c in t["classes"]
    }
    assert {"met", "not_met", NOT_ASSESSED} <= statuses
    met = theme(communes, "criteria_met")
    first = summary.iloc[0]
    # met / not met / not assessed: a bare "17/19" would hide the criteria nobody assessed
    code = f"{first['criteria_met']}/{first['criteria_not_met']}/{first['criteria_not_assessed']}"
    assert classes_by_key(communes, "criteria_met")[summary.index[0]] == code
    labels = {c["code"]: c["label"] for c in met["classes"]}
    assert labels[code] == (
        f"{first['criteria_met']} đạt · {first['criteria_not_met']} chưa đạt · "
        f"{first['criteria_not_assessed']} chưa đánh giá"
    )
    assert met["classes"][-1]["code"] == NOT_ASSESSED


def test_upgrade_segments_carry_length_and_cost(assessment, data):
    upgrade = layer(data, "segments_to_upgrade")
    fields = {f["label"]: f for f in upgrade["fields"]}
    frame = assessment.segments_to_upgrade
    # each length is shipped to 10 m (2 decimals of a km)
    length = sum(fields["Chiều dài"]["values"])
    assert length == pytest.approx(frame["length_km"].sum(), abs=0.005 * len(frame))
    cost = sum(fields["Kinh phí ước tính"]["values"])
    assert cost == pytest.approx(frame["cost_million_vnd"].sum(), rel=1e-3)
    assert fields["Kinh phí ước tính"]["unit"] == "triệu đồng"


def test_timeline_follows_the_plan(workspace, assessment, data, config):
    plan = workspace.plan
    villages = layer(data, "villages")
    by_year = plan.model_villages_by_year()
    progress = assessment.progress.set_index(["measure", "year"])
    for year in config["timeline"]["years"]:
        shown = theme(villages, f"plan_{year}")
        counts = {c["code"]: c["count"] for c in shown["classes"]}
        scheduled = counts.get("achieved", 0) + counts.get("late", 0) + counts.get("due", 0)
        assert scheduled == by_year[by_year.index <= year].sum()  # 11, 21, 34, 40, 43
        if year <= assessment.year:
            assert counts.get("achieved", 0) == progress.loc[("model_villages", year), "achieved_cumulative"]
        else:
            assert counts.get("late", 0) == 0
    communes = layer(data, "communes")
    nang_cao = set(plan.nang_cao_schedule()["commune_code"]) | set(plan.kieu_mau_schedule()["commune_code"])
    for year in config["timeline"]["years"]:
        shown = classes_by_key(communes, f"plan_{year}")
        due = {code for code, cls in shown.items() if cls in ("achieved", "late", "due")}
        first_years = {}
        for schedule in (plan.nang_cao_schedule(), plan.kieu_mau_schedule()):
            for r in schedule.itertuples():
                first_years[str(r.commune_code)] = min(first_years.get(str(r.commune_code), 9999), r.year)
        assert due == {code for code, first in first_years.items() if first <= year}
        assert {code for code, cls in shown.items() if cls == "maintain"} == set(shown) - nang_cao
    assert config["timeline"]["years"] == list(range(plan.data["period"][0], plan.data["period"][1] + 1))


def test_summary_has_targets_values_and_status(workspace, assessment, config):
    (targets, progress, infrastructure) = config["summary"]
    rows = {row[0]: row for row in targets["rows"]}
    budget = workspace.plan.data["budget"]["total"]
    assert rows["Tổng vốn kế hoạch"][1] == f"{format_number(budget, 'vi')} triệu đồng" == "931.359 triệu đồng"
    sectors = assessment.sectors.set_index("target_id")
    vietgap = sectors.loc["vietgap_concentrated_zone_ha"]
    assert rows["Vùng sản xuất tập trung VietGAP"][1:] == [
        "400–500 ha",
        f"{format_number(vietgap['value'], 'vi', 1)} ha",
        "Đạt" if vietgap["status"] == "met" else "Chưa đạt",
    ]
    assert rows["Thôn kiểu mẫu"][1] == "43"
    assert len(progress["rows"]) == len(config["timeline"]["years"])
    assert infrastructure["rows"][1][1] == f"{len(assessment.market_gaps)} thôn"


def test_note_and_provenance(workspace, assessment, config):
    assert config["note"] == workspace.note("vi")
    text = "\n".join(config["provenance"])
    assert assessment.provenance.criteria_sets in text
    unverified = assessment.unverified_thresholds
    used = unverified[unverified["used_for"].fillna("").astype(str) != ""]
    for indicator in set(used["indicator"]):
        assert indicator in text
    for path in workspace.sources.values():
        assert path.rsplit("/", 1)[-1] in text


def test_english_labels_and_number_format(workspace, assessment):
    config, data = page_data(build_planner_map(workspace, assessment, lang="en"))
    assert config["lang"] == "en" and config["title"].startswith("Tân Yên district")
    rows = {row[0]: row for row in config["summary"][0]["rows"]}
    assert rows["Planned budget"][1] == "931,359 million VND"
    recognised = theme(layer(data, "communes"), "recognised")
    assert [c["label"] for c in recognised["classes"]] == [
        "Not yet NTM",
        "NTM",
        "Advanced NTM",
        "Model NTM",
        "Not assessed",
        "Not applicable",
    ]


def test_same_inputs_give_identical_html(workspace, assessment, html):
    assert build_planner_map(workspace, assessment) == html


def test_size_budget(html):
    assert len(html.encode("utf-8")) <= 2_000_000


def test_highlight_for_a_scenario_diff(workspace, assessment):
    _, data = page_data(build_planner_map(workspace, assessment, highlight={"communes": ["07324"]}))
    communes = layer(data, "communes")
    assert [communes["keys"][i] for i in communes["highlight"]] == ["07324"]
    with pytest.raises(ValueError, match="unknown layers"):
        build_planner_map(workspace, assessment, highlight={"rivers": ["x"]})
    with pytest.raises(ValueError, match="no features"):
        build_planner_map(workspace, assessment, highlight={"communes": ["99999"]})


def test_hostile_values_stay_data(workspace, assessment):
    villages = workspace.layer("villages")
    villages.loc[villages.index[0], "name"] = HOSTILE
    villages.loc[villages.index[1], "name"] = QUOTES
    zones = workspace.layer("production_zones")
    zones.loc[zones.index[0], "crop"] = HOSTILE  # an unknown code becomes a legend class of its own
    hostile = dataclasses.replace(  # past with_layers' validation: the map must escape what it is given
        workspace,
        _layers=MappingProxyType(
            {
                **{n: workspace.layer(n) for n in workspace.layer_names},
                "villages": villages,
                "production_zones": zones,
            }
        ),
    )
    html = build_planner_map(hostile, assessment)
    assert "<img" not in html
    assert "<!--" not in html.split("<body>")[1]
    assert html.count("</script>") == 4
    assert "\u2028" not in html
    _, data = page_data(html)
    names = layer(data, "villages")["names"]
    assert HOSTILE in names and QUOTES in names
    crops = [c["label"] for c in theme(layer(data, "production_zones"), "crop")["classes"]]
    assert HOSTILE in crops


# --------------------------------------------------------------------------------------------
# The page engine and its geometry
# --------------------------------------------------------------------------------------------


def test_shared_borders_are_stored_once():
    left, right = shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)
    topology = encode_geometries({"cells": [left, right]}, decimals=3)
    # three arcs: the shared edge and the rest of each square
    assert len(topology["arcs"]) == 3
    for i in (0, 1):
        assert sum(1 for ring in topology["layers"]["cells"][i][0] for _ in ring) == 2
    decoded = decode_geometries(topology, "cells", "polygon")
    assert decoded[0].equals(left) and decoded[1].equals(right)


def test_simplification_keeps_neighbours_together(sample_workspace):
    communes = sample_workspace.layer("communes")
    topology = encode_geometries({"communes": communes.geometry}, simplify=3.0)
    shapes = decode_geometries(topology, "communes", "polygon")
    plain = decode_geometries(encode_geometries({"communes": communes.geometry}), "communes", "polygon")
    assert sum(len(s.exterior.coords) for s in shapes) < sum(len(s.exterior.coords) for s in plain)
    assert all(s.is_valid for s in shapes)
    # no slivers: the simplified communes still tile the district as the originals do
    union = shapely.union_all(shapes)
    assert abs(union.area - sum(s.area for s in shapes)) < 1e-9


def test_render_map_refuses_inconsistent_layers():
    square = gpd.GeoSeries([shapely.box(405_000, 2_365_000, 406_000, 2_366_000)], crs="EPSG:9214")
    ok = Theme("t", "T", ["a"], [MapClass("a", "A", "#000000")])
    with pytest.raises(ValueError, match="has 1 geometries"):
        render_map([MapLayer("x", "X", "polygon", square, ["k"], ["n", "m"], [ok])], title="t")
    with pytest.raises(ValueError, match="have no class"):
        render_map(
            [
                MapLayer(
                    "x",
                    "X",
                    "polygon",
                    square,
                    ["k"],
                    ["n"],
                    [Theme("t", "T", ["b"], [MapClass("a", "A", "#000000")])],
                )
            ],
            title="t",
        )
    with pytest.raises(ValueError, match="lang"):
        render_map([MapLayer("x", "X", "polygon", square, ["k"], ["n"], [ok])], title="t", lang="fr")


def test_vietnamese_number_format():
    assert format_number(1234.5, "vi", 1) == "1.234,5"
    assert format_number(1234.5, "en", 1) == "1,234.5"
    assert format_number(931359, "vi") == "931.359"


def test_zone_areas_are_the_measured_ones_not_the_declared_attribute(workspace, assessment):
    # A file's own area column can be stale or wrong: the map shows the area measured in the
    # working CRS by the assessment.
    zones = workspace.layer("production_zones")
    zones["area_ha"] = 999.0
    html = build_planner_map(workspace.with_layers(production_zones=zones), assessment)
    entry = layer(page_data(html)[1], "production_zones")
    area = next(f for f in entry["fields"] if f["label"] == "Diện tích")
    measured = assessment.zones.set_index("zone_id")["area_ha"]
    shown = dict(zip(entry["keys"], area["values"], strict=True))
    assert shown == pytest.approx({k: round(v, 1) for k, v in measured.items()}, abs=0.051)


def test_criteria_count_names_the_not_assessed_in_english(workspace, assessment):
    communes = layer(page_data(build_planner_map(workspace, assessment, lang="en"))[1], "communes")
    first = assessment.communes.iloc[0]
    code = f"{first['criteria_met']}/{first['criteria_not_met']}/{first['criteria_not_assessed']}"
    labels = {c["code"]: c["label"] for c in theme(communes, "criteria_met")["classes"]}
    assert labels[code] == (
        f"{first['criteria_met']} met · {first['criteria_not_met']} not met · "
        f"{first['criteria_not_assessed']} not assessed"
    )
    # the sample has recognition decisions: the map opens on them
    assert communes["themes"][0]["id"] == "recognised"
    (rows,) = [f for f in communes["fields"] if f["format"] == "rows"]
    assert rows["label"] == "Criteria (at target level)"
    assert len(rows["values"][communes["keys"].index(first["commune_code"])]) == first["criteria_total"]


def test_towns_are_not_applicable_in_the_evaluated_level_not_unassessed(workspace, data):
    # A thị trấn is not evaluated against the commune sets: "không áp dụng", never "chưa đánh giá".
    communes = workspace.layer("communes")
    towns = set(communes.loc[communes["kind"] == "thi_tran", "commune_code"].astype(str))
    shown = classes_by_key(layer(data, "communes"), "evaluated")
    assert towns and {k for k, v in shown.items() if v == "not_applicable"} == towns
    assert "not_assessed" not in {shown[k] for k in towns}


def test_towns_are_not_applicable_in_the_recognised_level(workspace, data):
    # Regression: a thị trấn has no NTM recognition; it was grey "chưa đánh giá" on this theme.
    communes = workspace.layer("communes")
    towns = set(communes.loc[communes["kind"] == "thi_tran", "commune_code"].astype(str))
    shown = classes_by_key(layer(data, "communes"), "recognised")
    assert towns and {shown[k] for k in towns} == {"not_applicable"}
    assert "not_applicable" not in {v for k, v in shown.items() if k not in towns}
