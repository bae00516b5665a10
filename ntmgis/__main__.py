"""``python -m ntmgis``: the ``ntmgis`` command (see :mod:`ntmgis.cli`)."""

import sys

from .cli import main

sys.exit(main())
