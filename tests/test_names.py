"""Vietnamese name normalisation, keys and matching (ntmgis.names)."""

from __future__ import annotations

import unicodedata

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ntmgis.names import (
    NameMatch,
    exact_key,
    fold_accents,
    match_names,
    name_key,
    normalize_text,
    strip_prefix,
)
from ntmgis.problems import Problem


def nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


# ---------------------------------------------------------------------------------------------
# normalize_text
# ---------------------------------------------------------------------------------------------


def test_nfd_input_becomes_nfc():
    assert normalize_text(nfd("Phúc Hòa")) == "Phúc Hòa"
    assert unicodedata.is_normalized("NFC", normalize_text(nfd("Việt Ngọc")))


@pytest.mark.parametrize(
    ("new", "old"),
    [
        ("Hoà", "Hòa"),
        ("Hoá", "Hóa"),
        ("Đại Hoá", "Đại Hóa"),
        ("Thuỷ", "Thủy"),
        ("Thuý", "Thúy"),
        ("Thuỵ", "Thụy"),
        ("Uỷ ban", "Ủy ban"),
        ("khoẻ", "khỏe"),
        ("Xoè", "Xòe"),
        ("hoạ", "họa"),
        ("HOÀ", "HÒA"),
        ("THUỶ LỢI", "THỦY LỢI"),
        ("oà", "òa"),
    ],
)
def test_new_tone_placement_becomes_old(new, old):
    assert normalize_text(new) == old
    assert normalize_text(old) == old
    assert normalize_text(old, tone_style="new") == new


@pytest.mark.parametrize(
    "word",
    [
        "Hoàng",
        "Toán",
        "Thuyết",
        "hoạch",
        "Huỳnh",
        "khuỷu",
        "ngoằn",
        "Quý",
        "quỳ",
        "quà",
        "Quỳnh",
        "già",
        "giữa",
        "thuở",
        "của",
        "mùa",
        "Nguyễn",
        "Ngọc",
        "Thượng",
    ],
)
def test_syllables_that_do_not_differ_are_untouched(word):
    assert normalize_text(word) == word
    assert normalize_text(word, tone_style="new") == word


def test_spaces_are_cleaned_and_case_kept():
    assert normalize_text("  Phúc\u00a0\u00a0Hòa\t") == "Phúc Hòa"
    assert normalize_text("Phúc\u202fHòa") == "Phúc Hòa"
    assert normalize_text("Ngọc\u200b Lý\ufeff") == "Ngọc Lý"
    assert normalize_text("NGỌC lý") == "NGỌC lý"


# ---------------------------------------------------------------------------------------------
# strip_prefix
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "rest"),
    [
        ("Xã Phúc Hòa", "xa", "Phúc Hòa"),
        ("xã phúc hòa", "xa", "phúc hòa"),
        ("XA PHUC HOA", "xa", "PHUC HOA"),
        ("Thị trấn Cao Thượng", "thi_tran", "Cao Thượng"),
        ("THỊ TRẤN Nhã Nam", "thi_tran", "Nhã Nam"),
        ("thi tran cao thuong", "thi_tran", "cao thuong"),
        ("TT Cao Thượng", "thi_tran", "Cao Thượng"),
        ("TT. Cao Thượng", "thi_tran", "Cao Thượng"),
        ("TT.Cao Thượng", "thi_tran", "Cao Thượng"),
        ("Phường Đa Mai", "phuong", "Đa Mai"),
        ("P. Đa Mai", "phuong", "Đa Mai"),
        ("Thôn Đồng Lim", "thon", "Đồng Lim"),
        ("Tổ dân phố Số 3", "to_dan_pho", "Số 3"),
        ("TDP 3", "to_dan_pho", "3"),
        ("Tổ 5", "to", "5"),
        ("Xóm Trại", "xom", "Trại"),
        ("Làng Vân", "lang", "Vân"),
        ("Khu phố 1", "khu_pho", "1"),
        ("Huyện Tân Yên", "huyen", "Tân Yên"),
        ("Tỉnh Bắc Giang", "tinh", "Bắc Giang"),
        ("Thành phố Bắc Giang", "thanh_pho", "Bắc Giang"),
        ("TP Bắc Giang", "thanh_pho", "Bắc Giang"),
        (nfd("Xã Phúc Hoà"), "xa", "Phúc Hòa"),
    ],
)
def test_prefixes_are_recognised(text, kind, rest):
    assert strip_prefix(text) == (kind, rest)


@pytest.mark.parametrize(
    "text",
    [
        "Xã",
        "Thôn",
        "Thị trấn",
        "TT",
        "Tổ ",  # nothing follows: it is a name, not a prefix
        "Phương Sơn",
        "Phuong Son",
        "Lạng Giang",
        "Lang Giang",
        "Tô Hiệu",
        "Huyền",
        "Tình",
        "Phúc Hòa",
        "Thịnh Hào",
    ],
)
def test_names_that_only_look_like_prefixes_are_kept(text):
    kind, rest = strip_prefix(text)
    assert kind is None
    assert rest == normalize_text(text)


# ---------------------------------------------------------------------------------------------
# keys
# ---------------------------------------------------------------------------------------------


def test_fold_accents_maps_d_with_stroke():
    assert fold_accents("Thôn Đồng Lim") == "Thon Dong Lim"
    assert fold_accents("đường") == "duong"
    assert unicodedata.normalize("NFD", "đ") == "đ"  # why NFD stripping alone is not enough
    assert fold_accents("Ðức") == "Duc"  # Icelandic eth look-alike


@pytest.mark.parametrize(
    "spelling",
    [
        "Phúc Hòa",
        "Phúc Hoà",
        "Xã Phúc Hòa",
        "phuc hoa",
        "PHÚC HOÀ",
        nfd("Phúc Hòa"),
        nfd("Phúc Hoà"),
        " Phúc\u00a0Hòa ",
        "xã  phúc hoà",
        "Phúc-Hòa",
    ],
)
def test_name_key_equal_for_all_spellings(spelling):
    assert name_key(spelling) == name_key("Phúc Hòa") == "phuc hoa"


def test_town_prefix_forms_share_a_key():
    keys = {
        name_key(s)
        for s in ("TT Cao Thượng", "Thị trấn Cao Thượng", "TT.Cao Thượng", "Cao Thượng", "cao thuong")
    }
    assert keys == {"cao thuong"}
    assert name_key("TT Cao Thượng", keep_prefix=True) == name_key("Thị trấn Cao Thượng", keep_prefix=True)
    assert name_key("TT Cao Thượng", keep_prefix=True) != name_key("Xã Cao Thượng", keep_prefix=True)


def test_keep_prefix_reads_bare_kind_words():
    assert (
        name_key("TT", keep_prefix=True)
        == name_key("Thị trấn", keep_prefix=True)
        == name_key("thi_tran", keep_prefix=True)
    )
    assert name_key("TDP", keep_prefix=True) == name_key("to_dan_pho", keep_prefix=True)


def test_d_folding_joins_unaccented_names():
    assert name_key("dong lim") == name_key("Thôn Đồng Lim")


def test_exact_key_keeps_accents():
    assert exact_key("Ngọc Vân") != exact_key("Ngọc Văn")
    assert name_key("Ngọc Vân") == name_key("Ngọc Văn")
    assert exact_key("Xã Phúc Hoà") == exact_key("PHÚC HÒA") == "phúc hòa"
    assert exact_key(nfd("Ngọc Vân")) == exact_key("Ngọc Vân")


_LETTERS = "aăâeêioôơuưyđbcdghklmnpqrstvx" + "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"


@given(st.text(alphabet=_LETTERS + _LETTERS.upper() + " .-\u00a0", max_size=30))
@settings(database=None)
def test_keys_are_idempotent_and_invariant_to_form_case_and_tone_style(text):
    key = name_key(text)
    assert name_key(nfd(text)) == key
    assert name_key(text.upper()) == name_key(text.lower())
    assert name_key(normalize_text(text, tone_style="new")) == key
    assert exact_key(normalize_text(text, tone_style="new")) == exact_key(text)
    assert normalize_text(normalize_text(text)) == normalize_text(text)
    assert key.isascii() and key == key.strip() and "  " not in key


# ---------------------------------------------------------------------------------------------
# match_names
# ---------------------------------------------------------------------------------------------


def _frame_rows(frame: pd.DataFrame) -> list[tuple]:
    return [tuple(r) for r in frame.itertuples(index=False)]


def test_match_exact_then_folded():
    left = pd.Series({"a": "Xã Phúc Hòa", "b": "TT Cao Thượng", "c": "ngoc ly"})
    right = pd.Series({10: "Phúc Hoà", 11: "Thị trấn Cao Thượng", 12: "Ngọc Lý"})
    match = match_names(left, right, left_name="layer", right_name="table")
    assert isinstance(match, NameMatch)
    assert match.mapping == {"a": 10, "b": 11, "c": 12}
    methods = dict(zip(match.matches["left_index"], match.matches["method"], strict=True))
    assert methods == {"a": "exact", "b": "exact", "c": "folded"}
    assert match.ambiguous.empty and match.unmatched_left.empty and match.unmatched_right.empty
    assert match.problems("f.shp", "communes") == []


def test_exact_beats_folded():
    left = pd.Series(["Ngọc Vân", "Ngọc Văn"])
    right = pd.Series({"v1": "Ngọc Văn", "v2": "Ngọc Vân"})
    match = match_names(left, right)
    assert match.mapping == {0: "v2", 1: "v1"}
    assert set(match.matches["method"]) == {"exact"}
    assert match.ambiguous.empty


def test_folded_key_with_two_candidates_is_ambiguous():
    match = match_names(pd.Series(["ngoc van"]), pd.Series(["Ngọc Văn", "Ngọc Vân"]))
    assert match.mapping == {}
    assert _frame_rows(match.ambiguous) == [(0, "ngoc van", [0, 1], ["Ngọc Văn", "Ngọc Vân"])]
    assert match.unmatched_right.empty  # candidates are reported with the ambiguous name


def test_two_nha_nam_without_kinds_are_ambiguous_not_guessed():
    left = pd.Series({"07306": "Nhã Nam"})
    right = pd.Series({1: "Nhã Nam", 2: "Nhã Nam", 3: "Tân Trung"})
    match = match_names(left, right, left_name="communes", right_name="status")
    assert match.matches.empty
    assert list(match.ambiguous["left_index"]) == ["07306"]
    assert match.ambiguous["candidates"].iloc[0] == [1, 2]
    assert _frame_rows(match.unmatched_right) == [(3, "Tân Trung")]
    problems = match.problems("status.csv", "status")
    ambiguous = [p for p in problems if "several" in p.problem]
    assert len(ambiguous) == 1
    assert ambiguous[0].feature == "communes 07306" and ambiguous[0].severity == "warning"


def test_prefix_kinds_break_the_tie():
    right = pd.Series({1: "Thị trấn Nhã Nam", 2: "Xã Nhã Nam"})
    match = match_names(pd.Series({"a": "TT Nhã Nam", "b": "xa nha nam"}), right)
    assert match.mapping == {"a": 1, "b": 2}
    # no kind on the left: still ambiguous
    assert match_names(pd.Series(["Nhã Nam"]), right).ambiguous.shape[0] == 1


def test_explicit_kind_columns_break_the_tie():
    left = pd.Series({"07306": "Nhã Nam"})
    right = pd.Series({1: "Nhã Nam", 2: "Nhã Nam"})
    match = match_names(
        left,
        right,
        left_kind=pd.Series({"07306": "thi_tran"}),
        right_kind=pd.Series({1: "Xã", 2: "Thị trấn"}),
    )
    assert match.mapping == {"07306": 2}


def test_kind_never_blocks_a_single_candidate():
    match = match_names(pd.Series(["Xã Nhã Nam"]), pd.Series(["Thị trấn Nhã Nam"]))
    assert match.mapping == {0: 0}


def test_unmatched_on_both_sides_are_reported():
    left = pd.Series({"07303": "Lan Giới", "07999": "Quang Trung", "07000": None})
    right = pd.Series({"a": "Lan Giới", "b": "Đa Mai"})
    match = match_names(left, right, left_name="communes", right_name="plan")
    assert match.mapping == {"07303": "a"}
    assert _frame_rows(match.unmatched_left) == [("07999", "Quang Trung"), ("07000", None)]
    assert _frame_rows(match.unmatched_right) == [("b", "Đa Mai")]
    problems = match.problems("plan.yaml", "plan")
    assert all(isinstance(p, Problem) and p.severity == "warning" for p in problems)
    assert all(p.file == "plan.yaml" and p.layer == "plan" for p in problems)
    assert sorted(p.feature for p in problems) == ["communes 07000", "communes 07999", "plan b"]
    assert any("'Quang Trung' has no match in plan" in p.problem for p in problems)
    assert any("'Đa Mai' has no match in communes" in p.problem for p in problems)


def test_folded_match_with_conflicting_accents_is_flagged():
    match = match_names(pd.Series(["Ngọc Văn"]), pd.Series(["Ngọc Vân"]))
    assert match.mapping == {0: 0}
    (problem,) = match.problems()
    assert "differ in their accents" in problem.problem
    # an unaccented spelling is not a conflict
    assert match_names(pd.Series(["ngoc van"]), pd.Series(["Ngọc Vân"])).problems() == []


def test_many_left_rows_may_share_one_right_row():
    match = match_names(pd.Series(["Phúc Hòa", "Phúc Hoà", "phuc hoa"]), pd.Series(["Phúc Hòa"]))
    assert match.mapping == {0: 0, 1: 0, 2: 0}


def test_duplicate_index_is_refused():
    with pytest.raises(ValueError, match="unique index"):
        match_names(pd.Series(["a", "b"], index=[1, 1]), pd.Series(["a"]))


def test_empty_inputs_give_empty_frames_with_columns():
    match = match_names(pd.Series([], dtype=object), pd.Series([], dtype=object))
    assert list(match.matches.columns) == ["left_index", "right_index", "left_value", "right_value", "method"]
    assert list(match.ambiguous.columns)[:3] == ["left_index", "left_value", "candidates"]
    assert match.mapping == {} and match.problems() == []


def test_tan_yen_units_match_across_spellings():
    gso = pd.Series(
        {
            "07303": "Xã Lan Giới",
            "07306": "Thị trấn Nhã Nam",
            "07312": "Xã Đại Hóa",
            "07324": "Xã Phúc Hòa",
            "07339": "Thị trấn Cao Thượng",
            "07351": "Xã Ngọc Vân",
            "07345": "Xã Song Vân",
            "07342": "Xã Việt Ngọc",
        }
    )
    layer = pd.Series(
        [
            "LAN GIOI",
            "TT Nhã Nam",
            "Đại Hoá",
            nfd("Phúc Hoà"),
            "TT. Cao Thượng",
            "Ngọc Vân",
            "song van",
            "Việt  Ngọc",
        ]
    )
    match = match_names(layer, gso, left_name="layer", right_name="gso")
    assert match.mapping == dict(enumerate(gso.index))
    assert match.problems() == []
