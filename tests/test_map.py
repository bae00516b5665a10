"""The offline commune map as HTML text: inlined assets, no network, escaping, determinism, errors.

What the page looks like and does is checked in a real browser by ``test_map_browser.py``; these
tests check the file itself.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from ntmgis.maps import (
    NOT_ASSESSED,
    WebAssetNotFoundError,
    WebAssetVersionError,
    assets,
    render_commune_map,
)
from ntmgis.maps.topology import decode_geometries

HOSTILE = "<img src=x onerror=alert(1)>"
QUOTES = "Xã \"Quê\" 'Nhà' `tick` \\back\\ </script><!-- \u2028 & end"
REPO = Path(__file__).resolve().parents[1]


def communes(levels=("chua_dat", "ntm", "nang_cao", "kieu_mau", None, "ntm")) -> gpd.GeoDataFrame:
    """Square communes in EPSG:9214 near Tân Yên, one per level given."""
    rows = []
    for i, level in enumerate(levels):
        x, y = 405_000 + (i % 3) * 2000, 2_365_000 + (i // 3) * 2000
        rows.append(
            {
                "commune_code": f"0{7300 + i * 3}",
                "name": f"Xã số {i}",
                "kind": "thi_tran" if i == 0 else "xa",
                "ntm_level": level,
                "geometry": shapely.box(x, y, x + 2000, y + 2000),
            }
        )
    return gpd.GeoDataFrame(rows, crs="EPSG:9214")


def render(frame=None, **options) -> str:
    options.setdefault("title", "Huyện Tân Yên — mức đạt chuẩn NTM")
    return render_commune_map(communes() if frame is None else frame, **options)


class _Page(HTMLParser):
    """Collects attributes and the text of <script>/<style> elements of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attributes: list[tuple[str, str, str]] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self.styles: list[str] = []
        self._open: tuple[str, dict[str, str]] | None = None

    def handle_starttag(self, tag, attrs):
        values = {name: value or "" for name, value in attrs}
        self.attributes.extend((tag, name, value) for name, value in values.items())
        if tag in ("script", "style"):
            self._open = (tag, values)

    def handle_data(self, data):
        if self._open is not None:
            tag, values = self._open
            if tag == "script":
                self.scripts.append((values, data))
            else:
                self.styles.append(data)
            self._open = None


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def json_data(html: str, element_id: str):
    (text,) = [text for attrs, text in parse(html).scripts if attrs.get("id") == element_id]
    return json.loads(text)


def commune_features(html: str) -> list[dict]:
    """The communes of the page, decoded from its data element, in page order."""
    data = json_data(html, "ntmgis-data")
    (layer,) = data["layers"]
    (theme,) = layer["themes"]
    shapes = decode_geometries(data["topology"], "communes", "polygon")
    anchors = decode_geometries(data["topology"], "label:communes", "point")
    return [
        {
            "code": key,
            "title": title,
            "name": name,
            "geometry": shape,
            "label_at": anchor,
            "level": theme["classes"][value]["code"],
            "level_label": theme["classes"][value]["label"],
        }
        for key, title, name, value, shape, anchor in zip(
            layer["keys"], layer["names"], layer["labels"], theme["values"], shapes, anchors, strict=True
        )
    ]


def legend(html: str) -> list[dict]:
    return json_data(html, "ntmgis-data")["layers"][0]["themes"][0]["classes"]


# --------------------------------------------------------------------------------------------
# Offline: everything inlined, nothing fetched
# --------------------------------------------------------------------------------------------


def test_leaflet_is_inlined_with_images_as_data_uris():
    html = render()
    page = parse(html)
    code = [text for attrs, text in page.scripts if "type" not in attrs]
    assert len(code) == 2
    assert "Leaflet 1.9.4, a JS library for interactive maps" in code[0]
    assert "window.ntmgis" in code[1]
    assert ".leaflet-container" in page.styles[0]
    assert 'url("data:image/png;base64,' in page.styles[0]
    assert "url(images/" not in html
    assert "sourceMappingURL" not in html


def test_nothing_in_the_page_points_to_the_network():
    html = render()
    page = parse(html)
    for tag, name, value in page.attributes:
        if name in ("src", "href", "action", "srcset", "poster", "data", "background"):
            pytest.fail(f"<{tag} {name}={value!r}> loads something")
    for css in page.styles:
        for url in re.findall(r"url\(\s*['\"]?([^'\")]*)", css):
            assert url.startswith(("data:", "#")), url
        assert "@import" not in css
    # Leaflet's script names URLs only as text (its home page, the SVG namespace); outside the
    # vendor code the default page holds no URL at all.
    own = html.replace(assets.leaflet_js(), "").replace(assets.leaflet_css(), "")
    assert "http://" not in own and "https://" not in own


def test_content_security_policy_allows_only_the_inlined_code():
    html = render()
    (csp,) = [
        value
        for tag, name, value in parse(html).attributes
        if tag == "meta" and name == "content" and "default-src" in value
    ]
    assert "default-src 'none'" in csp
    assert "img-src data:;" in csp
    assert "unsafe-inline" not in csp and "http" not in csp
    assert csp.count("'sha256-") == 4  # two scripts, two styles


def test_basemap_only_when_asked():
    assert json_data(render(), "ntmgis-config")["basemap"] is None
    url = "https://tile.example.org/{z}/{x}/{y}.png"
    html = render(basemap=url, basemap_attribution="© Example")
    assert json_data(html, "ntmgis-config")["basemap"] == {"url": url, "attribution": "© Example"}
    assert "img-src data: https:;" in html.replace("&#39;", "'")
    with pytest.raises(ValueError, match="http"):
        render(basemap="javascript:alert(1)//{z}/{x}/{y}")
    with pytest.raises(ValueError, match=r"\{z\}"):
        render(basemap="https://tile.example.org/tiles.png")


def test_leaflet_pin_matches_package_json():
    package = json.loads((REPO / "package.json").read_text(encoding="utf-8"))
    assert package["dependencies"]["leaflet"] == assets.PINNED_VERSIONS["leaflet"] == "1.9.4"


# --------------------------------------------------------------------------------------------
# Escaping and determinism
# --------------------------------------------------------------------------------------------


def test_hostile_names_are_escaped_in_the_json():
    frame = communes()
    frame.loc[0, "name"] = HOSTILE
    frame.loc[1, "name"] = QUOTES
    html = render(frame, title=f"Tiêu đề {HOSTILE}", note=HOSTILE, provenance=[HOSTILE])
    assert "<img" not in html
    assert "<!--" not in html.split("<body>")[1]
    assert html.count("</script>") == 4  # the page's own four script elements, no more
    assert "\u2028" not in html
    for escape in ("\\u003cimg src=x onerror=alert(1)\\u003e", "\\u0026"):
        assert escape in html
    names = {f["code"]: f["name"] for f in commune_features(html)}
    # The data survive unchanged, but for the "Xã" the title writes once already (kind xa)
    assert names["07300"] == HOSTILE and names["07303"] == QUOTES.removeprefix("Xã ")
    config = json_data(html, "ntmgis-config")
    assert config["note"] == HOSTILE and config["provenance"] == [HOSTILE]


def test_same_input_gives_identical_html():
    options = {"note": "Dữ liệu minh họa — illustrative sample", "provenance": ["a", "b"]}
    first = render(**options)
    assert render(**options) == first
    shuffled = communes().iloc[::-1]  # row order does not change the page either
    assert render(shuffled, **options) == first


def test_coordinates_are_wgs84_on_a_5_decimal_grid():
    html = render()
    features = commune_features(html)
    lon, lat = features[0]["geometry"].exterior.coords[0]
    assert 105.9 < lon < 106.4 and 21.2 < lat < 21.5  # Tân Yên, not a projected metre value
    assert json_data(html, "ntmgis-data")["topology"]["scale"] == 10**5
    expected = communes().to_crs(4326).geometry
    for feature, shape in zip(features, expected, strict=True):
        assert shapely.hausdorff_distance(feature["geometry"], shape) < 1e-5
    assert features[0]["label_at"].within(features[0]["geometry"])


# --------------------------------------------------------------------------------------------
# Levels, legend and labels
# --------------------------------------------------------------------------------------------


def test_missing_level_is_a_counted_not_assessed_class():
    frame = communes(("ntm", None, "", float("nan"), "kieu_mau", "ntm"))
    html = render(frame)
    rows = legend(html)
    assert [row["code"] for row in rows] == ["chua_dat", "ntm", "nang_cao", "kieu_mau", NOT_ASSESSED]
    assert [row["count"] for row in rows] == [0, 2, 0, 1, 3]
    assert rows[-1]["label"] == "Chưa đánh giá"
    levels = [f["level"] for f in commune_features(html)]
    assert levels.count(NOT_ASSESSED) == 3


def test_labels_in_vietnamese_and_english():
    vi = commune_features(render())
    assert vi[0]["title"] == "Thị trấn Xã số 0 (07300)"
    # "Xã số 1" of kind xa: the kind is not written twice ("Xã Xã số 1"); town 0 named "Xã ..."
    # keeps its name, the map does not rename a unit
    assert vi[1]["title"] == "Xã số 1 (07303)"
    assert vi[1]["level_label"] == "Đạt chuẩn NTM"
    en_html = render(lang="en")
    en = commune_features(en_html)
    assert en[1]["title"] == "số 1 commune (07303)"
    assert en[4]["level_label"] == "Not assessed"
    assert json_data(en_html, "ntmgis-data")["layers"][0]["themes"][0]["title"] == "NTM level"
    assert [row["label"] for row in legend(en_html)][:2] == ["Not yet NTM", "NTM"]
    assert '<html lang="en">' in en_html


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


def test_missing_required_column_is_named():
    with pytest.raises(ValueError, match="missing required column 'kind'"):
        render(communes().drop(columns="kind"))
    with pytest.raises(ValueError, match="missing required column 'muc_ntm'"):
        render(level_column="muc_ntm")


def test_every_problem_reported_at_once():
    frame = communes()
    frame.loc[2, "ntm_level"] = "dat_chuan"
    frame.loc[3, "geometry"] = None
    frame.loc[4, "geometry"] = shapely.Point(405_000, 2_365_000)
    with pytest.raises(ValueError) as info:
        render(frame)
    message = str(info.value)
    assert "commune_code=07306: 'ntm_level' value 'dat_chuan' is not an ntm_level code" in message
    assert "commune_code=07309: no geometry" in message
    assert "commune_code=07312: geometry is a Point" in message


def test_no_crs_and_bad_lang_refused():
    with pytest.raises(ValueError, match="no CRS"):
        render(communes().set_crs(None, allow_override=True))
    with pytest.raises(ValueError, match="lang"):
        render(lang="fr")


def test_missing_assets_give_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("NTMGIS_WEB_ASSETS", str(tmp_path))
    with pytest.raises(FileNotFoundError) as info:
        render()
    assert isinstance(info.value, WebAssetNotFoundError)
    message = str(info.value)
    assert message.startswith("Leaflet 1.9.4 web assets not found (looked in")
    assert str(tmp_path) in message and "make setup" in message and "NTMGIS_WEB_ASSETS" in message


def test_other_leaflet_version_refused(tmp_path, monkeypatch):
    dist = tmp_path / "leaflet" / "dist"
    dist.mkdir(parents=True)
    (dist / "leaflet.js").write_text("/* fake */", encoding="utf-8")
    (tmp_path / "leaflet" / "package.json").write_text('{"version": "1.9.3"}', encoding="utf-8")
    monkeypatch.setenv("NTMGIS_WEB_ASSETS", str(tmp_path))
    with pytest.raises(WebAssetVersionError, match="leaflet 1.9.3 is installed .* pin leaflet 1.9.4"):
        assets.find_web_asset("leaflet", "dist/leaflet.js")
