"""The label catalogue: every area loads, every entry speaks both languages, unknown keys fail loudly."""

import pytest

from ntmgis.codes import NOT_ASSESSED, status_code
from ntmgis.labels import LANGUAGES, areas, text, words
from ntmgis.values import is_missing


def test_every_area_loads_with_both_languages():
    assert "common" in areas()
    for area in areas():
        vi, en = words(area, "vi"), words(area, "en")
        assert set(vi) == set(en) and vi, area
        assert all(isinstance(v, str) and v for v in [*vi.values(), *en.values()]), area


def test_text_formats_and_refuses_unknown_keys_and_languages():
    assert text("common.not_assessed", "vi") == "chưa đánh giá"
    with pytest.raises(KeyError, match="common has"):
        text("common.no_such_word")
    with pytest.raises(KeyError, match="no label area"):
        text("nowhere.word")
    with pytest.raises(ValueError, match="lang"):
        text("common.met", "fr")
    assert LANGUAGES == ("vi", "en")


def test_status_codes_and_missing_values():
    assert status_code(None) == NOT_ASSESSED == "not_assessed"
    assert [status_code(True), status_code(False)] == ["met", "not_met"]
    assert all(is_missing(v) for v in (None, float("nan"), "", " \t"))
    assert not any(is_missing(v) for v in (0, False, "0", [None]))
