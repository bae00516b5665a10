"""The concretization and canal-lining tables on dask-geopandas, for inputs past one machine.

The same computation as :func:`ntmgis.analysis.network.road_concretization` and
:func:`~ntmgis.analysis.network.canal_lining`, run as dask tasks (``pip install
'ntmgis[distributed]'``: dask, distributed and dask-geopandas, pinned):

* the communes are partitioned spatially by ``dask_geopandas``' Hilbert ``spatial_shuffle``;
  the lines too, so that a task reads only the line partitions whose hulls meet its communes;
* each task cuts the lines that meet its communes' bounds with
  :func:`~ntmgis.analysis.clip.split_by_commune`, against its own communes **and their
  neighbours** (every commune whose polygon meets one of them: the lower codes a shared border
  goes to, and the polygons an overlap is taken from, are always neighbours);
* a task keeps only the pieces in its own communes. A line crossing a partition border is cut in
  every task it meets, and each of its pieces is kept by the one task that owns the piece's
  commune: never counted twice, never lost. Pieces outside every commune belong to no row, as
  in the single-process tables;
* each commune is in exactly one partition, so the tables of the tasks are concatenated, not
  added: the rows are those of the single-process table, in the same order, with the same
  kilometres to floating-point rounding (the sums run over the pieces in another order).

The scheduler is dask's: the given ``distributed.Client``, else the current default (the
threaded scheduler when no client is running). No process pool or scheduler of ntmgis' own.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..vocab import concretized_surfaces, kien_co_linings, vocabulary
from .clip import split_by_commune
from .network import canal_lining, road_concretization

if TYPE_CHECKING:  # pragma: no cover - typing only; dask is an optional extra
    import dask_geopandas
    import distributed

__all__ = ["DEFAULT_COMMUNES_PER_PARTITION", "canal_lining_dask", "road_concretization_dask"]

#: Communes per partition when ``npartitions`` is not given (about a district and a half).
DEFAULT_COMMUNES_PER_PARTITION = 100
# Line partitions: at least as many as commune partitions, and at most this many lines each.
_LINES_PER_PARTITION = 50_000
_EXTRA = "pip install 'ntmgis[distributed]'"


def _dask_geopandas() -> ModuleType:
    """The module, imported only when the dask path is used."""
    try:
        import dask_geopandas
    except ImportError as error:  # pragma: no cover - exercised only without the extra
        raise ImportError(f"the dask path needs dask-geopandas: {_EXTRA}") from error
    return dask_geopandas


def _npartitions(n_communes: int, npartitions: int | None) -> int:
    if npartitions is None:
        return max(1, math.ceil(n_communes / DEFAULT_COMMUNES_PER_PARTITION))
    if npartitions < 1:
        raise ValueError(f"npartitions must be at least 1, not {npartitions}")
    return min(int(npartitions), max(1, n_communes))


def _shuffled(
    frame: gpd.GeoDataFrame | dask_geopandas.GeoDataFrame, npartitions: int
) -> dask_geopandas.GeoDataFrame:
    """``frame`` as a dask-geopandas frame in Hilbert order, persisted, with its partitions' hulls.

    ``spatial_shuffle`` itself divides by the extent's width and height (a zero for one
    straight line); the same Hilbert distance is taken here over bounds padded to at least 1 m.
    Empty and missing geometries (which have no piece) are left out: they have no distance.
    The shuffle is by tasks (dask's peer-to-peer shuffle goes through Arrow, which has no
    geometry type) and is persisted, so that it runs once, where the scheduler is.
    """
    dgpd = _dask_geopandas()
    frame = frame[~(frame.geometry.isna() | frame.geometry.is_empty)]
    if isinstance(frame, gpd.GeoDataFrame):
        total = frame.total_bounds
        # The index becomes the Hilbert distance: the position is all a task needs of it.
        frame = dgpd.from_geopandas(frame.reset_index(drop=True), npartitions=max(1, min(npartitions, 8)))
    else:
        total = frame.total_bounds.compute()
    xmin, ymin, xmax, ymax = np.asarray(total, dtype=float)
    pad_x, pad_y = max(0.0, 1.0 - (xmax - xmin)) / 2, max(0.0, 1.0 - (ymax - ymin)) / 2
    bounds = (xmin - pad_x, ymin - pad_y, xmax + pad_x, ymax + pad_y)
    shuffled = frame.set_index(
        frame.hilbert_distance(total_bounds=bounds),
        sorted=False,
        npartitions=npartitions,
        shuffle_method="tasks",
    ).persist()
    shuffled.calculate_spatial_partitions()
    return shuffled


def _neighbours(communes: gpd.GeoDataFrame, core: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``core`` and every commune whose polygon meets one of it (the halo a cut needs)."""
    _, near = shapely.STRtree(communes.geometry.to_numpy()).query(
        core.geometry.to_numpy(), predicate="intersects"
    )
    own = set(core["commune_code"].astype(str))
    halo = communes.iloc[np.unique(near)]
    halo = halo[~halo["commune_code"].astype(str).isin(own)]
    return pd.concat([core, halo], ignore_index=True)


def _lines_near(lines: gpd.GeoDataFrame, core: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The lines whose bounds meet the bounds of a commune of ``core``."""
    hit, _ = shapely.STRtree(core.geometry.to_numpy()).query(lines.geometry.to_numpy())
    return lines.iloc[np.unique(hit)]


def _partition_pieces(
    core: gpd.GeoDataFrame, cut_by: gpd.GeoDataFrame, line_parts: Sequence[gpd.GeoDataFrame]
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The lines near ``core`` and their pieces in ``core``'s communes (one dask task's cut)."""
    found = [part for part in line_parts if len(part)] or list(line_parts[:1])
    lines = pd.concat(found, ignore_index=True)
    lines = _lines_near(gpd.GeoDataFrame(lines, geometry=lines.geometry.name, crs=cut_by.crs), core)
    # One thread per task: dask runs the tasks side by side already.
    pieces = split_by_commune(lines, cut_by, workers=1)
    own = pieces["commune_code"].astype(str).isin(set(core["commune_code"].astype(str)))
    return lines, pieces[own & pieces["commune_code"].notna()]


def _road_task(
    core: gpd.GeoDataFrame,
    cut_by: gpd.GeoDataFrame,
    surfaces: frozenset[str],
    classes: list[str],
    *line_parts: gpd.GeoDataFrame,
) -> pd.DataFrame:
    lines, pieces = _partition_pieces(core, cut_by, line_parts)
    return road_concretization(lines, core, surfaces=surfaces, classes=classes, pieces=pieces)


def _canal_task(
    core: gpd.GeoDataFrame,
    cut_by: gpd.GeoDataFrame,
    managed_by: tuple[str, ...],
    linings: frozenset[str],
    *line_parts: gpd.GeoDataFrame,
) -> pd.DataFrame:
    lines, pieces = _partition_pieces(core, cut_by, line_parts)
    return canal_lining(lines, core, managed_by=managed_by, linings=linings, pieces=pieces)


def _run(
    task: object,
    communes: gpd.GeoDataFrame,
    lines: gpd.GeoDataFrame | dask_geopandas.GeoDataFrame,
    arguments: tuple[object, ...],
    npartitions: int | None,
    client: distributed.Client | None,
) -> pd.DataFrame:
    """One ``task`` per commune partition, on dask; their tables in the single-process order."""
    import dask

    if communes.crs is not None and lines.crs is not None and communes.crs != lines.crs:
        raise ValueError(f"lines ({lines.crs}) and communes ({communes.crs}) must share one CRS")
    communes = communes.reset_index(drop=True)
    n = _npartitions(len(communes), npartitions)
    # The communes are small beside the lines: they are partitioned here (dask's threads), to give
    # each task its halo of neighbours; the lines are partitioned and stay on the cluster.
    with dask.config.set(scheduler="threads"):
        cores = dask.compute(*_shuffled(communes, n).to_delayed())
    n_lines = len(lines) if isinstance(lines, gpd.GeoDataFrame) else lines.npartitions * _LINES_PER_PARTITION
    line_parts = _shuffled(lines, max(n, math.ceil(n_lines / _LINES_PER_PARTITION)))
    hulls = line_parts.spatial_partitions.to_numpy()
    line_delayed = line_parts.to_delayed()
    tree = shapely.STRtree(hulls)
    tasks = []
    for core in cores:
        if not len(core):
            continue
        core = gpd.GeoDataFrame(
            core.reset_index(drop=True), geometry=communes.geometry.name, crs=communes.crs
        )
        near = np.unique(tree.query(shapely.box(*core.total_bounds), predicate="intersects"))
        # The empty frame of the lines' columns first: a task near no line still has its columns.
        parts = [line_parts._meta, *(line_delayed[int(j)] for j in near)]
        tasks.append(dask.delayed(task)(core, _neighbours(communes, core), *arguments, *parts))
    tables = client.gather(client.compute(tasks)) if client is not None else dask.compute(*tasks)
    table = pd.concat(list(tables), ignore_index=True)
    return table.sort_values("commune_code", kind="stable").reset_index(drop=True)


def _classes_present(roads: gpd.GeoDataFrame | dask_geopandas.GeoDataFrame) -> list[str]:
    present = roads["road_class"].astype(str).unique()
    return sorted(set(np.asarray(present if isinstance(roads, gpd.GeoDataFrame) else present.compute())))


def road_concretization_dask(
    roads: gpd.GeoDataFrame | dask_geopandas.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    *,
    npartitions: int | None = None,
    client: distributed.Client | None = None,
    surfaces: Iterable[str] | None = None,
    classes: Iterable[str] | None = None,
) -> pd.DataFrame:
    """:func:`~ntmgis.analysis.network.road_concretization` as dask tasks over spatial partitions.

    Parameters
    ----------
    roads : GeoDataFrame or dask_geopandas.GeoDataFrame
        ``roads`` layer (``road_class``, ``surface``) in the metric working CRS; a dask frame
        (e.g. ``dask_geopandas.read_parquet``) stays partitioned and is never gathered.
    communes : GeoDataFrame
        ``communes`` layer, same CRS (held in memory: a few thousand polygons).
    npartitions : int, optional
        Commune partitions (Hilbert order); by default one per
        :data:`DEFAULT_COMMUNES_PER_PARTITION` communes. The result does not depend on it.
    client : distributed.Client, optional
        The cluster to run on; by default dask's current scheduler.
    surfaces, classes : iterable of str, optional
        As for :func:`~ntmgis.analysis.network.road_concretization`.

    Returns
    -------
    DataFrame
        The table of :func:`~ntmgis.analysis.network.road_concretization`: same rows, same
        order, the same kilometres to floating-point rounding.

    Examples
    --------
    >>> from shapely import LineString, box
    >>> communes = gpd.GeoDataFrame({"commune_code": ["A", "B", "C"]},
    ...     geometry=[box(0, 0, 30, 10), box(30, 0, 100, 10), box(100, 0, 200, 10)], crs=9214)
    >>> roads = gpd.GeoDataFrame({"segment_id": ["r1", "r2"], "road_class": "xa",
    ...                           "surface": ["be_tong", "dat"]},
    ...     geometry=[LineString([(0, 5), (150, 5)]), LineString([(10, 2), (20, 2)])], crs=9214)
    >>> table = road_concretization_dask(roads, communes, npartitions=3)
    >>> table[table["road_class"] == "xa"].round(3)
       commune_code road_class  total_km  concretized_km  share    status
    3             A         xa      0.04            0.03   0.75  assessed
    11            B         xa      0.07            0.07   1.00  assessed
    19            C         xa      0.05            0.05   1.00  assessed
    >>> table.equals(road_concretization(roads, communes))
    True
    """
    counted = frozenset(concretized_surfaces() if surfaces is None else surfaces)
    grid = list(vocabulary()["road_class"] if classes is None else classes)
    grid += [c for c in _classes_present(roads) if c not in grid]
    return _run(_road_task, communes, roads, (counted, grid), npartitions, client)


def canal_lining_dask(
    canals: gpd.GeoDataFrame | dask_geopandas.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    *,
    npartitions: int | None = None,
    client: distributed.Client | None = None,
    managed_by: Iterable[str] = ("xa",),
    linings: Iterable[str] | None = None,
) -> pd.DataFrame:
    """:func:`~ntmgis.analysis.network.canal_lining` as dask tasks over spatial partitions.

    Parameters
    ----------
    canals : GeoDataFrame or dask_geopandas.GeoDataFrame
        ``canals`` layer (``lining``, ``managed_by``) in the metric working CRS.
    communes : GeoDataFrame
        ``communes`` layer, same CRS.
    npartitions, client
        As for :func:`road_concretization_dask`.
    managed_by, linings
        As for :func:`~ntmgis.analysis.network.canal_lining`.

    Returns
    -------
    DataFrame
        The table of :func:`~ntmgis.analysis.network.canal_lining`, same rows and order.

    Examples
    --------
    >>> from shapely import LineString, box
    >>> communes = gpd.GeoDataFrame({"commune_code": ["A", "B"]},
    ...     geometry=[box(0, 0, 30, 10), box(30, 0, 100, 10)], crs=9214)
    >>> canals = gpd.GeoDataFrame({"canal_id": ["k1"], "lining": ["be_tong"], "managed_by": ["xa"]},
    ...     geometry=[LineString([(0, 5), (100, 5)])], crs=9214)
    >>> canal_lining_dask(canals, communes, npartitions=2)[["commune_code", "lined_km"]].round(3)
      commune_code  lined_km
    0            A      0.03
    1            B      0.07
    """
    counted = frozenset(kien_co_linings() if linings is None else linings)
    managers = tuple(str(m) for m in managed_by)
    return _run(_canal_task, communes, canals, (managers, counted), npartitions, client)
