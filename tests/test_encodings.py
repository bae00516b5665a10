"""Legacy Vietnamese encodings TCVN3 and VNI (ntmgis.io.encodings)."""

from __future__ import annotations

import string
import unicodedata

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point

from ntmgis.io.encodings import (
    convert_legacy_text,
    decode_legacy_bytes,
    detect_legacy_encoding,
    fix_legacy_columns,
    unicode_to_tcvn3,
    unicode_to_vni,
)


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


# All 134 non-ASCII Vietnamese letters, built from Unicode itself rather than from the module.
_BASES = "aăâeêioôơuưy"
_MARKS = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
VIETNAMESE = sorted({nfc(b + m) for b in _BASES + _BASES.upper() for m in _MARKS} | {"đ", "Đ"})
NON_ASCII = [c for c in VIETNAMESE if not c.isascii()]
ALPHABET = VIETNAMESE + list(string.ascii_letters + string.digits + " .,-()/")
TOWN_NAMES = [
    "Lan Giới",
    "Thị trấn Nhã Nam",
    "Tân Trung",
    "Đại Hóa",
    "Quang Tiến",
    "Phúc Sơn",
    "An Dương",
    "Phúc Hòa",
    "Liên Sơn",
    "Hợp Đức",
    "Lam Cốt",
    "Cao Xá",
    "Thị trấn Cao Thượng",
    "Việt Ngọc",
    "Song Vân",
    "Ngọc Châu",
    "Ngọc Vân",
    "Việt Lập",
    "Liên Chung",
    "Ngọc Thiện",
    "Ngọc Lý",
    "Quế Nham",
    "Thôn Đồng Lim",
    "Đường trục chính nội đồng",
    "Kênh tưới Nguyễn Văn Cừ",
]

vietnamese_text = st.text(alphabet=ALPHABET, max_size=40)


def test_there_are_134_vietnamese_letters():
    assert len(NON_ASCII) == 134


# ---------------------------------------------------------------------------------------------
# Hand-written samples from DOMAIN.md §3
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("legacy", "unicode"),
    [
        ("T©n Yªn", "Tân Yên"),
        ("\u00ae\u00ad\u00eang", "đường"),  # "®­êng": the ư is a soft hyphen when read as cp1252
        ("B¾c Giang", "Bắc Giang"),
        ("Th«n §ång Lim", "Thôn Đồng Lim"),
    ],
)
def test_tcvn3_literals(legacy, unicode):
    assert convert_legacy_text(legacy, "tcvn3") == unicode
    assert unicode_to_tcvn3(unicode) == legacy


@pytest.mark.parametrize(
    ("legacy", "unicode"),
    [
        ("ñöôøng", "đường"),
        ("Taân Yeân", "Tân Yên"),
        ("Ñ", "Đ"),
        ("Ñoàng Lim", "Đồng Lim"),
        ("Nguyeãn", "Nguyễn"),
    ],
)
def test_vni_literals(legacy, unicode):
    assert convert_legacy_text(legacy, "vni") == unicode
    assert unicode_to_vni(unicode) == legacy


def test_tcvn3_bytes_listed_in_domain_reference():
    expected = {
        "â": 0xA9,
        "ê": 0xAA,
        "ô": 0xAB,
        "ơ": 0xAC,
        "ư": 0xAD,
        "đ": 0xAE,
        "Đ": 0xA7,
        "ạ": 0xB9,
        "á": 0xB8,
        "ế": 0xD5,
        "ệ": 0xD6,
        "ẩ": 0xC8,
        "ờ": 0xEA,
    }
    for letter, byte in expected.items():
        assert unicode_to_tcvn3(letter).encode("latin-1") == bytes([byte])
        assert decode_legacy_bytes(bytes([byte]), "tcvn3") == letter


def test_vni_tone_bytes_from_domain_reference():
    assert [unicode_to_vni(c) for c in "áàảãạ"] == ["aù", "aø", "aû", "aõ", "aï"]


def test_decode_legacy_bytes():
    assert decode_legacy_bytes("B¾c Giang".encode("latin-1"), "tcvn3") == "Bắc Giang"
    assert decode_legacy_bytes("Taân Yeân".encode("latin-1"), "vni") == "Tân Yên"


def test_unknown_encoding_is_refused():
    with pytest.raises(ValueError, match="unknown legacy encoding"):
        convert_legacy_text("abc", "viscii")  # type: ignore[arg-type]


def test_encoders_refuse_what_they_cannot_write():
    with pytest.raises(ValueError, match="no TCVN3 code"):
        unicode_to_tcvn3("©")
    with pytest.raises(ValueError, match="no VNI code"):
        unicode_to_vni("Nhà €")
    assert unicode_to_vni("Nhà €", errors="replace") == "Nhaø ?"


# ---------------------------------------------------------------------------------------------
# Capitals
# ---------------------------------------------------------------------------------------------


def test_vntimeh_capitals_are_restored_from_lower_case_codes():
    typed = unicode_to_tcvn3("HUYỆN TÂN YÊN", capitals="vntimeh")
    assert typed == "HUYÖN T¢N Y£N"
    assert convert_legacy_text(typed, "tcvn3") == "HUYỆN TÂN YÊN"
    assert convert_legacy_text("NGUYÔN V¡N Hµ", "tcvn3") == "NGUYỄN VĂN HÀ"
    # a title-case word keeps its lower-case letters
    assert convert_legacy_text("Hµ Néi", "tcvn3") == "Hà Nội"
    # the strict VN1 reading never changes case
    assert convert_legacy_text(typed, "tcvn3", restore_capitals=False) == "HUYệN TÂN YÊN"


def test_vn1_capitals_in_0x80_0x9f_read_the_same_from_cp1252_and_latin1():
    raw = unicode_to_tcvn3("BỆNH VIỆN Ở ĐÂY").encode("latin-1")
    assert 0x8C in raw  # Ệ lives in the range where cp1252 and latin-1 differ
    as_cp1252 = raw.decode("cp1252")
    as_latin1 = raw.decode("latin-1")
    assert as_cp1252 != as_latin1
    assert (
        convert_legacy_text(as_cp1252, "tcvn3")
        == convert_legacy_text(as_latin1, "tcvn3")
        == "BỆNH VIỆN Ở ĐÂY"
    )
    assert detect_legacy_encoding([as_cp1252]) == detect_legacy_encoding([as_latin1]) == "tcvn3"


# ---------------------------------------------------------------------------------------------
# Round trips
# ---------------------------------------------------------------------------------------------


@given(vietnamese_text)
@settings(database=None, max_examples=300)
def test_vni_round_trip(text):
    assert convert_legacy_text(unicode_to_vni(text), "vni") == nfc(text)


@given(vietnamese_text)
@settings(database=None, max_examples=300)
def test_vni_round_trip_from_nfd(text):
    assert convert_legacy_text(unicode_to_vni(unicodedata.normalize("NFD", text)), "vni") == nfc(text)


@given(vietnamese_text)
@settings(database=None, max_examples=300)
def test_tcvn3_vn1_round_trip(text):
    encoded = unicode_to_tcvn3(text)
    assert convert_legacy_text(encoded, "tcvn3", restore_capitals=False) == nfc(text)


@given(vietnamese_text)
@settings(database=None, max_examples=300)
def test_tcvn3_round_trip_with_capital_restoration_keeps_letters(text):
    # .VnTimeH text cannot say whether "Hµ" is "Hà" or "HÀ": only the case may differ
    for capitals in ("vn1", "vntimeh"):
        decoded = convert_legacy_text(unicode_to_tcvn3(text, capitals=capitals), "tcvn3")
        assert decoded.casefold() == nfc(text).casefold()


@given(st.text(alphabet=ALPHABET, max_size=40).map(str.upper))
@settings(database=None, max_examples=300)
def test_tcvn3_vntimeh_round_trip_of_text_in_capitals(text):
    sample = "UBND " + text
    encoded = unicode_to_tcvn3(sample, capitals="vntimeh")
    assert convert_legacy_text(encoded, "tcvn3") == nfc(sample)


@given(
    st.lists(st.sampled_from(NON_ASCII + list(string.ascii_lowercase)), min_size=1, max_size=8).map("".join),
    st.sampled_from(string.ascii_uppercase + "ĂÂÊÔƠƯĐ"),
)
@settings(database=None, max_examples=300)
def test_tcvn3_round_trip_of_title_case_words(rest, initial):
    word = initial + rest.lower()
    assert convert_legacy_text(unicode_to_tcvn3(word, capitals="vntimeh"), "tcvn3") == word


@given(vietnamese_text)
@settings(database=None, max_examples=200)
def test_converting_unicode_text_keeps_what_no_byte_reading_gives(text):
    assume(any(ord(c) > 0xFF for c in text))
    for encoding in ("tcvn3", "vni"):
        converted = convert_legacy_text(text, encoding)
        kept = [c for c in nfc(text) if ord(c) > 0xFF]
        assert all(c in converted for c in kept)


# ---------------------------------------------------------------------------------------------
# Detection
# ---------------------------------------------------------------------------------------------


def test_detects_encoded_samples():
    assert detect_legacy_encoding([unicode_to_tcvn3(n) for n in TOWN_NAMES]) == "tcvn3"
    assert detect_legacy_encoding([unicode_to_vni(n) for n in TOWN_NAMES]) == "vni"
    assert detect_legacy_encoding(["T©n Yªn", "®\u00ad\u00eang", "B¾c Giang"]) == "tcvn3"
    assert detect_legacy_encoding(["ñöôøng", "Taân Yeân"]) == "vni"


@pytest.mark.parametrize("name", TOWN_NAMES)
def test_each_name_alone_is_detected(name):
    tcvn3, vni = unicode_to_tcvn3(name), unicode_to_vni(name)
    assert detect_legacy_encoding([tcvn3]) == "tcvn3"
    assert detect_legacy_encoding([vni]) == "vni"
    assert convert_legacy_text(tcvn3, "tcvn3") == name
    assert convert_legacy_text(vni, "vni") == name


@pytest.mark.parametrize(
    "values",
    [
        ["Phúc Hòa"],
        ["Việt Ngọc"],
        ["Nguyễn"],
        ["Hoàng", "Hòa", "Tân Yên", "Cao Xá"],
        TOWN_NAMES,
        [unicodedata.normalize("NFD", n) for n in TOWN_NAMES],
        ["PHÚC HÒA", "TÂN YÊN"],
        ["Cao Xa", "Phuc Hoa", "QL17", ""],
        [],
        [None, 3.5, "abc"],
        ["Phúc Hòa – Tân Yên", "“Sài Gòn”", "© 2020 Sở TN&MT"],
    ],
)
def test_unicode_and_ascii_are_never_flagged(values):
    assert detect_legacy_encoding(values) is None


# Real syllables, including the forms the syllable check must accept.
SYLLABLES = (
    "quy hoạch giao thông thủy lợi và phòng chống thiên tai điện trường học cơ sở vật chất văn hóa "
    "hạ tầng thương mại nông thôn thông tin truyền nhà ở dân cư thu nhập nghèo đa chiều lao động "
    "tổ chức sản xuất phát triển kinh tế giáo dục đào tạo y văn hóa môi an toàn thực phẩm hệ "
    "thống chính trị tiếp cận pháp luật quốc an ninh người khuỷu khuya giữa gì nghiêng thuở òa "
    "ủy chuyện tuyết rượu yêu yến ngoằn thuận quyết xòe khỏe hoa hoà thuỷ đồng lim vải sớm "
    "bưởi ổi cam chanh kênh mương kiên cố bê tông nhựa đất đá sỏi chợ trạm xá"
).split()


@given(st.lists(st.sampled_from(SYLLABLES), min_size=1, max_size=6), st.booleans(), st.booleans())
@settings(database=None, max_examples=300)
def test_real_vietnamese_unicode_is_never_flagged(words, title, nfd_form):
    text = " ".join(w.title() if title else w for w in words)
    if nfd_form:
        text = unicodedata.normalize("NFD", text)
    assert detect_legacy_encoding([text]) is None


# ---------------------------------------------------------------------------------------------
# fix_legacy_columns
# ---------------------------------------------------------------------------------------------


def _sample_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ma_xa": ["07324", "07351", "07339", "07363", "07342"],
            "ten": [
                unicode_to_tcvn3("Phúc Hòa"),
                "Ngọc Vân",
                unicode_to_tcvn3("Thị trấn Cao Thượng"),
                None,
                "Cao Xa",
            ],
            "ghi_chu": ["Việt Ngọc", "Tân Yên", "", "Phúc Hòa", "Hợp Đức"],
            "thon": [
                unicode_to_vni("Đồng Lim"),
                unicode_to_vni("Thôn Trại"),
                "Thon 5",
                unicode_to_vni("Đồng Lim"),
                "Ngọc Lý",
            ],
            "dien_tich_ha": [1.0, 2.0, 3.0, 4.0, 5.0],
        },
        index=[10, 11, 12, 13, 14],
    )


def test_fix_converts_exactly_the_legacy_rows_and_reports_them():
    frame = _sample_frame()
    before = frame.copy(deep=True)
    fixed, problems = fix_legacy_columns(frame, file="xa.shp", layer="communes", id_column="ma_xa")

    pd.testing.assert_frame_equal(frame, before)  # input untouched
    assert fixed is not frame
    assert fixed["ten"].tolist()[:3] == ["Phúc Hòa", "Ngọc Vân", "Thị trấn Cao Thượng"]
    assert pd.isna(fixed["ten"].iloc[3]) and fixed["ten"].iloc[4] == "Cao Xa"
    assert fixed["ghi_chu"].tolist() == before["ghi_chu"].tolist()
    assert fixed["thon"].tolist() == ["Đồng Lim", "Thôn Trại", "Thon 5", "Đồng Lim", "Ngọc Lý"]
    pd.testing.assert_series_equal(fixed["dien_tich_ha"], before["dien_tich_ha"])

    reported = sorted((p.feature, p.problem.split("'")[1]) for p in problems)
    assert reported == [
        ("07324", "ten"),
        ("07324", "thon"),
        ("07339", "ten"),
        ("07351", "thon"),
        ("07363", "thon"),
    ]
    assert all(p.severity == "warning" and p.file == "xa.shp" and p.layer == "communes" for p in problems)
    tcvn3 = next(p for p in problems if p.feature == "07324" and "'ten'" in p.problem)
    assert tcvn3.action == f"converted from TCVN3 to Unicode: {unicode_to_tcvn3('Phúc Hòa')!r} -> 'Phúc Hòa'"
    vni = next(p for p in problems if p.feature == "07351")
    assert vni.action.startswith("converted from VNI to Unicode")


def test_fix_without_id_column_names_rows_by_index():
    _, problems = fix_legacy_columns(_sample_frame())
    assert {p.feature for p in problems} == {"row 10", "row 11", "row 12", "row 13"}


def test_fix_leaves_unicode_frames_alone():
    frame = pd.DataFrame({"ten": TOWN_NAMES, "n": range(len(TOWN_NAMES))})
    fixed, problems = fix_legacy_columns(frame)
    assert problems == []
    pd.testing.assert_frame_equal(fixed, frame)


def test_fix_keeps_geodataframe_and_geometry():
    gdf = gpd.GeoDataFrame(
        {"ten": ["B¾c Giang", "Việt Ngọc"]}, geometry=[Point(0, 0), Point(1, 1)], crs="EPSG:9214"
    )
    fixed, problems = fix_legacy_columns(gdf, layer="points")
    assert isinstance(fixed, gpd.GeoDataFrame)
    assert fixed.crs == gdf.crs and fixed.geometry.equals(gdf.geometry)
    assert fixed["ten"].tolist() == ["Bắc Giang", "Việt Ngọc"]
    assert gdf["ten"].tolist() == ["B¾c Giang", "Việt Ngọc"]
    assert [p.feature for p in problems] == ["row 0"]


def test_fix_keeps_object_and_string_dtypes():
    for dtype in (object, "string", "str"):
        frame = pd.DataFrame({"ten": pd.Series(["T©n Yªn", "Cao Xa"], dtype=dtype)})
        fixed, _ = fix_legacy_columns(frame)
        assert fixed["ten"].dtype == frame["ten"].dtype
        assert fixed["ten"].tolist() == ["Tân Yên", "Cao Xa"]


def test_fix_in_a_mixed_column_reports_values_that_read_both_ways_and_leaves_them():
    # "Hé" is a syllable in Unicode and "Hộ" in TCVN3; "Việt Ngọc" shows the column mixes Unicode in
    frame = pd.DataFrame({"ten": ["T©n Yªn", "Hé", "Việt Ngọc", "Phúc Hòa"]})
    fixed, problems = fix_legacy_columns(frame)
    assert fixed["ten"].tolist() == ["Tân Yên", "Hé", "Việt Ngọc", "Phúc Hòa"]
    assert [(p.feature, p.action) for p in problems] == [
        ("row 0", "converted from TCVN3 to Unicode: 'T©n Yªn' -> 'Tân Yên'"),
        ("row 1", "left unchanged; check this value"),
    ]
    assert "could be Unicode or TCVN3 ('Hộ')" in problems[1].problem


def test_fix_in_an_all_8_bit_column_converts_values_that_read_both_ways():
    # the whole column came from a TCVN3 file: "Hé" and "bã" are TCVN3 too
    frame = pd.DataFrame({"ten": ["T©n Yªn", "Hé", "Tæ bã"]})
    fixed, problems = fix_legacy_columns(frame)
    assert fixed["ten"].tolist() == ["Tân Yên", "Hộ", "Tổ bó"]
    assert [p.feature for p in problems] == ["row 0", "row 1", "row 2"]
    assert all(p.action.startswith("converted from TCVN3") for p in problems)


def test_fix_in_an_all_8_bit_column_reports_values_that_read_better_as_unicode():
    frame = pd.DataFrame({"ten": ["T©n Yªn", "B¾c Giang", "Phúc Hòa"]})
    fixed, problems = fix_legacy_columns(frame)
    assert fixed["ten"].tolist() == ["Tân Yên", "Bắc Giang", "Phúc Hòa"]
    assert problems[-1].feature == "row 2" and problems[-1].action == "left unchanged; check this value"
    assert "reads better as Unicode" in problems[-1].problem


def test_fix_names_rows_by_index_when_the_id_column_is_absent():
    _, problems = fix_legacy_columns(_sample_frame(), id_column="not_there")
    assert {p.feature for p in problems} == {"row 10", "row 11", "row 12", "row 13"}


def test_text_checks_take_object_columns_without_text() -> None:
    """Regression: an object column of booleans (a scenario's edited frame) is not a text column
    for the vectorised match; the checks pass it by, as they did before."""
    from ntmgis.io.encodings import fix_legacy_columns
    from ntmgis.io.safe_text import strip_control_characters

    frame = pd.DataFrame(
        {"flag": pd.Series([True, False], dtype=object), "mixed": pd.Series([1, "T©n Yªn"], dtype=object)}
    )
    fixed, problems = strip_control_characters(frame, file="f", layer="l")
    assert problems == [] and fixed is frame
    fixed, problems = fix_legacy_columns(frame, file="f", layer="l")
    assert fixed["mixed"].tolist() == [1, "Tân Yên"] and fixed["flag"].tolist() == [True, False]
