// Security keys and passkeys for the second login step. Progressive: without JavaScript (or
// without WebAuthn) the buttons stay hidden and the code form on the same page still works.
(function () {
  "use strict";
  if (!window.PublicKeyCredential || !PublicKeyCredential.parseCreationOptionsFromJSON) return;

  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Content-Type": "application/json" },
      body: body || "{}",
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.error || "the server refused");
        return data;
      });
    });
  }

  function run(button) {
    var status = document.getElementById("passkey-status");
    var base = button.dataset.endpoint;
    var creating = button.dataset.ceremony === "register";
    status.textContent = "Touch your security key, or confirm on your device…";
    button.disabled = true;
    post(base + "options/")
      .then(function (options) {
        return creating
          ? navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) })
          : navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) });
      })
      .then(function (credential) { return post(base, JSON.stringify(credential.toJSON())); })
      .then(function (result) { window.location.assign(result.redirect); })
      .catch(function (error) {
        status.textContent = "That did not work (" + error.message + "). Try again, or use a code below.";
        button.disabled = false;
      });
  }

  document.querySelectorAll("button[data-ceremony]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { run(button); });
  });
})();
