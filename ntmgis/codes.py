"""Codes shared by every stage: verdict and status codes, the district unit.

Codes are codes: snake_case strings that tables and layers carry and tests compare. The words a
user reads come from the label catalogue (:mod:`ntmgis.labels`) or the domain vocabularies
(:func:`ntmgis.vocab.label`), never from these constants.

Examples
--------
>>> from ntmgis.codes import MET, NOT_ASSESSED, status_code
>>> status_code(True), status_code(None)
('met', 'not_assessed')
"""

from __future__ import annotations

__all__ = ["DISTRICT_UNIT", "MET", "NOT_APPLICABLE", "NOT_ASSESSED", "NOT_MET", "status_code"]

#: ``unit_code`` of district-wide rows (sector targets, district totals).
DISTRICT_UNIT = "district"

MET = "met"
NOT_MET = "not_met"
#: No evidence either way (no layer, no report): never counted as a failure.
NOT_ASSESSED = "not_assessed"
#: The rule does not apply to the unit (a town against the commune set).
NOT_APPLICABLE = "not_applicable"


def status_code(met: bool | None) -> str:
    """The verdict code of a yes/no/unknown answer."""
    return NOT_ASSESSED if met is None else (MET if met else NOT_MET)
