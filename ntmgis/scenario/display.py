"""Codes of the comparison tables shown in the workbook's language (levels, statuses, classes, units).

The comparison (:mod:`.compare`) holds codes (``ntm``, ``not_met``, ``truc_thon``, ``be_tong``);
:func:`display_codes` turns them into the label catalogue's words for a sheet, as the report does:
levels through ``vocabulary.yaml`` (``ntm_level``), statuses through ``catalogue/report_codes.yaml``,
road classes and surfaces (canal levels and linings for canal works), units through
``catalogue/report_units.yaml``, plan targets through ``plan_target``. A code without a label is
shown as it is.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from ..labels import words
from ..vocab import label

__all__ = ["display_codes"]

# Vocabularies of a works row's class and before / after, by its network (the layer name).
_WORKS_VOCABS = {"roads": ("road_class", "surface"), "canals": ("canal_level", "lining")}


def _code(value: object, lang: str) -> object:
    """A status (report_codes) or a level (ntm_level); the value itself otherwise."""
    if not isinstance(value, str) or not value:
        return value
    codes = words("report_codes", lang)
    return codes[value] if value in codes else label("ntm_level", value, lang)


def _vocab(name: str) -> Callable[[object, str], object]:
    def show(value: object, lang: str) -> object:
        return label(name, value, lang) if isinstance(value, str) and value else value

    return show


def _unit(value: object, lang: str) -> object:
    return words("report_units", lang).get(value, value) if isinstance(value, str) else value


def _network(value: object, lang: str) -> object:
    key = f"network_{value}"
    return words("report", lang).get(key, value) if isinstance(value, str) else value


# Column code (before " [scenario]") → how its values are shown.
_COLUMNS: dict[str, Callable[[object, str], object]] = {
    "level": _vocab("ntm_level"),
    "target_level": _vocab("ntm_level"),
    "highest_level": _vocab("ntm_level"),
    "schedule_status": _code,
    "status": _code,
    "what": _code,
    "before": _code,
    "after": _code,
    "group": _code,
    "op": _code,
    "unit": _unit,
    "target_id": _vocab("plan_target"),
    "network": _network,
}


def _works(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Class and surface / lining by the row's network; the network's name."""
    out = frame.copy()
    for column, position in (("class", 0), ("before", 1), ("after", 1)):
        if column in out and "network" in out:
            out[column] = [
                label(_WORKS_VOCABS[n][position], v, lang) if n in _WORKS_VOCABS and isinstance(v, str) else v
                for n, v in zip(out["network"], out[column], strict=True)
            ]
    if "network" in out:
        out["network"] = out["network"].map(lambda v: _network(v, lang))
    return out


def display_codes(key: str, frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``frame`` (sheet ``key`` of the comparison, code headers) with its codes shown in ``lang``.

    Examples
    --------
    >>> frame = pd.DataFrame({"level": ["ntm"], "status [A]": ["not_met"], "criterion": ["2"]})
    >>> display_codes("flips", frame, "vi").iloc[0].tolist()
    ['Đạt chuẩn NTM', 'Chưa đạt', '2']
    """
    if key == "works":
        return _works(frame, lang)
    out = frame.copy()
    for column in out.columns:
        show = _COLUMNS.get(str(column).partition(" [")[0])
        if show is not None:
            out[column] = out[column].map(lambda v, show=show: show(v, lang))
    return out
