"""Recognised NTM levels as of a year."""

import pandas as pd

from ntmgis.criteria import recognised_levels


def test_highest_level_up_to_the_year_and_missing_is_not_assessed():
    communes = pd.DataFrame({"commune_code": ["07324", "07330", "07339"]})
    recognitions = pd.DataFrame({
        "commune_code": ["07324", "07324", "07324", "07330"],
        "level": ["ntm", "nang_cao", "kieu_mau", "ntm"],
        "year": [2015, 2021, 2024, 2018],
    })
    in_2023 = recognised_levels(communes, recognitions, as_of=2023)
    assert in_2023["ntm_level"].tolist() == ["nang_cao", "ntm", None]
    assert in_2023["recognised_year"].tolist() == [2021, 2018, pd.NA]
    assert recognised_levels(communes, recognitions)["ntm_level"].tolist()[0] == "kieu_mau"
    assert recognised_levels(communes, None)["ntm_level"].isna().all()
