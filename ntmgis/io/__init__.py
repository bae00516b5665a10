"""Reading and writing at the edges: layers, tables, status tables, YAML files, legacy encodings,
atomic writes.

Everything here touches files or repairs what files bring (TCVN3/VNI text, office spreadsheets);
the analysis and the criteria engine never read a file themselves.

* :mod:`~ntmgis.io.readers` — :func:`read_layer`, :func:`read_table`, :func:`read_yaml`.
* :mod:`~ntmgis.io.status` — commune and village status tables, long and wide office forms
  (:mod:`~ntmgis.io.cells`: the words and numbers of their cells); a fact given twice in them
  or in the recognitions table: :mod:`~ntmgis.io.status_duplicates`, :mod:`~ntmgis.io.recognitions`.
* :mod:`~ntmgis.io.encodings` — legacy Vietnamese encodings in DBF and CSV attributes.
* :mod:`~ntmgis.io.atomic` — writes that never leave a half-written file.
"""

from .atomic import write_bytes_atomic, write_layer_atomic, write_text_atomic
from .costs import read_unit_costs
from .encodings import (
    LegacyEncoding,
    convert_legacy_text,
    decode_legacy_bytes,
    detect_legacy_encoding,
    fix_legacy_columns,
    unicode_to_tcvn3,
    unicode_to_vni,
)
from .readers import LAYER_SUFFIXES, TABLE_SUFFIXES, ReadResult, read_layer, read_table, read_yaml
from .status import (
    LONG_COLUMNS,
    StatusRead,
    canonical_status,
    long_to_wide,
    parse_status_cell,
    read_commune_status,
    read_village_status,
    status_from_frame,
)

__all__ = [
    "read_unit_costs",
    "LAYER_SUFFIXES",
    "LONG_COLUMNS",
    "TABLE_SUFFIXES",
    "LegacyEncoding",
    "ReadResult",
    "StatusRead",
    "canonical_status",
    "convert_legacy_text",
    "decode_legacy_bytes",
    "detect_legacy_encoding",
    "fix_legacy_columns",
    "long_to_wide",
    "parse_status_cell",
    "read_commune_status",
    "read_layer",
    "read_table",
    "read_village_status",
    "read_yaml",
    "status_from_frame",
    "unicode_to_tcvn3",
    "unicode_to_vni",
    "write_bytes_atomic",
    "write_layer_atomic",
    "write_text_atomic",
]
