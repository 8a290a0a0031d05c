// On an item's page: a click on a transcript segment plays the recording from there.
(function () {
  "use strict";
  const player = document.getElementById("recording");
  if (!player) return;
  document.querySelectorAll("table.segments tr[data-start]").forEach(function (row) {
    row.classList.add("seekable");
    row.addEventListener("click", function () {
      player.currentTime = parseFloat(row.dataset.start);
      player.play();
    });
  });
})();
