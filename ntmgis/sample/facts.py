"""Public facts of Tân Yên and the sample's fixed decisions, with the random streams and the
apportioning every other module of :mod:`ntmgis.sample` uses.

The facts are cited in ``ntmgis/data/tan_yen_units_facts.csv`` (one source per number) and
``DOMAIN.md``; the decisions (which commune is late, which misses a criterion) are illustrative and
documented in :mod:`ntmgis.sample`.
"""

from __future__ import annotations

import io
import unicodedata
import zlib
from collections.abc import Sequence
from importlib import resources

import numpy as np
import pandas as pd

from ..crs import DEFAULT_WORKING_CRS

__all__ = [
    "DEFAULT_SEED",
    "WORKING_CRS",
    "DISTRICT_AREA_KM2",
    "DISTRICT_POPULATION",
    "VILLAGE_TOTAL",
    "STATUS_YEAR",
    "PLAN_REF",
    "ILLUSTRATIVE",
    "unit_facts",
    "commune_numbers",
    "stream",
    "largest_remainder",
]

DEFAULT_SEED = 2021
#: VN-2000 / TM-3 107-00, the working CRS of Bắc Giang (DOMAIN.md §2).
WORKING_CRS = DEFAULT_WORKING_CRS
#: Official district area, km² (DOMAIN.md §4).
DISTRICT_AREA_KM2 = 208.30
#: District population, ≈ (DOMAIN.md §4): the illustrative populations are scaled to this total.
DISTRICT_POPULATION = 180_000
#: Thôn and tổ dân phố of the district (DOMAIN.md §4).
VILLAGE_TOTAL = 317
#: The year the sample's statuses describe (illustrative).
STATUS_YEAR = 2023
#: The district plan whose schedules, model-village counts and market units the sample follows.
PLAN_REF = "package:tan_yen_2021_2025"

ILLUSTRATIVE = "minh họa / illustrative"
#: Units and the village the sample names after public facts (DOMAIN.md §5).
CAO_XA = "07336"
NGOC_LY = "07363"
DONG_LIM = "Thôn Đồng Lim"

# The sample's assumed state in 2023 (illustrative): nâng cao and kiểu mẫu as the plan schedules
# them up to the status year, except Lam Cốt (nâng cao 2023), left late. A commune the plan
# schedules for kiểu mẫu without scheduling it for nâng cao first (Việt Lập, kiểu mẫu 2023) is
# given nâng cao in 2020, under the provincial 2018–2020 set, so that its kiểu mẫu is
# consistent (QĐ 319: kiểu mẫu builds on nâng cao).
LATE_NANG_CAO = "07333"
ASSUMED_NANG_CAO_YEAR = 2020
# Communes that in 2023 miss one criterion of the QĐ 318 NTM set (illustrative): criterion 7
# (Lan Giới has no market or store in the layer), criterion 17 (environment, An Dương).
NTM_GAPS = {"07303": "7", "07321": "17"}
# Units without any market or store point in the sample, and whether criterion 7 is met there
# all the same (by a shop the layer does not hold: the status note says so).
NO_MARKET = {"07303": False, "07309": True, "07315": True}


def unit_facts() -> pd.DataFrame:
    """The hand-curated facts of the 22 units (``ntmgis/data/tan_yen_units_facts.csv``).

    Returns
    -------
    DataFrame
        One row per unit, sorted by ``commune_code``: ``commune_code`` (5-digit string),
        ``name`` (NFC, GSO tone placement), ``kind``, ``centre_lon``/``centre_lat`` (approximate,
        rounded to 0.005°), ``area_km2`` with ``area_basis``, ``population``, ``households`` and
        ``n_villages`` where a source gives them (else missing), ``population_c1999`` (≈ 1999
        figure, a relative weight only) and ``source``.
    """
    text = resources.files("ntmgis").joinpath("data/tan_yen_units_facts.csv").read_text(encoding="utf-8")
    facts = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    for column in ("name", "source", "area_basis"):
        facts[column] = facts[column].map(lambda v: unicodedata.normalize("NFC", v))
    for column in ("centre_lon", "centre_lat", "area_km2"):
        facts[column] = facts[column].astype(float)
    for column in ("population", "households", "n_villages", "population_c1999"):
        facts[column] = pd.array([int(v) if v else None for v in facts[column]], dtype="Int64")
    return facts.sort_values("commune_code", kind="stable").reset_index(drop=True)


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent random stream per concern, so changing one layer leaves the others alone."""
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])


def largest_remainder(total: int, weights: Sequence[float]) -> list[int]:
    """Integers proportional to ``weights`` that sum exactly to ``total`` (Hamilton's method)."""
    w = np.asarray(weights, dtype=float)
    raw = total * w / w.sum()
    base = np.floor(raw).astype(int)
    order = np.argsort(-(raw - base), kind="stable")
    base[order[: total - int(base.sum())]] += 1
    return base.tolist()


def commune_numbers(facts: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Population, households and village count per unit: the facts where known, else illustrative.

    Unknown populations share the rest of the district's ≈ 180,000 in proportion to the ≈ 1999
    figures; unknown village counts share the rest of the 317 in proportion to population.
    """
    out = facts[["commune_code", "name", "kind"]].copy()
    known_pop = facts["population"].notna().to_numpy()
    rest = DISTRICT_POPULATION - int(facts.loc[known_pop, "population"].sum())
    guessed = largest_remainder(rest, facts.loc[~known_pop, "population_c1999"].astype(float).tolist())
    population = np.array(facts["population"].astype("float"), dtype=float)
    population[~known_pop] = guessed
    out["population"] = population.astype(int)
    out["population_basis"] = np.where(known_pop, "fact", "illustrative")
    size = rng.uniform(3.6, 4.1, len(out))
    households = np.round(out["population"].to_numpy() / size).astype(int)
    known_hh = facts["households"].notna().to_numpy()
    households[known_hh] = facts.loc[known_hh, "households"].astype(int)
    out["households"] = households
    out["households_basis"] = np.where(known_hh, "fact", "illustrative")
    known_n = facts["n_villages"].notna().to_numpy()
    rest_n = VILLAGE_TOTAL - int(facts.loc[known_n, "n_villages"].sum())
    counts = np.array(facts["n_villages"].astype("float"), dtype=float)
    counts[~known_n] = largest_remainder(rest_n, out.loc[~known_n, "population"].astype(float).tolist())
    out["n_villages"] = counts.astype(int)
    out["n_villages_basis"] = np.where(known_n, "fact", "illustrative")
    return out
