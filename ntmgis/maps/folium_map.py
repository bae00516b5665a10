"""The planners' map as a :class:`folium.Map`, for notebooks: the analyst adds layers of their own.

:func:`to_folium` draws the same layers as the planner page (:func:`ntmgis.maps.planner_layers`:
the same classes, colours, legend rows and popup texts, decided by the Assessment) with folium,
one :class:`folium.FeatureGroup` per layer under a :class:`folium.LayerControl`. The map is a
plain folium object: add a ``folium.GeoJson`` of your own, then ``save()`` it.

Two things differ from folium's defaults, on purpose:

* **Offline.** folium links Leaflet, jQuery, Bootstrap and Font Awesome from CDNs (the
  ``default_js`` / ``default_css`` lists of :class:`folium.Map`). Here the map's lists are empty
  and the pinned Leaflet copy (:mod:`ntmgis.maps.assets`, the one the planner page inlines) is
  written into the page instead, so the saved file opens from disk with no network and names no
  URL. ``offline=False`` keeps folium's CDN links (then folium's ``Icon`` markers work too; offline
  they need Bootstrap and Font Awesome, which ntmgis does not ship).
* **Escaped text.** folium puts tooltip and popup values into the page as HTML. Every name,
  label and value here is escaped first, so ``<img src=x onerror=alert(1)>`` as a commune name
  is shown as those characters.

Only the drawing is done here: no status is derived (the classes come with the layers).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import folium
import shapely
from folium import Element, Figure, JsCode, MacroElement
from jinja2 import Template
from markupsafe import Markup, escape

from ..labels import LANGUAGES, words
from ..values import is_missing
from . import assets
from .detail import drawing_detail
from .drops import drawable_layers, undrawn_lines
from .page import Field, MapLayer, Theme, _bounds, _theme_json, format_number
from .panels import planner_title
from .planner import planner_layers
from .topology import DEFAULT_DECIMALS

if TYPE_CHECKING:
    from ..assessment import Assessment
    from ..workspace import Workspace

__all__ = ["to_folium", "layers_to_folium", "NTMGIS_LAYER_CLASS"]

#: CSS class of the ``<div>`` of every legend section (one per layer) and the key
#: ``ntmgis_layer`` on each FeatureGroup ntmgis adds (``group.ntmgis_layer == "communes"``).
NTMGIS_LAYER_CLASS = "ntmgis-legend-layer"

_CSS = """
.ntmgis-panel { background: rgba(255,255,255,0.95); padding: 6px 10px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.35); font: 12px/1.35 system-ui, sans-serif; max-width: 340px; }
.ntmgis-panel h2 { font-size: 14px; margin: 0 0 4px 0; }
.ntmgis-note { background: #fff4cc; border: 1px solid #e6a100; padding: 2px 6px; font-weight: bold; }
.ntmgis-legend { max-height: 55vh; overflow-y: auto; }
.ntmgis-legend summary { font-weight: bold; cursor: pointer; }
.ntmgis-legend ul { list-style: none; margin: 2px 0 6px 0; padding: 0; }
.ntmgis-legend li { display: flex; align-items: center; gap: 6px; }
.ntmgis-swatch { display: inline-block; width: 14px; height: 10px; border: 1px solid #4d4d4d; flex: none; }
.ntmgis-legend-count { margin-left: auto; color: #555555; padding-left: 8px; }
.ntmgis-popup-title { font-size: 14px; }
.ntmgis-popup p { margin: 4px 0; }
.ntmgis-popup-detail { color: #b42318; }
.ntmgis-popup table { border-collapse: collapse; }
.ntmgis-popup th { padding: 1px 8px 1px 0; text-align: left; font-weight: normal; color: #555555; }
.ntmgis-popup-rows { margin-top: 6px; font-size: 11px; width: 100%; }
.ntmgis-popup-rows caption { text-align: left; font-weight: bold; }
.ntmgis-popup-rows td { white-space: nowrap; text-align: right; }
.ntmgis-popup-rows tr[data-status^="met"] td { color: #1a7f37; }
.ntmgis-popup-rows tr[data-status^="not_met"] td { color: #b42318; }
.ntmgis-popup-rows tr[data-status="not_assessed"] td { color: #777777; }
"""

# Inside a <script> element only "</script" and "<!--" could end or confuse it.
_SCRIPT_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


class _Inline(Element):
    """Trusted text (Leaflet, our stylesheet) written into the page head as a ``<script>`` or
    ``<style>`` element."""

    def __init__(self, tag: str, text: str) -> None:
        super().__init__()
        assets._check_inlinable(text, tag, f"inlined {tag}")
        self._markup = Markup(f"<{tag}>\n{text}\n</{tag}>")  # noqa: S704 - vendor and project text

    def render(self, **kwargs: object) -> str:
        return str(self._markup)


class _Panel(MacroElement):
    """A Leaflet control holding already-escaped HTML (title, note, legend)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
(function () {
  var control = L.control({position: {{ this.position }}});
  control.onAdd = function () {
    var div = L.DomUtil.create("div", {{ this.css_class }});
    div.innerHTML = {{ this.html }};
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  control.addTo({{ this._parent.get_name() }});
})();
{% endmacro %}"""
    )

    def __init__(self, html: Markup, *, position: str, css_class: str) -> None:
        super().__init__()
        self._name = "NtmgisPanel"
        self.position = _script_value(position)
        self.css_class = _script_value(css_class)
        self.html = _script_value(str(html))


class _Map(folium.Map):
    """A :class:`folium.Map` whose layer controls are drawn after every layer, so a layer the
    analyst adds after :func:`to_folium` is listed in the control (folium asks for the control
    to be added last; here it does not matter)."""

    def render(self, **kwargs: object) -> str:
        for key in [k for k, child in self._children.items() if isinstance(child, folium.LayerControl)]:
            self._children.move_to_end(key)
        return super().render(**kwargs)


def _script_value(value: str) -> Markup:
    return Markup(json.dumps(value, ensure_ascii=False).translate(_SCRIPT_ESCAPES))  # noqa: S704


def to_folium(
    workspace: Workspace,
    assessment: Assessment,
    *,
    lang: str = "vi",
    theme: str | Mapping[str, str] | None = None,
    offline: bool = True,
    tiles: str | None = None,
    width: str = "100%",
    height: str = "100%",
) -> folium.Map:
    """The planners' map of ``workspace`` as a :class:`folium.Map` (offline by default).

    Parameters
    ----------
    workspace : ntmgis.workspace.Workspace
    assessment : ntmgis.assessment.Assessment
        ``assess(workspace)``; nothing is recomputed.
    lang : {"vi", "en"}
    theme : str or mapping of layer id to theme id, optional
        Colouring of each layer (the planner page's "show by" choice): a theme id is used by every
        layer that has it (e.g. ``"schedule"``); a mapping names one per layer. Default: the
        first theme of each layer, as the planner page opens.
    offline : bool
        Inline the pinned Leaflet and link nothing (default). ``False`` keeps folium's CDN links.
    tiles : str, optional
        A folium basemap (``"OpenStreetMap"``...): it is fetched from the network. Default none.
    width, height : str
        Size of the map element.

    Returns
    -------
    folium.Map
        One ``FeatureGroup`` per planner layer (``group.ntmgis_layer`` is the layer id, hidden
        layers are off in the layer control), a title panel with the sample note and a legend.

    Raises
    ------
    ValueError
        For an unknown language, layer or theme.

    Examples
    --------
    >>> import folium
    >>> from ntmgis.assessment import assess
    >>> from ntmgis.workspace import load_workspace
    >>> ws = load_workspace()
    >>> m = to_folium(ws, assess(ws), lang="en")
    >>> _ = folium.CircleMarker([21.39, 106.10], radius=6, tooltip="my survey point").add_to(m)
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     m.save(str(pathlib.Path(folder) / "my_map.html"))
    """
    layers = planner_layers(workspace, assessment, lang=lang)
    return layers_to_folium(
        layers,
        title=planner_title(workspace, assessment, lang=lang),
        note=workspace.note(lang),
        lang=lang,
        theme=theme,
        offline=offline,
        tiles=tiles,
        width=width,
        height=height,
    )


def layers_to_folium(
    layers: Sequence[MapLayer],
    *,
    title: str,
    note: str | None = None,
    lang: str = "vi",
    theme: str | Mapping[str, str] | None = None,
    offline: bool = True,
    tiles: str | None = None,
    width: str = "100%",
    height: str = "100%",
) -> folium.Map:
    """A :class:`folium.Map` of any :class:`~ntmgis.maps.page.MapLayer` list (bottom first).

    The engine of :func:`to_folium`; the parameters are the same (``title`` and ``note`` are
    shown in the title panel).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from ntmgis.maps import MapClass, MapLayer, Theme
    >>> wells = MapLayer(
    ...     id="wells", title="Giếng", kind="point",
    ...     geometry=gpd.GeoSeries([Point(106.1, 21.4)], crs=4326), keys=["W1"], names=["Giếng 1"],
    ...     themes=[Theme("state", "Trạng thái", ["ok"], [MapClass("ok", "Tốt", "#1a9850")])])
    >>> m = layers_to_folium([wells], title="Giếng nước")
    >>> [g.ntmgis_layer for g in m._children.values() if hasattr(g, "ntmgis_layer")]
    ['wells']
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, not {lang!r}")
    chosen = _chosen_themes(layers, theme)
    # A feature the map cannot draw is left out of the drawing and said (ntmgis.maps.drops).
    layers, undrawn_found, undrawn = drawable_layers(layers)
    note = " · ".join(filter(None, [note, *undrawn_lines(undrawn_found, layers, lang)])) or None
    fmap = _Map(tiles=tiles, width=width, height=height, control_scale=True)
    fmap.ntmgis_undrawn = undrawn  # type: ignore[attr-defined]
    fmap.ntmgis_problems = undrawn_found  # type: ignore[attr-defined]
    root = fmap.get_root()
    if not isinstance(root, Figure):  # folium.Map always makes a Figure its parent
        raise TypeError("folium.Map has no Figure")
    root.title = str(escape(title))
    if offline:
        # The instance lists shadow folium's class lists: nothing is linked, Leaflet is inlined.
        fmap.default_js = []
        fmap.default_css = []
        root.header.add_child(_Inline("style", assets.leaflet_css()), name="leaflet_css")
        root.header.add_child(_Inline("script", assets.leaflet_js()), name="leaflet")
    root.header.add_child(_Inline("style", _CSS), name="ntmgis_css")
    ui = words("map", lang)
    west, south, east, north = _bounds([layer.geometry for layer in layers])
    tolerance_m = drawing_detail((west, south, east, north)).tolerance_m
    legend: list[Markup] = []
    for layer in layers:
        group, section = _feature_group(layer, chosen[layer.id], lang, ui, tolerance_m)
        group.add_to(fmap)
        legend.append(section)
    _Panel(_title_html(title, note), position="topleft", css_class="ntmgis-panel ntmgis-title").add_to(fmap)
    _Panel(Markup("").join(legend), position="bottomright", css_class="ntmgis-panel ntmgis-legend").add_to(
        fmap
    )
    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.fit_bounds([[south, west], [north, east]])
    return fmap


def _chosen_themes(layers: Sequence[MapLayer], theme: str | Mapping[str, str] | None) -> dict[str, Theme]:
    by_layer = {layer.id: {t.id: t for t in layer.themes} for layer in layers}
    if theme is None:
        return {layer.id: _first_theme(layer) for layer in layers}
    if isinstance(theme, str):
        having = [layer.id for layer in layers if theme in by_layer[layer.id]]
        if not having:
            known = sorted({t for themes in by_layer.values() for t in themes})
            raise ValueError(f"no layer has a theme {theme!r}; known: {known}")
        return {layer.id: by_layer[layer.id].get(theme, _first_theme(layer)) for layer in layers}
    unknown_layers = sorted(set(theme) - set(by_layer))
    if unknown_layers:
        raise ValueError(f"theme names unknown layers {unknown_layers}; known: {sorted(by_layer)}")
    chosen = {layer.id: _first_theme(layer) for layer in layers}
    for layer_id, theme_id in theme.items():
        if theme_id not in by_layer[layer_id]:
            raise ValueError(
                f"layer {layer_id!r} has no theme {theme_id!r}; known: {sorted(by_layer[layer_id])}"
            )
        chosen[layer_id] = by_layer[layer_id][theme_id]
    return chosen


def _first_theme(layer: MapLayer) -> Theme:
    # As the page opens: the first theme that is not a step of the timeline.
    return next((t for t in layer.themes if t.year is None), layer.themes[0])


def _title_html(title: str, note: str | None) -> Markup:
    html = Markup("<h2>{}</h2>").format(title)
    if note:
        html += Markup('<div class="ntmgis-note">{}</div>').format(note)
    return html


def _feature_group(
    layer: MapLayer, theme: Theme, lang: str, ui: Mapping[str, str], tolerance_m: float
) -> tuple[folium.FeatureGroup, Markup]:
    """The FeatureGroup of one layer and its legend section."""
    order = sorted(range(len(layer.keys)), key=lambda i: str(layer.keys[i]))
    # Validates the layer's theme (every value has a class) and counts the legend rows, exactly
    # as the planner page does.
    legend = _theme_json(theme, order, layer.id)  # type: ignore[arg-type]
    classes = legend["classes"]
    shapes = _drawn(layer, tolerance_m)
    features = [
        _feature(layer, theme, i, legend["values"][position], shapes[i], lang, ui)
        for position, i in enumerate(order)
    ]
    group = folium.FeatureGroup(name=str(escape(layer.title)), show=bool(layer.visible))
    group.ntmgis_layer = layer.id  # type: ignore[attr-defined]
    radius = float(layer.style.get("radius", 7 if layer.style.get("outline") else 5))
    data = folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=str(escape(layer.title)),
        marker=folium.CircleMarker(radius=radius) if layer.kind != "line" else None,
        control=False,
        zoom_on_click=False,
    )
    if layer.kind == "line":  # thousands of road segments: on a canvas, as on the planner page
        data.options["renderer"] = JsCode("L.canvas()")  # type: ignore[assignment]
    spec = {
        "layer": layer.id,
        "theme": str(theme.title),
        "classes": [str(c["label"]) for c in classes],
        "styles": [_style(layer, c, point=False) for c in classes],
        "pointStyles": [_style(layer, c, point=True) for c in classes],
        "fields": [str(f.label) for f in layer.fields if f.format != "rows"],
        "rows": [str(f.label) for f in layer.fields if f.format == "rows"],
    }
    _Features(spec).add_to(data)
    data.add_to(group)
    return group, _legend_html(layer, legend, lang, ui)


def _drawn(layer: MapLayer, tolerance_m: float) -> list[shapely.Geometry | None]:
    """The layer's geometry as drawn: simplified by ``tolerance_m`` (one screen pixel at the
    closest zoom, as on the planner page) in its metric CRS, then in degrees on a 1e-5 grid."""
    geometry = layer.geometry
    if geometry.crs is not None and geometry.crs.is_projected and tolerance_m > 0:
        geometry = geometry.simplify(tolerance_m, preserve_topology=True)
    if geometry.crs is not None:
        geometry = geometry.to_crs(4326)
    drawn = shapely.set_precision(geometry.to_numpy(), 10.0**-DEFAULT_DECIMALS, mode="pointwise")
    return [None if g is None or g.is_empty else g for g in drawn]


def _feature(
    layer: MapLayer,
    theme: Theme,
    i: int,
    class_index: int,
    shape: shapely.Geometry | None,
    lang: str,
    ui: Mapping[str, str],
) -> dict[str, object]:
    """One GeoJSON feature; its properties are plain data that the page writes as text nodes."""
    properties: dict[str, object] = {
        "name": _name(layer, i),
        "class": class_index,
        "values": [_field_text(f, f.values[i], lang, ui) for f in layer.fields if f.format != "rows"],
    }
    detail = None if theme.detail is None else theme.detail[i]
    if detail is not None and not is_missing(detail) and str(detail).strip():
        properties["detail"] = str(detail).strip()
    rows = [f.values[i] for f in layer.fields if f.format == "rows"]
    if rows:
        properties["rows"] = [
            [] if v is None or not len(v) else [[str(part) for part in row] for row in v] for v in rows
        ]
    return {
        "type": "Feature",
        "id": str(layer.keys[i]),
        "geometry": None if shape is None else shapely.geometry.mapping(shape),
        "properties": properties,
    }


class _Features(MacroElement):
    """Styles, tooltips and popups of one ntmgis GeoJson, built from the features' properties
    with ``textContent``: no value is ever parsed as HTML."""

    _template = Template(
        """{% macro script(this, kwargs) %}
(function () {
  var layer = {{ this._parent.get_name() }};
  var spec = {{ this.spec }};
  function style(feature) {
    var point = feature.geometry && /Point$/.test(feature.geometry.type);
    return (point ? spec.pointStyles : spec.styles)[feature.properties["class"]];
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function tooltip(target) {
    var p = target.feature.properties, box = el("div", "ntmgis-tooltip");
    box.appendChild(el("strong", null, p.name));
    box.appendChild(el("div", null, spec.classes[p["class"]]));
    return box;
  }
  function popup(target) {
    var p = target.feature.properties, box = el("div", "ntmgis-popup");
    box.dataset.layer = spec.layer;
    box.dataset.key = target.feature.id;
    box.appendChild(el("strong", "ntmgis-popup-title", p.name));
    var line = el("p");
    line.appendChild(el("span", null, spec.theme + ": "));
    line.appendChild(el("span", "ntmgis-popup-class", spec.classes[p["class"]]));
    box.appendChild(line);
    if (p.detail) box.appendChild(el("p", "ntmgis-popup-detail", p.detail));
    var table = el("table");
    spec.fields.forEach(function (label, i) {
      var value = p.values[i];
      if (value === null || value === undefined || value === "") return;
      var tr = el("tr");
      tr.appendChild(el("th", null, label));
      tr.appendChild(el("td", null, value));
      table.appendChild(tr);
    });
    if (table.childNodes.length) box.appendChild(table);
    spec.rows.forEach(function (title, i) {
      var rows = (p.rows || [])[i] || [];
      if (!rows.length) return;
      var t = el("table", "ntmgis-popup-rows");
      t.appendChild(el("caption", null, title));
      rows.forEach(function (row) {
        var tr = el("tr");
        tr.dataset.status = row[2];
        tr.appendChild(el("th", null, row[0]));
        tr.appendChild(el("td", null, row[1]));
        t.appendChild(tr);
      });
      box.appendChild(t);
    });
    return box;
  }
  layer.ntmgisLayer = spec.layer;
  layer.options.style = style;
  layer.setStyle(style);
  layer.bindTooltip(tooltip, {sticky: true});
  layer.bindPopup(popup, {maxWidth: 360, autoPanPadding: [12, 12]});
})();
{% endmacro %}"""
    )

    def __init__(self, spec: Mapping[str, object]) -> None:
        super().__init__()
        self._name = "NtmgisFeatures"
        self.spec = Markup(  # noqa: S704 - JSON escaped for a script element
            json.dumps(spec, ensure_ascii=False, sort_keys=True).translate(_SCRIPT_ESCAPES)
        )


def _style(layer: MapLayer, cls: Mapping[str, object], *, point: bool) -> dict[str, object]:
    """Leaflet path options of a feature of class ``cls``: the planner page's rules."""
    base = layer.style
    colour = cls["colour"]
    style: dict[str, object] = {"opacity": 1, "dashArray": cls.get("dash") or base.get("dashArray")}
    if point:
        if base.get("outline"):
            style.update(color=colour, fillColor=colour, weight=cls.get("weight") or base.get("weight") or 2)
            style["fillOpacity"] = 0.35
        else:
            style.update(fillColor=colour, color=base.get("color", "#333333"), weight=base.get("weight", 1))
            style["fillOpacity"] = base.get("fillOpacity", 0.9)
        style["radius"] = base.get("radius", 7 if base.get("outline") else 5)
    elif layer.kind == "polygon":
        outline = bool(base.get("outline"))
        style["color"] = colour if outline else base.get("color", "#4d4d4d")
        style["weight"] = (cls.get("weight") or base.get("weight") or 2) if outline else base.get("weight", 1)
        style["fillColor"] = colour
        style["fillOpacity"] = base.get("fillOpacity", 0.15 if outline else 0.85)
    else:
        style.update(color=colour, weight=cls.get("weight") or base.get("weight") or 2)
    return {k: v for k, v in style.items() if v is not None}


def _name(layer: MapLayer, i: int) -> str:
    value = layer.names[i]
    return "" if is_missing(value) else str(value).strip()


def _field_text(f: Field, value: object, lang: str, ui: Mapping[str, str]) -> str | None:
    """A popup value as the planner page writes it (``None``: not shown)."""
    if f.format == "rows" or is_missing(value):
        return None
    if f.format == "number":
        number = format_number(float(value), lang, int(f.decimals))  # type: ignore[arg-type]
        return f"{number} {f.unit}" if f.unit else number
    if f.format == "year":
        return str(int(value))  # type: ignore[call-overload]
    if f.format == "bool":
        return ui["page_yes"] if value else ui["page_no"]
    if f.format == "category":
        return str((f.labels or {}).get(str(value), str(value)))
    return str(value).strip() or None


def _legend_html(layer: MapLayer, legend: Mapping[str, object], lang: str, ui: Mapping[str, str]) -> Markup:
    """One legend section: the layer, its theme and the rows with their counts (rows nobody has
    are left out unless the theme keeps them, as on the planner page)."""
    items = Markup("")
    total = 0
    for cls in legend["classes"]:  # type: ignore[attr-defined]
        total += int(cls["count"])
        items += Markup(
            '<li data-class="{}"><span class="ntmgis-swatch" style="background:{}"></span>'
            '<span>{}</span><span class="ntmgis-legend-count">{}</span></li>'
        ).format(cls["code"], _colour(cls["colour"]), cls["label"], format_number(cls["count"], lang))
    items += Markup('<li><span>{}</span><span class="ntmgis-legend-count">{}</span></li>').format(
        ui["page_total"], format_number(total, lang)
    )
    return Markup(
        '<details class="{}" data-layer="{}"{}><summary>{}</summary><div>{}</div><ul>{}</ul></details>'
    ).format(
        NTMGIS_LAYER_CLASS,
        layer.id,
        Markup(" open") if layer.visible else Markup(""),
        layer.title,
        legend["title"],
        items,
    )


def _colour(value: object) -> str:
    # Colours come from maps/styles.py; anything that is not a plain #rrggbb is not written into
    # a style attribute.
    text = str(value)
    ok = len(text) in (4, 7) and text.startswith("#") and all(c in "0123456789abcdefABCDEF" for c in text[1:])
    return text if ok else "#999999"
