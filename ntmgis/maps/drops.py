"""The features a map cannot draw: left out of the drawing, counted and said (issue 15 part 3b).

:func:`ntmgis.maps.page.render_map` passes its layers through :func:`drawable_layers`: a feature
with no or an empty geometry, a coordinate that is not a finite number, a geometry that
``make_valid`` cannot repair or of another type than its layer's is drawn as nothing (its popup
row and search entry stay), and each reason is one problem (:mod:`ntmgis.io.drawable`) and one
line of the page's sources panel, in the page's language. The page data keeps the counts
(``undrawn``: layer id → features not drawn), so that features in = drawn + reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np

from ..io.drawable import drawable, undrawn_problems
from ..labels import words
from ..problems import Problem

if TYPE_CHECKING:
    from .page import MapLayer

__all__ = ["drawable_layers", "undrawn_lines"]


def drawable_layers(
    layers: Sequence[MapLayer], *, output: str = ""
) -> tuple[list[MapLayer], tuple[Problem, ...], dict[str, int]]:
    """``layers`` with every undrawable geometry set to None, the problems, and the counts per layer.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from ntmgis.maps.page import MapClass, MapLayer, Theme
    >>> theme = Theme("t", "T", ["a", "a"], [MapClass("a", "A", "#000")])
    >>> layer = MapLayer("p", "P", "point", gpd.GeoSeries([Point(1, 2), Point(float("nan"), 2)]),
    ...                  ["1", "2"], ["one", "two"], (theme,))
    >>> kept, problems, undrawn = drawable_layers([layer])
    >>> kept[0].geometry.isna().tolist(), problems[0].feature, undrawn
    ([False, True], 'two', {'p': 1})
    """
    kept: list[MapLayer] = []
    problems: list[Problem] = []
    undrawn: dict[str, int] = {}
    for layer in layers:
        # No type check: a layer's kind is how it is styled, and villages may mix points and areas.
        reasons = drawable(layer.geometry.to_numpy())
        bad = reasons != ""
        if not bad.any():
            kept.append(layer)
            continue
        geometry = layer.geometry.to_numpy().copy()
        geometry[bad] = None
        series = gpd.GeoSeries(geometry, index=layer.geometry.index, crs=layer.geometry.crs)
        kept.append(replace(layer, geometry=series))
        names = [str(n) for n in layer.names]
        problems.extend(undrawn_problems(reasons, names, layer=layer.id, output=output, kind=layer.kind))
        undrawn[layer.id] = int(np.count_nonzero(bad))
    return kept, tuple(problems), undrawn


def undrawn_lines(problems: Sequence[Problem], layers: Sequence[MapLayer], lang: str) -> list[str]:
    """One sources-panel line per problem: layer title, what is wrong, how many, which, what to do.

    Every word is in ``lang``, the feature's words of place too (:meth:`Problem.feature_text`:
    ``row 3`` is ``dòng 3`` on a Vietnamese page); names and ids stay as written.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from ntmgis.maps.page import MapClass, MapLayer, Theme
    >>> theme = Theme("t", "T", ["a", "a"], [MapClass("a", "A", "#000")])
    >>> layer = MapLayer("p", "Chợ", "point", gpd.GeoSeries([Point(1, 2), Point()]),
    ...                  ["1", "2"], ["row 2", "row 3"], (theme,))
    >>> _, problems, _ = drawable_layers([layer])
    >>> [line] = undrawn_lines(problems, [layer], "vi")
    >>> line.split(" — ")[1]
    'dòng 3 → không vẽ được; bổ sung hình học ở lớp nguồn'
    """
    titles = {layer.id: layer.title for layer in layers}
    times = words("problems", lang)["list_times"]
    lines = []
    for problem in problems:
        what, action = problem.text(lang)
        lines.append(
            f"{titles.get(problem.layer, problem.layer)}: {what}{times.format(count=problem.count)}"
            f" — {problem.feature_text(lang)} → {action}"
        )
    return lines
