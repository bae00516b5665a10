"""Status tables of the sample: recognitions, the commune criteria rows and the model-village
verdicts, consistent with the layers where it matters (see :mod:`ntmgis.sample`)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from ..plan import Plan
from .facts import (
    ASSUMED_NANG_CAO_YEAR,
    CAO_XA,
    DONG_LIM,
    ILLUSTRATIVE,
    LATE_NANG_CAO,
    NO_MARKET,
    NTM_GAPS,
    STATUS_YEAR,
)

__all__ = ["recognitions_table", "commune_status_table", "village_status_table"]


def recognitions_table(communes: gpd.GeoDataFrame, plan: Plan, rng: np.random.Generator) -> pd.DataFrame:
    """Recognition decisions up to the status year (illustrative but for Cao Xá's NTM year).

    Every xã was recognised NTM by 2020 (the district was, in 2020: DOMAIN.md §4); thị trấn are
    left out, as towns are not recognised against the commune criteria.
    """
    nang_cao = plan.nang_cao_schedule()
    kieu_mau = plan.kieu_mau_schedule()
    due = kieu_mau[kieu_mau["year"] <= STATUS_YEAR]
    assumed = sorted(
        set(due["commune_code"]) - set(nang_cao.loc[nang_cao["year"] <= STATUS_YEAR, "commune_code"])
    )
    rows = []
    for commune in communes.itertuples():
        code = commune.commune_code
        if commune.kind == "thi_tran":
            continue
        if code == CAO_XA:
            rows.append(
                (
                    code,
                    "ntm",
                    2020,
                    "năm theo cổng TTĐT huyện (tan_yen_units.csv) / year from the district portal",
                )
            )
        else:
            latest = ASSUMED_NANG_CAO_YEAR - 3 if code in assumed else 2020
            rows.append((code, "ntm", int(rng.integers(2014, latest)), "năm minh họa / illustrative year"))
    for row in nang_cao[nang_cao["year"] <= STATUS_YEAR].itertuples():
        if row.commune_code != LATE_NANG_CAO:
            rows.append(
                (
                    row.commune_code,
                    "nang_cao",
                    int(row.year),
                    "minh họa: theo lịch kế hoạch (biểu 01) / illustrative: on the plan's schedule",
                )
            )
    for code in assumed:
        rows.append(
            (
                code,
                "nang_cao",
                ASSUMED_NANG_CAO_YEAR,
                "minh họa: giả định đạt nâng cao 2020 (bộ tiêu chí tỉnh 2018–2020) / illustrative: "
                "assumed, so that kiểu mẫu builds on nâng cao",
            )
        )
    for row in due.itertuples():
        rows.append(
            (
                row.commune_code,
                "kieu_mau",
                int(row.year),
                "minh họa: theo lịch kế hoạch (biểu 02) / illustrative: on the plan's schedule",
            )
        )
    frame = pd.DataFrame(rows, columns=["commune_code", "level", "year", "note"])
    frame.insert(3, "decision", None)
    order = {"ntm": 1, "nang_cao": 2, "kieu_mau": 3}
    frame["_rank"] = frame["level"].map(order)
    frame = frame.sort_values(["commune_code", "_rank"], kind="stable").drop(columns="_rank")
    return frame.reset_index(drop=True)


def commune_status_table(communes: gpd.GeoDataFrame, recognitions: pd.DataFrame) -> pd.DataFrame:
    """22 × 19 whole-criterion rows for the status year, consistent with the recognitions.

    Each unit is assessed against one level: kiểu mẫu for a kiểu mẫu commune (criteria 1–19 of
    QĐ 319 are those of nâng cao), nâng cao for a nâng cao commune (all met), NTM for the others
    (all met but the gaps of ``NTM_GAPS``). Thị trấn get NTM rows with ``met`` left blank: towns
    follow urban standards, not the commune criteria, so nothing is claimed for them.
    """
    highest = recognitions.assign(_r=recognitions["level"].map({"ntm": 1, "nang_cao": 2, "kieu_mau": 3}))
    highest = highest.sort_values("_r", kind="stable").groupby("commune_code").tail(1)
    level_of = dict(zip(highest["commune_code"], highest["level"], strict=True))
    rows = []
    for commune in communes.itertuples():
        code = commune.commune_code
        for criterion in range(1, 20):
            note = ILLUSTRATIVE
            if commune.kind == "thi_tran":
                level, met = "ntm", None
                note = (
                    "thị trấn: không đánh giá theo bộ tiêu chí xã / town: not assessed against the "
                    "commune criteria — " + ILLUSTRATIVE
                )
            else:
                level = level_of.get(code, "ntm")
                met = NTM_GAPS.get(code) != str(criterion)
                if criterion == 7 and code in NO_MARKET and met:
                    note = (
                        "đạt nhờ điểm mua bán không có trong lớp chợ / met by a shop the markets "
                        "layer does not hold — " + ILLUSTRATIVE
                    )
                if code == LATE_NANG_CAO:
                    note = (
                        "kế hoạch nâng cao 2023 chưa đạt / nâng cao planned for 2023 not reached — "
                        + ILLUSTRATIVE
                    )
            rows.append(
                {
                    "commune_code": code,
                    "criterion": str(criterion),
                    "indicator": None,
                    "level": level,
                    "met": met,
                    "value": None,
                    "year": STATUS_YEAR,
                    "note": note,
                }
            )
    frame = pd.DataFrame(rows)
    frame["met"] = pd.array(frame["met"].tolist(), dtype="boolean")
    frame["value"] = pd.array([None] * len(frame), dtype="Float64")
    return frame


def village_status_table(villages: gpd.GeoDataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Model-village verdicts of the 43 planned villages: met in their target year when it is not
    after the status year, except two late ones; not met (yet) for 2024–2025 targets."""
    planned = villages[villages["model_target_year"].notna()]
    due = planned[(planned["model_target_year"] <= STATUS_YEAR) & (planned["name"] != DONG_LIM)]
    late = set()
    for year in (2022, 2023):
        pool = due.index[due["model_target_year"] == year].to_numpy()
        late.add(int(rng.choice(pool)))
    rows = []
    for index, village in planned.iterrows():
        target = int(village["model_target_year"])
        if target <= STATUS_YEAR and index not in late:
            rows.append((village["village_id"], True, target, ILLUSTRATIVE))
        elif target <= STATUS_YEAR:
            rows.append(
                (
                    village["village_id"],
                    False,
                    STATUS_YEAR,
                    f"chậm so với kế hoạch {target} / late against the plan's {target} — {ILLUSTRATIVE}",
                )
            )
        else:
            rows.append(
                (
                    village["village_id"],
                    False,
                    STATUS_YEAR,
                    f"kế hoạch {target} / planned for {target} — {ILLUSTRATIVE}",
                )
            )
    frame = pd.DataFrame(rows, columns=["village_id", "met", "year", "note"])
    frame.insert(1, "criterion", "thon_kieu_mau")
    return frame.sort_values("village_id", kind="stable").reset_index(drop=True)
