"""Atomic writes: a reader never sees a half-written file, an interrupted write keeps the old one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import pyogrio

__all__ = ["atomic_path", "write_bytes_atomic", "write_layer_atomic", "write_text_atomic"]


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file in the same folder, then rename).

    A reader never sees a half-written file, and an interrupted write leaves the old file intact.
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise _about(exc, target) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates 0600 files; give the result the permissions a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise _about(exc, target) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _about(exc: OSError, target: Path) -> OSError:
    """The error of a write, naming the file the user asked for, not the temporary one beside it."""
    return OSError(exc.errno, exc.strerror or str(exc), str(target))


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically (see :func:`write_bytes_atomic`)."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_layer_atomic(
    gdf: gpd.GeoDataFrame, path: str | os.PathLike[str], *, layer: str | None = None
) -> Path:
    """Write a layer to a single-file format (GeoPackage, GeoJSON, GeoParquet) atomically.

    The layer is written to a temporary file beside the target, then renamed over it, so an
    interrupted write never leaves a broken file and source data is never written in place.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".gpkg", ".geojson", ".parquet"):
        raise ValueError(f"atomic layer writes support .gpkg, .geojson, .parquet, not {suffix}")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    try:
        if suffix == ".parquet":
            gdf.to_parquet(tmp)
        else:
            driver = "GPKG" if suffix == ".gpkg" else "GeoJSON"
            pyogrio.write_dataframe(gdf, tmp, layer=layer or target.stem, driver=driver)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _about(exc, target) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path beside ``path`` (same suffix) renamed over it when the block ends.

    For writers that need a file name rather than bytes (GDAL writing several layers into one
    GeoPackage): everything lands in the temporary file, then one rename publishes it. An error
    inside the block removes the temporary file and leaves ``path`` as it was.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text()
    'done'
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent)
    except OSError as exc:
        raise _about(exc, target) from exc
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # the writer creates it (GDAL refuses to open an empty file as a GeoPackage)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:  # on disk before the rename publishes it
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _about(exc, target) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
