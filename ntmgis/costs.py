"""Unit-cost tables (million VND per km): the packaged illustrative assumption and the one reading of them.

A unit-cost table prices upgrading one km of a road class to a surface (``road_class,
target_surface, million_vnd_per_km``) or lining one km of a canal level (``canal_level,
target_lining, million_vnd_per_km``). The packaged tables (``ntmgis/unit_costs.csv``,
``ntmgis/canal_unit_costs.csv``) are illustrative assumptions, flagged so in every row; a user passes
the province's unit prices (đơn giá) instead. The analysis (gap layers), scenarios and the optimiser
read a table with :func:`upgrade_prices` only, so they price alike.

Examples
--------
>>> from ntmgis.costs import load_unit_costs, upgrade_prices
>>> targets, prices = upgrade_prices(load_unit_costs("roads"), "roads")
>>> targets["truc_thon"], prices[("truc_thon", "be_tong")]
('be_tong', 2000.0)
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

__all__ = ["UNIT_COST_COLUMNS", "load_unit_costs", "upgrade_prices"]

#: Network → (class column, target-state column) of its unit-cost table.
UNIT_COST_COLUMNS = {"roads": ("road_class", "target_surface"), "canals": ("canal_level", "target_lining")}
_FILES = {"roads": "unit_costs.csv", "canals": "canal_unit_costs.csv"}


def _check_network(network: str) -> tuple[str, str]:
    if network not in UNIT_COST_COLUMNS:
        raise ValueError(f"network must be one of {sorted(UNIT_COST_COLUMNS)}, not {network!r}")
    return UNIT_COST_COLUMNS[network]


def load_unit_costs(network: str = "roads") -> pd.DataFrame:
    """A packaged unit-cost table: ``unit_costs.csv`` (roads) or ``canal_unit_costs.csv`` (canals).

    Parameters
    ----------
    network : {"roads", "canals"}

    Returns
    -------
    DataFrame
        Roads: ``road_class, target_surface, million_vnd_per_km, assumption, note``; canals:
        ``canal_level, target_lining, million_vnd_per_km, assumption, note``. The values are
        illustrative assumptions for the user to replace with the province's unit prices
        (đơn giá); every row says so in ``assumption`` and ``note``.
    """
    key, target = _check_network(network)
    with resources.files("ntmgis").joinpath(_FILES[network]).open("r", encoding="utf-8") as handle:
        table = pd.read_csv(handle, comment="#", dtype={key: str, target: str})
    table["assumption"] = table["assumption"].astype(str).str.lower().eq("true")
    return table


def upgrade_prices(
    unit_costs: pd.DataFrame, network: str = "roads"
) -> tuple[dict[str, str], dict[tuple[str, str], float]]:
    """What an upgrade of each class becomes by default, and what each upgrade costs per km.

    A class's default target is its first row; where a (class, target) pair appears twice, the
    first row wins.

    Parameters
    ----------
    unit_costs : DataFrame
        A unit-cost table of ``network`` (see :func:`load_unit_costs`).
    network : {"roads", "canals"}

    Returns
    -------
    targets : dict
        Class → default target surface (roads) or lining (canals).
    prices : dict
        (class, target) → million VND per km.
    """
    key, target = _check_network(network)
    targets = dict(unit_costs.drop_duplicates(key).set_index(key)[target].astype(str))
    rows = unit_costs.drop_duplicates([key, target])
    prices = {
        (str(k), str(t)): float(v)
        for k, t, v in zip(rows[key], rows[target], rows["million_vnd_per_km"], strict=True)
    }
    return targets, prices
