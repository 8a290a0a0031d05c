// Lists with bulk actions: a box in the header chooses every row of the page (also in a list
// htmx has just replaced), and while the server works through the chosen rows the form says
// how many it is working on. Without this script each row's box still works on its own.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    const all = event.target;
    if (!(all instanceof HTMLInputElement) || !all.hasAttribute("data-check-all")) return;
    const name = all.getAttribute("data-check-all");
    all.form.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
      box.checked = all.checked;
    });
  });
  document.addEventListener("submit", function (event) {
    const form = event.target;
    const all = form.querySelector("input[data-check-all]");
    const status = form.querySelector("[data-working]");
    if (!all || !status) return;
    const name = all.getAttribute("data-check-all");
    const chosen = form.querySelectorAll('input[type=checkbox][name="' + name + '"]:checked').length;
    if (!chosen) return;
    status.hidden = false;
    status.querySelector("span").textContent = status.dataset.working.replace("%s", String(chosen));
  });
})();
