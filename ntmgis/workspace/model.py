"""The :class:`Workspace`: a district's validated layers, tables, plan and settings, immutable."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import geopandas as gpd
import pandas as pd

from .._frozen import freeze
from ..crosswalk import Crosswalk
from ..crs import DEFAULT_WORKING_CRS
from ..io import canonical_status
from ..labels import text
from ..plan import Plan
from ..problems import ProblemReport
from .config import _STATUS_TABLES, NETWORK_DEFAULTS


@dataclass(frozen=True)
class Workspace:
    """An immutable, validated district workspace.

    Layers and tables are returned as copies (:meth:`layer`, :meth:`table`), so no caller can
    change the workspace another caller sees; a scenario builds a new Workspace with
    :meth:`with_layers` instead. Built by :func:`ntmgis.workspace.load_workspace` (files named
    by a workspace.yaml) or :meth:`from_layers` (frames in memory) — one validation for both.
    """

    name: str
    root: Path
    working_crs: str
    district: Mapping[str, str]
    criteria_set: str
    status_year: int | None
    plan: Plan | None
    sample: bool
    sample_note: Mapping[str, str] | None
    provenance: str
    criteria_overrides: Mapping[str, object] | None
    sources: Mapping[str, str]
    problems: ProblemReport
    _layers: Mapping[str, gpd.GeoDataFrame] = field(repr=False)
    _tables: Mapping[str, pd.DataFrame] = field(repr=False)
    #: How the road layer is prepared for reach: ``{"node": bool, "snap_m": float}`` (``network:``).
    network: Mapping[str, float] = field(default_factory=lambda: MappingProxyType(dict(NETWORK_DEFAULTS)))
    #: The user's unit-cost tables by network (``unit_costs:``); absent: the packaged assumption.
    unit_costs: Mapping[str, pd.DataFrame] = field(default_factory=lambda: MappingProxyType({}))
    #: Radius (m) of the market gap (``market_radius_m:``); None: :func:`ntmgis.assessment.assess`'s default.
    market_radius_m: float | None = None
    #: The office's own labels (``values:``), read again by :meth:`with_layers`.
    values: Mapping[str, Mapping[str, Mapping[str, str]]] = field(
        default_factory=lambda: MappingProxyType({}), repr=False
    )
    #: ``region:`` of workspace.yaml: the thresholds' region instead of the province's (a GSO code).
    region: str | None = None
    #: ``crosswalk:`` of workspace.yaml: the checked unit crosswalk (:mod:`ntmgis.crosswalk`), or None.
    crosswalk: Crosswalk | None = field(default=None, repr=False, compare=False)
    #: The unit period of the communes (``unit_period:``, else inferred from a crosswalk; None: unknown).
    unit_period: str | None = None
    #: ``units_groups:`` of workspace.yaml: the new units' commune groups (code → group as written) for
    #: ``--units`` (:mod:`ntmgis.units_groups`); None: not given.
    units_groups: Mapping[str, object] | None = field(default=None, repr=False, compare=False)
    #: Where ``units_groups`` was given (the CSV, or workspace.yaml for a mapping), named by problems.
    units_groups_file: str = field(default="", repr=False, compare=False)
    #: ``provenance: {vi: ..., en: ...}`` by language (empty when workspace.yaml gives one text).
    provenance_texts: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), repr=False)

    @classmethod
    def from_layers(
        cls,
        communes: gpd.GeoDataFrame,
        *,
        tables: Mapping[str, pd.DataFrame] | None = None,
        crs: object = DEFAULT_WORKING_CRS,
        name: str | None = None,
        district: Mapping[str, str] | None = None,
        region: str | None = None,
        plan: Plan | str | Path | None = None,
        columns: Mapping[str, Mapping[str, str]] | None = None,
        values: Mapping[str, object] | None = None,
        criteria_set: str = "auto",
        status_year: int | None = None,
        network: Mapping[str, object] | None = None,
        unit_costs: Mapping[str, str] | None = None,
        market_radius_m: float | None = None,
        options: Mapping[str, Mapping[str, object]] | None = None,
        criteria_overrides: Mapping[str, object] | None = None,
        root: str | Path | None = None,
        **frames: pd.DataFrame,
    ) -> Workspace:
        """A workspace from frames in memory, validated exactly as :func:`load_workspace` validates.

        Takes what workspace.yaml says as arguments (see :func:`ntmgis.workspace.inspect_layers`
        for each) and raises :class:`~ntmgis.problems.DataError` listing every error; warnings
        and repairs are in ``workspace.problems``.

        Examples
        --------
        >>> import geopandas as gpd
        >>> from ntmgis.workspace import sample_workspace_path
        >>> folder = sample_workspace_path().parent
        >>> ws = Workspace.from_layers(gpd.read_file(folder / "boundaries/communes.gpkg"), crs="EPSG:9214")
        >>> ws.layer_names, len(ws.communes)
        (('communes',), 22)
        """
        from .layers import from_layers

        return from_layers(
            communes,
            tables=tables,
            crs=crs,
            name=name,
            district=district,
            region=region,
            plan=plan,
            columns=columns,
            values=values,
            criteria_set=criteria_set,
            status_year=status_year,
            network=network,
            unit_costs=unit_costs,
            market_radius_m=market_radius_m,
            options=options,
            criteria_overrides=criteria_overrides,
            root=root,
            **frames,
        )

    @property
    def layer_names(self) -> tuple[str, ...]:
        """Names of the layers the workspace holds (``communes`` always among them)."""
        return tuple(self._layers)

    @property
    def table_names(self) -> tuple[str, ...]:
        """Names of the tables the workspace holds."""
        return tuple(self._tables)

    def has_layer(self, name: str) -> bool:
        """Whether the workspace holds layer ``name``."""
        return name in self._layers

    def layer(self, name: str) -> gpd.GeoDataFrame:
        """A copy of layer ``name`` in the working CRS."""
        if name not in self._layers:
            raise KeyError(
                f"workspace {self.name!r} has no layer {name!r} (it has: {', '.join(self._layers) or 'none'})"
            )
        return self._layers[name].copy()

    def table(self, name: str) -> pd.DataFrame:
        """A copy of table ``name``."""
        if name not in self._tables:
            raise KeyError(
                f"workspace {self.name!r} has no table {name!r} (it has: {', '.join(self._tables) or 'none'})"
            )
        return self._tables[name].copy()

    @property
    def communes(self) -> gpd.GeoDataFrame:
        """A copy of the ``communes`` layer."""
        return self.layer("communes")

    def note(self, lang: str = "vi") -> str | None:
        """The sample note to show on every output, or None for real data."""
        if not self.sample:
            return None
        note = self.sample_note or {}
        return note.get(lang) or note.get("vi") or text("common.sample_note_default", lang)

    def provenance_text(self, lang: str = "vi") -> str:
        """Where the data come from (``provenance:``), in ``lang`` when workspace.yaml gives
        ``{vi: ..., en: ...}``, else as written."""
        return self.provenance_texts.get(lang) or self.provenance

    def with_layers(self, **layers: gpd.GeoDataFrame) -> Workspace:
        """A new Workspace with some layers replaced (the original is unchanged), validated as on load.

        Each frame goes through the same checks as a layer read from a file: its contract, the
        workspace's ``values:`` (labels such as ``surface="Bê tông"`` read to codes), repairs,
        the working CRS. Errors raise :class:`~ntmgis.problems.DataError` listing them all;
        warnings and repairs not already reported are added to ``problems`` of the new
        workspace. A frame taken from a workspace (a scenario's edit) passes unchanged.

        Raises
        ------
        DataError
            When a replaced layer has an error (a missing column, an unknown commune code ...).
        """
        from .layers import replace_layers

        return replace_layers(self, layers)

    def with_tables(self, **tables: pd.DataFrame) -> Workspace:
        """A new Workspace with some tables replaced (the original is unchanged).

        Status tables go through the status reader's id parsing (:func:`ntmgis.io.canonical_status`),
        as tables read from files do: the criteria engine takes them as they are.
        """
        merged = dict(self._tables)
        merged.update(
            {k: canonical_status(v) if k in _STATUS_TABLES else v.copy() for k, v in tables.items()}
        )
        return dataclasses.replace(self, _tables=MappingProxyType(merged))

    def with_criteria_overrides(self, overrides: Mapping[str, object] | None) -> Workspace:
        """A new Workspace whose ``criteria_overrides`` are ``overrides`` (frozen)."""
        return dataclasses.replace(self, criteria_overrides=None if overrides is None else freeze(overrides))
