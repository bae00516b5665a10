// ntmgis offline map: layers with themes (one colouring at a time), legends tied to their layer,
// search, year control, summary and sources. The page computes nothing: classes, counts and
// texts arrive decided in two JSON elements. Text from the data reaches the page only through
// textContent or DOM nodes handed to Leaflet, never as HTML.
(function () {
  "use strict";

  function readJson(id) {
    return JSON.parse(document.getElementById(id).textContent);
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  const config = readJson("ntmgis-config");
  const data = readJson("ntmgis-data");
  const ui = config.ui;
  const vi = config.lang === "vi";
  const topo = data.topology;
  const scale = topo.scale;
  const HIGHLIGHT = "#00b4d8";  // cyan: apart from the red–green verdict and road palettes

  document.getElementById("ntmgis-title").textContent = config.title;
  if (config.note) {
    const note = document.getElementById("ntmgis-note");
    note.textContent = config.note;
    note.hidden = false;
  }

  // ---- numbers: 1.234,5 in Vietnamese, 1,234.5 in English -------------------------------------
  function formatNumber(value, decimals) {
    const parts = Math.abs(value).toFixed(decimals).split(".");
    const whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, vi ? "." : ",");
    const sign = value < 0 && Number(parts.join(".")) !== 0 ? "-" : "";
    return sign + whole + (parts.length > 1 ? (vi ? "," : ".") + parts[1] : "");
  }

  // ---- geometry: delta-encoded arcs shared between polygons -----------------------------------
  // An arc is text (ntmgis/maps/compact.py): zigzag integers, five bits a character, low bits
  // first; a character of the alphabet's second half says more bits follow.
  const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const DIGIT = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i += 1) DIGIT[ALPHABET.charCodeAt(i)] = i;

  function decodeIntegers(text) {
    const out = [];
    let acc = 0;
    let factor = 1;
    for (let i = 0; i < text.length; i += 1) {
      const d = DIGIT[text.charCodeAt(i)];
      acc += (d & 31) * factor;  // multiplication: coordinates pass 2**31 on a fine grid
      if (d < 32) {
        out.push(acc % 2 === 1 ? -(acc + 1) / 2 : acc / 2);
        acc = 0;
        factor = 1;
      } else {
        factor *= 32;
      }
    }
    return out;
  }

  // Texts of a big layer arrive once ({dict, index}) or as "=keys": expanded before anything reads them.
  function expandTexts(values, keys) {
    if (values === "=keys") return keys.slice();
    if (values && !Array.isArray(values) && values.dict) {
      return values.index.map(function (i) { return values.dict[i]; });
    }
    return values;
  }
  data.layers.forEach(function (spec) {
    spec.names = expandTexts(spec.names, spec.keys);
    if (spec.labels) spec.labels = expandTexts(spec.labels, spec.keys);
    if (spec.contexts) spec.contexts = expandTexts(spec.contexts, spec.keys);
    spec.fields.forEach(function (field) { field.values = expandTexts(field.values, spec.keys); });
  });

  const arcs = topo.arcs.map(function (arc) {
    const flat = typeof arc === "string" ? decodeIntegers(arc) : arc;
    const points = new Array(flat.length / 2);
    let x = 0;
    let y = 0;
    for (let i = 0, j = 0; i < flat.length; i += 2, j += 1) {
      x += flat[i];
      y += flat[i + 1];
      points[j] = new L.LatLng(y / scale, x / scale);
    }
    return points;
  });

  function arcPoints(index) {
    return index >= 0 ? arcs[index] : arcs[~index].slice().reverse();
  }

  function ringPoints(ring) {
    let points = arcPoints(ring[0]).slice();
    for (let k = 1; k < ring.length; k += 1) points = points.concat(arcPoints(ring[k]).slice(1));
    return points;
  }

  // ---- the map -----------------------------------------------------------------------------------
  const map = L.map("ntmgis-map", { attributionControl: false, zoomSnap: 0.25, maxZoom: config.max_zoom || 19 });
  L.control.scale({ imperial: false }).addTo(map);
  // Lines and points on one canvas: thousands of road segments as SVG nodes would be slow.
  const canvas = L.canvas({ padding: 0.3, tolerance: 4 });
  let basemap = null;
  if (config.basemap) {
    basemap = L.tileLayer(config.basemap.url, { maxZoom: config.max_zoom || 19 }).addTo(map);
  }

  function themeOf(entry) {
    return entry.spec.themes[entry.theme];
  }

  function classOf(entry, i) {
    const theme = themeOf(entry);
    return theme.classes[theme.values[i]];
  }

  // A feature encoded as [x, y] is a point, in a point layer or among the areas of a polygon
  // layer (villages may be drawn as points, polygons or both: contracts.yaml). In a line layer
  // [a, b] are arc indices.
  function isPoint(entry, i) {
    const g = entry.geoms[i];
    return entry.spec.kind !== "line" && g !== null && typeof g[0] === "number";
  }

  function pointStyle(base, cls) {
    const style = { radius: base.radius || (base.outline ? 7 : 5), fillColor: cls.colour };
    if (base.outline) {  // a gap layer: a ring in the class colour around the place
      style.color = cls.colour;
      style.weight = cls.weight || base.weight || 2;
      style.fillOpacity = 0.35;
    } else {
      style.color = base.color || "#333333";
      style.weight = base.weight || 1;
      style.fillOpacity = base.fillOpacity !== undefined ? base.fillOpacity : 0.9;
    }
    return style;
  }

  function styleOf(entry, i) {
    const spec = entry.spec;
    const base = spec.style;
    const cls = classOf(entry, i);
    const style = { opacity: 1, dashArray: cls.dash || base.dashArray || null };
    if (isPoint(entry, i)) {
      Object.assign(style, pointStyle(base, cls));
    } else if (spec.kind === "polygon") {
      if (base.outline) {
        style.color = cls.colour;
        style.weight = cls.weight || base.weight || 2;
        style.fillColor = cls.colour;
        style.fillOpacity = base.fillOpacity !== undefined ? base.fillOpacity : 0.15;
      } else {
        style.color = base.color || "#4d4d4d";
        style.weight = base.weight || 1;
        style.fillColor = cls.colour;
        style.fillOpacity = base.fillOpacity !== undefined ? base.fillOpacity : 0.85;
      }
    } else {
      style.color = cls.colour;
      style.weight = cls.weight || base.weight || 2;
    }
    if (entry.highlight.has(i)) {
      style.color = HIGHLIGHT;
      style.weight = (style.weight || 1) + 3;
    }
    if (entry.selected === i) {
      style.color = HIGHLIGHT;
      style.weight = (style.weight || 1) + 3;
      style.dashArray = null;
    }
    return style;
  }

  function fieldText(field, value) {
    if (value === null || value === undefined) return null;
    if (field.format === "number") return formatNumber(value, field.decimals) + (field.unit ? " " + field.unit : "");
    if (field.format === "year") return String(value);
    if (field.format === "bool") return value ? ui.yes : ui.no;
    if (field.format === "category") return field.labels[value];
    return value;
  }

  function tooltipContent(entry, i) {
    const box = element("div", "ntmgis-tooltip");
    box.appendChild(element("strong", null, entry.spec.names[i]));
    box.appendChild(element("div", "ntmgis-tooltip-level", classOf(entry, i).label));
    return box;
  }

  function popupContent(entry, i) {
    const spec = entry.spec;
    const theme = themeOf(entry);
    const box = element("div", "ntmgis-popup");
    box.dataset.layer = spec.id;
    box.dataset.key = spec.keys[i];
    box.appendChild(element("strong", "ntmgis-popup-title", spec.names[i]));
    const line = element("p", "ntmgis-popup-theme");
    line.appendChild(element("span", "ntmgis-popup-theme-title", theme.title + ": "));
    line.appendChild(element("span", "ntmgis-popup-class", classOf(entry, i).label));
    box.appendChild(line);
    if (theme.detail && theme.detail[i]) box.appendChild(element("p", "ntmgis-popup-detail", theme.detail[i]));
    const table = element("table");
    const rowTables = [];
    spec.fields.forEach(function (field) {
      if (field.format === "rows") {
        if (field.values[i]) rowTables.push(rowsTable(field.label, field.values[i]));
        return;
      }
      const text = fieldText(field, field.values[i]);
      if (text === null || text === undefined || text === "") return;
      const row = element("tr");
      row.appendChild(element("th", null, field.label));
      row.appendChild(element("td", null, text));
      table.appendChild(row);
    });
    if (table.childNodes.length) box.appendChild(table);
    rowTables.forEach(function (rows) { box.appendChild(rows); });
    return box;
  }

  // A compact table (a commune's criteria and verdicts); the status code colours the verdict.
  function rowsTable(title, rows) {
    const table = element("table", "ntmgis-popup-rows");
    table.appendChild(element("caption", null, title));
    rows.forEach(function (row) {
      const tr = element("tr");
      tr.dataset.status = row[2];
      tr.appendChild(element("th", null, row[0]));
      tr.appendChild(element("td", null, row[1]));
      table.appendChild(tr);
    });
    return table;
  }

  // Relative luminance (WCAG) of a #rrggbb colour: labels on dark fills are written in white.
  function luminance(hex) {
    const channels = [1, 3, 5].map(function (i) {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
  }

  const popup = L.popup({ maxWidth: 360, autoPanPadding: [12, 12] });

  function openPopup(entry, i, latlng) {
    const feature = featureOf(entry, i);
    const at = latlng || (feature.getCenter ? feature.getCenter() : feature.getLatLng());
    // At most half the map high, scrolled inside: a commune's details never hide the map.
    popup.options.maxHeight = Math.max(160, Math.round(map.getSize().y * 0.5));
    popup.setLatLng(at).setContent(popupContent(entry, i)).openOn(map);
  }

  function makeFeature(entry, i) {
    const spec = entry.spec;
    const g = entry.geoms[i];
    const style = styleOf(entry, i);
    const point = isPoint(entry, i);
    let feature;
    if (point) {
      style.renderer = canvas;
      feature = L.circleMarker([g[1] / scale, g[0] / scale], style);
    } else if (spec.kind === "polygon") {
      const polygons = g.map(function (poly) { return poly.map(ringPoints); });
      feature = L.polygon(polygons.length === 1 ? polygons[0] : polygons, style);
    } else {
      const parts = g.map(arcPoints);
      style.renderer = canvas;
      feature = L.polyline(parts.length === 1 ? parts[0] : parts, style);
    }
    feature.ntmgisIndex = i;
    feature.ntmgisKey = spec.keys[i];
    if (spec.kind !== "line") {
      feature.bindTooltip(function () { return tooltipContent(entry, i); },
        { sticky: !point, direction: "top" });
    }
    if (!point && spec.kind === "polygon") {
      feature.on("mouseover", function () { feature.setStyle({ weight: 3, color: "#1a1a1a" }); });
      feature.on("mouseout", function () { feature.setStyle(styleOf(entry, i)); });
    }
    return feature;
  }

  // ---- merged lines: a big line layer drawn as a few lines per style and area -------------------
  // One Leaflet layer per road is ~100k objects, listeners and strokes before the first paint.
  // A merged layer (spec.merged, decided by the page: ntmgis/maps/compact.py) keeps every road
  // as a part of one polyline per (style, grid cell); a click finds the nearest part's road, and
  // a road selected (search, window.ntmgis.select) is drawn on its own above the merged lines.
  const MERGE_CELLS = 1500;  // about this many roads a grid cell: small parts to hit-test

  function mergeCells(entry) {
    const n = entry.geoms.length;
    const side = Math.max(1, Math.ceil(Math.sqrt(n / MERGE_CELLS)));
    const at = entry.geoms.map(function (g) {
      return g === null || !g.length ? null : arcs[g[0] >= 0 ? g[0] : ~g[0]][0];
    });
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    at.forEach(function (p) {
      if (!p) return;
      minX = Math.min(minX, p.lng); maxX = Math.max(maxX, p.lng);
      minY = Math.min(minY, p.lat); maxY = Math.max(maxY, p.lat);
    });
    const w = (maxX - minX) / side || 1;
    const h = (maxY - minY) / side || 1;
    return at.map(function (p) {
      if (!p) return -1;
      const cx = Math.min(side - 1, Math.floor((p.lng - minX) / w));
      const cy = Math.min(side - 1, Math.floor((p.lat - minY) / h));
      return cy * side + cx;
    });
  }

  // Leaflet projects a point through three objects (its map.latLngToLayerPoint); a merged line
  // of web-mercator maps does the same arithmetic (and rounding) in place.
  const R = 6378137;
  const RAD = Math.PI / 180;
  const MAX_LATITUDE = 85.0511287798;
  const MergedLine = L.Polyline.extend({
    // Parts arrive as arrays of L.LatLng (the decoded arcs, shared, never changed): bounds only.
    _convertLatLngs: function (parts) {
      let south = Infinity, west = Infinity, north = -Infinity, east = -Infinity;
      for (let k = 0; k < parts.length; k += 1) {
        const part = parts[k];
        for (let j = 0; j < part.length; j += 1) {
          const p = part[j];
          if (p.lat < south) south = p.lat;
          if (p.lat > north) north = p.lat;
          if (p.lng < west) west = p.lng;
          if (p.lng > east) east = p.lng;
        }
      }
      if (south <= north) {
        this._bounds.extend(L.latLng(south, west));
        this._bounds.extend(L.latLng(north, east));
      }
      return parts;
    },
    _projectLatlngs: function (latlngs, result, projectedBounds) {
      const crs = this._map.options.crs;
      if (crs !== L.CRS.EPSG3857) {
        L.Polyline.prototype._projectLatlngs.call(this, latlngs, result, projectedBounds);
        return;
      }
      const s = crs.scale(this._map.getZoom());
      const origin = this._map.getPixelOrigin();
      const a = 0.5 / (Math.PI * R);
      let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
      for (let k = 0; k < latlngs.length; k += 1) {
        const part = latlngs[k];
        const ring = new Array(part.length);
        for (let j = 0; j < part.length; j += 1) {
          const lat = Math.max(Math.min(MAX_LATITUDE, part[j].lat), -MAX_LATITUDE);
          const sin = Math.sin(lat * RAD);
          const x = Math.round(s * (a * R * part[j].lng * RAD + 0.5)) - origin.x;
          const y = Math.round(s * (-a * R * Math.log((1 + sin) / (1 - sin)) / 2 + 0.5)) - origin.y;
          ring[j] = new L.Point(x, y);
          if (x < minX) minX = x;
          if (x > maxX) maxX = x;
          if (y < minY) minY = y;
          if (y > maxY) maxY = y;
        }
        result.push(ring);
      }
      if (minX <= maxX) {
        projectedBounds.extend(new L.Point(minX, minY));
        projectedBounds.extend(new L.Point(maxX, maxY));
      }
    },
  });

  function drawMerged(entry) {
    if (!entry.cells) entry.cells = mergeCells(entry);
    entry.group.clearLayers();
    const groups = new Map();
    const styles = new Map();  // one style object per class, highlight and selection
    const values = themeOf(entry).values;
    entry.geoms.forEach(function (g, i) {
      if (g === null) return;
      const look = values[i] + "|" + entry.highlight.has(i) + "|" + (entry.selected === i);
      let style = styles.get(look);
      if (!style) {
        style = styleOf(entry, i);
        style.renderer = canvas;
        style.key = style.color + "|" + style.weight + "|" + style.dashArray;
        styles.set(look, style);
      }
      const key = entry.cells[i] + "|" + style.key;
      let bucket = groups.get(key);
      if (!bucket) {
        bucket = { style: style, parts: [], owners: [] };
        groups.set(key, bucket);
      }
      g.forEach(function (arc) {
        bucket.parts.push(arcPoints(arc));
        bucket.owners.push(i);
      });
    });
    groups.forEach(function (bucket) {
      const line = new MergedLine(bucket.parts, bucket.style);
      line.ntmgisOwners = bucket.owners;
      line.addTo(entry.group);
    });
    if (entry.selected !== null && entry.features[entry.selected]) {
      entry.features[entry.selected].setStyle(styleOf(entry, entry.selected)).addTo(entry.group);
    }
  }

  // The road of a merged line nearest to a click (in screen pixels).
  function nearestOwner(line, latlng) {
    const p = map.latLngToLayerPoint(latlng);
    const rings = line._rings || [];
    let best = 0;
    let bestDistance = Infinity;
    for (let k = 0; k < rings.length; k += 1) {
      const ring = rings[k];
      for (let j = 1; j < ring.length; j += 1) {
        const d = L.LineUtil.pointToSegmentDistance(p, ring[j - 1], ring[j]);
        if (d < bestDistance) { bestDistance = d; best = k; }
      }
    }
    return line.ntmgisOwners[best];
  }

  // The feature's own Leaflet layer: made on first need for the roads of a merged layer.
  function featureOf(entry, i) {
    if (!entry.features[i] && entry.spec.merged && entry.geoms[i] !== null) entry.features[i] = makeFeature(entry, i);
    return entry.features[i];
  }

  const entries = {};
  const order = [];
  data.layers.forEach(function (spec) {
    const geoms = topo.layers[spec.id];
    const plain = spec.themes.findIndex(function (t) { return t.year === undefined; });
    const entry = {
      spec: spec, geoms: geoms, theme: Math.max(plain, 0), group: L.featureGroup(), features: [],
      labels: null, highlight: new Set(spec.highlight || []), selected: null, styled: null,
    };
    if (spec.merged) {
      entry.features = new Array(geoms.length).fill(null);
    } else {
      geoms.forEach(function (g, i) {
        const feature = g === null ? null : makeFeature(entry, i);
        if (feature) feature.addTo(entry.group);
        entry.features.push(feature);
      });
      entry.styled = entry.theme;
    }
    // One click handler per layer, not one popup bound per feature: 100k road segments would
    // otherwise cost 100k closures and listeners before the first paint.
    entry.group.on("click", function (event) {
      const layer = event.layer;
      const i = layer.ntmgisOwners ? nearestOwner(layer, event.latlng) : layer.ntmgisIndex;
      openPopup(entry, i, event.latlng);
    });
    if (spec.labels) entry.labels = L.layerGroup();
    entries[spec.id] = entry;
    order.push(entry);
  });

  function drawLabels(entry) {
    if (!entry.labels) return;
    entry.labels.clearLayers();
    const anchors = topo.layers["label:" + entry.spec.id];
    anchors.forEach(function (xy, i) {
      if (xy === null) return;
      const dark = luminance(classOf(entry, i).colour) < 0.3;
      const text = element("span", "ntmgis-label-text" + (dark ? " ntmgis-label-on-dark" : ""),
        entry.spec.labels[i]);
      const icon = L.divIcon({ html: text, className: "ntmgis-label", iconSize: null });
      L.marker([xy[1] / scale, xy[0] / scale], { icon: icon, interactive: false, keyboard: false })
        .addTo(entry.labels);
    });
  }

  // ---- layer list with radios and legends ----------------------------------------------------------
  const panel = document.getElementById("ntmgis-layers");
  panel.appendChild(element("h2", null, ui.layers_title));

  function buildLegend(entry) {
    const theme = themeOf(entry);
    const box = entry.legend;
    box.textContent = "";
    box.appendChild(element("h3", null, theme.title));
    const list = element("ul");
    let total = 0;
    theme.classes.forEach(function (row) {
      const item = element("li");
      item.dataset.class = row.code;
      const swatch = element("span", "ntmgis-swatch ntmgis-swatch-" + entry.spec.kind);
      swatch.style.backgroundColor = row.colour;
      if (row.dash) swatch.classList.add("ntmgis-swatch-dashed");
      item.appendChild(swatch);
      item.appendChild(element("span", "ntmgis-legend-label", row.label));
      item.appendChild(element("span", "ntmgis-legend-count", formatNumber(row.count, 0)));
      list.appendChild(item);
      total += row.count;
    });
    box.appendChild(list);
    if (entry.highlight.size) {
      const item = element("li", "ntmgis-legend-highlight");
      item.dataset.class = "highlight";
      const swatch = element("span", "ntmgis-swatch ntmgis-swatch-outline");
      swatch.style.borderColor = HIGHLIGHT;
      item.appendChild(swatch);
      item.appendChild(element("span", "ntmgis-legend-label", ui.highlighted));
      item.appendChild(element("span", "ntmgis-legend-count", formatNumber(entry.highlight.size, 0)));
      list.appendChild(item);
    }
    box.appendChild(element("p", "ntmgis-legend-total", ui.total + ": " + formatNumber(total, 0)));
  }

  function setTheme(entry, index) {
    entry.theme = index;
    if (entry.spec.merged) {
      if (entry.styled !== index) drawMerged(entry);
    } else if (entry.styled !== index) {  // features are made in their first theme's style
      entry.features.forEach(function (feature, i) {
        if (feature) feature.setStyle(styleOf(entry, i));
      });
    }
    entry.styled = index;
    buildLegend(entry);
    drawLabels(entry);
    const radio = entry.radios[themeOf(entry).year !== undefined ? "year:" + themeOf(entry).group
      : "theme:" + themeOf(entry).id];
    if (radio) radio.checked = true;
  }

  function setVisible(entry, visible) {
    entry.toggle.checked = visible;
    entry.body.hidden = !visible;
    if (visible) {
      entry.group.addTo(map);
      if (entry.labels) entry.labels.addTo(map);
    } else {
      entry.group.remove();
      if (entry.labels) entry.labels.remove();
    }
  }

  let currentYear = config.timeline ? config.timeline.start : null;

  function yearTheme(entry, group, year) {
    return entry.spec.themes.findIndex(function (t) { return t.group === group && t.year === year; });
  }

  order.forEach(function (entry) {
    const spec = entry.spec;
    const box = element("div", "ntmgis-layer");
    box.dataset.layer = spec.id;
    const title = element("label", "ntmgis-layer-title");
    const toggle = element("input", "ntmgis-layer-toggle");
    toggle.type = "checkbox";
    title.appendChild(toggle);
    title.appendChild(element("span", null, spec.title));
    box.appendChild(title);
    const body = element("div", "ntmgis-layer-body");
    entry.radios = {};
    const plain = spec.themes.filter(function (t) { return t.year === undefined; });
    if (spec.themes.length > 1) {
      const set = element("fieldset", "ntmgis-themes");
      set.appendChild(element("legend", null, ui.themes));
      let lastGroup = null;
      const seenYears = {};
      spec.themes.forEach(function (theme, index) {
        let key = "theme:" + theme.id;
        let label = theme.title;
        if (theme.year !== undefined) {
          if (seenYears[theme.group]) return;
          seenYears[theme.group] = true;
          key = "year:" + theme.group;
          label = theme.group;
        } else if (theme.group && theme.group !== lastGroup) {
          set.appendChild(element("p", "ntmgis-theme-group", theme.group));
        }
        lastGroup = theme.year !== undefined ? null : theme.group || null;
        const row = element("label", "ntmgis-theme");
        const radio = element("input");
        radio.type = "radio";
        radio.name = "ntmgis-theme-" + spec.id;
        radio.value = key;
        radio.addEventListener("change", function () {
          if (theme.year !== undefined) {
            const found = yearTheme(entry, theme.group, currentYear);
            setTheme(entry, found >= 0 ? found : index);
          } else {
            setTheme(entry, index);
          }
        });
        entry.radios[key] = radio;
        row.appendChild(radio);
        row.appendChild(element("span", null, label));
        set.appendChild(row);
      });
      body.appendChild(set);
    }
    entry.legend = element("div", "ntmgis-legend");
    entry.legend.dataset.layer = spec.id;
    body.appendChild(entry.legend);
    box.appendChild(body);
    entry.toggle = toggle;
    entry.body = body;
    toggle.addEventListener("change", function () { setVisible(entry, toggle.checked); });
    panel.appendChild(box);
    setTheme(entry, spec.themes.indexOf(plain[0]) >= 0 ? spec.themes.indexOf(plain[0]) : 0);
    setVisible(entry, spec.visible);
  });

  // ---- year control ------------------------------------------------------------------------------
  function setYear(year) {
    currentYear = year;
    const box = document.getElementById("ntmgis-timeline");
    box.querySelector(".ntmgis-year-value").textContent = String(year);
    box.querySelector("input").value = String(year);
    const notes = box.querySelector(".ntmgis-year-notes");
    notes.textContent = "";
    (config.timeline.notes[String(year)] || []).forEach(function (line) {
      notes.appendChild(element("li", null, line));
    });
    order.forEach(function (entry) {
      const groups = {};
      entry.spec.themes.forEach(function (t) { if (t.year !== undefined) groups[t.group] = true; });
      Object.keys(groups).forEach(function (group) {
        const found = yearTheme(entry, group, year);
        if (found < 0) return;
        // The year control shows the plan: switch the layers to their year theme.
        setTheme(entry, found);
      });
    });
  }

  if (config.timeline) {
    const box = document.getElementById("ntmgis-timeline");
    const head = element("label", "ntmgis-year");
    head.appendChild(element("span", null, ui.year + " "));
    head.appendChild(element("strong", "ntmgis-year-value", String(currentYear)));
    const slider = element("input", "ntmgis-year-input");
    slider.type = "range";
    slider.min = String(config.timeline.years[0]);
    slider.max = String(config.timeline.years[config.timeline.years.length - 1]);
    slider.step = "1";
    slider.value = String(currentYear);
    slider.addEventListener("input", function () { setYear(Number(slider.value)); });
    head.appendChild(slider);
    box.appendChild(head);
    box.appendChild(element("ul", "ntmgis-year-notes"));
    box.hidden = false;
    const notes = box.querySelector(".ntmgis-year-notes");
    (config.timeline.notes[String(currentYear)] || []).forEach(function (line) {
      notes.appendChild(element("li", null, line));
    });
  }

  // ---- search: accent- and đ-insensitive ----------------------------------------------------------
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d")
      .toLowerCase().replace(/\s+/g, " ").trim();
  }

  const index = [];
  order.forEach(function (entry, rank) {
    if (!entry.spec.searchable) return;
    const contexts = entry.spec.contexts || [];
    entry.spec.names.forEach(function (name, i) {
      // The name is scored alone; its place (a village's commune) only narrows the match.
      if (entry.geoms[i] !== null) index.push({ entry: entry, i: i, key: fold(name), place: fold(contexts[i] || ""), rank: rank });
    });
  });

  function search(query) {
    const words = fold(query).split(" ").filter(Boolean);
    if (!words.length) return [];
    const found = index.filter(function (item) {
      return words.every(function (w) { return item.key.indexOf(w) >= 0 || item.place.indexOf(w) >= 0; });
    });
    const q = words.join(" ");
    // Whole words first, then word starts, then anywhere; communes before villages on a tie.
    function score(item) {
      const at = (" " + item.key + " ").replace(/[(),]/g, " ");
      if (at.indexOf(" " + q + " ") >= 0) return 0;
      return at.indexOf(" " + q) >= 0 ? 1 : 2;
    }
    found.sort(function (a, b) {
      return score(a) - score(b) || a.rank - b.rank || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
    });
    return found.slice(0, 12);
  }

  function select(entry, i) {
    if (!entry.toggle.checked) setVisible(entry, true);
    order.forEach(function (other) {
      if (other.selected !== null) {
        const previous = other.selected;
        other.selected = null;
        const shown = other.features[previous];
        if (shown && other.spec.merged) other.group.removeLayer(shown);  // drawn in its merged line
        else if (shown) shown.setStyle(styleOf(other, previous));
      }
    });
    entry.selected = i;
    const feature = featureOf(entry, i);
    feature.setStyle(styleOf(entry, i));
    if (entry.spec.merged) feature.addTo(entry.group);
    if (feature.getBounds) {
      map.fitBounds(feature.getBounds(), { maxZoom: 16, padding: [24, 24] });
      if (feature.bringToFront) feature.bringToFront();
    } else {
      map.setView(feature.getLatLng(), Math.max(map.getZoom(), 15));
    }
    openPopup(entry, i, null);
  }

  const searchBox = document.getElementById("ntmgis-search");
  if (index.length) {
    const input = element("input", "ntmgis-search-input");
    input.type = "search";
    input.placeholder = ui.search;
    input.setAttribute("aria-label", ui.search);
    const results = element("ul", "ntmgis-search-results");
    let current = [];
    input.addEventListener("input", function () {
      current = search(input.value);
      results.textContent = "";
      if (!current.length && input.value.trim()) results.appendChild(element("li", "ntmgis-search-none", ui.search_none));
      current.forEach(function (item) {
        const li = element("li");
        const button = element("button", "ntmgis-result");
        button.type = "button";
        button.dataset.layer = item.entry.spec.id;
        button.dataset.key = item.entry.spec.keys[item.i];
        button.appendChild(element("span", "ntmgis-result-name", item.entry.spec.names[item.i]));
        const place = (item.entry.spec.contexts || [])[item.i];
        button.appendChild(element("span", "ntmgis-result-layer",
          place ? item.entry.spec.title + " · " + place : item.entry.spec.title));
        button.addEventListener("click", function () { select(item.entry, item.i); });
        li.appendChild(button);
        results.appendChild(li);
      });
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && current.length) select(current[0].entry, current[0].i);
    });
    searchBox.appendChild(input);
    searchBox.appendChild(results);
    searchBox.hidden = false;
  }

  // ---- summary and sources --------------------------------------------------------------------
  const summary = document.getElementById("ntmgis-summary");
  config.summary.forEach(function (table) {
    const box = element("table", "ntmgis-summary-table");
    box.appendChild(element("caption", null, table.title));
    const head = element("tr");
    table.columns.forEach(function (c) { head.appendChild(element("th", null, c)); });
    box.appendChild(head);
    table.rows.forEach(function (row, r) {
      const tr = element("tr");
      if (table.statuses) tr.dataset.status = table.statuses[r];
      row.forEach(function (cell) { tr.appendChild(element("td", null, cell)); });
      box.appendChild(tr);
    });
    summary.appendChild(box);
    summary.hidden = false;
  });

  // Sources go under the map, as on a printed map, where they never cover a feature.
  const sources = document.getElementById("ntmgis-sources");
  sources.appendChild(element("h2", null, ui.sources_title));
  const sourceList = element("ul");
  config.provenance.forEach(function (line) { sourceList.appendChild(element("li", null, line)); });
  if (config.basemap) {
    const credit = config.basemap.attribution ? " — " + config.basemap.attribution : "";
    sourceList.appendChild(element("li", null, ui.basemap + ": " + config.basemap.url + credit));
  }
  if (config.drawing) sourceList.appendChild(element("li", "ntmgis-drawing", config.drawing));
  sourceList.appendChild(element("li", "ntmgis-software", ui.software));
  sources.appendChild(sourceList);

  const first = order.find(function (entry) { return entry.group.getLayers().length; });
  if (first) map.fitBounds(first.group.getBounds(), { padding: [12, 12] });
  else map.setView([21, 106], 8);

  const layers = {};
  order.forEach(function (entry) { layers[entry.spec.id] = entry.group; });
  window.ntmgis = {
    map: map,
    config: config,
    layers: layers,
    basemap: basemap,
    labels: Object.fromEntries(order.filter(function (e) { return e.labels; })
      .map(function (e) { return [e.spec.id, e.labels]; })),
    setTheme: function (layerId, themeId) {
      const entry = entries[layerId];
      setTheme(entry, entry.spec.themes.findIndex(function (t) { return t.id === themeId; }));
    },
    theme: function (layerId) { return themeOf(entries[layerId]).id; },
    setYear: setYear,
    search: function (query) {
      return search(query).map(function (item) { return [item.entry.spec.id, item.entry.spec.keys[item.i]]; });
    },
    select: function (layerId, key) {
      const entry = entries[layerId];
      select(entry, entry.spec.keys.indexOf(key));
    },
    feature: function (layerId, key) {
      const entry = entries[layerId];
      return featureOf(entry, entry.spec.keys.indexOf(key));
    },
    formatNumber: formatNumber,
    ready: true,
  };
})();
