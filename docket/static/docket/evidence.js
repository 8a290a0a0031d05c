// Linking a recording as evidence: "Mark the start/end here" copy the player's position into
// the form's From and To fields (as m:ss or h:mm:ss). Without this script the fields are typed.
(function () {
  "use strict";
  const player = document.getElementById("recording");
  if (!player) return;
  const marks = document.querySelector(".marks");
  const position = document.getElementById("position");
  marks.hidden = false;

  function clock(seconds) {
    const whole = Math.floor(seconds);
    const tenths = Math.round((seconds - whole) * 10) % 10;
    const h = Math.floor(whole / 3600);
    const m = Math.floor((whole % 3600) / 60);
    const s = whole % 60;
    const ss = String(s).padStart(2, "0") + (tenths ? "." + tenths : "");
    return h ? h + ":" + String(m).padStart(2, "0") + ":" + ss : m + ":" + ss;
  }

  player.addEventListener("timeupdate", function () {
    position.textContent = clock(player.currentTime);
  });
  marks.querySelectorAll("button[data-mark]").forEach(function (button) {
    button.addEventListener("click", function () {
      const field = document.getElementById(button.dataset.mark);
      if (field) field.value = clock(player.currentTime);
    });
  });
})();
