"""The what-if notebook runs from top to bottom (nbclient) with the interpreter running the tests."""

import json
import sys
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "what_if.ipynb"


def test_what_if_notebook_runs_top_to_bottom(tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    # A kernelspec of our own that starts *this* interpreter: the stock "python3" spec runs
    # whatever `python` is first on PATH, which on a fresh CI machine is not the venv's.
    spec = tmp_path / "jupyter" / "kernels" / "ntmgis-tests"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "ntmgis tests",
                "language": "python",
            }
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), (
        "the notebook is stored without outputs"
    )
    client = nbclient.NotebookClient(
        notebook,
        kernel_name="ntmgis-tests",
        timeout=300,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = json.dumps(
        [o.get("data", {}).get("text/plain", "") or o.get("text", "") for o in outputs], ensure_ascii=False
    )
    assert "illustrative" in text or "minh họa" in text
    assert "MILP: optimal" in text and "infeasible" in text
    maps = [o for o in outputs if "text/html" in o.get("data", {}) and "<iframe" in o["data"]["text/html"]]
    assert len(maps) == 2  # the baseline map (folium) and the diff map, inline
    baseline = maps[0]["data"]["text/html"]
    assert "ntmgis-legend" in baseline and "Leaflet 1.9.4" in baseline  # to_folium, offline
    assert "cdn.jsdelivr" not in baseline and "code.jquery" not in baseline
