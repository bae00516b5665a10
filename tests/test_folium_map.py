"""``ntmgis.maps.to_folium``: the planner layers as a folium map, offline, with escaped text.

The layer and feature counts are checked against ``planner_layers``; the saved map is opened in
headless Chromium with the network blocked (``open_map``).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from types import MappingProxyType

import folium
import pytest

from ntmgis.maps import planner_layers, to_folium

HOSTILE = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>alert(1)</script>"
# Hosts folium links by default (Leaflet, jQuery, Bootstrap, Font Awesome, awesome-markers).
CDN = re.compile(r"cdn\.jsdelivr|cdnjs|code\.jquery|bootstrapcdn|unpkg|googleapis", re.IGNORECASE)


def _groups(fmap: folium.Map) -> list[folium.FeatureGroup]:
    return [child for child in fmap._children.values() if hasattr(child, "ntmgis_layer")]


def _geojson(group: folium.FeatureGroup) -> folium.GeoJson:
    (data,) = [child for child in group._children.values() if isinstance(child, folium.GeoJson)]
    return data


@pytest.fixture(scope="module")
def sample_map(sample_workspace, sample_assessment) -> folium.Map:
    return to_folium(sample_workspace, sample_assessment)


@pytest.fixture(scope="module")
def sample_file(sample_map, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("folium") / "tan_yen_folium.html"
    sample_map.save(str(path))
    return path


def test_layers_and_features_are_those_of_the_planner_page(sample_map, sample_workspace, sample_assessment):
    layers = planner_layers(sample_workspace, sample_assessment)
    groups = _groups(sample_map)
    assert [g.ntmgis_layer for g in groups] == [layer.id for layer in layers]
    for group, layer in zip(groups, layers, strict=True):
        features = _geojson(group).data["features"]
        assert sorted(f["id"] for f in features) == sorted(str(k) for k in layer.keys), layer.id
        assert group.show == layer.visible
    assert sum(isinstance(c, folium.LayerControl) for c in sample_map._children.values()) == 1


def test_classes_are_the_planner_themes(sample_map, sample_workspace, sample_assessment):
    (communes,) = [
        layer for layer in planner_layers(sample_workspace, sample_assessment) if layer.id == "communes"
    ]
    theme = communes.themes[0]
    features = _geojson(_groups(sample_map)[0]).data["features"]
    codes = {str(k): str(v) for k, v in zip(communes.keys, theme.values, strict=True)}
    html = sample_map.get_root().render()
    # The legend names each class present, with its colour from maps/styles.py.
    for cls in theme.classes:
        if cls.code in codes.values():
            assert cls.colour in html
    assert {f["id"] for f in features} == set(codes)


def test_a_theme_can_be_chosen_and_unknown_ones_are_refused(sample_workspace, sample_assessment):
    layers = planner_layers(sample_workspace, sample_assessment)
    second = layers[0].themes[1].id
    fmap = to_folium(sample_workspace, sample_assessment, theme={"communes": second})
    assert layers[0].themes[1].title in fmap.get_root().render()
    with pytest.raises(ValueError, match="no theme"):
        to_folium(sample_workspace, sample_assessment, theme={"communes": "nope"})
    with pytest.raises(ValueError, match="unknown layers"):
        to_folium(sample_workspace, sample_assessment, theme={"nope": second})
    with pytest.raises(ValueError, match="lang"):
        to_folium(sample_workspace, sample_assessment, lang="fr")


def test_offline_page_links_nothing(sample_file):
    html = sample_file.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=", html)
    assert not CDN.search(html)
    assert "Leaflet 1.9.4" in html  # the pinned copy, inlined


def test_online_option_keeps_folium_links(sample_workspace, sample_assessment):
    html = to_folium(sample_workspace, sample_assessment, offline=False).get_root().render()
    assert CDN.search(html)


def test_sample_renders_offline_in_chromium(open_map, sample_file, sample_workspace, sample_assessment):
    page, requests, console_errors, page_errors = open_map(sample_file)
    page.wait_for_function("document.querySelectorAll('.leaflet-overlay-pane path').length > 0")
    communes = len(sample_workspace.layer("communes"))
    paths = page.locator(".leaflet-overlay-pane path.leaflet-interactive").count()
    assert paths >= communes
    # Line layers are drawn on a canvas each (as on the planner page); hidden ones are not drawn yet.
    lines = [x for x in planner_layers(sample_workspace, sample_assessment) if x.kind == "line" and x.visible]
    assert page.locator(".leaflet-overlay-pane canvas").count() == len(lines) > 0
    legend = page.locator(".ntmgis-legend details.ntmgis-legend-layer")
    assert legend.count() == len(planner_layers_ids(page))
    assert page.locator('.ntmgis-legend details[data-layer="communes"] li').count() >= 2
    assert "minh họa" in page.locator(".ntmgis-title").inner_text()
    assert (requests, console_errors, page_errors) == ([], [], [])


def planner_layers_ids(page) -> list[str]:
    return page.locator(".leaflet-control-layers-overlays label").all_inner_texts()


def test_analyst_layer_added_with_folium(open_map, sample_workspace, sample_assessment, tmp_path):
    fmap = to_folium(sample_workspace, sample_assessment, lang="en")
    mine = folium.FeatureGroup(name="mine").add_to(fmap)
    folium.CircleMarker([21.39, 106.10], radius=9, color="#ff00ff", tooltip="my survey point").add_to(mine)
    path = tmp_path / "mine.html"
    fmap.save(str(path))
    page, requests, console_errors, page_errors = open_map(path)
    assert page.locator('.leaflet-overlay-pane path[stroke="#ff00ff"]').count() == 1
    overlays = page.locator(".leaflet-control-layers-overlays label")
    assert overlays.last.inner_text().strip() == "mine"  # added after to_folium, listed all the same
    assert (requests, console_errors, page_errors) == ([], [], [])


def _hostile_workspace(sample_workspace):
    communes = sample_workspace.layer("communes")
    communes.loc[communes.index[0], "name"] = HOSTILE
    communes.loc[communes.index[1], "name"] = SCRIPT
    layers = {name: sample_workspace.layer(name) for name in sample_workspace.layer_names}
    # Past with_layers' validation (which puts back official names): the map must escape what it is given.
    return dataclasses.replace(sample_workspace, _layers=MappingProxyType({**layers, "communes": communes}))


def test_script_bearing_commune_names_stay_text(open_map, sample_workspace, sample_assessment, tmp_path):
    workspace = _hostile_workspace(sample_workspace)
    path = tmp_path / "hostile.html"
    to_folium(workspace, sample_assessment).save(str(path))
    page, requests, console_errors, page_errors = open_map(path)
    page.wait_for_function("document.querySelectorAll('.leaflet-overlay-pane path').length > 0")
    texts = page.evaluate(
        """() => {
            const out = [];
            for (const value of Object.values(window)) {
                if (!(value instanceof L.GeoJSON) || value.ntmgisLayer !== "communes") continue;
                value.eachLayer(function (layer) {
                    const at = layer.getBounds ? layer.getBounds().getCenter() : layer.getLatLng();
                    layer.fire("click", {latlng: at}, true);
                    const popup = document.querySelector('.leaflet-popup-content .ntmgis-popup-title');
                    if (popup) out.push(popup.textContent);
                    value.closePopup();
                    layer.fire("mouseover", {latlng: at}, true);
                    const tip = document.querySelector('.leaflet-tooltip strong');
                    if (tip) out.push(tip.textContent);
                    layer.fire("mouseout", {latlng: at}, true);
                });
            }
            return out;
        }"""
    )
    assert sum(HOSTILE in t for t in texts) == 2 and sum(SCRIPT in t for t in texts) == 2
    assert page.locator('img[src="x"]').count() == 0
    assert (requests, console_errors, page_errors) == ([], [], [])
