// Resumable uploads for the intake form (tus 1.0: creation, core). Without JavaScript the form
// posts its files in one request; with it, each file goes first in parts to the upload
// endpoint, with a progress bar, and resumes from the server's offset after a dropped
// connection. The form is then posted with the finished uploads' tokens instead of the files.
// Nothing is kept in the browser: no storage, no cookies.
(function () {
  "use strict";
  const TUS = { "Tus-Resumable": "1.0.0" };

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  async function create(endpoint, size) {
    const response = await fetch(endpoint, {
      method: "POST", headers: Object.assign({ "Upload-Length": String(size) }, TUS),
      credentials: "omit", cache: "no-store",
    });
    if (response.status !== 201) { throw new Refusal(await response.text(), response.status, true); }
    return response.headers.get("Location");
  }

  function Refusal(message, status, creating) {
    this.message = message; this.status = status; this.creating = Boolean(creating);
  }

  // The shared upload budget is spent (429) or unfinished uploads hold all the room they may
  // (507): a flood can cause both. The form then carries the files itself, as it does without
  // JavaScript, where the page's proof of work can pass a spent budget.
  function sendPlainly(error) {
    return error instanceof Refusal && error.creating && (error.status === 429 || error.status === 507);
  }

  async function offsetOf(url) {
    const response = await fetch(url, { method: "HEAD", headers: TUS, credentials: "omit", cache: "no-store" });
    if (!response.ok) { throw new Refusal("", response.status); }
    return Number(response.headers.get("Upload-Offset"));
  }

  async function send(url, file, chunk, onProgress) {
    let offset = 0;
    let failures = 0;
    while (offset < file.size) {
      try {
        const body = file.slice(offset, Math.min(offset + chunk, file.size));
        const response = await fetch(url, {
          method: "PATCH", body: body, credentials: "omit", cache: "no-store",
          headers: Object.assign({ "Content-Type": "application/offset+octet-stream", "Upload-Offset": String(offset) }, TUS),
        });
        if (response.status === 204) {
          offset = Number(response.headers.get("Upload-Offset"));
          failures = 0;
          onProgress(offset);
          continue;
        }
        if (response.status === 409) { offset = await offsetOf(url); continue; }
        throw new Refusal(await response.text(), response.status);
      } catch (error) {
        if (error instanceof Refusal && error.status !== 503) { throw error; }
        // The connection dropped (or the server restarts): wait, ask where to resume, go on.
        failures += 1;
        onProgress(offset, true);
        await sleep(Math.min(30000, 500 * 2 ** Math.min(failures, 6)));
        try { offset = await offsetOf(url); } catch (ignored) { /* still down: try again */ }
      }
    }
  }

  function enhance(form) {
    const input = form.querySelector("input[type=file]");
    const box = form.querySelector(".progress");
    if (!input || !box || !window.fetch) { return; }
    const bar = box.querySelector("progress");
    const text = box.querySelector(".progress-text");
    const chunk = Number(form.dataset.chunk) || 8 * 1024 * 1024;
    let busy = false;
    form.addEventListener("submit", async function (event) {
      if (!input.files.length || busy) { return; }
      event.preventDefault();
      busy = true;
      const files = Array.from(input.files);
      const total = files.reduce(function (sum, f) { return sum + f.size; }, 0) || 1;
      let done = 0;
      box.hidden = false;
      form.querySelector("button[type=submit]").disabled = true;
      try {
        for (const file of files) {
          const url = await create(form.dataset.uploads, file.size);
          await send(url, file, chunk, function (offset, waiting) {
            bar.value = Math.floor(100 * (done + offset) / total);
            text.textContent = bar.value + "%" + (waiting ? " — " + form.dataset.resuming : "");
          });
          done += file.size;
          const token = document.createElement("input");
          token.type = "hidden";
          token.name = "upload";
          token.value = url.split("/").pop();
          form.appendChild(token);
        }
      } catch (error) {
        if (sendPlainly(error)) {
          form.querySelectorAll("input[name=upload]").forEach(function (token) { token.remove(); });
          form.submit();
          return;
        }
        text.textContent = (error && error.message) || form.dataset.failed;
        form.querySelector("button[type=submit]").disabled = false;
        busy = false;
        return;
      }
      input.disabled = true; // the files went ahead; the form now names them
      form.submit();
    });
  }

  // The optional proof of work (limits.py): find a nonce whose SHA-256 with the page's
  // challenge starts with the given number of zero bits, in the background. The server asks
  // for it only when a shared budget is spent; the form never waits for it.
  function zeroBits(bytes) {
    let bits = 0;
    for (const byte of bytes) {
      if (byte) { return bits + Math.clz32(byte) - 24; }
      bits += 8;
    }
    return bits;
  }

  async function work(challenge) {
    const bits = Number(challenge.dataset.bits);
    const answer = challenge.form.querySelector("input[name=pow]");
    if (!bits || !answer || !(window.crypto && window.crypto.subtle)) { return; }
    const encoder = new TextEncoder();
    for (let nonce = 0; ; nonce += 1) {
      const digest = await window.crypto.subtle.digest("SHA-256", encoder.encode(challenge.value + ":" + nonce));
      if (zeroBits(new Uint8Array(digest)) >= bits) { answer.value = String(nonce); return; }
    }
  }

  document.querySelectorAll("form.report").forEach(enhance);
  document.querySelectorAll("input[name=pow_challenge]").forEach(work);
})();
