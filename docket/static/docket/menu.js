// The header's menus: one open at a time; Escape or a click elsewhere closes it. Without this
// script each menu still opens and closes on its own.
(function () {
  "use strict";
  const menus = Array.from(document.querySelectorAll("header details.menu"));
  function closeAll(except) {
    menus.forEach(function (menu) { if (menu !== except) menu.open = false; });
  }
  menus.forEach(function (menu) {
    menu.addEventListener("toggle", function () { if (menu.open) closeAll(menu); });
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest("header details.menu")) closeAll(null);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeAll(null);
  });
})();
