"""Status tables (ntmgis.io.status): long and wide office forms, CSV and XLSX, to the long table."""

import unicodedata

import openpyxl
import pandas as pd
import pytest
from workspace_builders import PLAN_CODES

from ntmgis.codes import parse_criterion_header
from ntmgis.criteria import load_criteria_set
from ntmgis.io.status import (
    LONG_COLUMNS,
    long_to_wide,
    parse_status_cell,
    read_commune_status,
    read_village_status,
)

COMMUNES = pd.DataFrame(
    [
        {"commune_code": code, "name": name, "kind": "thi_tran" if code in ("07339", "07306") else "xa"}
        for code, name in PLAN_CODES.items()
    ]
)
KEY = ["commune_code", "criterion", "indicator", "met", "value", "year", "level"]


def _xlsx(path, rows, *, title=None):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "2023"
    start = 1
    if title:
        sheet.cell(row=1, column=1, value=title)
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=8)
        start = 3
    for r, row in enumerate(rows, start=start):
        for c, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(row=r, column=c, value=value)
    book.save(path)
    return path


def _messy_office_sheet(path):
    nfd = unicodedata.normalize("NFD", "Việt Lập")
    return _xlsx(
        path,
        [
            ["STT", "Tên xã", "TC1", "Tiêu chí 2", "3. Thủy lợi", "2.2", "Tổng số TC đạt", "Ghi chú"],
            [1, "TT Cao Thượng", "Đạt", "đạt", " x ", None, 3, None],
            [2, "Phúc Hoà", "✓", "Chưa đạt", "Đạt (2022)", "64%", 2, "kiểm tra lại"],
            [3, nfd, "Chưa đạt", "-", "x", 75, 1, None],
            [4, "xã Hợp Đức", "??", "Đạt", "Đạt", None, 2, None],
            [None, "Tổng cộng", 2, 3, 4, None, None, None],
        ],
        title="BẢNG TỔNG HỢP KẾT QUẢ THỰC HIỆN BỘ TIÊU CHÍ XÃ NÔNG THÔN MỚI NĂM 2023",
    )


def _sorted(rows):
    return sorted(rows, key=lambda r: tuple("" if v is None else str(v) for v in r))


def _rows(frame):
    out = frame[KEY].astype(object).where(frame[KEY].notna(), None)
    return _sorted(tuple(r) for r in out.itertuples(index=False, name=None))


EXPECTED = _sorted(
    [
        ("07339", "1", None, True, None, 2023, "ntm"),
        ("07339", "2", None, True, None, 2023, "ntm"),
        ("07339", "3", None, True, None, 2023, "ntm"),
        ("07324", "1", None, True, None, 2023, "ntm"),
        ("07324", "2", None, False, None, 2023, "ntm"),
        ("07324", "3", None, True, None, 2023, "ntm"),
        ("07324", "2", "2.2", None, 64.0, 2023, "ntm"),
        ("07354", "1", None, False, None, 2023, "ntm"),
        ("07354", "3", None, True, None, 2023, "ntm"),
        ("07354", "2", "2.2", None, 75.0, 2023, "ntm"),
        ("07330", "2", None, True, None, 2023, "ntm"),
        ("07330", "3", None, True, None, 2023, "ntm"),
    ]
)


def test_wide_office_xlsx_with_messy_cells_and_names_becomes_the_long_table(tmp_path):
    path = _messy_office_sheet(tmp_path / "tong_hop_2023.xlsx")
    read = read_commune_status(path, COMMUNES, year=2023, level="ntm")
    assert read.form == "wide"
    assert list(read.frame.columns) == LONG_COLUMNS["commune"]
    assert _rows(read.frame) == EXPECTED
    notes = read.frame.set_index(["commune_code", "criterion"])["note"].dropna().to_dict()
    assert notes[("07324", "3")].startswith("(2022)")
    assert "kiểm tra lại" in notes[("07324", "1")]


def test_unreadable_cell_is_reported_with_its_address(tmp_path):
    read = read_commune_status(_messy_office_sheet(tmp_path / "t.xlsx"), COMMUNES, year=2023)
    unreadable = [p for p in read.problems if "cannot read" in p.problem]
    assert len(unreadable) == 1
    assert unreadable[0].feature.startswith("cell C7")
    assert "'??'" in unreadable[0].problem
    assert unreadable[0].severity == "warning"
    # The total row and the total column are recognised, not read as communes or criteria.
    assert any(p.feature == "row 8" and "total row" in p.problem for p in read.problems)
    assert any(p.feature == "cell G3" and "not a criterion" in p.problem for p in read.problems)


def test_names_not_in_the_workspace_are_reported_not_guessed(tmp_path):
    path = _xlsx(
        tmp_path / "t.xlsx", [["Xã", "1", "2"], ["Phúc Hòa", "Đạt", "Đạt"], ["Tân Dĩnh", "Đạt", "Chưa đạt"]]
    )
    read = read_commune_status(path, COMMUNES, year=2023)
    assert set(read.frame["commune_code"]) == {"07324"}
    assert any("'Tân Dĩnh' has no match" in p.problem and p.feature == "row 3" for p in read.problems)
    # Communes missing from the table are listed too (their criteria are not assessed).
    assert any("has no row in the table" in p.problem for p in read.problems)


def test_round_trip_long_to_wide_office_form_and_back(tmp_path):
    first = read_commune_status(_messy_office_sheet(tmp_path / "a.xlsx"), COMMUNES, year=2023, level="ntm")
    wide = long_to_wide(first.frame, units=COMMUNES)
    assert list(wide.columns[:2]) == ["Mã", "Tên"]
    assert list(wide.columns[2:]) == ["1", "2", "2.2", "3"]
    path = _xlsx(
        tmp_path / "b.xlsx",
        [list(wide.columns)] + wide.astype(object).where(wide.notna(), None).values.tolist(),
    )
    again = read_commune_status(path, COMMUNES, year=2023, level="ntm")
    assert _rows(again.frame) == _rows(first.frame)
    assert not [p for p in again.problems if p.severity != "info"]


def test_english_wide_form_round_trips_too():
    long = pd.DataFrame(
        {
            "commune_code": ["07324", "07330"],
            "criterion": ["2", "2"],
            "indicator": [None, None],
            "level": ["ntm", "ntm"],
            "met": pd.array([True, False], dtype="boolean"),
            "value": pd.array([None, None], dtype="Float64"),
            "year": pd.array([2023, 2023], dtype="Int64"),
            "note": [None, None],
            "cell": [None, None],
        }
    )
    wide = long_to_wide(long, lang="en")
    assert wide.to_dict("records") == [{"Code": "07324", "2": "Met"}, {"Code": "07330", "2": "Not met"}]


def test_criterion_names_as_headers_and_numbers_by_indicator_kind(tmp_path):
    criteria = load_criteria_set("qd318_2022_xa")
    path = _xlsx(
        tmp_path / "t.xlsx",
        [
            ["Mã xã", "Giao thông", "Thu nhập", "2.2", "Văn hóa"],
            ["07324", "Đạt", "45,5", 1, "Chưa đạt"],
            ["07330", "64", "Đạt", "x", None],
        ],
    )
    read = read_commune_status(path, COMMUNES, year=2023, criteria=criteria)
    rows = read.frame.set_index(["commune_code", "criterion", "indicator"], drop=False)
    assert rows.loc[("07324", "10", None), "value"] == 45.5  # income: one indicator
    assert rows.loc[("07324", "2", "2.2"), "value"] == 1.0  # a measured share, not "yes"
    assert rows.loc[("07330", "2", "2.2"), "met"]  # a verdict is still a verdict
    # A number for the whole of criterion 2 (four indicators) cannot be placed: reported.
    assert ("07330", "2", None) not in rows.index
    assert any(p.feature.startswith("cell B3") and "several indicators" in p.problem for p in read.problems)


def test_long_csv_with_names_labels_and_lost_zeros(tmp_path):
    path = tmp_path / "status.csv"
    path.write_text(
        "commune_code,criterion,indicator,level,met,value,year,note\n"
        "7324,2,2.2,nâng cao,,64,2023,\n"
        "07324,TC 10,,NTM nâng cao,Đạt,48.5,2023,\n"
        "07330,2,,ntm,???,,2023,\n"
        "07330,17,,Đạt chuẩn NTM,x,,2022,\n"
        "07330,25,,ntm,Đạt,,2022,\n",
        encoding="utf-8",
    )
    read = read_commune_status(path, COMMUNES)
    assert read.form == "long"
    assert _rows(read.frame) == _sorted(
        [
            ("07324", "2", "2.2", None, 64.0, 2023, "nang_cao"),
            ("07324", "10", None, True, 48.5, 2023, "nang_cao"),
            ("07330", "17", None, True, None, 2022, "ntm"),
        ]
    )
    features = {p.feature: p for p in read.problems}
    assert "lost its leading zero" in features["cell A2"].problem
    assert "cannot read '???'" in features["cell E4"].problem
    assert "is not a criterion" in features["cell B6"].problem


def test_long_table_by_name_instead_of_code(tmp_path):
    path = tmp_path / "status.csv"
    path.write_text(
        "Tên xã,criterion,met,year\nTT. Nhã Nam,1,Đạt,2023\nNgọc Lý,1,Chưa đạt,2023\n", encoding="utf-8"
    )
    read = read_commune_status(path, COMMUNES)
    assert _rows(read.frame) == [
        ("07306", "1", None, True, None, 2023, None),
        ("07363", "1", None, False, None, 2023, None),
    ]


def test_village_status_wide_by_id(tmp_path):
    villages = pd.DataFrame(
        {
            "village_id": ["V1", "V2", "V3"],
            "name": ["Thôn 1", "Thôn 1", "Đồng Lim"],
            "commune_code": ["07324", "07330", "07363"],
            "kind": ["thon"] * 3,
        }
    )
    path = _xlsx(tmp_path / "v.xlsx", [["Mã thôn", "thon_kieu_mau"], ["V1", "Đạt"], ["V3", "x"]])
    criteria = load_criteria_set("bac_giang_thon_kieu_mau")
    read = read_village_status(path, villages, year=2023, criteria=criteria)
    assert read.frame[["village_id", "criterion", "met", "level"]].values.tolist() == [
        ["V1", "thon_kieu_mau", True, "kieu_mau"],
        ["V3", "thon_kieu_mau", True, "kieu_mau"],
    ]
    # By name, "Thôn 1" fits two villages: reported, not guessed.
    path = _xlsx(tmp_path / "w.xlsx", [["Tên thôn", "thon_kieu_mau"], ["Thôn 1", "Đạt"], ["Đồng Lim", "x"]])
    read = read_village_status(path, villages, year=2023, criteria=criteria)
    assert read.frame["village_id"].tolist() == ["V3"]
    assert any("fits several" in p.problem for p in read.problems)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Đạt", (True, None, "")),
        ("đạt", (True, None, "")),
        ("ĐẠT", (True, None, "")),
        (" x ", (True, None, "")),
        ("✓", (True, None, "")),
        ("Đ", (True, None, "")),
        ("Chưa đạt", (False, None, "")),
        ("chua dat", (False, None, "")),
        ("✗", (False, None, "")),
        (None, (None, None, "")),
        ("", (None, None, "")),
        ("-", (None, None, "")),
        ("64 %", (None, 64.0, "")),
        ("64,5", (None, 64.5, "")),
        ("Đạt (2022)", (True, None, "(2022)")),
        ("Chưa đạt - đang hoàn thiện", (False, None, "đang hoàn thiện")),
        (unicodedata.normalize("NFD", "Chưa đạt"), (False, None, "")),
    ],
)
def test_status_cells(cell, expected):
    assert parse_status_cell(cell) == expected


def test_unreadable_cells_raise():
    for cell in ("??", "có lẽ", "Đạt?!x"):
        with pytest.raises(ValueError, match="cannot read"):
            parse_status_cell(cell)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("1", ("1", None)),
        (19, ("19", None)),
        ("TC 02", ("2", None)),
        ("TC2", ("2", None)),
        ("Tiêu chí số 2", ("2", None)),
        ("Tiêu chí 2: Giao thông", ("2", None)),
        ("2. Giao thông", ("2", None)),
        ("2.1", ("2", "2.1")),
        (2.1, ("2", "2.1")),
        ("KM.3", ("KM", "KM.3")),
        ("STT", None),
        ("Tổng số tiêu chí đạt", None),
        ("2023", None),
        ("20", None),
        ("Ghi chú", None),
    ],
)
def test_criterion_headers(header, expected):
    assert parse_criterion_header(header) == expected


def test_tables_built_in_code_get_canonical_ids_and_file_tables_stay_as_read(tmp_path):
    """Workspace.with_tables (scenario set_status) runs status rows through the reader's id parsing."""
    from ntmgis.io import canonical_status

    built = pd.DataFrame(
        {
            "commune_code": ["07312", "07312", "07312", "07312"],
            "criterion": ["2.2", "TC 17", "KM", "nonsense"],
            "indicator": [None, None, "km 3", None],
            "level": ["NTM nâng cao", None, "kieu_mau", "gold"],
            "met": [True, False, True, True],
        }
    )
    found = canonical_status(built)
    assert found[["criterion", "indicator", "level"]].values.tolist() == [
        ["2", "2.2", "nang_cao"],
        ["17", None, None],
        ["KM", "KM.3", "kieu_mau"],
        ["nonsense", None, "gold"],
    ]
    assert found["met"].tolist() == built["met"].tolist()
    path = tmp_path / "status.csv"
    path.write_text(
        "commune_code,criterion,indicator,level,met,year\n07312,2,2.1,nang_cao,Đạt,2023\n"
        "07312,KM,KM.3,kieu_mau,Chưa đạt,2023\n07312,Tiêu chí 17,,,x,2023\n",
        encoding="utf-8",
    )
    read = read_commune_status(path, COMMUNES).frame
    pd.testing.assert_frame_equal(canonical_status(read), read)


def test_scenario_status_rows_in_any_spelling_reach_the_engine_canonical():
    from ntmgis.workspace import load_workspace, sample_workspace_path

    workspace = load_workspace(sample_workspace_path())
    row = pd.DataFrame(
        [
            {
                "commune_code": "07312",
                "criterion": "2.2",
                "indicator": None,
                "level": "NTM nâng cao",
                "met": True,
                "value": None,
                "year": 2023,
            }
        ]
    ).astype({"met": "boolean", "value": "Float64", "year": "Int64"})
    changed = workspace.with_tables(
        commune_status=pd.concat([workspace.table("commune_status"), row], ignore_index=True)
    )
    last = changed.table("commune_status").iloc[-1]
    assert (last["criterion"], last["indicator"], last["level"]) == ("2", "2.2", "nang_cao")
    before = workspace.table("commune_status")
    pd.testing.assert_frame_equal(changed.table("commune_status").iloc[:-1].reset_index(drop=True), before)
