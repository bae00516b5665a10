"""Provinces and their socio-economic region, read from ``ntmgis/data/provinces_regions.csv``.

The 63 pre-2025 provinces carry their GSO two-digit code and one of the GSO's six regions
(``TDMNPB``, ``DBSH``, ``BTB_DHMT``, ``TN``, ``DNB``, ``DBSCL``; names in
``ntmgis/catalogue/regions.yaml``). A criteria set names its own regional columns in ``regions:``
and says which GSO regions each column covers (``gso: [...]``); a set without that mapping uses
the GSO codes as its columns.

Examples
--------
>>> province_region("Tỉnh Bắc Giang")
'TDMNPB'
>>> province_region("tp can tho")
'DBSCL'
>>> province_region("Atlantis") is None
True
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import TYPE_CHECKING

import pandas as pd

from ..labels import words
from ..names import fold_accents, name_key
from ..problems import DataError, Problem
from ..values import is_missing

if TYPE_CHECKING:
    from .selection import CriteriaSelection
    from .sets import CriteriaSet

__all__ = [
    "GSO_REGIONS",
    "commune_regions",
    "missing_regional_thresholds",
    "province_region",
    "provinces",
    "region_column",
    "region_name",
]

#: The GSO's six socio-economic regions, north to south.
GSO_REGIONS = ("TDMNPB", "DBSH", "BTB_DHMT", "TN", "DNB", "DBSCL")


def _key(name: str) -> str:
    key = name_key(str(name))
    # "Tinh Bac Giang" without accents: name_key keeps an unaccented "tinh" (a common word).
    return key.removeprefix("tinh ") if fold_accents(str(name)).lower().startswith("tinh ") else key


@cache
def provinces() -> Mapping[str, Mapping[str, str]]:
    """The province table: name key → ``{province_code, province, region, verified, source}``.

    Examples
    --------
    >>> len(provinces())
    63
    >>> provinces()["ha noi"]["province_code"]
    '01'
    """
    resource = resources.files("ntmgis").joinpath("data", "provinces_regions.csv")
    lines = [line for line in resource.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    table = {}
    for row in csv.DictReader(lines):
        table[_key(row["province"])] = MappingProxyType(dict(row))
    return MappingProxyType(table)


def _province_row(province: str | None) -> Mapping[str, str] | None:
    """The table row of ``province`` (a name, with or without "Tỉnh"/"Thành phố", or a GSO code)."""
    if province is None or not str(province).strip():
        return None
    text = str(province).strip()
    table = provinces()
    if text.isdigit():
        code = text.zfill(2)
        return next((r for r in table.values() if r["province_code"] == code), None)
    return table.get(_key(text))


def province_code(province: str | None) -> str | None:
    """The GSO code of ``province`` (a name, with or without "Tỉnh"/"Thành phố", or a code), or None.

    Examples
    --------
    >>> province_code("Tỉnh Bắc Giang"), province_code("24"), province_code("Atlantis")
    ('24', '24', None)
    """
    row = _province_row(province)
    return None if row is None else row["province_code"]


def province_region(province: str | None) -> str | None:
    """The GSO region code of ``province`` (accent-, case- and prefix-insensitive), or None.

    A GSO province code ("24") is accepted too.

    Examples
    --------
    >>> province_region("24"), province_region("Thành phố Hồ Chí Minh")
    ('TDMNPB', 'DNB')
    """
    row = _province_row(province)
    return None if row is None else row["region"]


def region_name(code: str, lang: str = "vi") -> str:
    """The region's name (``"DBSCL"`` → ``"Đồng bằng sông Cửu Long"``); the code when unknown.

    Examples
    --------
    >>> region_name("DBSCL", "en")
    'Mekong River Delta'
    """
    return words("regions", lang).get(str(code), str(code))


def _region_keys(columns: tuple[str, ...]) -> dict[str, str]:
    """Name key → region code, for the GSO codes, the set's columns and the regions' names."""
    keys: dict[str, str] = {}
    for code in (*GSO_REGIONS, *columns):
        keys[name_key(code)] = code
        keys[name_key(code.replace("_", " "))] = code
        for lang in ("vi", "en"):
            keys.setdefault(name_key(region_name(code, lang)), code)
    return keys


def _known_regions(columns: tuple[str, ...]) -> str:
    return ", ".join(f"{c} ({region_name(c)})" for c in dict.fromkeys((*GSO_REGIONS, *columns)))


def region_code(value: object, columns: tuple[str, ...] = ()) -> str | None:
    """A region written as a GSO code, a set's column or a name, as its code; None when unknown.

    Examples
    --------
    >>> region_code("Đồng bằng sông Cửu Long"), region_code("dbscl"), region_code("Atlantis")
    ('DBSCL', 'DBSCL', None)
    """
    if is_missing(value) or not str(value).strip():
        return None
    return _region_keys(tuple(columns)).get(name_key(str(value)))


def region_column(commune: CriteriaSet, *, province: str | None, region: str | None) -> str | None:
    """The regional column of the thresholds: ``region`` if given, else the province's.

    Raises
    ------
    DataError
        One problem naming the unknown region or province and listing the known ones.
    """
    columns = commune.region_columns
    if region is not None:
        code = region_code(region, columns)
        if code is None:
            raise DataError(
                Problem.of(
                    "problems.region_unknown",
                    layer="workspace",
                    feature="region",
                    severity="error",
                    region=repr(region),
                    known=_known_regions(columns),
                )
            )
        return commune.column_of(code)
    if not province:
        return None
    column = commune.region_of(province)
    if column is None:
        known = ", ".join(r["province"] for r in provinces().values())
        raise DataError(
            Problem.of(
                "problems.province_unknown",
                layer="workspace",
                feature="district.province",
                severity="error",
                province=repr(province),
                provinces=known,
                regions=_known_regions(columns),
            )
        )
    return column


def commune_regions(communes: pd.DataFrame, selection: CriteriaSelection) -> tuple[pd.Series, list[Problem]]:
    """Each commune's regional column: its ``region`` value where given, else the selection's.

    Returns
    -------
    (Series, list of Problem)
        The column per row of ``communes`` (same index) and one problem for the unknown values.
    """
    default = selection.region
    if "region" not in communes.columns:
        return pd.Series(default, index=communes.index, dtype=object), []
    columns = selection.commune.region_columns
    given = communes["region"]
    codes = {v: region_code(v, columns) for v in given.dropna().unique()}
    mapped = given.map(lambda v: None if is_missing(v) else codes.get(v))
    unknown = given.notna() & mapped.isna() & given.astype(str).str.strip().ne("")
    problems = []
    if unknown.any():
        ids = (
            communes.loc[unknown, "commune_code"].astype(str)
            if "commune_code" in communes
            else given[unknown]
        )
        values = sorted({str(v) for v in given[unknown]})
        problems.append(
            Problem.of(
                "problems.region_column_unknown",
                layer="communes",
                feature=", ".join(ids.head(5)),
                severity="error",
                count=int(unknown.sum()),
                values=str(values),
                default=str(default),
                known=_known_regions(columns),
            )
        )
    regions = mapped.map(lambda c: default if is_missing(c) else selection.commune.column_of(str(c)))
    return regions.astype(object), problems


def missing_regional_thresholds(thresholds: pd.DataFrame, region: str | None, communes: int) -> list[Problem]:
    """One problem per region: the regional thresholds that have no value there (not assessed).

    The action is the ``criteria_overrides:`` line that gives the province's number.
    """
    note = thresholds["threshold_note"].fillna("").astype(str)
    own = thresholds["inherited_from"].fillna("").astype(str).eq("")
    lacking = thresholds[
        own & (note.str.contains("no value for region") | note.str.contains("region not given"))
    ]
    if lacking.empty:
        return []
    listed = "; ".join(
        f"{set_id} {ind} ({', '.join(dict.fromkeys(group['level']))})"
        for (set_id, ind), group in lacking.groupby(["criteria_set", "indicator"], sort=False)
    )
    first = lacking.iloc[0]
    # No region: the word ``problems.word_no_region`` in the sentence, no feature to name.
    where = f"{region} ({region_name(region)})" if region else "no_region"
    example = (
        f'criteria_overrides: {{{first["criteria_set"]}: {{"{first["indicator"]}": '
        f'{{{first["level"]}: {{value: …, source: "QĐ …/UBND tỉnh"}}}}}}}}'
    )
    return [
        Problem.of(
            "problems.region_no_threshold",
            layer="criteria",
            feature=where if region else "",
            count=len(lacking),
            where=where,
            listed=listed,
            communes=communes,
            example=example,
        )
    ]
