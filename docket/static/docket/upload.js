// The upload page: each chosen file is sent in parts; after a dropped connection the page
// asks the server where to go on, and a file chosen again after a reload resumes too.
(function () {
  "use strict";
  const form = document.getElementById("upload");
  if (!form) return;
  const list = document.getElementById("progress");
  const words = list.dataset;
  const partSize = parseInt(form.dataset.partSize, 10);
  const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  function row(file) {
    const li = document.createElement("li");
    const name = document.createElement("span");
    name.textContent = file.name + " ";
    const bar = document.createElement("progress");
    bar.max = file.size;
    bar.value = 0;
    const note = document.createElement("span");
    note.className = "help";
    li.append(name, bar, " ", note);
    list.append(li);
    return { li: li, bar: bar, note: note };
  }

  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

  async function json(response) {
    let body = {};
    try { body = await response.json(); } catch (e) { /* not JSON: a proxy's page */ }
    return body;
  }

  // What tells this file from another of the same name and size (two cameras' FILE0001.MOV):
  // the SHA-256 of its first part and its modification time. The server resumes an upload
  // only for the same fingerprint, and checks the first part against it.
  async function fingerprint(file) {
    let head = "";
    if (window.crypto && window.crypto.subtle) {
      const first = await file.slice(0, partSize).arrayBuffer();
      const digest = new Uint8Array(await window.crypto.subtle.digest("SHA-256", first));
      head = Array.from(digest, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
    }
    return head + ":" + String(file.lastModified || 0);
  }

  async function start(file, compartment, batch) {
    const data = new FormData();
    data.append("compartment", compartment);
    data.append("name", file.name);
    data.append("size", String(file.size));
    data.append("fingerprint", await fingerprint(file));
    if (batch) data.append("batch", batch);
    const response = await fetch(form.dataset.start, {
      method: "POST", body: data, headers: { "X-CSRFToken": token }, credentials: "same-origin",
    });
    const body = await json(response);
    if (!response.ok) throw new Error(body.error || response.statusText);
    return body;
  }

  async function where(id) {
    const response = await fetch(form.dataset.state + "?upload=" + id, { credentials: "same-origin" });
    const body = await json(response);
    if (!response.ok) throw new Error(body.error || response.statusText);
    return body;
  }

  async function send(file, state, shown) {
    let offset = state.offset;
    let wait = 1000;
    while (offset < file.size) {
      const part = file.slice(offset, Math.min(offset + partSize, file.size));
      shown.bar.value = offset;
      shown.note.textContent = words.sending + " " + Math.floor(100 * offset / file.size) + " %";
      let response;
      try {
        response = await fetch(form.dataset.part + "?upload=" + state.upload, {
          method: "POST", body: part, credentials: "same-origin",
          headers: { "X-CSRFToken": token, "Upload-Offset": String(offset),
                     "Content-Type": "application/octet-stream" },
        });
      } catch (e) {
        shown.note.textContent = words.retry;
        await sleep(wait);
        wait = Math.min(wait * 2, 30000);
        try { offset = (await where(state.upload)).offset; } catch (e2) { /* still down */ }
        continue;
      }
      const body = await json(response);
      if (response.status === 409 || response.ok) {
        offset = body.offset;
        wait = 1000;
        continue;
      }
      if (response.status >= 500 && response.status !== 507) {
        shown.note.textContent = words.retry;
        await sleep(wait);
        wait = Math.min(wait * 2, 30000);
        continue;
      }
      throw new Error(body.error || response.statusText);
    }
    shown.bar.value = file.size;
  }

  async function stored(state, shown) {
    shown.note.textContent = words.storing;
    for (;;) {
      const now = await where(state.upload);
      if (now.state === "stored") {
        shown.note.textContent = (now.already_held ? words.held : words.stored) + " · ";
        const link = document.createElement("a");
        link.href = now.item;
        link.textContent = words.open;
        shown.note.append(link);
        return;
      }
      if (now.state === "failed") throw new Error(now.error || words.failed);
      shown.note.textContent = words.storing + (now.error ? " (" + now.error + ")" : "");
      await sleep(1500);
    }
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    const files = Array.from(form.querySelector("input[type=file]").files);
    const compartment = form.querySelector("select[name=compartment]").value;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    let batch = "";
    for (const file of files) {
      const shown = row(file);
      try {
        const state = await start(file, compartment, batch);
        batch = String(state.batch);
        await send(file, state, shown);
        await stored(state, shown);
        shown.li.className = "done";
      } catch (e) {
        shown.note.textContent = words.failed + ": " + e.message;
        shown.li.className = "error";
      }
    }
    button.disabled = false;
  });
})();
