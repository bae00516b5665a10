"""Third-party web assets (Leaflet) read from the pinned npm copy and inlined at write time.

The assets are dependencies, never committed: ``make setup`` runs ``npm ci`` which installs the
version pinned in ``package.json`` / ``package-lock.json`` under ``<repo root>/node_modules``, and
building the wheel copies the files the maps use into the package, ``ntmgis/maps/vendor/`` (laid
out as ``node_modules``; see ``setup.py``). They are looked for in the packaged vendor folder
first (a wheel install), then in the repository's ``node_modules`` (a checkout or an editable
install). A map must open from disk or an e-mail attachment with no network, so everything Leaflet
needs (its script, its stylesheet and the images the stylesheet references) is returned as text
ready to be inlined into one HTML file.
"""

from __future__ import annotations

import base64
import json
import os
import re
from pathlib import Path

__all__ = [
    "PINNED_VERSIONS",
    "WebAssetError",
    "WebAssetNotFoundError",
    "WebAssetVersionError",
    "node_modules_dir",
    "find_web_asset",
    "leaflet_js",
    "leaflet_css",
]

#: Versions the maps are built and tested with; must equal the pins of ``package.json``
#: (a test checks this).
PINNED_VERSIONS = {"leaflet": "1.9.4"}

ENV_VAR = "NTMGIS_WEB_ASSETS"
# Filled by the wheel's build step (setup.py), absent in a checkout; git-ignored.
_PACKAGED = Path(__file__).resolve().parent / "vendor"
# Repo root = parent of the ``ntmgis`` package directory (an editable install or a checkout).
_REPO_NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"

_IMAGE_TYPES = {
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".gif": "image/gif",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]*)\1\s*\)""")
_SOURCE_MAP = re.compile(r"^\s*//# sourceMappingURL=\S*\s*$", re.MULTILINE)


class WebAssetError(OSError):
    """A web asset the map needs is missing or is not the pinned version."""


class WebAssetNotFoundError(WebAssetError, FileNotFoundError):
    """A web asset is not installed where ntmgis looks for it."""


class WebAssetVersionError(WebAssetError):
    """The installed web asset package is not the version ntmgis pins."""


def _candidate_dirs() -> list[Path]:
    configured = os.environ.get(ENV_VAR)
    return [Path(configured)] if configured else [_PACKAGED, _REPO_NODE_MODULES]


def node_modules_dir(package: str = "leaflet") -> Path:
    """The folder, laid out as ``node_modules``, the web assets of ``package`` are read from.

    ``$NTMGIS_WEB_ASSETS`` when set; otherwise the packaged ``ntmgis/maps/vendor`` when it holds
    ``package`` (a wheel install), else ``<repo root>/node_modules``. An explicit
    ``NTMGIS_WEB_ASSETS`` is the only place looked: silently falling back to another copy would
    hide a misconfigured path (and could inline a version other than the one asked for).
    """
    candidates = _candidate_dirs()
    for root in candidates:
        if (root / package / "package.json").is_file():
            return root
    return candidates[-1]


def _not_found(package: str, looked_in: Path) -> WebAssetNotFoundError:
    pinned = PINNED_VERSIONS.get(package)
    what = f"{package.capitalize()} {pinned}" if pinned else package
    looked = [looked_in] if os.environ.get(ENV_VAR) else [_PACKAGED / package, looked_in]
    return WebAssetNotFoundError(
        f"{what} web assets not found (looked in {', '.join(dict.fromkeys(map(str, looked)))}). "
        f"In a checkout run `make setup` (it runs `npm ci`) or set {ENV_VAR} to a node_modules "
        f"folder that contains {package}; a wheel carries them only when built after `npm ci`"
    )


def find_web_asset(package: str, relpath: str) -> Path:
    """Path of ``relpath`` inside the installed npm ``package`` (e.g. ``dist/leaflet.js``).

    Raises
    ------
    WebAssetNotFoundError
        When the package or the file is not installed (see :func:`node_modules_dir`).
    WebAssetVersionError
        When the package has a pin in :data:`PINNED_VERSIONS` and another version is installed.
    """
    root = node_modules_dir(package)
    package_dir = root / package
    path = package_dir / relpath
    if not path.is_file():
        raise _not_found(package, path)
    pinned = PINNED_VERSIONS.get(package)
    if pinned is not None:
        manifest = package_dir / "package.json"
        try:
            installed = json.loads(manifest.read_text(encoding="utf-8")).get("version")
        except (OSError, ValueError):
            raise _not_found(package, manifest) from None
        if installed != pinned:
            raise WebAssetVersionError(
                f"{package} {installed} is installed in {root}, but ntmgis maps pin {package} "
                f"{pinned}. Run `make setup` (it runs `npm ci` from package-lock.json) or point "
                f"{ENV_VAR} to a node_modules folder with {package} {pinned}"
            )
    return path


def _read_text(package: str, relpath: str) -> str:
    return find_web_asset(package, relpath).read_text(encoding="utf-8")


def leaflet_js() -> str:
    """Leaflet's minified script with its licence, ready to inline in a ``<script>`` element."""
    script = _SOURCE_MAP.sub("", _read_text("leaflet", "dist/leaflet.js")).rstrip() + "\n"
    licence = _read_text("leaflet", "LICENSE").strip()
    _check_inlinable(script, "script", "leaflet/dist/leaflet.js")
    if "*/" in licence:
        raise ValueError("leaflet/LICENSE cannot be wrapped in a /* */ comment")
    return f"/* Leaflet {PINNED_VERSIONS['leaflet']} licence:\n{licence}\n*/\n{script}"


def leaflet_css() -> str:
    """Leaflet's stylesheet with every ``url(images/...)`` replaced by a base64 ``data:`` URI.

    Raises
    ------
    ValueError
        When the stylesheet references anything else than its own images (a newer Leaflet
        could, and the map must not load anything at view time).
    """
    css_path = find_web_asset("leaflet", "dist/leaflet.css")
    css_dir = css_path.parent

    def inline(match: re.Match[str]) -> str:
        target = match.group(2).strip()
        if target.startswith(("data:", "#")):  # already inline; `#default#VML` is an old-IE hook
            return match.group(0)
        if not target.startswith("images/") or ".." in target:
            raise ValueError(f"leaflet.css references {target!r}, which cannot be inlined")
        image = find_web_asset("leaflet", f"dist/{target}")
        mime = _IMAGE_TYPES.get(image.suffix.lower())
        if mime is None:
            raise ValueError(f"leaflet.css references {target!r} of unknown image type")
        encoded = base64.b64encode(image.read_bytes()).decode("ascii")
        return f'url("data:{mime};base64,{encoded}")'

    css = _CSS_URL.sub(inline, css_path.read_text(encoding="utf-8"))
    _check_inlinable(css, "style", str(css_dir / "leaflet.css"))
    return css


def _check_inlinable(text: str, element: str, name: str) -> None:
    # Raw text inside <script>/<style> ends at the first "</script" / "</style"; "<!--" puts a
    # script into the HTML parser's escaped state. Neither occurs in Leaflet 1.9.4.
    lowered = text.lower()
    if f"</{element}" in lowered or (element == "script" and "<!--" in lowered):
        raise ValueError(f"{name} contains '</{element}' or '<!--' and cannot be inlined as is")
