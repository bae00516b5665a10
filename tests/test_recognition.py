"""Recognised NTM levels as of a year."""

import pandas as pd

from ntmgis.criteria import recognised_levels


def test_highest_level_up_to_the_year_and_missing_is_not_assessed():
    communes = pd.DataFrame({"commune_code": ["07324", "07330", "07339"]})
    recognitions = pd.DataFrame(
        {
            "commune_code": ["07324", "07324", "07324", "07330"],
            "level": ["ntm", "nang_cao", "kieu_mau", "ntm"],
            "year": [2015, 2021, 2024, 2018],
        }
    )
    in_2023 = recognised_levels(communes, recognitions, as_of=2023)
    assert in_2023["ntm_level"].tolist() == ["nang_cao", "ntm", None]
    assert in_2023["recognised_year"].tolist() == [2021, 2018, pd.NA]
    assert recognised_levels(communes, recognitions)["ntm_level"].tolist()[0] == "kieu_mau"
    assert recognised_levels(communes, None)["ntm_level"].isna().all()


def test_ties_take_the_earliest_decision_and_odd_rows_count_as_the_engine_counts_them():
    """One rule for the engine's summary and the map: highest level, then the earliest year."""
    communes = pd.DataFrame({"commune_code": ["A", "B", "C"]})
    recognitions = pd.DataFrame(
        {
            "commune_code": ["A", "A", "A", "B", "B", "C"],
            "level": ["nang_cao", "nang_cao", "ntm", "ntm", "gold", "ntm"],
            "year": [2022, 2021, 2015, 2016, 2017, None],
        }
    )
    found = recognised_levels(communes, recognitions, as_of=2023)
    assert found["ntm_level"].tolist() == ["nang_cao", "ntm", None]  # an unknown level ranks lowest
    assert found["recognised_year"].tolist() == [2021, 2016, pd.NA]  # a row without a year is not counted
    codes_as_numbers = recognitions.assign(commune_code=[1, 1, 1, 2, 2, 3])
    as_text = recognised_levels(pd.DataFrame({"commune_code": ["1", "2"]}), codes_as_numbers)
    assert as_text["ntm_level"].tolist() == ["nang_cao", "ntm"]
