// The event form's map: click to set the event's own latitude and longitude (the fields stay
// the record; the map only fills them). Belarus from the shipped outline; tiles only when the
// instance names its own tile server (DOCKET_MAP_TILES); nothing else is fetched.
document.addEventListener("DOMContentLoaded", function () {
  var element = document.getElementById("map-pick");
  if (!element || !window.L) { return; }
  var latitude = document.getElementById(element.dataset.latitude);
  var longitude = document.getElementById(element.dataset.longitude);
  if (!latitude || !longitude) { return; }
  var map = L.map(element, { attributionControl: false, zoomSnap: 0.25 });
  map.setView([53.9, 27.56], 6.25);
  if (element.dataset.tiles) {
    L.tileLayer(element.dataset.tiles, { maxZoom: 19 }).addTo(map);
  }
  fetch(element.dataset.outline, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (outline) {
      L.geoJSON(outline, { style: { color: "#20262c", weight: 1.5, fillColor: "#ffffff", fillOpacity: 0.8 } }).addTo(map);
    });
  var marker = null;
  function show() {
    var lat = parseFloat(latitude.value), lon = parseFloat(longitude.value);
    if (isNaN(lat) || isNaN(lon)) {
      if (marker) { map.removeLayer(marker); marker = null; }
      return;
    }
    if (marker) { marker.setLatLng([lat, lon]); } else { marker = L.circleMarker([lat, lon], { radius: 8, color: "#8b1a1a", weight: 2, fillOpacity: 0.5 }).addTo(map); }
    map.setView([lat, lon], Math.max(map.getZoom(), 12));
  }
  map.on("click", function (event) {
    latitude.value = event.latlng.lat.toFixed(6);
    longitude.value = event.latlng.lng.toFixed(6);
    show();
  });
  latitude.addEventListener("change", show);
  longitude.addEventListener("change", show);
  show();
  element.dataset.ready = "true";
});
