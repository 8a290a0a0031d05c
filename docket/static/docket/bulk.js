// Lists with bulk actions: a box in the header chooses every row of the page (also in a list
// htmx has just replaced). Without this script each row's box still works on its own.
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
})();
