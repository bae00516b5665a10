// ntmgis district map: communes coloured by NTM level, legend, sources.
// Data arrives as JSON in <script type="application/json"> elements. Text from the data reaches
// the page only through textContent or DOM nodes handed to Leaflet, never as HTML.
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

  function control(position, build) {
    const Control = L.Control.extend({
      onAdd: function () {
        const container = build();
        L.DomEvent.disableClickPropagation(container);
        L.DomEvent.disableScrollPropagation(container);
        return container;
      },
    });
    return new Control({ position: position });
  }

  const config = readJson("ntmgis-config");
  const communes = readJson("ntmgis-communes");
  const ui = config.ui;
  const colours = {};
  config.legend.forEach(function (row) { colours[row.level] = row.colour; });

  document.getElementById("ntmgis-title").textContent = config.title;
  if (config.note) {
    const note = document.getElementById("ntmgis-note");
    note.textContent = config.note;
    note.hidden = false;
  }

  const map = L.map("ntmgis-map", { attributionControl: false, zoomSnap: 0.25, maxZoom: 19 });

  let basemap = null;
  if (config.basemap) {
    basemap = L.tileLayer(config.basemap.url, { maxZoom: 19 }).addTo(map);
  }

  function style(feature) {
    return {
      color: "#4d4d4d",
      weight: 1,
      opacity: 1,
      fillColor: colours[feature.properties.level],
      fillOpacity: 0.9,
    };
  }

  function tooltipContent(props) {
    const box = element("div", "ntmgis-tooltip");
    box.appendChild(element("strong", null, props.title));
    box.appendChild(element("div", "ntmgis-tooltip-level", props.level_label));
    return box;
  }

  const communeLayer = L.geoJSON(communes, {
    style: style,
    onEachFeature: function (feature, layer) {
      layer.bindTooltip(tooltipContent(feature.properties), { sticky: true, direction: "top" });
      layer.on("mouseover", function () { layer.setStyle({ weight: 3, color: "#1a1a1a" }); });
      layer.on("mouseout", function () { communeLayer.resetStyle(layer); });
    },
  }).addTo(map);

  // Relative luminance (WCAG) of a #rrggbb colour: labels on dark fills are written in white.
  function luminance(hex) {
    const channels = [1, 3, 5].map(function (i) {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
  }

  const labelLayer = L.layerGroup();
  if (config.labels) {
    communes.features.forEach(function (feature) {
      const dark = luminance(colours[feature.properties.level]) < 0.3;
      const text = element("span", "ntmgis-label-text" + (dark ? " ntmgis-label-on-dark" : ""),
        feature.properties.name);
      const icon = L.divIcon({ html: text, className: "ntmgis-label", iconSize: null });
      L.marker(feature.properties.label_at, { icon: icon, interactive: false, keyboard: false })
        .addTo(labelLayer);
    });
    labelLayer.addTo(map);
  }

  const legend = control("topright", function () {
    const box = element("section", "ntmgis-panel ntmgis-legend");
    box.appendChild(element("h2", null, ui.legend_title));
    const list = element("ul");
    let total = 0;
    config.legend.forEach(function (row) {
      const item = element("li");
      item.dataset.level = row.level;
      const swatch = element("span", "ntmgis-swatch");
      swatch.style.backgroundColor = row.colour;
      item.appendChild(swatch);
      item.appendChild(element("span", "ntmgis-legend-label", row.label));
      item.appendChild(element("span", "ntmgis-legend-count", String(row.count)));
      list.appendChild(item);
      total += row.count;
    });
    box.appendChild(list);
    box.appendChild(element("p", "ntmgis-legend-total", ui.total + ": " + total));
    return box;
  }).addTo(map);

  // Sources go under the map, as on a printed map, where they never cover a commune.
  const sources = document.getElementById("ntmgis-sources");
  sources.appendChild(element("h2", null, ui.sources_title));
  const sourceList = element("ul");
  config.provenance.forEach(function (line) { sourceList.appendChild(element("li", null, line)); });
  if (config.basemap) {
    const credit = config.basemap.attribution ? " — " + config.basemap.attribution : "";
    sourceList.appendChild(element("li", null, ui.basemap + ": " + config.basemap.url + credit));
  }
  sourceList.appendChild(element("li", "ntmgis-software", ui.software));
  sources.appendChild(sourceList);

  // Keep the communes clear of the legend (top right): pad the right side or the top, whichever
  // leaves the larger map.
  const bounds = communeLayer.getBounds();
  const key = legend.getContainer();
  function zoomFor(option) {
    const padding = L.point(option.paddingTopLeft).add(option.paddingBottomRight);
    const room = map.getSize().subtract(padding);
    return room.x > 0 && room.y > 0 ? map.getBoundsZoom(bounds, false, padding) : -Infinity;
  }
  const beside = { paddingTopLeft: [56, 16], paddingBottomRight: [key.offsetWidth + 20, 16] };
  const below = { paddingTopLeft: [16, key.offsetHeight + 20], paddingBottomRight: [16, 16] };
  const fit = zoomFor(beside) >= zoomFor(below) ? beside : below;
  map.fitBounds(bounds, zoomFor(fit) > -Infinity ? fit : { padding: [8, 8] });

  window.ntmgis = {
    map: map,
    config: config,
    layers: { communes: communeLayer, labels: labelLayer, basemap: basemap },
    controls: { legend: legend },
  };
})();
