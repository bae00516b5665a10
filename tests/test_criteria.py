"""Criteria sets as data (ntmgis.criteria.sets): loading, validation, overrides, choice by date."""

from datetime import date
from importlib import resources

import pytest
import yaml

from ntmgis.criteria import (
    PACKAGED_SETS,
    UNVERIFIED_NOTE,
    check_overrides,
    choose_criteria,
    load_criteria_set,
    load_criteria_sets,
)
from ntmgis.criteria.sets import level_rank
from ntmgis.problems import DataError


@pytest.fixture(scope="module")
def sets():
    return load_criteria_sets()


def _yaml(set_id):
    return yaml.safe_load(resources.files("ntmgis").joinpath(f"criteria/{set_id}.yaml").read_text("utf-8"))


def test_every_packaged_set_loads_with_its_role(sets):
    assert set(sets) == set(PACKAGED_SETS)
    assert {k: v.role for k, v in sets.items()} == {
        "qd1980_2016": "commune",
        "qd318_2022_xa": "commune",
        "qd51_2025_xa": "commune",
        "qd319_2022_kieu_mau": "kieu_mau",
        "bac_giang_thon_kieu_mau": "village",
    }
    assert sets["qd318_2022_xa"].levels == ("ntm", "nang_cao")
    assert sets["qd1980_2016"].levels == ("ntm",)
    assert sets["qd319_2022_kieu_mau"].base.id == "qd318_2022_xa"


@pytest.mark.parametrize("set_id", ["qd1980_2016", "qd318_2022_xa"])
def test_commune_sets_have_the_19_criteria(sets, set_id):
    criteria = sets[set_id].indicators()["criterion"].unique().tolist()
    assert criteria == [str(n) for n in range(1, 20)]


def test_qd318_criterion_names_match_the_verified_list(sets):
    # DOMAIN.md §1: the 19 names of QĐ 318 were verified against two press summaries.
    names = sets["qd318_2022_xa"].indicators().drop_duplicates("criterion")["criterion_vi"].tolist()
    assert names == [
        "Quy hoạch",
        "Giao thông",
        "Thủy lợi và phòng, chống thiên tai",
        "Điện",
        "Trường học",
        "Cơ sở vật chất văn hóa",
        "Cơ sở hạ tầng thương mại nông thôn",
        "Thông tin và Truyền thông",
        "Nhà ở dân cư",
        "Thu nhập",
        "Nghèo đa chiều",
        "Lao động",
        "Tổ chức sản xuất và phát triển kinh tế nông thôn",
        "Giáo dục và Đào tạo",
        "Y tế",
        "Văn hóa",
        "Môi trường và an toàn thực phẩm",
        "Hệ thống chính trị và tiếp cận pháp luật",
        "Quốc phòng và An ninh",
    ]


@pytest.mark.parametrize("set_id", PACKAGED_SETS)
def test_every_threshold_cites_a_source_and_says_whether_it_is_verified(set_id):
    data = _yaml(set_id)
    for criterion in data["criteria"]:
        for indicator in criterion["indicators"]:
            for level, spec in indicator["thresholds"].items():
                assert str(spec.get("source", "")).strip(), (indicator["id"], level)
                assert isinstance(spec.get("verified"), bool), (indicator["id"], level)


def test_verified_numbers_are_the_ones_the_research_confirmed(sets):
    t = (
        choose_criteria(date(2020, 6, 30), region="TDMNPB", sets=sets)
        .thresholds()
        .set_index(["level", "indicator"])
    )
    # QĐ 1980: farmland irrigation ≥ 80 % and TDMNPB income ≥ 36 million by 2020 are verified.
    assert t.loc[("ntm", "3.1"), ["threshold", "verified"]].tolist() == [80.0, True]
    assert t.loc[("ntm", "10"), ["threshold", "verified"]].tolist() == [36.0, True]
    t = choose_criteria(2023, region="TDMNPB", sets=sets).thresholds()
    unverified = t[~t["verified"]]
    # Every number of QĐ 318 is unverified in the research, but "no temporary houses" (9.1).
    numeric = t[(t["criteria_set"] == "qd318_2022_xa") & t["threshold"].notna()]
    assert set(numeric.loc[numeric["verified"], "indicator"]) == {"9.1"}
    assert {"2.2", "10"} <= set(unverified["indicator"])


def test_missing_year_borrows_the_nearest_and_becomes_unverified(sets):
    t = choose_criteria(2019, region="TDMNPB", sets=sets).thresholds().set_index(["level", "indicator"])
    row = t.loc[("ntm", "10")]
    assert row["threshold"] == 36.0
    assert not row["verified"]
    assert row["threshold_note"] == "value of 2020 used for 2019"


def test_regional_threshold_needs_the_region(sets):
    t = choose_criteria(2023, sets=sets).thresholds().set_index(["level", "indicator"])
    assert t.loc[("ntm", "2.2"), "threshold"] != t.loc[("ntm", "2.2"), "threshold"]  # NaN
    assert "region not given" in t.loc[("ntm", "2.2"), "threshold_note"]


def test_province_gives_the_region(sets):
    selection = choose_criteria(2023, province="Bắc Giang", sets=sets)
    assert selection.region == "TDMNPB"
    assert choose_criteria(2023, province="Bac Giang", sets=sets).region == "TDMNPB"
    # Every province has a region now (issue 11): Kiên Giang is in the Mekong delta, which has no
    # column of its own in QĐ 318, so its regional thresholds are not assessed (test_regions.py).
    assert choose_criteria(2023, province="Kiên Giang", sets=sets).region == "DBSCL"
    with pytest.raises(DataError, match="unknown province"):
        choose_criteria(2023, province="Atlantis", sets=sets)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2021, 12, 31), "qd1980_2016"),
        (date(2022, 3, 7), "qd1980_2016"),
        (date(2022, 3, 8), "qd318_2022_xa + qd319_2022_kieu_mau"),
        (2023, "qd318_2022_xa + qd319_2022_kieu_mau"),
        ("2025-12-31", "qd318_2022_xa + qd319_2022_kieu_mau"),
    ],
)
def test_set_chosen_by_assessment_date(sets, as_of, expected):
    selection = choose_criteria(as_of, sets=sets, province="Bắc Giang")
    assert selection.set_ids == expected
    assert selection.reason == "chosen by date"
    assert selection.village.id == "bac_giang_thon_kieu_mau"


@pytest.mark.parametrize("province", ["Cần Thơ", None])
def test_the_bac_giang_village_set_is_not_used_elsewhere(sets, province):
    # Regression: a Cần Thơ district was evaluated with Bắc Giang's QĐ 11/2018 model-village set.
    selection = choose_criteria(2023, sets=sets, province=province, region="DBSCL")
    assert selection.village is None


def test_no_set_between_qd318_and_qd51_and_named_sets(sets):
    # QĐ 318 ends on 2025-12-31 and QĐ 51/2025 starts on 2026-02-15: no set covers the weeks between.
    with pytest.raises(DataError, match="no commune criteria set covers"):
        choose_criteria("2026-01-10", sets=sets)
    assert choose_criteria(2026, sets=sets).commune.id == "qd51_2025_xa"
    named = choose_criteria(2021, set_id="qd318_2022_xa", sets=sets)
    assert named.set_ids == "qd318_2022_xa + qd319_2022_kieu_mau"
    assert named.reason == "named in the workspace"
    assert named.year == 2021
    with pytest.raises(DataError, match="unknown commune criteria set"):
        choose_criteria(2023, set_id="qd999", sets=sets)


def test_levels_of_a_selection_are_in_rank_order(sets):
    assert choose_criteria(2023, sets=sets).levels == ("ntm", "nang_cao", "kieu_mau")
    assert choose_criteria(2021, sets=sets).levels == ("ntm",)
    assert level_rank("chua_dat") < level_rank("ntm") < level_rank("nang_cao") < level_rank("kieu_mau")


def test_kieu_mau_repeats_the_nang_cao_set_and_adds_its_rules(sets):
    t = choose_criteria(2023, region="TDMNPB", sets=sets).thresholds()
    km = t[t["level"] == "kieu_mau"]
    nc = t[t["level"] == "nang_cao"]
    inherited = km[km["inherited_from"] == "nang_cao"]
    assert inherited["indicator"].tolist() == nc["indicator"].tolist()
    assert inherited["threshold"].reset_index(drop=True).equals(nc["threshold"].reset_index(drop=True))
    own = km[km["inherited_from"] == ""].set_index("indicator")
    assert own.index.tolist() == ["KM.1", "KM.2", "KM.3", "KM.4"]
    assert own.loc["KM.1", "method"] == "derived"
    income_nc = nc.set_index("indicator").loc["10", "threshold"]
    # QĐ 319 (b): ≥ 1.10 × the nâng cao income of the same year; unverified because the base is.
    assert own.loc["KM.2", "threshold"] == pytest.approx(1.10 * income_nc)
    assert not own.loc["KM.2", "verified"]


def test_override_replaces_a_threshold_and_marks_it(sets):
    overrides = {
        "qd318_2022_xa": {
            "2.2": {"ntm": 80, "nang_cao": {"value": 95, "source": "QĐ 99/2022"}},
            "10": {"nang_cao": {"by_year": {2023: 60}}},
        }
    }
    changed = load_criteria_sets(overrides)
    t = choose_criteria(2023, region="TDMNPB", sets=changed).thresholds().set_index(["level", "indicator"])
    assert t.loc[("ntm", "2.2"), ["threshold", "verified", "overridden"]].tolist() == [80.0, True, True]
    assert t.loc[("nang_cao", "2.2"), "source"] == "QĐ 99/2022"
    # The override of the base flows into the kiểu mẫu income rule.
    assert t.loc[("kieu_mau", "KM.2"), "threshold"] == pytest.approx(66.0)
    assert t.loc[("kieu_mau", "KM.2"), "verified"]
    # The packaged sets are untouched.
    base = choose_criteria(2023, region="TDMNPB", sets=sets).thresholds().set_index(["level", "indicator"])
    assert base.loc[("ntm", "2.2"), "threshold"] == 70.0


def test_bad_overrides_are_all_reported(sets):
    problems = check_overrides(
        {
            "nope": {},
            "qd318_2022_xa": {"99": {"ntm": 1}, "2.2": {"kieu_mau": 3, "ntm": "many"}, "7": {"ntm": 3}},
            "qd319_2022_kieu_mau": {"2.2": {"kieu_mau": 1}},
        },
        sets,
    )
    text = "\n".join(p.problem for p in problems)
    assert "unknown criteria set 'nope'" in text
    assert "no indicator '99'" in text
    assert "no level 'kieu_mau'" in text
    assert "'many' is not a number" in text
    assert "a pass/fail threshold is true" in text
    assert any("override it there" in p.action for p in problems)
    with pytest.raises(DataError, match="criteria_overrides cannot be used"):
        load_criteria_sets({"nope": {}})


def test_invalid_set_file_lists_every_problem(tmp_path):
    data = _yaml("qd318_2022_xa")
    data["id"] = "province_set"
    spec = data["criteria"][1]["indicators"][1]["thresholds"]["ntm"]
    del spec["source"]
    spec["op"] = "~"
    data["criteria"][0]["indicators"][0]["thresholds"]["kieu_mau"] = {
        "value": True,
        "verified": True,
        "source": "x",
    }
    path = tmp_path / "province.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_criteria_set(str(path))
    text = str(caught.value)
    assert "every threshold needs its source" in text
    assert "op '~'" in text
    assert "level 'kieu_mau', which the set does not have" in text


def test_a_province_set_file_loads_beside_the_packaged_ones(tmp_path):
    data = _yaml("qd318_2022_xa")
    data["id"] = "bac_giang_2023"
    path = tmp_path / "bg.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    loaded = load_criteria_set("bg.yaml", base_dir=tmp_path)
    assert loaded.id == "bac_giang_2023"
    assert loaded.source == str(path)
    with pytest.raises(DataError, match="criteria set not found"):
        load_criteria_set("missing.yaml", base_dir=tmp_path)


def test_sets_are_read_only(sets):
    with pytest.raises(TypeError):
        sets["qd318_2022_xa"].data["levels"] = ("ntm",)


def test_unverified_note_is_bilingual():
    assert UNVERIFIED_NOTE == "ngưỡng chưa xác minh / threshold unverified"


def test_codes_sort_criteria_and_indicators_in_reading_order():
    from ntmgis.criteria import criterion_sort_key

    ids = ["KM.2", "10", "2.10", "KM", "2", "1", "2.2", "19", "thon_kieu_mau"]
    assert sorted(ids, key=criterion_sort_key) == [
        "1",
        "2",
        "2.2",
        "2.10",
        "10",
        "19",
        "KM",
        "KM.2",
        "thon_kieu_mau",
    ]
