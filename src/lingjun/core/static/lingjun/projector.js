// Projector page: fetch a fresh signed code before the current one expires, and count down.
(function () {
  "use strict";
  var box = document.querySelector("[data-projector]");
  if (!box) return;
  var url = box.getAttribute("data-url");
  var step = parseInt(box.getAttribute("data-refresh"), 10) || 30;
  var left = step;
  var countdown = box.querySelector("[data-countdown]");
  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (d) {
        box.querySelector("[data-qr]").innerHTML = d.svg;
        box.querySelector("[data-code]").textContent = d.code;
        box.querySelector("[data-checked-in]").textContent = d.checked_in;
        // Refresh right after the code's time step ends (the server still accepts the previous code).
        var ms = Date.parse(d.expires_at) - Date.now();
        left = isNaN(ms) ? step : Math.min(step, Math.max(1, Math.ceil(ms / 1000)));
      })
      .catch(function () { left = 5; });
  }
  setInterval(function () {
    left -= 1;
    if (left <= 0) { refresh(); left = step; }
    if (countdown) countdown.textContent = Math.max(left, 0);
  }, 1000);
})();
