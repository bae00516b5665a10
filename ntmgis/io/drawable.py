"""Which features an output can draw, and a problem for every one it cannot (issue 15 part 3b).

An output (the web map, the print map, the GeoPackage or PostGIS export) never leaves a feature
out silently: a feature with no or an empty geometry, a coordinate that is not a finite number, a
geometry still invalid after :func:`shapely.make_valid`, or a geometry of another type than the
layer's is counted, by reason, in one :class:`~ntmgis.problems.Problem` per reason (count and the
first features), so that features in = drawn + reported.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely

from ..problems import Problem

__all__ = ["REASONS", "drawable", "undrawn_problems"]

#: Why a feature is not drawn, in the order they are tested.
REASONS = ("empty", "not_finite", "invalid", "wrong_type")
# shapely.get_type_id of the geometry types each layer kind takes.
_KINDS = {"polygon": (3, 6), "line": (1, 2, 5), "point": (0, 4)}
_KEYS = {
    "empty": "problems.output_geometry_empty",
    "not_finite": "problems.output_geometry_not_finite",
    "invalid": "problems.output_geometry_invalid",
    "wrong_type": "problems.output_geometry_wrong_type",
}


def drawable(geometries: Sequence[object] | np.ndarray, kind: str | None = None) -> np.ndarray:
    """The reason each feature cannot be drawn (``""`` when it can): one of :data:`REASONS`.

    Parameters
    ----------
    geometries : sequence of shapely geometries (or None)
    kind : {"polygon", "line", "point"}, optional
        The layer's kind; a geometry of another type is ``wrong_type``.

    Examples
    --------
    >>> from shapely.geometry import Point, Polygon
    >>> bow = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    >>> drawable([Point(1, 2), None, Polygon(), Point(float("nan"), 1), bow, Point(0, 0)], "point").tolist()
    ['', 'empty', 'empty', 'not_finite', 'wrong_type', '']
    """
    with np.errstate(invalid="ignore"):  # GEOS warns of the NaN coordinates this looks for
        return _reasons(np.asarray(list(geometries), dtype=object), kind)


def _reasons(geoms: np.ndarray, kind: str | None) -> np.ndarray:
    reasons = np.full(len(geoms), "", dtype=object)
    if not len(geoms):
        return reasons
    present = np.array([g is not None for g in geoms], dtype=bool)
    empty = ~present
    empty[present] = shapely.is_empty(geoms[present])
    reasons[empty] = "empty"
    rest = ~empty
    finite = np.ones(len(geoms), dtype=bool)
    for index in np.flatnonzero(rest):
        finite[index] = bool(np.isfinite(shapely.get_coordinates(geoms[index])).all())
    reasons[rest & ~finite] = "not_finite"
    rest &= finite
    if rest.any():
        invalid = np.zeros(len(geoms), dtype=bool)
        invalid[rest] = ~shapely.is_valid(geoms[rest])
        for index in np.flatnonzero(invalid):  # repairable: the output draws the repair
            repaired = shapely.make_valid(geoms[index])
            invalid[index] = repaired.is_empty or not repaired.is_valid
        reasons[invalid] = "invalid"
        rest &= ~invalid
    if kind in _KINDS and rest.any():
        wrong = np.zeros(len(geoms), dtype=bool)
        wrong[rest] = ~np.isin(shapely.get_type_id(geoms[rest]), _KINDS[kind])
        reasons[wrong] = "wrong_type"
    return reasons


def undrawn_problems(
    reasons: np.ndarray, ids: Sequence[object], *, layer: str, output: str, kind: str | None = None
) -> tuple[Problem, ...]:
    """One warning per reason features of ``layer`` are not drawn by ``output`` (count, first ids).

    ``output`` (the file written, or ``map``) is the problem's ``file``; ``kind`` the layer's kind.

    Examples
    --------
    >>> import numpy as np
    >>> [p] = undrawn_problems(np.array(["", "empty", "empty"], dtype=object), ["a", "b", "c"],
    ...                        layer="villages", output="ban_do.html")
    >>> p.count, p.file, p.feature, p.problem
    (2, 'ban_do.html', 'b, c', 'the feature has no geometry, or an empty one')
    """
    found = []
    for reason in REASONS:
        where = [str(ids[int(i)]) for i in np.flatnonzero(reasons == reason)]
        if not where:
            continue
        params = {"kind": kind or ""} if reason == "wrong_type" else {}
        found.append(
            Problem.from_params(
                _KEYS[reason],
                params,
                file=output,
                layer=layer,
                feature=", ".join(where[:5]),
                count=len(where),
            )
        )
    return tuple(found)
