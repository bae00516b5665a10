"""Issue 11's speed-ups change no result: the fast paths agree with the slow ones they skip."""

from __future__ import annotations

from importlib import resources

import geopandas as gpd
import numpy as np
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from pyproj import CRS
from shapely import Point

from ntmgis import crs as crs_module
from ntmgis.analysis.access import unique_points
from ntmgis.io.encodings import _scores, detect_legacy_encoding
from ntmgis.io.readers import load_yaml_text


def packaged_yaml() -> list[str]:
    root = resources.files("ntmgis")
    found: list[str] = []

    def walk(folder: object, prefix: str) -> None:
        for entry in folder.iterdir():  # type: ignore[attr-defined]
            name = f"{prefix}{entry.name}"
            if entry.is_dir():
                walk(entry, f"{name}/")
            elif entry.name.endswith((".yaml", ".yml")):
                found.append(name)

    walk(root, "")
    return sorted(found)


@pytest.mark.parametrize("name", packaged_yaml())
def test_libyaml_reads_every_packaged_yaml_as_the_python_parser(name: str) -> None:
    text = resources.files("ntmgis").joinpath(name).read_text(encoding="utf-8")
    assert load_yaml_text(text) == yaml.safe_load(text)


def test_yaml_mistakes_keep_the_python_parsers_message() -> None:
    with pytest.raises(yaml.YAMLError) as fast:
        load_yaml_text("a: [1\nb: 2")
    with pytest.raises(yaml.YAMLError) as slow:
        yaml.safe_load("a: [1\nb: 2")
    assert str(fast.value) == str(slow.value)


def test_yes_no_and_dates_read_the_same() -> None:
    text = "a: yes\nb: 2024-05-01\nc: 1e3\nd: 0x1F\ne: ~\nf: '07333'\ng: 07333\n"
    assert load_yaml_text(text) == yaml.safe_load(text)


def test_ascii_values_never_vote_and_never_score() -> None:
    assert _scores("Cao Xa 12") is None
    assert detect_legacy_encoding([f"S{k:05d}" for k in range(500)] + ["T©n Yªn"]) == "tcvn3"


@pytest.mark.parametrize("code", [c for c, _ in crs_module._vn2000_candidates()][:40])
def test_an_epsg_vn2000_crs_is_kept_as_the_slow_path_keeps_it(
    code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    crs = CRS.from_user_input(code)
    assert crs_module._is_epsg_vn2000(crs)
    x0, y0 = crs.area_of_use.bounds[:2] if crs.area_of_use else (105.0, 21.0)
    from pyproj import Transformer

    x, y = Transformer.from_crs(4326, crs, always_xy=True).transform(x0 + 0.3, y0 + 0.3)
    roads = gpd.GeoDataFrame(geometry=[Point(x, y)], crs=crs)
    fast, fast_problems = crs_module.resolve_layer_crs(roads, layer="roads")
    monkeypatch.setattr(crs_module, "_is_epsg_vn2000", lambda _crs: False)
    slow, slow_problems = crs_module.resolve_layer_crs(roads, layer="roads")
    assert fast.crs == slow.crs and fast_problems == slow_problems


@pytest.mark.parametrize(
    "text",
    ["EPSG:32648", "EPSG:4326", "+proj=tmerc +lon_0=107 +k=0.9999 +x_0=500000 +ellps=WGS84 +units=m"],
)
def test_other_crss_still_take_the_slow_path(text: str) -> None:
    assert not crs_module._is_epsg_vn2000(CRS(text))


@given(
    hnp.arrays(
        np.float64,
        st.tuples(st.integers(0, 40), st.just(2)),
        elements=st.sampled_from([0.0, 1.5, -2.0, 416000.25, 2360000.5, 3.0]),
    )
)
def test_unique_points_is_numpys_unique_rows(coords: np.ndarray) -> None:
    nodes, node_of = unique_points(coords)
    expected, inverse = np.unique(coords, axis=0, return_inverse=True)
    assert np.array_equal(nodes, expected.reshape(-1, 2))
    assert np.array_equal(node_of, inverse.ravel())
