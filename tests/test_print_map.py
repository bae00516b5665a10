"""The print map (``ntmgis map --png/--theme/--paper/--dpi``, ntmgis.maps.static_image): every
theme of the web map, legends that match the data without zero rows, labels that never overlap,
paper sizes, PDF with its Vietnamese text, and the command line."""

from __future__ import annotations

import io
import re
import struct
import zlib
from collections import Counter
from itertools import combinations
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
import yaml
from matplotlib.colors import to_rgb
from matplotlib.image import imread
from workspace_builders import roads_for, write_workspace

from ntmgis.assessment import assess
from ntmgis.cli import main
from ntmgis.maps import MapClass, MapLayer, Theme, build_planner_print, planner_layers, print_map
from ntmgis.maps.page import default_theme
from ntmgis.maps.static_image import print_themes
from ntmgis.workspace import load_workspace

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
REAL_COMMUNES = REAL / "tan_yen_communes_2021_derived.geojson"


def _png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return struct.unpack(">II", png[16:24])


def _pixels(png: bytes) -> np.ndarray:
    return imread(io.BytesIO(png), format="png")[..., :3]


def _expected_legend(layer: MapLayer, theme: Theme) -> list[tuple[str, int]]:
    counts = Counter(str(v) for v in theme.values)
    return [(c.label, counts[c.code]) for c in theme.classes if counts.get(c.code)]


def _pdf_objects(pdf: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Object number → (dictionary, decompressed stream or None) of an uncomplicated PDF."""
    found = {}
    for number, body in re.findall(rb"(\d+) 0 obj\n(.*?)endobj", pdf, re.S):
        head, _, rest = body.partition(b"stream")
        stream = None
        if rest:
            data = re.sub(rb"^\r?\n", b"", rest).rsplit(b"endstream", 1)[0]
            stream = zlib.decompress(data) if b"FlateDecode" in head else data
        found[int(number)] = (head, stream)
    return found


def _to_unicode(cmap: bytes) -> dict[int, str]:
    """Code → text of a ToUnicode CMap (``bfchar`` and ``bfrange`` entries)."""
    table: dict[int, str] = {}
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for first, last, target in re.findall(rb"<(\w+)>\s*<(\w+)>\s*(\[.*?\]|<\w+>)", block, re.S):
            targets = re.findall(rb"<(\w+)>", target)
            for k, code in enumerate(range(int(first, 16), int(last, 16) + 1)):
                hex_text = targets[k] if len(targets) > 1 else b"%04x" % (int(targets[0], 16) + k)
                table[code] = bytes.fromhex(hex_text.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, target in re.findall(rb"<(\w+)>\s*<(\w+)>", block):
            table[int(code, 16)] = bytes.fromhex(target.decode()).decode("utf-16-be")
    return table


def _unescape(literal: bytes) -> bytes:
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
    return re.sub(rb"\\([nrtbf()\\])", lambda m: escapes.get(m[1], m[1]), literal)


def _pdf_text(pdf: bytes) -> str:
    """The text the PDF draws, decoded through each font's ToUnicode map (matplotlib writes
    TrueType text as two-byte codes in ``[ (..) .. ] TJ`` arrays), without a PDF library."""
    objects = _pdf_objects(pdf)
    fonts = {}
    for head, _ in objects.values():
        for name, number in re.findall(rb"/(F\d+) (\d+) 0 R", head):
            font = objects[int(number)][0]
            cmap = re.search(rb"/ToUnicode (\d+) 0 R", font)
            if cmap:
                fonts[name] = _to_unicode(objects[int(cmap[1])][1] or b"")
    lines = []
    for _, stream in objects.values():
        if stream is None or b"TJ" not in stream:
            continue
        for block in re.findall(rb"BT(.*?)ET", stream, re.S):
            table: dict[int, str] = {}
            line = ""
            # A font change may come inside one text object (a second subset for more glyphs).
            for op in re.finditer(rb"/(F\d+) [\d.]+ Tf|\[(.*?)\]\s*TJ", block, re.S):
                if op[1]:
                    table = fonts.get(op[1], {})
                    continue
                raw = b"".join(_unescape(c) for c in re.findall(rb"\(((?:\\.|[^\\)])*)\)", op[2], re.S))
                line += "".join(table.get(int.from_bytes(raw[k : k + 2]), "?") for k in range(0, len(raw), 2))
            lines.append(line)
    return "\n".join(lines)


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    """A small real-shaped district (17 communes, one road each, the Tân Yên plan): every theme
    the web map has, quick to draw."""
    path = write_workspace(tmp_path_factory.mktemp("grid"))
    workspace = load_workspace(path)
    return workspace, assess(workspace)


@pytest.fixture(scope="module")
def grid_layers(grid):
    return planner_layers(*grid)


def _every_theme(layers: list[MapLayer]) -> list[str]:
    return list(print_themes(layers))


def test_every_theme_draws_and_its_legend_is_the_data(grid_layers):
    names = _every_theme(grid_layers)
    assert {"recognised", "evaluated", "criterion_2", "plan_2024", "roads:surface"} <= set(names)
    by_id = {layer.id: layer for layer in grid_layers}
    for name in names:
        drawn = print_map(grid_layers, title="Huyện Thử", theme=name, dpi=72)
        layer_id, theme_id = print_themes(grid_layers)[name]
        layer = by_id[layer_id]
        theme = next(t for t in layer.themes if t.id == theme_id)
        got = [(e.label, e.count) for e in drawn.legend if e.layer == layer_id]
        assert got == _expected_legend(layer, theme), name
        assert all(e.count > 0 for e in drawn.legend)
        # The figure's own legend says the same, heading then rows ("label (count)").
        texts = [t.get_text() for t in drawn.figure.legends[0].get_texts()]
        # A theme nobody has (no segment to upgrade) has no heading either.
        assert (theme.title in texts) == bool(got), name
        assert [f"{label} ({count})" for label, count in got] == [
            t for t in texts if t.startswith(tuple(label for label, _ in got)) and t.endswith(")")
        ][: len(got)]
        pixels = _pixels(drawn.save("png"))
        assert pixels.std() > 0.05, name
        assert len(np.unique(pixels[::4, ::4].reshape(-1, 3), axis=0)) > 20, name


def test_the_theme_colours_fill_the_map_not_only_the_legend(grid_layers):
    communes = grid_layers[0]
    for name in ("evaluated", "schedule", "criterion_2"):
        drawn = print_map(grid_layers, title="x", theme=name, dpi=72)
        theme = next(t for t in communes.themes if t.id == name)
        png = _pixels(drawn.save("png"))
        box = drawn.figure.axes[0].get_window_extent()
        height = png.shape[0]
        inside = png[int(height - box.y1) : int(height - box.y0), int(box.x0) : int(box.x1)]
        colours = {tuple(c) for c in np.round(inside[::2, ::2] * 255).astype(int).reshape(-1, 3).tolist()}
        for cls in theme.classes:
            if cls.code in theme.values:
                rgb = tuple(round(v * 255) for v in to_rgb(cls.colour))
                assert rgb in colours, (name, cls.code)


def test_the_default_is_the_web_maps_default(grid, grid_layers):
    workspace, _ = grid
    # No recognitions table: the page opens on the measured level, and so does the print.
    assert "recognitions" not in workspace.table_names
    drawn = print_map(grid_layers, title="x", dpi=72)
    assert {e.theme for e in drawn.legend if e.layer == "communes"} == {"evaluated"}
    assert default_theme(grid_layers[0]).id == "evaluated"


def test_legend_has_no_zero_rows_even_for_always_shown_classes(sample_workspace, sample_assessment):
    drawn = build_planner_print(sample_workspace, sample_assessment, dpi=72)
    communes = planner_layers(sample_workspace, sample_assessment)[0]
    theme = default_theme(communes)
    assert theme.id == "recognised" and theme.always  # the page keeps empty levels; the print does not
    assert [(e.label, e.count) for e in drawn.legend if e.layer == "communes"] == _expected_legend(
        communes, theme
    )
    texts = [t.get_text() for t in drawn.figure.legends[0].get_texts()]
    assert not [t for t in texts if t.endswith("(0)")]


def test_labels_overlap_neither_each_other_nor_markers(sample_workspace, sample_assessment):
    drawn = build_planner_print(sample_workspace, sample_assessment, dpi=150)
    renderer = drawn.figure.canvas.get_renderer()
    boxes = [label.get_window_extent(renderer) for label in drawn.labels]
    assert len(boxes) >= 15  # most of the 22 communes keep their name
    assert len(boxes) + drawn.dropped_labels == 22
    for a, b in combinations(boxes, 2):
        assert not a.overlaps(b)
    ax = drawn.figure.axes[0]
    markets = next(
        layer for layer in planner_layers(sample_workspace, sample_assessment) if layer.id == "markets"
    )
    centres = ax.transData.transform(
        [(p.x, p.y) for p in markets.geometry.to_crs(sample_workspace.working_crs)]
    )
    for box in boxes:
        assert not any(box.contains(x, y) for x, y in centres)
    # The name without its administrative prefix, once.
    names = [label.get_text() for label in drawn.labels]
    assert not [n for n in names if n.lower().startswith(("xã ", "thị trấn "))]


def test_crowded_labels_are_dropped_not_run_together():
    # 40 communes of 100 m side on an A4 sheet: names cannot all fit; none may touch another.
    boxes = gpd.GeoSeries(
        [shapely.box(405_000 + 100 * i, 2_365_000, 405_100 + 100 * i, 2_365_100) for i in range(40)],
        crs="EPSG:9214",
    )
    theme = Theme("level", "Mức", ["ntm"] * 40, [MapClass("ntm", "NTM", "#78c679")])
    names = [f"Xã số {i}" for i in range(40)]
    layer = MapLayer("communes", "Xã", "polygon", boxes, names, names, [theme], label_texts=names)
    drawn = print_map([layer], title="x", dpi=72)
    assert drawn.dropped_labels > 0 and drawn.labels
    extents = [t.get_window_extent() for t in drawn.labels]
    assert not any(a.overlaps(b) for a, b in combinations(extents, 2))


@pytest.mark.parametrize(
    ("paper", "orientation", "dpi", "size"),
    [
        ("A4", "landscape", 150, (1753, 1240)),
        ("A4", "portrait", 150, (1240, 1753)),
        ("A3", "landscape", 100, (1653, 1169)),
    ],
)
def test_paper_and_resolution_give_the_pixel_size(grid_layers, paper, orientation, dpi, size):
    drawn = print_map(grid_layers, title="x", paper=paper, orientation=orientation, dpi=dpi)
    assert _png_size(drawn.save("png")) == size


def test_orientation_follows_the_district_extent():
    def layer(width: float, height: float) -> MapLayer:
        g = gpd.GeoSeries([shapely.box(405_000, 2_365_000, 405_000 + width, 2_365_000 + height)], crs=9214)
        return MapLayer("communes", "Xã", "polygon", g, ["a"], ["A"], [Theme("t", "T", ["x"], [])])

    wide = print_map([layer(20_000, 8_000)], title="x", dpi=72).figure.get_size_inches()
    tall = print_map([layer(8_000, 20_000)], title="x", dpi=72).figure.get_size_inches()
    assert wide[0] > wide[1] and tall[0] < tall[1]


def test_bad_paper_and_dpi_are_refused(grid_layers):
    with pytest.raises(ValueError, match="paper"):
        print_map(grid_layers, title="x", paper="Letter")
    with pytest.raises(ValueError, match="dpi"):
        print_map(grid_layers, title="x", dpi=1200)


def test_unknown_theme_lists_the_valid_ones(grid_layers):
    with pytest.raises(ValueError, match=r"'nope'.*evaluated, recognised.*roads:surface"):
        print_map(grid_layers, title="x", theme="nope")


def test_pdf_carries_the_vietnamese_title_as_text(sample_workspace, sample_assessment):
    drawn = build_planner_print(sample_workspace, sample_assessment, dpi=72, theme="criterion_2")
    pdf = drawn.save("pdf")
    assert pdf.startswith(b"%PDF-")
    text = _pdf_text(pdf)
    assert "Huyện Tân Yên — bản đồ xây dựng nông thôn mới, đánh giá năm 2023" in text
    assert "Dữ liệu minh họa" in text  # the sample note, as on the web map
    assert "Số liệu đến ngày 31/12/2023" in text
    # The font is embedded (TrueType), so any printer shows the diacritics.
    assert b"/FontFile2" in pdf and b"DejaVuSans" in pdf
    assert drawn.save("pdf") == pdf  # no timestamp


def test_a_scale_bar_in_metres(grid_layers):
    drawn = print_map(grid_layers, title="x", dpi=72)
    ax = drawn.figure.axes[0]
    bar = next(a for a in ax.artists if type(a).__name__ == "ScaleBar")
    assert bar.units == "m" and bar.dx == 1.0
    # One data unit is one metre: the map is drawn in the projected working CRS.
    x0, x1 = ax.get_xlim()
    assert 5_000 < x1 - x0 < 50_000


def test_cli_theme_paper_and_pdf(tmp_path, grid):
    path = write_workspace(tmp_path / "ws")
    out = tmp_path / "out"
    pdf, html = out / "in.pdf", out / "map.html"
    assert (
        main(
            ["map", str(path), "-o", str(html), "--png", str(pdf), "--theme", "criterion_2", "--paper", "A3"]
        )
        == 0
    )
    assert pdf.read_bytes().startswith(b"%PDF")
    png = out / "in.png"
    argv = ["map", str(path), "-o", str(out / "m2.html"), "--png", str(png), "--dpi", "72"]
    assert main([*argv, "--orientation", "portrait"]) == 0
    assert _png_size(png.read_bytes()) == (595, 841)


def test_cli_unknown_theme_exits_2_before_writing(tmp_path, capsys):
    path = write_workspace(tmp_path / "ws")
    html = tmp_path / "map.html"
    assert main(["map", str(path), "-o", str(html), "--png", str(tmp_path / "x.png"), "--theme", "nope"]) == 2
    err = capsys.readouterr().err
    assert "'nope'" in err and "criterion_2" in err and "roads:class" in err
    assert not html.exists() and not (tmp_path / "x.png").exists()


def test_cli_print_options_need_png_and_a_bounded_dpi(tmp_path, capsys):
    path = write_workspace(tmp_path / "ws")
    assert main(["map", str(path), "-o", str(tmp_path / "m.html"), "--theme", "evaluated"]) == 2
    assert "--png" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["map", str(path), "--png", str(tmp_path / "x.png"), "--dpi", "20"])
    assert exit_info.value.code == 2


@pytest.mark.skipif(not REAL_COMMUNES.exists(), reason="shared/data/real not present")
def test_real_polygons_print(tmp_path):
    communes = gpd.read_file(REAL_COMMUNES).to_crs(9214)
    communes = communes.rename(
        columns={
            "gso_code": "commune_code",
            "name_short": "name",
            "unit_type": "kind",
            "pop_attr": "population",
        }
    )[["commune_code", "name", "kind", "population", "geometry"]]
    path = write_workspace(tmp_path / "ws", communes=communes, roads=roads_for(communes))
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["district"] = {"name": "Tân Yên", "province": "Bắc Giang"}
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    png = tmp_path / "in.png"
    assert main(["map", str(path), "-o", str(tmp_path / "m.html"), "--png", str(png), "--dpi", "100"]) == 0
    assert _png_size(png.read_bytes()) == (1169, 826)
    workspace = load_workspace(path)
    drawn = build_planner_print(workspace, assess(workspace), dpi=100)
    assert len(drawn.labels) + drawn.dropped_labels == len(communes)
    assert len(drawn.labels) >= len(communes) * 0.7
