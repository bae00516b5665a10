"""Criteria sets as data (one YAML file per legal act) and the evaluation of communes, villages
and the district against them and against the district plan.

Typical use::

    from ntmgis.criteria import evaluate_workspace
    assessment = evaluate_workspace(workspace, computed=None)   # set chosen by date
    assessment.communes      # highest level, target, schedule status, gaps
    assessment.cross_check   # reported "met" contradicted by measurement
"""

from .evaluate import (
    DISTRICT_UNIT,
    CriteriaAssessment,
    achieved_years,
    commune_summary,
    cross_check,
    district_progress,
    evaluate,
    evaluate_criteria,
    evaluate_indicators,
    evaluate_workspace,
    format_gap,
    level_verdicts,
    sector_targets,
    village_summary,
)
from .sets import (
    PACKAGED_SETS,
    UNVERIFIED_NOTE,
    CriteriaSelection,
    CriteriaSet,
    check_overrides,
    choose_criteria,
    load_criteria_set,
    load_criteria_sets,
)

__all__ = [
    "PACKAGED_SETS",
    "UNVERIFIED_NOTE",
    "DISTRICT_UNIT",
    "CriteriaAssessment",
    "CriteriaSelection",
    "CriteriaSet",
    "achieved_years",
    "check_overrides",
    "choose_criteria",
    "commune_summary",
    "cross_check",
    "district_progress",
    "evaluate",
    "evaluate_criteria",
    "evaluate_indicators",
    "evaluate_workspace",
    "format_gap",
    "level_verdicts",
    "load_criteria_set",
    "load_criteria_sets",
    "sector_targets",
    "village_summary",
]
