"""Hashes of the sample's outputs (map, report, scenario workbook), to prove a refactor changed none.

Run ``python tools/output_hashes.py OUT_DIR > hashes.txt`` before and after a change and ``diff``
the two lists. XLSX files are hashed part by part without ``docProps/core.xml`` (it holds the write
time); every other file byte for byte.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

SCENARIO = """scenarios:
  - name: lam_cot
    edits:
      - concretize: {commune: "07333", class: truc_thon, year: 2024}
      - line_canals: {commune: "07333", year: 2025}
      - upgrade_market: {id: M008, year: 2024}
      - set_threshold: {set: qd318_2022_xa, indicator: "2.2", level: nang_cao, value: 85}
  - name: lan_gioi
    edits:
      - concretize: {commune: "07303", class: xa, year: 2024}
"""


def digest(path: Path) -> str:
    """SHA-256 of a file; of an XLSX, of its parts but the one holding the write time."""
    if path.suffix == ".xlsx":
        h = hashlib.sha256()
        with zipfile.ZipFile(path) as book:
            for name in sorted(book.namelist()):
                if name != "docProps/core.xml":
                    h.update(name.encode() + b"\0" + book.read(name))
        return h.hexdigest()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(out: Path) -> None:
    """Write the sample's outputs into ``out`` with the CLI and print one hash per file."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "scenario.yaml").write_text(SCENARIO, encoding="utf-8")
    runs = [
        ["map", "--out", str(out / "map_vi.html")],
        ["map", "--out", str(out / "map_en.html"), "--lang", "en"],
        ["report", "--out", str(out / "report_vi.xlsx")],
        ["report", "--out", str(out / "report_en.xlsx"), "--lang", "en"],
        ["scenario", "run", str(out / "scenario.yaml"), "--out", str(out / "scenario.xlsx")],
    ]
    for args in runs:
        subprocess.run([sys.executable, "-m", "ntmgis.cli", *args], check=True, capture_output=True)
    for path in sorted(p for p in out.rglob("*") if p.is_file() and p.name != "scenario.yaml"):
        print(digest(path), path.relative_to(out))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
