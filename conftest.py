"""Doctest namespace: the *Examples* of ntmgis's docstrings may use these names without importing them.

``pytest`` runs the examples with ``--doctest-modules`` over ``ntmgis`` (``pyproject.toml``), as
momepy does with its ``conftest.py``.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import ntmgis


@pytest.fixture(autouse=True, scope="session")
def _doctest_names(doctest_namespace: dict[str, Any]) -> None:
    doctest_namespace.update(ntmgis=ntmgis, np=np, pd=pd, gpd=gpd, shapely=shapely)
