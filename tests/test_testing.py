"""ntmgis.testing.assert_assessment_equal: agrees with itself, names the field that differs."""

from dataclasses import replace

import pytest

from ntmgis.testing import assert_assessment_equal, assessment_differences


def test_an_assessment_equals_itself(sample_assessment):
    assert_assessment_equal(sample_assessment, sample_assessment)


def test_a_changed_table_is_named_with_its_difference(sample_assessment):
    communes = sample_assessment.communes.copy()
    communes.loc[0, "highest_level"] = "kieu_mau"
    changed = replace(sample_assessment, communes=communes)
    with pytest.raises(AssertionError, match="assessments differ in communes"):
        assert_assessment_equal(sample_assessment, changed)
    assert_assessment_equal(sample_assessment, changed, ignore={"communes"})


def test_a_missing_layer_and_a_changed_geometry_are_found(sample_assessment):
    gaps = sample_assessment.market_gaps.copy()
    gaps.geometry = gaps.geometry.translate(1.0, 0.0)
    moved = replace(sample_assessment, market_gaps=gaps, canals_to_line=None)
    found = assessment_differences(sample_assessment, moved)
    assert [line.split(":")[0] for line in found] == ["canals_to_line", "market_gaps"]
    with pytest.raises(ValueError, match="nonsense"):
        assessment_differences(sample_assessment, moved, ignore={"nonsense"})
