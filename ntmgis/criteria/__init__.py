"""Criteria sets as data (one YAML file per legal act) and the evaluation of communes, villages
and the district against them and against the district plan.

Typical use::

    from ntmgis.criteria import evaluate_workspace
    assessment = evaluate_workspace(workspace, computed=None)   # set chosen by date
    assessment.communes      # highest level, target, schedule status, gaps
    assessment.cross_check   # reported "met" contradicted by measurement

The modules, in the order of the evaluation: :mod:`~ntmgis.codes` (criterion ids and
levels), :mod:`~ntmgis.criteria.sets`, :mod:`~ntmgis.criteria.schema` and
:mod:`~ntmgis.criteria.selection` (the sets, their checks, the set in force),
:mod:`~ntmgis.criteria.indicators`, :mod:`~ntmgis.criteria.verdicts`, :mod:`~ntmgis.criteria.summary`
(with the plan milestones and :mod:`~ntmgis.criteria.recognition`), :mod:`~ntmgis.criteria.progress`,
:mod:`~ntmgis.criteria.cross_check`, :mod:`~ntmgis.criteria.gaps` (texts) and
:mod:`~ntmgis.criteria.evaluate` (the whole evaluation).
"""

from ..codes import DISTRICT_UNIT, criterion_sort_key, level_rank, parse_criterion_header, parse_level
from .cross_check import cross_check
from .evaluate import CriteriaAssessment, Prefer, evaluate, evaluate_workspace
from .gaps import format_gap
from .indicators import evaluate_indicators
from .progress import achieved_years, district_progress, sector_targets
from .recognition import recognised_levels
from .schema import check_overrides
from .selection import CriteriaSelection, choose_criteria
from .sets import PACKAGED_SETS, UNVERIFIED_NOTE, CriteriaSet, load_criteria_set, load_criteria_sets
from .summary import commune_summary, plan_milestones, village_summary
from .verdicts import evaluate_criteria, level_verdicts

__all__ = [
    "PACKAGED_SETS",
    "UNVERIFIED_NOTE",
    "DISTRICT_UNIT",
    "CriteriaAssessment",
    "CriteriaSelection",
    "CriteriaSet",
    "Prefer",
    "achieved_years",
    "check_overrides",
    "choose_criteria",
    "commune_summary",
    "criterion_sort_key",
    "cross_check",
    "district_progress",
    "evaluate",
    "evaluate_criteria",
    "evaluate_indicators",
    "evaluate_workspace",
    "format_gap",
    "level_rank",
    "level_verdicts",
    "load_criteria_set",
    "load_criteria_sets",
    "parse_criterion_header",
    "parse_level",
    "plan_milestones",
    "recognised_levels",
    "sector_targets",
    "village_summary",
]
