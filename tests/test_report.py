"""Reports (ntmgis.report): XLSX workbook and CSV files of a criteria assessment."""

from dataclasses import dataclass, field

import openpyxl
import pandas as pd
import pytest
from test_evaluate import COMMUNES, DAI_HOA, PLAN, all_met, computed, row, selection, status

from ntmgis.analysis.assess import COMPUTED_COLUMNS, InfrastructureAssessment
from ntmgis.assessment import assess, build_assessment
from ntmgis.criteria.evaluate import evaluate
from ntmgis.problems import Problem, ProblemReport
from ntmgis.report import SHEETS, report_tables, write_report
from ntmgis.workspace import sample_workspace_path

NOTE = "Dữ liệu minh họa, không phải số liệu thật — illustrative sample"


@dataclass
class FakeWorkspace:
    """The attributes of a Workspace the report reads."""

    name: str = "Tân Yên"
    sample: bool = True
    problems: ProblemReport = field(
        default_factory=lambda: ProblemReport(
            (Problem("roads.gpkg", "roads", "segment_id=R7", "invalid geometry", "repaired", "warning"),)
        )
    )

    def note(self, lang="vi"):
        return NOTE if self.sample else None


@pytest.fixture(scope="module")
def assessment():
    rows = all_met(DAI_HOA, skip=("2",))
    rows += [row(DAI_HOA, "2", True, indicator=i) for i in ("2.1", "2.3", "2.4")]
    rows += all_met("07330")
    measured = computed(
        [
            {
                "unit_code": DAI_HOA,
                "indicator": "road_concretized_share_thon",
                "value": 0.64,
                "unit": "share",
            },
            {"unit_code": "07330", "indicator": "road_concretized_share_xa", "value": 0.8, "unit": "share"},
        ]
    )
    # No layers here: the infrastructure sheets are present and empty.
    return build_assessment(
        evaluate(COMMUNES, status(rows), PLAN, selection(), computed=measured),
        InfrastructureAssessment(measured=measured.reindex(columns=COMPUTED_COLUMNS)),
        plan=PLAN,
    )


def _sheet_rows(sheet):
    return [[c for c in r] for r in sheet.iter_rows(values_only=True)]


def test_workbook_has_every_sheet_with_the_sample_note_and_vietnamese_headers(tmp_path, assessment):
    files = write_report(FakeWorkspace(), assessment, tmp_path / "bao_cao.xlsx")
    book = openpyxl.load_workbook(files.xlsx)
    assert book.sheetnames == [titles["vi"] for titles in SHEETS.values()]
    for sheet in book.worksheets:
        assert sheet["A1"].value == NOTE
    communes = _sheet_rows(book["Xã × tiêu chí"])
    header = communes[2]
    assert header[:3] == ["Mã xã", "Tên", "Loại"]
    assert "Còn thiếu" in header and "Ngưỡng chưa xác minh" in header
    by_code = {r[0]: dict(zip(header, r, strict=True)) for r in communes[3:]}
    dai_hoa = by_code[DAI_HOA]
    assert dai_hoa["1"] == "Đ"
    assert dai_hoa["2"] == "✗ 2.2 đường thôn: 64 % / 70 % (ngưỡng chưa xác minh)"
    assert dai_hoa["Còn thiếu"] == "2.2 đường thôn: 64 % / 70 % (ngưỡng chưa xác minh)"
    assert dai_hoa["Ngưỡng chưa xác minh"] == "2.2 (ngưỡng chưa xác minh)"
    assert by_code["07318"]["1"] == "–"  # Phúc Sơn: no data at its target level
    town = by_code["07339"]
    assert town["Tiến độ"] == "Không áp dụng (thị trấn)"
    assert town["1"] is None


def test_unverified_thresholds_and_data_problems_are_listed(tmp_path, assessment):
    files = write_report(FakeWorkspace(), assessment, tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(files.xlsx)
    unverified = _sheet_rows(book["Ngưỡng chưa xác minh"])
    header = unverified[2]
    rows = [dict(zip(header, r, strict=True)) for r in unverified[3:]]
    used = [r for r in rows if r["Chỉ tiêu"] == "2.2" and r["Mức"] == "Đạt chuẩn NTM"]
    assert used[0]["Đã dùng cho"] == DAI_HOA
    assert {r["Cảnh báo"] for r in rows} == {"ngưỡng chưa xác minh"}
    problems = _sheet_rows(book["Vấn đề dữ liệu"])
    assert problems[2][:5] == ["Mức độ", "Tệp", "Lớp", "Vấn đề", "Số đối tượng"]
    assert ["Cảnh báo", "roads.gpkg", "đường giao thông", "invalid geometry", 1, "segment_id=R7"] in [
        r[:6] for r in problems[3:]
    ]
    check = _sheet_rows(book["Đối chiếu"])
    assert check[3][0] == "07330"
    assert check[3][-1].startswith("báo cáo tiêu chí 2 đạt nhưng đo được 2.1 đường xã: 80 % / 100 %")


def test_english_report(tmp_path, assessment):
    files = write_report(FakeWorkspace(), assessment, tmp_path / "report.xlsx", lang="en")
    book = openpyxl.load_workbook(files.xlsx)
    assert book.sheetnames == [titles["en"] for titles in SHEETS.values()]
    header = _sheet_rows(book["Communes × criteria"])[2]
    assert header[:3] == ["Commune code", "Name", "Kind"]
    assert "Missing" in header
    progress = _sheet_rows(book["Progress vs plan"])
    assert progress[2][:4] == ["Measure", "Year", "Planned in year", "Planned, cumulative"]
    assert progress[3][0] == "Advanced NTM communes"


def test_csv_files_beside_the_workbook(tmp_path, assessment):
    files = write_report(FakeWorkspace(), assessment, tmp_path / "out" / "report.xlsx")
    assert [p.name for p in files.csv_files] == [f"{key}.csv" for key in SHEETS]
    assert {p.parent.name for p in files.csv_files} == {"report_csv"}
    communes = pd.read_csv(files.csv_files[1], dtype=str, encoding="utf-8-sig")
    assert communes.columns[0] == "Mã xã"
    assert set(communes["Ghi chú dữ liệu"]) == {NOTE}
    # Atomic writes leave no temporary files behind.
    leftovers = [p.name for p in (tmp_path / "out").rglob("*") if p.name.startswith(".")]
    assert leftovers == []


def test_real_data_has_no_sample_note(tmp_path, assessment):
    files = write_report(FakeWorkspace(sample=False), assessment, tmp_path / "r.xlsx", csv=False)
    book = openpyxl.load_workbook(files.xlsx)
    assert book["Thông tin"]["A1"].value == "Mục"
    assert files.csv_files == ()


def test_report_is_replaced_atomically(tmp_path, assessment):
    target = tmp_path / "r.xlsx"
    target.write_bytes(b"old")
    write_report(FakeWorkspace(), assessment, target, csv=False)
    assert openpyxl.load_workbook(target).sheetnames[0] == "Thông tin"


def test_bad_arguments(tmp_path, assessment):
    with pytest.raises(ValueError, match="xlsx"):
        write_report(FakeWorkspace(), assessment, tmp_path / "r.csv")
    with pytest.raises(ValueError, match="lang"):
        report_tables(FakeWorkspace(), assessment, lang="fr")


def test_about_sheet_records_the_sets_and_year(assessment):
    about = report_tables(FakeWorkspace(), assessment)["about"]
    values = dict(zip(about["Mục"], about["Giá trị"], strict=True))
    assert values["Năm đánh giá"] == 2023
    assert "qd318_2022_xa: QĐ 318/QĐ-TTg" in values["Bộ tiêu chí"]
    assert "qd319_2022_kieu_mau" in values["Bộ tiêu chí"]
    assert values["Vùng"] == "TDMNPB"


def test_sample_report_end_to_end(tmp_path):
    if not sample_workspace_path().exists():
        pytest.fail("the embedded sample (data/workspace.yaml) is missing")
    from ntmgis.workspace import load_workspace

    workspace = load_workspace()
    files = write_report(workspace, assess(workspace), tmp_path / "tan_yen.xlsx")
    book = openpyxl.load_workbook(files.xlsx)
    for sheet in book.worksheets:
        assert sheet["A1"].value == workspace.note("vi")
    assert len(_sheet_rows(book["Xã × tiêu chí"])) == 3 + len(workspace.layer("communes"))


def test_problems_sheet_has_one_row_per_kind_errors_first(tmp_path, assessment):
    """Thousands of features with one problem are one row (count, examples, fix), not thousands."""
    labels = tuple(
        Problem(
            "roads.shp",
            "roads",
            f"segment_id=R{k}",
            "road_class 'Đường thôn' is a label, not a code",
            "read as 'truc_thon'",
            "info",
            count=3,
        )
        for k in range(2000)
    )
    error = Problem(
        "roads.shp", "roads", "segment_id=R9", "duplicate id in features 9, 10", "make ids unique", "error"
    )
    workspace = FakeWorkspace(problems=ProblemReport((*labels, error)))
    book = openpyxl.load_workbook(write_report(workspace, assessment, tmp_path / "r.xlsx", csv=False).xlsx)
    rows = _sheet_rows(book["Vấn đề dữ liệu"])[3:]
    assert rows[0][0] == "Lỗi" and rows[0][3] == "duplicate id in features 9, 10"
    labels_rows = [r for r in rows if r[2] == "đường giao thông" and r[0] == "Thông tin"]
    assert len(rows) < 10 and len(labels_rows) == 1
    assert labels_rows[0][3:] == [
        "road_class 'Đường thôn' is a label, not a code",
        6000,
        "segment_id=R0; segment_id=R1; segment_id=R2; …",
        "read as 'truc_thon'",
    ]
