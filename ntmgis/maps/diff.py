"""The diff map of a scenario: the planners' map of its result, its changes from the baseline marked.

Communes whose level or any criterion changes are outlined, the scenario's works are an extra
line layer (the pieces of :attr:`ntmgis.scenario.Applied.works`, with length, year and cost in
the popup) and a summary table lists the flips. Everything else is
:func:`~ntmgis.maps.planner.build_planner_map` of the scenario's workspace and assessment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from ..labels import words
from ..vocab import label, vocabulary
from .page import Field, MapClass, MapLayer, SummaryTable, Theme
from .planner import build_planner_map, planner_summary

if TYPE_CHECKING:  # the scenario package imports no map code; the types are for readers only
    from ..scenario import Comparison

__all__ = ["build_diff_map"]

_WORK_COLOURS = {"roads": "#d7191c", "canals": "#2b83ba"}


def _works_layer(works: gpd.GeoDataFrame, text: dict[str, str]) -> MapLayer:
    """The works as one line layer, a piece (segment × commune) per feature, coloured by network."""
    # Networks in name order, pieces in their order in the works: what the map has always listed.
    works = works.sort_values("network", kind="stable")
    return MapLayer(
        id="scenario_works",
        title=text["map_works"],
        kind="line",
        geometry=gpd.GeoSeries(works.geometry.to_numpy(), crs=works.crs),
        keys=[f"{s}@{c}" for s, c in zip(works["segment_id"], works["commune_code"], strict=True)],
        names=[str(s) for s in works["segment_id"]],
        themes=[
            Theme(
                id="network",
                title=text["map_works"],
                values=works["network"].astype(str).tolist(),
                classes=[
                    MapClass(network, text[f"map_{network}"], colour, weight=4)
                    for network, colour in _WORK_COLOURS.items()
                ],
            )
        ],
        fields=[
            Field(text["map_length"], works["length_km"].tolist(), "number", decimals=3, unit="km"),
            Field(text["map_year"], works["year"].tolist(), "year"),
            Field(text["map_cost"], works["cost_million_vnd"].tolist(), "number", decimals=0),
        ],
        style={"weight": 4},
    )


def _flips_table(
    comparison: Comparison, flips: pd.DataFrame, text: dict[str, str], lang: str
) -> SummaryTable:
    names = dict(zip(comparison.communes["commune_code"], comparison.communes["name"], strict=True))
    levels = set(vocabulary()["ntm_level"])

    def what(kind: str, criterion: str, level: str) -> str:
        if kind == "criterion":
            return f"{criterion} ({label('ntm_level', level, lang)})"
        return text["map_level"]

    def shown(value: object) -> str:
        return label("ntm_level", value, lang) if isinstance(value, str) and value in levels else str(value)

    rows = [
        [
            f"{names.get(r.unit_code, r.unit_code)} ({r.unit_code})",
            what(r.what, r.criterion, r.level),
            shown(r.before),
            shown(r.after),
        ]
        for r in flips.itertuples()
    ] or [[text["map_none"], "", "", ""]]
    header = [text["map_commune"], text["map_what"], text["map_before"], text["map_after"]]
    return SummaryTable(text["map_flips"], header, rows)


def build_diff_map(comparison: Comparison, name: str, *, lang: str = "vi") -> str:
    """HTML of the planners' map of scenario ``name``, its changes from the baseline marked.

    Parameters
    ----------
    comparison : ntmgis.scenario.Comparison
        From :func:`ntmgis.scenario.compare`; ``name`` is one of its scenarios (not the baseline).
    name : str
    lang : {"vi", "en"}

    Returns
    -------
    str
        The self-contained HTML page.

    Raises
    ------
    ValueError
        ``name`` is the baseline or not compared.
    """
    text = dict(words("scenario", lang))
    runs = {r.name: r for r in comparison.runs}
    if name not in runs or name == comparison.names[0]:
        raise ValueError(f"{name!r} is not one of the compared scenarios {comparison.names[1:]}")
    chosen = runs[name]
    flips = comparison.flips[comparison.flips["scenario"] == name]
    assessed = set(chosen.assessment.communes["commune_code"])
    communes = sorted(set(flips["unit_code"].astype(str)) & assessed)
    works = chosen.applied.works
    extra = [_works_layer(works, text)] if len(works) else []
    workspace = chosen.applied.workspace
    summary = [
        _flips_table(comparison, flips, text, lang),
        *planner_summary(workspace, chosen.assessment, lang=lang),
    ]
    return build_planner_map(
        workspace,
        chosen.assessment,
        lang=lang,
        title=text["map_title"].format(name=name),
        highlight={"communes": communes} if communes else None,
        extra_layers=extra,
        summary=summary,
    )
