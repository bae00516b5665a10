"""The plan YAML a district starts from: ``ntmgis plan init`` and ``ntmgis plan from-sheet``.

The text has the layout of ``ntmgis/plans/tan_yen_2021_2025.yaml`` (read by
:func:`ntmgis.plan.load_plan`; every key is described in ``docs/*/reference/plan.md``), with the
district's communes listed in comments (code and name, what to fill in), the schedules given or
empty, and commented examples. Comments are in the language asked for (``plan.skel_*`` in the
catalogue).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

import pandas as pd

from ..labels import text
from ..names import fold_accents
from .plan_sheet import Schedules

__all__ = ["plan_id", "plan_period", "skeleton_plan"]


def plan_period(year: int) -> tuple[int, int]:
    """The five-year NTM programme period (2021–2025, 2026–2030 …) holding ``year``.

    Examples
    --------
    >>> plan_period(2026), plan_period(2025)
    ((2026, 2030), (2021, 2025))
    """
    start = 2021 + 5 * ((year - 2021) // 5)
    return start, start + 4


def plan_id(district: str, period: tuple[int, int]) -> str:
    """An ASCII id for the plan (``tan_yen_2026_2030``).

    Examples
    --------
    >>> plan_id("Tân Yên", (2026, 2030))
    'tan_yen_2026_2030'
    """
    slug = re.sub(r"[^a-z0-9]+", "_", fold_accents(district).lower()).strip("_") or "plan"
    return f"{slug}_{period[0]}_{period[1]}"


def _q(value: object) -> str:
    """A YAML scalar (a JSON string is valid YAML and keeps leading zeros and accents)."""
    return json.dumps(str(value), ensure_ascii=False)


def _unit(code: object, name: object) -> str:
    return "{code: " + _q(code) + ", name: " + _q(name) + "}"


def _years(rows: list[tuple[int, str, str]], indent: str) -> list[str]:
    if not rows:
        return [f"{indent}years: {{}}"]
    lines = [f"{indent}years:"]
    for year in sorted({r[0] for r in rows}):
        units = ", ".join(_unit(code, name) for y, code, name in rows if y == year)
        lines.append(f"{indent}  {year}: [{units}]")
    return lines


def _commune_lines(communes: pd.DataFrame, schedules: Schedules, lang: str) -> list[str]:
    def say(key: str, **fields: object) -> str:
        return text(f"plan.{key}", lang, **fields)

    listed = communes.drop_duplicates("commune_code")
    example = listed.head(2)
    example_line = ", ".join(
        _unit(c, n) for c, n in zip(example["commune_code"], example["name"], strict=True)
    )
    lines = ["communes:", f"  # {say('skel_units', count=len(listed))}"]
    width = max(
        (len(_unit(c, n)) for c, n in zip(listed["commune_code"], listed["name"], strict=True)), default=0
    )
    for code, name in zip(listed["commune_code"], listed["name"], strict=True):
        lines.append(f"  #   {_unit(code, name).ljust(width)}  # {say('skel_unit_line')}")
    levels = (("nang_cao", "01"), ("kieu_mau", "02"))
    rows = {level: [(y, c, n) for lv, y, c, n in schedules.communes if lv == level] for level, _ in levels}
    lines += [
        '  keep_ntm_share: {value: 1.0, unit: share, section: ""}',
        f"  # {say('skel_totals')}",
        *(f'  {level}_total: {{value: {len(rows[level])}, section: ""}}' for level, _ in levels),
    ]
    for level, form in levels:
        lines += [
            f"  {level}_schedule:",
            f"    # {say('skel_' + level)}",
            f"    #   2026: [{example_line}]",
            f'    section: "(biểu {form})"',
            *_years(rows[level], "    "),
        ]
    return lines


def _village_lines(villages: pd.DataFrame | None, schedules: Schedules, lang: str) -> list[str]:
    counts = schedules.model_villages
    lines = ["villages:", f'  model_villages_total: {{value: {sum(counts.values())}, section: ""}}']
    if villages is not None and len(villages):
        lines.append(f"  # {text('plan.skel_village_list', lang, count=len(villages))}")
        for village in villages.itertuples(index=False):
            lines.append(f"  #   {village.village_id} {village.name} ({village.commune_code})")
    lines += [
        "  model_villages_by_year:",
        f"    # {text('plan.skel_villages', lang)}",
        "    #   years: {2026: 3, 2027: 4}",
        '    section: "(biểu 03)"',
        "    years: {" + ", ".join(f"{y}: {n}" for y, n in sorted(counts.items())) + "}",
    ]
    return lines


def skeleton_plan(
    district: Mapping[str, str],
    communes: pd.DataFrame,
    *,
    period: tuple[int, int],
    villages: pd.DataFrame | None = None,
    schedules: Schedules | None = None,
    file: str = "plan.yaml",
    lang: str = "vi",
) -> str:
    """The text of a plan YAML for ``communes``: every commune listed, schedules as given (or empty).

    Parameters
    ----------
    district : mapping
        ``name`` and ``province`` (the workspace's ``district:``).
    communes : DataFrame
        ``commune_code`` and ``name`` of the workspace's communes.
    period : (int, int)
        First and last year of the plan.
    villages : DataFrame, optional
        ``village_id``, ``name``, ``commune_code``: listed in a comment.
    schedules : Schedules, optional
        Schedules to write (:func:`ntmgis.io.plan_sheet.read_plan_sheet`); empty by default.
    file : str
        The file's name, for the comment telling where to name it.
    lang : {"vi", "en"}
        Language of the comments.

    Examples
    --------
    >>> import yaml
    >>> units = pd.DataFrame({"commune_code": ["07330"], "name": ["Hợp Đức"]})
    >>> plan = yaml.safe_load(skeleton_plan({"name": "Tân Yên"}, units, period=(2026, 2030)))
    >>> plan["id"], plan["period"], plan["communes"]["nang_cao_schedule"]["years"]
    ('tan_yen_2026_2030', [2026, 2030], {})
    """
    schedules = schedules or Schedules()
    name = district.get("name", "")
    head = [
        f"# {text('plan.skel_title', lang, district=name, start=period[0], end=period[1])}",
        f"# {text('plan.skel_howto', lang, file=file)}",
        f"id: {plan_id(name, period)}",
        "version: 1",
        f"district: {{name: {_q(name)}, province: {_q(district.get('province', ''))}}}",
        f"period: [{period[0]}, {period[1]}]",
        f'units_period: ""  # {text("plan.skel_units_period", lang)}',
        f'source: ""  # {text("plan.skel_source", lang)}',
        "",
    ]
    example = communes.drop_duplicates("commune_code").head(1)
    example_unit = ", ".join(
        _unit(c, n) for c, n in zip(example["commune_code"], example["name"], strict=True)
    )
    tail = [
        "",
        "sector_targets:",
        f"  # {text('plan.skel_markets', lang)}",
        f'  #   - {{id: markets_upgraded, section: "", units: [{example_unit}]}}',
        '  - {id: markets_upgraded, section: "", units: []}',
        "",
        "district_nang_cao_targets: []",
        "",
        "budget:",
        f"  # {text('plan.skel_budget', lang)}",
        "  #   total: 1000",
        "  #   parts: {state_budget: 700, other_sources: 300}",
        "  unit: million VND",
        '  section: ""',
        "  total: 0",
        "  parts: {}",
    ]
    body = _commune_lines(communes, schedules, lang) + [""] + _village_lines(villages, schedules, lang)
    return "\n".join(head + body + tail) + "\n"
