// Person and unit fields offer the compartment's records as one types: the server searches
// every spelling and script and answers names only. Without this script the fields are typed,
// and a name the compartment does not know is refused until its "new" box is ticked.
(function () {
  "use strict";
  const source = document.getElementById("name-pickers");
  if (!source) return;
  const url = source.dataset.url;
  document.querySelectorAll("input[data-kind][list]").forEach(function (input) {
    const list = document.getElementById(input.getAttribute("list"));
    let timer = null;
    let asked = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        const typed = input.value.trim();
        if (typed.length < 2 || typed === asked) return;
        asked = typed;
        const query = new URLSearchParams({ kind: input.dataset.kind, q: typed });
        fetch(url + "?" + query.toString(), { credentials: "same-origin" })
          .then(function (response) { return response.json(); })
          .then(function (found) {
            list.replaceChildren();
            found.names.forEach(function (name) {
              const option = document.createElement("option");
              option.value = name;
              list.appendChild(option);
            });
          });
      }, 200);
    });
  });
})();
