/* The insights map: areas shaded by the chosen figure, points clustered, on tiles if the city has a tile
   server (PORTAL_MAP_TILE_URL) or on a plain background. Data from the page's #insights-map-data. */
(function () {
  "use strict";
  var element = document.getElementById("insights-map");
  var source = document.getElementById("insights-map-data");
  if (!element || !source || !window.L) { return; }
  var data = JSON.parse(source.textContent);
  element.textContent = "";  // the no-JavaScript note
  var COLOURS = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];
  var NONE = "#d9d9d9";

  var values = data.areas.features
    .map(function (f) { return f.properties.value; })
    .filter(function (v) { return v !== null && v !== undefined; })
    .sort(function (a, b) { return a - b; });
  var breaks = [];
  for (var i = 1; i < COLOURS.length; i++) {
    if (values.length) { breaks.push(values[Math.min(values.length - 1, Math.floor(i * values.length / COLOURS.length))]); }
  }
  function colour(value) {
    if (value === null || value === undefined) { return NONE; }
    var k = 0;
    while (k < breaks.length && value > breaks[k]) { k++; }
    return COLOURS[Math.min(k, COLOURS.length - 1)];
  }
  function text(value) {
    return value === null || value === undefined ? data.noData : String(value);
  }

  var map = L.map(element, { zoomControl: false, attributionControl: Boolean(data.tiles.url), maxZoom: 19 });  // SVG: areas and points are elements
  // The zoom buttons' titles in the page's language (Leaflet's own read "Zoom in" and "Zoom out").
  L.control.zoom({ zoomInTitle: element.dataset.zoomIn, zoomOutTitle: element.dataset.zoomOut }).addTo(map);
  element.setAttribute("data-tiles", data.tiles.url ? "on" : "off");
  var b = data.bounds;  // the city's box, [min_lon, min_lat, max_lon, max_lat]: a view before any layer
  map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
  if (data.tiles.url) {
    L.tileLayer(data.tiles.url, { attribution: data.tiles.attribution, maxZoom: 19 }).addTo(map);
  }
  var areas = L.geoJSON(data.areas, {
    style: function (feature) {
      return { className: "insights-area", color: "#333", weight: 1, fillColor: colour(feature.properties.value), fillOpacity: 0.65 };
    },
    onEachFeature: function (feature, layer) {
      layer.bindTooltip(feature.properties.name + ": " + text(feature.properties.value));
    }
  }).addTo(map);

  var overlays = {};
  var bounds = areas.getBounds();
  // Each layer its own colour (complaints, services, organisations; then the rest) and a toggle.
  var PALETTE = [["#7a1f00", "#e6550d"], ["#00441b", "#31a354"], ["#3f007d", "#756bb1"], ["#333333", "#969696"]];
  data.layers.forEach(function (layer, index) {
    var colours = PALETTE[Math.min(index, PALETTE.length - 1)];
    var group = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40 });
    layer.points.forEach(function (point) {
      var marker = L.circleMarker([point[0], point[1]], { className: "insights-point insights-point-" + layer.key, radius: 6, color: colours[0], weight: 2, fillColor: colours[1], fillOpacity: 0.9 });
      marker.bindTooltip(point[2]);
      group.addLayer(marker);
    });
    group.addTo(map);
    overlays[layer.label + " (" + layer.points.length + ")"] = group;
    layer.points.forEach(function (point) {
      bounds = bounds.isValid() ? bounds.extend([point[0], point[1]]) : L.latLngBounds([point[0], point[1]], [point[0], point[1]]);
    });
  });
  if (data.layers.length) { L.control.layers(null, overlays, { collapsed: false }).addTo(map); }

  var legend = L.control({ position: "bottomright" });
  legend.onAdd = function () {
    var box = L.DomUtil.create("div", "insights-map-legend");
    var title = document.createElement("strong");
    title.textContent = data.legend;
    box.appendChild(title);
    var uppers = [];
    COLOURS.forEach(function (c, index) {
      var upper = index < breaks.length ? breaks[index] : values[values.length - 1];
      if (!values.length || uppers.indexOf(upper) !== -1) { return; }
      uppers.push(upper);
      var row = document.createElement("div");
      var swatch = document.createElement("i");
      swatch.style.background = colour(upper);
      row.appendChild(swatch);
      row.appendChild(document.createTextNode("≤ " + text(upper)));
      box.appendChild(row);
    });
    var none = document.createElement("div");
    var swatch = document.createElement("i");
    swatch.style.background = NONE;
    none.appendChild(swatch);
    none.appendChild(document.createTextNode(data.noData));
    box.appendChild(none);
    return box;
  };
  legend.addTo(map);

  if (bounds.isValid()) { map.fitBounds(bounds, { padding: [12, 12] }); }
  element.setAttribute("data-ready", "1");
})();
