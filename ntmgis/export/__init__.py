"""Results as files other tools open: the gap layers and the communes as GeoPackage layers for QGIS.

* :mod:`~ntmgis.export.layers` — :func:`result_layers`: every gap layer and the communes with their
  status and indicator values, as GeoDataFrames in the working CRS (the function every sink
  calls), and their styles taken from the web map (:mod:`ntmgis.maps.styles`, ``map.yaml``).
* :mod:`~ntmgis.export.qml` — a style as a QGIS QML document.
* :mod:`~ntmgis.export.gpkg` — :func:`write_gpkg`: one GeoPackage with the OGC ``layer_styles``
  table, written atomically.

It reads only the :class:`~ntmgis.assessment.Assessment` and the Workspace (import-linter).
"""

from .gpkg import LAYER_STYLES, undrawn_in_export, write_gpkg
from .layers import PROVENANCE, LayerStyle, result_layers, styled_layers
from .qml import qml

__all__ = [
    "LAYER_STYLES",
    "PROVENANCE",
    "LayerStyle",
    "qml",
    "result_layers",
    "styled_layers",
    "undrawn_in_export",
    "write_gpkg",
]
