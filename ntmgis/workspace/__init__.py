"""The Workspace: a district's layers, tables, plan and criteria set, validated, in one metric CRS.

A workspace is described by a ``workspace.yaml``::

    name: Tân Yên
    district: {name: Tân Yên, province: Bắc Giang, kind: huyen}   # kind: huyen, thi_xa, thanh_pho,
                                    # quan, tinh or xa_set (communes of no district); names outputs
    region: DBSCL                   # optional: the thresholds' region, else the province's
    working_crs: EPSG:9214          # VN-2000 / TM-3 107-00 (Bắc Giang); any metric CRS
    criteria_set: auto              # chosen by assessment date, or a set id
    status_year: 2023
    plan: package:tan_yen_2021_2025 # optional: a packaged plan or a path to a plan YAML; none: no plan
    layers:
      communes: {path: boundaries/communes.gpkg, layer: communes}
      roads: {path: roads.shp, crs: EPSG:9214}   # crs: required when the file has none
      villages: {path: thon.gpkg, columns: {village_id: ma_thon, name: ten_thon}}
    tables:
      commune_status: {path: status.xlsx, sheet: "2023", year: 2023, level: ntm}  # long or wide form
    criteria_overrides:             # a province's thresholds, without editing the package
      qd318_2022_xa: {"2.2": {ntm: {value: 75, source: "QĐ …/UBND tỉnh"}}}   # %
    values:                         # the office's own labels for vocabulary codes
      roads: {road_class: {"Đường làng": truc_thon}}   # per layer and column
      managed_by: {"Đội thủy nông": htx}               # or for every layer with the column
    network: {node: true, snap_m: 2}  # node the roads (crossings, ends ≤ 2 m) before market reach
    unit_costs: {roads: don_gia_duong.csv, canals: don_gia_kenh.xlsx}   # the province's unit prices
    market_radius_m: 2000           # villages farther by road from a market form the market gap

A wide status sheet's level (``level:`` of its entry) may also come from a level column of the
sheet ("Mức": NTM / NTM nâng cao / NTM kiểu mẫu, per row), from the sheet or file name
("NTM nâng cao", ``nang_cao``, ``NC``), else NTM; the problem report says which was used.

:func:`load_workspace` reads every file, collects every problem of every layer, and either returns
an immutable :class:`Workspace` or raises :class:`~ntmgis.problems.DataError` listing all errors.
:func:`inspect_workspace` does the same without raising, for ``ntmgis validate``.
:meth:`Workspace.from_layers` and :func:`inspect_layers` take frames already in memory (a
notebook) and validate them with the same code (:func:`ntmgis.workspace.build.build_workspace`):
the same contracts, column and value mappings, repairs and problems, the file shown as
``<roads>``. :meth:`Workspace.with_layers` validates the frames it replaces in the same way.
"""

from .config import NETWORK_DEFAULTS, sample_workspace_path
from .layers import inspect_layers
from .load import inspect_workspace, load_workspace
from .model import Workspace

__all__ = [
    "NETWORK_DEFAULTS",
    "Workspace",
    "inspect_layers",
    "inspect_workspace",
    "load_workspace",
    "sample_workspace_path",
]
