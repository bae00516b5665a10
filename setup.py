"""Build step only: every piece of metadata lives in ``pyproject.toml``.

The maps inline Leaflet from the pinned npm package (``package.json`` / ``package-lock.json``,
installed by ``npm ci``). A wheel must carry it, as nothing else can be assumed at the place it is
installed; so ``build_py`` copies the files the maps read (``ntmgis.maps.assets``) from
``node_modules/leaflet/`` into the built package, ``ntmgis/maps/vendor/leaflet/``, laid out as in
``node_modules`` (with ``package.json``, which holds the version the maps check, and the licence).
They are never committed: the vendor folder exists only in the build tree and the wheel. An editable
install reads the repository's ``node_modules`` directly and copies nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.errors import SetupError

ROOT = Path(__file__).resolve().parent
VENDOR = Path("ntmgis", "maps", "vendor")
# Files of each npm package the maps use, relative to node_modules/<package>/ (globs).
WEB_ASSETS = {
    "leaflet": ["package.json", "LICENSE", "dist/leaflet.js", "dist/leaflet.css", "dist/images/*.png"],
}


class BuildPyWithWebAssets(build_py):
    """``build_py`` that also copies the pinned npm web assets into the built package."""

    def run(self) -> None:
        super().run()
        if not self.editable_mode:
            self._copy_web_assets()

    def _copy_web_assets(self) -> None:
        node_modules = ROOT / "node_modules"
        for package, patterns in WEB_ASSETS.items():
            source = node_modules / package
            if not (source / "package.json").is_file():
                raise SetupError(
                    f"cannot build ntmgis: {source} is missing. The maps inline {package} from the "
                    f"pinned npm package; run `npm ci` (or `make setup`) in {ROOT} first")
            for pattern in patterns:
                found = sorted(source.glob(pattern))
                if not found:
                    raise SetupError(f"cannot build ntmgis: no {package}/{pattern} in {node_modules}; "
                                     "run `npm ci` to reinstall the pinned web assets")
                for path in found:
                    target = Path(self.build_lib) / VENDOR / package / path.relative_to(source)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, target)


setup(cmdclass={"build_py": BuildPyWithWebAssets})
