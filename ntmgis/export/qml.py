"""QGIS layer styles (QML) from a :class:`~ntmgis.export.layers.LayerStyle`.

A categorised renderer on the style's field, one category per map class (its colour, label and
line weight), and simple labels on commune names. The XML is built with ElementTree, so names
from the data (a commune called ``<script>``) stay text. Line weights of the web map are screen
pixels; QGIS takes them in pixels too (``*_unit="Pixel"``), so lines are as thick as on the page.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..maps.page import MapClass
from .layers import LayerStyle

__all__ = ["QML_VERSION", "qml"]

#: The QGIS version the QML is written for (3.22, Debian bookworm's; later versions read it).
QML_VERSION = "3.22.16-Białowieża"

_SYMBOL = {"polygon": "fill", "line": "line", "point": "marker"}
# QgsWkbTypes::GeometryType: point 0, line 1, polygon 2.
_GEOMETRY = {"point": "0", "line": "1", "polygon": "2"}


def _rgba(colour: str, alpha: float = 1.0) -> str:
    """``#1a9641`` as QGIS' ``26,150,65,255``."""
    code = colour.lstrip("#")
    red, green, blue = (int(code[i : i + 2], 16) for i in (0, 2, 4))
    return f"{red},{green},{blue},{round(alpha * 255)}"


def _options(parent: ET.Element, values: dict[str, str]) -> None:
    holder = ET.SubElement(parent, "Option", type="Map")
    for name, value in values.items():
        ET.SubElement(holder, "Option", name=name, type="QString", value=value)


def _number(base: dict[str, float | str | bool], key: str, default: float) -> float:
    value = base.get(key, default)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


def _symbol_layer(
    kind: str, cls: MapClass, base: dict[str, float | str | bool]
) -> tuple[str, dict[str, str]]:
    """The QGIS symbol layer class and properties drawing ``cls`` as the web map does."""
    weight = cls.weight or _number(base, "weight", 2.0 if kind == "line" else 1.0)
    dash = "dash" if cls.dash else "solid"
    if kind == "line":
        return "SimpleLine", {
            "line_color": _rgba(cls.colour),
            "line_width": f"{weight:g}",
            "line_width_unit": "Pixel",
            "line_style": dash,
            "capstyle": "round",
            "joinstyle": "round",
        }
    outline = bool(base.get("outline"))
    opacity = _number(base, "fillOpacity", 0.15 if outline else 0.85)
    stroke = cls.colour if outline else str(base.get("color") or "#4d4d4d")
    common = {
        "color": _rgba(cls.colour, opacity),
        "outline_color": _rgba(stroke),
        "outline_style": dash,
        "outline_width": f"{weight:g}",
        "outline_width_unit": "Pixel",
    }
    if kind == "point":
        radius = _number(base, "radius", 7.0 if outline else 5.0)
        return "SimpleMarker", {**common, "name": "circle", "size": f"{2 * radius:g}", "size_unit": "Pixel"}
    return "SimpleFill", {**common, "style": "solid", "joinstyle": "round"}


def _renderer(style: LayerStyle, root: ET.Element) -> None:
    renderer = ET.SubElement(
        root,
        "renderer-v2",
        type="categorizedSymbol",
        attr=style.field,
        symbollevels="0",
        enableorderby="0",
        forceraster="0",
    )
    categories = ET.SubElement(renderer, "categories")
    symbols = ET.SubElement(renderer, "symbols")
    base = dict(style.base)
    for i, cls in enumerate(style.classes):
        ET.SubElement(categories, "category", render="true", value=cls.code, symbol=str(i), label=cls.label)
        symbol = ET.SubElement(
            symbols,
            "symbol",
            type=_SYMBOL[style.kind],
            name=str(i),
            alpha="1",
            clip_to_extent="1",
            force_rhr="0",
        )
        kind, properties = _symbol_layer(style.kind, cls, base)
        layer = ET.SubElement(symbol, "layer", {"class": kind, "pass": "0", "enabled": "1", "locked": "0"})
        _options(layer, properties)


def _labels(field: str, root: ET.Element) -> None:
    labeling = ET.SubElement(root, "labeling", type="simple")
    settings = ET.SubElement(labeling, "settings", calloutType="simple")
    text = ET.SubElement(
        settings,
        "text-style",
        fieldName=field,
        isExpression="0",
        fontSize="9",
        fontSizeUnit="Point",
        textColor="33,33,33,255",
        fontWeight="50",
        namedStyle="Regular",
    )
    ET.SubElement(
        text,
        "text-buffer",
        bufferDraw="1",
        bufferSize="1",
        bufferSizeUnits="MM",
        bufferColor="255,255,255,255",
    )
    # placement 1: over a point inside the polygon (QgsPalLayerSettings::OverPoint).
    ET.SubElement(settings, "placement", placement="1", offsetType="1", fitInPolygonOnly="0")
    ET.SubElement(settings, "rendering", obstacle="1", displayAll="0", drawLabels="1", labelPerPart="0")


def qml(style: LayerStyle) -> str:
    """The QML document of ``style`` (root ``<qgis>``: renderer, labels, geometry type).

    Examples
    --------
    >>> from ntmgis.maps.page import MapClass
    >>> s = LayerStyle("Level", "level", (MapClass("ntm", "Đạt <NTM>", "#78c679"),), "polygon")
    >>> doc = qml(s)
    >>> doc.startswith("<!DOCTYPE qgis"), "Đạt &lt;NTM&gt;" in doc
    (True, True)
    """
    root = ET.Element("qgis", version=QML_VERSION, styleCategories="Symbology|Labeling")
    _renderer(style, root)
    if style.label_field is not None:
        _labels(style.label_field, root)
        root.set("labelsEnabled", "1")
    ET.SubElement(root, "layerGeometryType").text = _GEOMETRY[style.kind]
    body = ET.tostring(root, encoding="unicode")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body + "\n"
