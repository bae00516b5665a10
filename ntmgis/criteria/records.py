"""A frame's rows as plain dicts, column by column: ``to_dict("records")`` without its per-cell cost.

The evaluation reads its tables (thresholds, reports, verdicts) as dicts. ``to_dict("records")``
walks pyarrow-backed text columns one cell at a time (a few milliseconds even for a 20-row
threshold table); :func:`records` converts each column once and gives the same dicts.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"unit_code": ["01", None], "met": pd.array([True, None], dtype="boolean")})
>>> records(frame) == frame.to_dict("records")
True
>>> records(frame)[1]
{'unit_code': nan, 'met': None}
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionDtype
from pandas.core.dtypes.cast import maybe_box_native

__all__ = ["records"]


def records(frame: pd.DataFrame) -> list[dict[Any, Any]]:
    """The rows of ``frame`` as dicts (column → Python value), equal to ``frame.to_dict("records")``.

    Numbers come as Python ``int``/``float``/``bool``, ``pd.NA`` as ``None``, text columns'
    missing cells as their dtype's missing value (NaN for ``str``), as pandas gives them.
    """
    columns = frame.columns.tolist()
    if len(set(columns)) != len(columns):  # pandas' own path warns and drops the duplicates
        return frame.to_dict("records")
    lists = [_cells(frame.iloc[:, k]) for k in range(len(columns))]
    return (
        [dict(zip(columns, row, strict=True)) for row in zip(*lists, strict=True)]
        if lists
        else [{} for _ in range(len(frame))]
    )


def _cells(column: pd.Series) -> list[Any]:
    """One column's values as ``to_dict("records")`` gives them."""
    dtype = column.dtype
    if isinstance(dtype, pd.StringDtype):
        # str / nan (or pd.NA for the "string" dtype, which pandas gives as None)
        values = column.to_numpy(dtype=object, na_value=dtype.na_value).tolist()
        return [None if v is pd.NA else v for v in values] if dtype.na_value is pd.NA else values
    if isinstance(dtype, ExtensionDtype):
        return [maybe_box_native(v) for v in column.array]
    if dtype == np.dtype(object):
        return [maybe_box_native(v) for v in column.to_numpy().tolist()]
    if dtype.kind in "mM":
        return list(column)  # Timestamps / Timedeltas, as iterating the column gives them
    return column.to_numpy().tolist()  # numpy numbers and booleans: Python scalars (``item``)
