// Lists with bulk actions: a box in the header chooses every row of the page. Without this
// script each row's box still works on its own.
(function () {
  "use strict";
  document.querySelectorAll("input[data-check-all]").forEach(function (all) {
    const form = all.form;
    const name = all.getAttribute("data-check-all");
    all.addEventListener("change", function () {
      form.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
        box.checked = all.checked;
      });
    });
  });
})();
