"""`ntmgis plan init / from-sheet / to-sheet`: a district writes its own plan without editing the package."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from ntmgis.cli import main
from ntmgis.io.plan_sheet import Schedules, schedule_frames, schedules_from_frames, schedules_of
from ntmgis.labels import text
from ntmgis.plan import load_plan
from ntmgis.workspace import load_workspace, sample_workspace_path

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
COMMUNES = REAL / "tan_yen_communes_2021_derived.geojson"
PACKAGED = Path(__file__).resolve().parents[1] / "ntmgis" / "plans" / "tan_yen_2021_2025.yaml"
DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.fixture(scope="module")
def sample():
    return load_workspace(None)


@pytest.fixture(scope="module")
def real_workspace(tmp_path_factory) -> Path:
    if not COMMUNES.exists():
        pytest.skip("shared/data/real not present")
    root = tmp_path_factory.mktemp("real_plan")
    config = {
        "name": "Tân Yên (ranh giới thật 2021)",
        "district": {"name": "Tân Yên", "province": "Bắc Giang"},
        "working_crs": "EPSG:9214",
        "layers": {
            "communes": {
                "path": str(COMMUNES),
                "columns": {"commune_code": "gso_code", "name": "name_short", "kind": "unit_type"},
            }
        },
    }
    (root / "workspace.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return root


def _fill(text: str, key: str, year: int, units: list[tuple[str, str]]) -> str:
    """Fill one schedule of a skeleton as a user would, in the text."""
    line = f"{year}: [" + ", ".join(f'{{code: "{c}", name: "{n}"}}' for c, n in units) + "]"
    pattern = rf"(  {key}:\n(?:    #.*\n)*    section: .*\n)    years: \{{\}}"
    filled, count = re.subn(pattern, rf"\g<1>    years:\n      {line}", text)
    assert count == 1
    total = key.replace("schedule", "total")
    return re.sub(rf"{total}: \{{value: 0", f"{total}: {{value: {len(units)}", filled)


@pytest.mark.parametrize("which", ["sample", "real"])
def test_init_lists_every_commune_and_loads_once_filled(which, request, tmp_path):
    source = sample_workspace_path() if which == "sample" else request.getfixturevalue("real_workspace")
    out = tmp_path / "plan.yaml"
    assert main(["plan", "init", str(source), "-o", str(out), "--period", "2026-2030"]) == 0
    text = out.read_text(encoding="utf-8")
    communes = load_workspace(source).communes
    for code, name in zip(communes["commune_code"], communes["name"], strict=True):
        assert f'{{code: "{code}", name: "{name}"' in text
    assert "mục tiêu" in text and "năm" in text
    empty = load_plan(str(out))
    assert empty.data["period"] == (2026, 2030) and empty.nang_cao_schedule().empty
    picked = list(zip(communes["commune_code"][:2], communes["name"][:2], strict=True))
    out.write_text(_fill(text, "nang_cao_schedule", 2027, picked), encoding="utf-8")
    schedule = load_plan(str(out)).nang_cao_schedule()
    assert schedule.values.tolist() == [[2027, c, n] for c, n in picked]


def test_init_refuses_to_overwrite(tmp_path, capsys):
    out = tmp_path / "plan.yaml"
    out.write_text("mine", encoding="utf-8")
    assert main(["plan", "init", "-o", str(out)]) == 2
    assert out.read_text(encoding="utf-8") == "mine"
    assert "--force" in capsys.readouterr().err
    assert main(["plan", "init", "-o", str(out), "--force"]) == 0
    assert load_plan(str(out)).id.endswith(("2026_2030", "2031_2035"))


def _office_sheet(path: Path) -> None:
    book = Workbook()
    communes = book.active
    communes.title = "Biểu 01"
    communes.append(["BIỂU 01: DANH SÁCH XÃ ĐẠT CHUẨN NTM NÂNG CAO, KIỂU MẪU"])
    communes.append([])
    communes.append(["STT", "MÃ XÃ", "Tên xã", "Mục tiêu", "Năm đạt chuẩn"])
    communes.append([1, "07330", "Hợp Đức", "NTM nâng cao", 2026])  # row 4
    communes.append([2, 7324, "Phúc Hoà", "nâng cao", 2027])  # row 5: leading zero lost
    communes.append([3, "07354", "Việt Lập", "NTM kiểu mẫu", "2028"])  # row 6
    communes.append([4, "07303", "Lan Giới", "Vàng", 2027])  # row 7: bad level
    communes.append([5, "09999", "Xã Lạ", "NTM nâng cao", 2027])  # row 8: unknown commune
    communes.append([6, "07306", "Nhã Nam", "NTM nâng cao", "sắp tới"])  # row 9: bad year
    villages = book.create_sheet("Biểu 03")
    villages.append(["Thôn", "Xã", "Năm đạt chuẩn thôn kiểu mẫu"])
    villages.append(["Thôn Kép", "Lan Giới", 2026])
    villages.append(["Thôn Đồng", "Hợp Đức", 2026])
    villages.append(["Thôn Trên", "Nhã Nam", 2029])
    villages.append(["Thôn Lạ", "Xã Không Có", 2029])  # row 5: unknown commune
    named = book.create_sheet("Biểu 02 - NTM kiểu mẫu")  # the level is in the sheet's name
    named.append(["Mã xã", "Tên xã", "Năm"])
    named.append(["07360", "Ngọc Thiện", 2030])
    named.append(["07354", "Việt Lập", 2029])  # row 3: already listed in Biểu 01
    book.save(path)


def test_from_sheet_reads_vietnamese_headers_and_lists_bad_rows(tmp_path, capsys):
    sheet = tmp_path / "bieu.xlsx"
    _office_sheet(sheet)
    out = tmp_path / "plan.yaml"
    code = main(
        ["plan", "from-sheet", str(sheet), "--workspace", str(sample_workspace_path()), "-o", str(out)]
    )
    err = capsys.readouterr().err
    assert code == 1  # rows left out with errors: the plan is written, the exit says so
    plan = load_plan(str(out))
    assert plan.nang_cao_schedule().values.tolist() == [
        [2026, "07330", "Hợp Đức"],
        [2027, "07324", "Phúc Hòa"],
    ]
    assert plan.kieu_mau_schedule().values.tolist() == [
        [2028, "07354", "Việt Lập"],
        [2030, "07360", "Ngọc Thiện"],
    ]
    assert plan.model_villages_by_year().to_dict() == {2026: 2, 2029: 1}
    assert plan.data["villages"]["model_villages_total"]["value"] == 3
    places = (
        "Biểu 01!D7",
        "Biểu 01!B8",
        "Biểu 01!E9",
        "Biểu 01!B5",
        "Biểu 03!B5",
        "Biểu 02 - NTM kiểu mẫu!A3",
    )
    for where in places:
        assert where in err, where
    assert "Traceback" not in err


def test_sheet_without_level_is_one_problem(sample):
    raw = pd.DataFrame({"Tên xã": ["Hợp Đức", "Lan Giới"], "Năm đạt chuẩn": [2026, 2027]})
    found, problems = schedules_from_frames({"Biểu": raw, "other": raw.iloc[:0]}, communes=sample.communes)
    assert found == Schedules()
    assert [p.severity for p in problems] == ["error", "error"]


def test_sheet_without_schedule_is_an_error(sample):
    raw = pd.DataFrame({"Ghi chú": ["x"], "Tổng": [1]})
    found, problems = schedules_from_frames({"": raw}, communes=sample.communes)
    assert found == Schedules() and [p.severity for p in problems][-1] == "error"


def test_from_sheet_problems_name_cells(sample):
    raw = pd.DataFrame(
        {
            "Mã xã": ["07330", "07303"],
            "Tên xã": ["Hợp Đức", "Lan Giới"],
            "Mức đạt chuẩn": ["NTM", "xx"],
            "Năm đạt chuẩn": [2026, 2026],
        }
    )
    found, problems = schedules_from_frames({"s": raw}, communes=sample.communes, file="f.csv")
    assert found.communes == ()
    assert {p.feature for p in problems} == {"cell C2", "cell C3"}
    assert {p.severity for p in problems} == {"warning", "error"}


def test_round_trip_packaged_plan_through_xlsx(tmp_path):
    sheet, back = tmp_path / "plan.xlsx", tmp_path / "back.yaml"
    assert main(["plan", "to-sheet", "package:tan_yen_2021_2025", "-o", str(sheet)]) == 0
    args = ["plan", "from-sheet", str(sheet), "--workspace", str(sample_workspace_path())]
    assert main([*args, "--base", "package:tan_yen_2021_2025", "-o", str(back)]) == 0
    assert load_plan(str(back)).data == load_plan("package:tan_yen_2021_2025").data
    skeleton = tmp_path / "skeleton.yaml"
    assert main([*args, "-o", str(skeleton), "--period", "2021-2025"]) == 0
    assert schedules_of(load_plan(str(skeleton)).data) == schedules_of(
        load_plan("package:tan_yen_2021_2025").data
    )


@st.composite
def _schedules(draw, units):
    rows = []
    for level in ("nang_cao", "kieu_mau"):
        picked = draw(st.lists(st.sampled_from(units), unique=True, max_size=len(units)))
        years = draw(st.lists(st.integers(2026, 2030), min_size=len(picked), max_size=len(picked)))
        rows += sorted(
            ((level, y, c, n) for (c, n), y in zip(picked, years, strict=True)), key=lambda r: r[1]
        )
    villages = draw(st.dictionaries(st.integers(2026, 2030), st.integers(0, 40)))
    return Schedules(tuple(rows), dict(sorted(villages.items())))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), lang=st.sampled_from(["vi", "en"]))
def test_round_trip_generated_schedules(sample, data, lang):
    units = list(zip(sample.communes["commune_code"], sample.communes["name"], strict=True))
    schedules = data.draw(_schedules(units))
    back, problems = schedules_from_frames(schedule_frames(schedules, lang=lang), communes=sample.communes)
    assert problems == ()
    assert back == schedules


def test_cli_exit_codes_without_traceback(tmp_path, capsys):
    missing = tmp_path / "nope.xlsx"
    ws = str(sample_workspace_path())
    assert main(["plan", "from-sheet", str(missing), "--workspace", ws, "-o", str(tmp_path / "p.yaml")]) == 2
    assert main(["plan", "to-sheet", str(tmp_path / "nope.yaml"), "-o", str(tmp_path / "p.xlsx")]) == 2
    assert main(["plan", "init", str(tmp_path), "-o", str(tmp_path / "p.yaml")]) == 2
    assert main(["plan", "init", ws, "--period", "2030-2026", "-o", str(tmp_path / "p.yaml")]) == 2
    assert main(["plan", "from-sheet", str(missing), "-o", str(tmp_path / "p.yaml")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "nope" in err


def _keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return {str(k) for k in value if not isinstance(k, int)} | {
            k for v in value.values() for k in _keys(v)
        }
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_reference_page_names_every_key_of_the_packaged_plan(lang):
    page = (DOCS / lang / "reference" / "plan.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([a-z_]+)`", page))
    used = _keys(yaml.safe_load(PACKAGED.read_text(encoding="utf-8")))
    ids = {
        t["id"]
        for section in ("sector_targets", "district_nang_cao_targets")
        for t in yaml.safe_load(PACKAGED.read_text(encoding="utf-8"))[section]
    }
    assert used - named == set()
    assert "markets_upgraded" in named and ids


def test_init_says_why_when_the_named_plan_is_not_written_yet(tmp_path, capsys):
    sample_root = sample_workspace_path().parent
    config = yaml.safe_load(sample_workspace_path().read_text(encoding="utf-8"))
    communes = config["layers"]["communes"]
    entry = (
        {"path": str(sample_root / communes)}
        if isinstance(communes, str)
        else {**communes, "path": str(sample_root / communes["path"])}
    )
    own = {"name": "Mới", "district": config["district"], "plan": "plan.yaml", "layers": {"communes": entry}}
    (tmp_path / "workspace.yaml").write_text(yaml.safe_dump(own, allow_unicode=True), encoding="utf-8")
    assert main(["plan", "init", str(tmp_path), "-o", str(tmp_path / "plan.yaml")]) == 2
    err = capsys.readouterr().err
    assert text("cli.plan_blocks") in err and "Traceback" not in err
