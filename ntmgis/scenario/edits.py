"""The edits a :class:`Scenario` is made of: frozen values, applied in order by :mod:`.apply`.

Every edit names what it touches; a segment, commune, village, market or zone that does not
exist is an error naming it when the scenario is applied, never a silent no-op. Geometries are
shapely geometries or WKT text in the workspace's working CRS.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

import shapely

__all__ = [
    "Concretize",
    "LineCanals",
    "AddMarket",
    "UpgradeMarket",
    "AddFacility",
    "AddZone",
    "SetZone",
    "SetStatus",
    "SetThreshold",
    "SetUnitCost",
    "Edit",
    "Scenario",
]

#: A polygon given to an edit: a shapely geometry or its WKT.
Shape: TypeAlias = shapely.Geometry | str


@dataclass(frozen=True)
class Concretize:
    """Harden roads (cứng hóa): by ids, by commune and class, or inside a polygon (all given
    selectors must hold). The new surface is the unit-cost table's target for the class unless
    ``surface`` is given. Roads already concretized are left as they are (and cost nothing); the
    works are the pieces of the baseline assessment's ``segments_to_upgrade``."""

    segment_ids: tuple[str, ...] = ()
    commune_code: str | None = None
    road_class: str | None = None
    polygon: Shape | None = None
    surface: str | None = None
    year: int | None = None


@dataclass(frozen=True)
class LineCanals:
    """Line canals (kiên cố hóa) by ids, commune and level, or polygon; default lining be_tong.

    What can be lined is what the baseline assessment lists in its ``canals_to_line`` gap layer
    (pieces not kiên cố inside a commune, of the managers the analysis counts): the one rule of
    "canal km that need lining" that criterion 3.3, the optimiser and scenarios share. A canal it
    does not list is left alone when chosen by commune, level or polygon, and refused when named
    by id; canals already kiên cố are left as they are (and cost nothing)."""

    segment_ids: tuple[str, ...] = ()
    commune_code: str | None = None
    canal_level: str | None = None
    polygon: Shape | None = None
    lining: str = "be_tong"
    year: int | None = None


@dataclass(frozen=True)
class AddMarket:
    """A new market at ``(x, y)`` in the working CRS."""

    market_id: str
    x: float
    y: float
    commune_code: str
    name: str = ""
    standard_met: bool = True
    year: int | None = None


@dataclass(frozen=True)
class UpgradeMarket:
    """Bring an existing market to the standard (and record the year)."""

    market_id: str
    year: int | None = None


@dataclass(frozen=True)
class AddFacility:
    """A new facility (school, culture_house, health_station...) at ``(x, y)``."""

    facility_id: str
    kind: str
    x: float
    y: float
    commune_code: str
    village_id: str | None = None
    name: str = ""
    standard_met: bool = True


@dataclass(frozen=True)
class AddZone:
    """A new production zone (polygon in the working CRS, shapely geometry or WKT)."""

    zone_id: str
    polygon: Shape
    crop: str
    vietgap: bool = False
    growing_area_code: str | None = None
    name: str = ""


@dataclass(frozen=True)
class SetZone:
    """Change an existing zone: its shape, VietGAP certification or growing-area code."""

    zone_id: str
    polygon: Shape | None = None
    vietgap: bool | None = None
    growing_area_code: str | None = None


@dataclass(frozen=True)
class SetStatus:
    """Record a criterion as met / not met for a commune (or a village) in ``year``."""

    criterion: str
    met: bool
    year: int
    commune_code: str | None = None
    village_id: str | None = None
    level: str = "ntm"
    indicator: str | None = None


@dataclass(frozen=True)
class SetThreshold:
    """Override a threshold of a criteria set (as a province's ``criteria_overrides`` would)."""

    set_id: str
    indicator: str
    level: str
    value: float


@dataclass(frozen=True)
class SetUnitCost:
    """Change a unit cost (million VND per km) of the road or canal table."""

    klass: str
    target: str
    million_vnd_per_km: float
    network: str = "roads"


Edit = (
    Concretize
    | LineCanals
    | AddMarket
    | UpgradeMarket
    | AddFacility
    | AddZone
    | SetZone
    | SetStatus
    | SetThreshold
    | SetUnitCost
)


@dataclass(frozen=True)
class Scenario:
    """A named, ordered list of edits. ``as_of`` (a year) is when to assess it (default: the
    baseline's status year); ``description`` says what a planner should read from it."""

    name: str
    edits: tuple[Edit, ...] = ()
    as_of: int | None = None
    description: str = ""
