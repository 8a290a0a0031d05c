// The overview's map: Belarus from the shipped outline, a circle per place sized by its
// events. Tiles only when the instance names its own tile server (DOCKET_MAP_TILES); nothing
// else is fetched from anywhere but Docket.
document.addEventListener("DOMContentLoaded", function () {
  var element = document.getElementById("map");
  if (!element || !window.L) { return; }
  var map = L.map(element, { attributionControl: false, zoomSnap: 0.25 });
  map.setView([53.7, 27.9], 6.25);
  if (element.dataset.tiles) {
    L.tileLayer(element.dataset.tiles, { maxZoom: 18 }).addTo(map);
  }
  fetch(element.dataset.outline, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (outline) {
      var layer = L.geoJSON(outline, { style: { color: "#20262c", weight: 1.5, fillColor: "#ffffff", fillOpacity: 0.8 } });
      layer.addTo(map);
      map.fitBounds(layer.getBounds(), { padding: [10, 10] });
    });
  fetch(element.dataset.points, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      var top = Math.max.apply(null, data.places.map(function (p) { return p.count; }).concat([1]));
      data.places.forEach(function (place) {
        var radius = 4 + 22 * Math.sqrt(place.count / top);
        var link = element.dataset.list + "&region=" + place.id;
        var popup = document.createElement("div");
        var anchor = document.createElement("a");
        anchor.href = link;
        anchor.textContent = place.name;
        popup.appendChild(anchor);
        popup.appendChild(document.createTextNode(": " + place.count + " event" + (place.count === 1 ? "" : "s")
          + (place.precision === "point" ? "" : " (position " + place.precision + ")")));
        L.circleMarker([place.lat, place.lon], { radius: radius, color: "#8b1a1a", weight: 1, fillOpacity: 0.55 })
          .bindPopup(popup).addTo(map);
      });
      element.dataset.loaded = String(data.places.length);
    });
});
