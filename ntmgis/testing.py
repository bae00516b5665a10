"""Testing helpers for code that produces or transforms an :class:`~ntmgis.assessment.Assessment`.

Modelled on :func:`geopandas.testing.assert_geodataframe_equal`: one call states that two
assessments agree, field by field, and the failure names the field (and the first differing rows).

Examples
--------
>>> import ntmgis
>>> from ntmgis.assessment import assess
>>> from ntmgis.testing import assert_assessment_equal
>>> a = assess(ntmgis.load_workspace())
>>> assert_assessment_equal(a, a)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields, is_dataclass

import geopandas as gpd
import pandas as pd
from geopandas.testing import assert_geodataframe_equal

from .assessment import Assessment

__all__ = ["assert_assessment_equal", "assessment_differences"]


def _frame_difference(name: str, left: pd.DataFrame, right: pd.DataFrame, *, check_less_precise: bool) -> str:
    try:
        if isinstance(left, gpd.GeoDataFrame) or isinstance(right, gpd.GeoDataFrame):
            assert_geodataframe_equal(left, right, check_less_precise=check_less_precise, normalize=True)
        else:
            pd.testing.assert_frame_equal(left, right, check_exact=not check_less_precise)
    except AssertionError as error:
        return f"{name}: {error}"
    return ""


def _record_differences(name: str, left: object, right: object, *, check_less_precise: bool) -> list[str]:
    """The differing fields of two frozen records held by an Assessment (``closing``)."""
    found = []
    for field in fields(left):  # type: ignore[arg-type]
        a, b = getattr(left, field.name), getattr(right, field.name, None)
        if isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame):
            difference = _frame_difference(
                f"{name}.{field.name}", a, b, check_less_precise=check_less_precise
            )
            if difference:
                found.append(difference)
        elif isinstance(a, pd.DataFrame) or isinstance(b, pd.DataFrame) or a != b:
            found.append(f"{name}.{field.name}: {a!r} != {b!r}")
    return found


def assessment_differences(
    left: Assessment, right: Assessment, *, ignore: Iterable[str] = (), check_less_precise: bool = False
) -> list[str]:
    """The fields in which two assessments differ, each with the first difference found.

    Parameters
    ----------
    left, right : Assessment
    ignore : iterable of str
        Field names not to compare (e.g. ``{"problems"}``).
    check_less_precise : bool
        Compare numbers to about 1e-5 relative instead of exactly (geometry to 1e-3 m).

    Returns
    -------
    list of str
        One line per differing field; empty when they agree.
    """
    for value in (left, right):
        if not isinstance(value, Assessment):
            raise TypeError(f"expected an Assessment, not {type(value).__name__}")
    skip = set(ignore)
    unknown = skip - {f.name for f in fields(Assessment)}
    if unknown:
        raise ValueError(f"ignore names fields an Assessment does not have: {sorted(unknown)}")
    found = []
    for field in fields(Assessment):
        if field.name in skip:
            continue
        a, b = getattr(left, field.name), getattr(right, field.name)
        if a is None or b is None:
            if (a is None) != (b is None):
                found.append(
                    f"{field.name}: {'None' if a is None else 'assessed'} vs "
                    f"{'None' if b is None else 'assessed'}"
                )
        elif isinstance(a, pd.DataFrame):
            difference = _frame_difference(field.name, a, b, check_less_precise=check_less_precise)
            if difference:
                found.append(difference)
        elif is_dataclass(a) and is_dataclass(b):  # the closing account: frames and values
            found += _record_differences(field.name, a, b, check_less_precise=check_less_precise)
        elif a != b:
            found.append(f"{field.name}: {a!r} != {b!r}")
    return found


def assert_assessment_equal(
    left: Assessment, right: Assessment, *, ignore: Iterable[str] = (), check_less_precise: bool = False
) -> None:
    """Check that two assessments agree in every field (but those in ``ignore``).

    Parameters
    ----------
    left, right : Assessment
    ignore : iterable of str
        Field names not to compare.
    check_less_precise : bool
        See :func:`assessment_differences`.

    Raises
    ------
    AssertionError
        Naming every differing field and the first difference in each.
    """
    found = assessment_differences(left, right, ignore=ignore, check_less_precise=check_less_precise)
    if found:
        raise AssertionError("assessments differ in " + "; ".join(found))
