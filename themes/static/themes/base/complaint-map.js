/* The complaint form's map: a resident pins the place and the latitude and longitude fields are filled
   (WGS84). Without JavaScript the block stays hidden and the fields work as typed. */
(function () {
  "use strict";
  // The complaint form loads this deferred; the admin's page editor (services, organisations) loads it
  // before the form: then it waits for the document.
  function start() {
    var element = document.getElementById("complaint-map");
    var source = document.getElementById("complaint-map-data");
    var lat = document.getElementById("id_latitude");
    var lon = document.getElementById("id_longitude");
    if (!element || !source || !lat || !lon || !window.L) { return; }
    var data = JSON.parse(source.textContent);
    var system = document.getElementById("id_coordinate_system");
    element.parentNode.hidden = false;

    var map = L.map(element, { zoomControl: false, attributionControl: Boolean(data.tiles.url), maxZoom: 19 });
    // The zoom buttons' titles in the page's language (Leaflet's own read "Zoom in" and "Zoom out").
    L.control.zoom({ zoomInTitle: element.dataset.zoomIn, zoomOutTitle: element.dataset.zoomOut }).addTo(map);
    if (data.tiles.url) {
      L.tileLayer(data.tiles.url, { attribution: data.tiles.attribution, maxZoom: 19 }).addTo(map);
    }
    var area = data.boundary ? L.geoJSON(data.boundary, { style: { color: "#1d70b8", weight: 2, fillOpacity: 0.08 } }).addTo(map) : null;
    var marker = null;

    function fill(latlng) {
      lat.value = latlng.lat.toFixed(6);
      lon.value = latlng.lng.toFixed(6);
      if (system) { system.value = "wgs84"; }  // the map's points are WGS84
    }
    function pin(latlng) {
      if (!marker) {
        marker = L.circleMarker(latlng, { className: "complaint-pin", radius: 9, color: "#7a1f00", weight: 3, fillColor: "#e6550d", fillOpacity: 0.9 }).addTo(map);
      } else {
        marker.setLatLng(latlng);
      }
      fill(latlng);
    }
    map.on("click", function (event) { pin(event.latlng); });
    document.getElementById("complaint-map-clear").addEventListener("click", function () {
      if (marker) { map.removeLayer(marker); marker = null; }
      lat.value = "";
      lon.value = "";
    });
    function fromFields() {
      var y = parseFloat(lat.value), x = parseFloat(lon.value);
      if (isFinite(y) && isFinite(x) && (!system || system.value !== "gcj02")) { pin(L.latLng(y, x)); return true; }
      return false;
    }
    lat.addEventListener("change", fromFields);
    lon.addEventListener("change", fromFields);

    var b = data.bounds;
    if (area && area.getBounds().isValid()) {
      map.fitBounds(area.getBounds(), { padding: [8, 8] });
    } else {
      map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
    }
    if (fromFields()) { map.setView(marker.getLatLng(), Math.max(map.getZoom(), 15)); }
    element.setAttribute("data-ready", "1");
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
