"""Benchmark: ``ntmgis export --gpkg`` (issue 14.1): building the result layers and writing the GeoPackage.

Two workspaces: the embedded sample, and the office-like district of ``bench_validation.py``
(22 communes, 25k road segments, village points, markets). Times the parts after the assessment:
``styled_layers`` (the result layers and their styles, from the map's layer builders) and
``write_gpkg`` (every layer and ``layer_styles`` into one file, renamed), median of ``--repeat``.
Not a test.

Measured (2026-12-02, 2 cores shared with five other agents, median of 3):

    ========  ============  ======  =====  =====  =========================================
    run       load+assess   layers  write  file   rows
    ========  ============  ======  =====  =====  =========================================
    sample    6.8 s         0.54 s  0.78 s 0.9 MB communes 22, to upgrade 1,112, canals 90 …
    district  10.9 s        0.68 s  0.86 s 2.8 MB communes 22, to upgrade 9,991, gaps 264
    ========  ============  ======  =====  =====  =========================================

The write was 1.9 s on the sample with SQLite syncing every layer's transaction; synced once
before the rename it is 0.8 s (``gpkg._unsynced``).

    .venv/bin/python benchmarks/bench_export.py
    .venv/bin/python benchmarks/bench_export.py --sample-only
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_validation import WORKSPACES, office_workspace  # noqa: E402
from common import timed  # noqa: E402

from ntmgis.assessment import assess  # noqa: E402
from ntmgis.export import styled_layers, write_gpkg  # noqa: E402
from ntmgis.workspace import load_workspace  # noqa: E402


def measure(name: str, workspace_path: Path | None, out: Path, repeat: int) -> None:
    start = time.perf_counter()
    workspace = load_workspace(workspace_path)
    assessment = assess(workspace)
    assessed = time.perf_counter() - start
    build, (layers, styles) = timed(styled_layers, workspace, assessment, repeat=repeat)
    target = out / f"{name}.gpkg"
    write, _ = timed(lambda: write_gpkg(layers, target, styles=styles), repeat=repeat)
    rows = {k: len(v) for k, v in layers.items()}
    size = target.stat().st_size / 1e6
    print(
        f"{name:10s} load+assess {assessed:6.2f} s  layers {build:5.2f} s  write {write:5.2f} s  "
        f"file {size:6.1f} MB  rows {rows}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sample-only", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        measure("sample", None, root, args.repeat)
        if not args.sample_only:
            communes, segments = WORKSPACES["district"]
            (root / "district").mkdir()
            path = office_workspace(root / "district", communes, segments)
            measure("district", path, root, args.repeat)


if __name__ == "__main__":
    main()
