// Small progressive enhancements; every page works without JavaScript. No inline scripts (CSP script-src 'self').
(function () {
  "use strict";
  function fmt(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }

  // Quota editor (附件2): the total follows the typing, before anything is sent to the server.
  function liveTotal() {
    var box = document.querySelector("[data-live-total]");
    if (!box) return;
    var target = parseInt(box.getAttribute("data-target"), 10);
    var inputs = document.querySelectorAll("input[data-quota]");
    if (!inputs.length) return;
    var out = box.querySelector("strong");
    var note = box.querySelector("[data-note]");
    var foot = document.querySelector("[data-live-sum]");
    function update() {
      var sum = 0, bad = 0;
      inputs.forEach(function (el) {
        var v = el.value.trim();
        if (v === "") { el.classList.remove("invalid"); return; }
        if (/^\d+$/.test(v)) { sum += parseInt(v, 10); el.classList.remove("invalid"); }
        else { bad += 1; el.classList.add("invalid"); }
      });
      out.textContent = fmt(sum);
      if (foot) foot.textContent = fmt(sum);
      box.classList.toggle("warn", bad > 0 || sum !== target);
      box.classList.toggle("ok", !bad && sum === target);
      if (note) {
        if (bad) note.textContent = "有 " + bad + " 个名额不是整数";
        else if (sum === target) note.textContent = "与目标培训人数一致";
        else note.textContent = (sum > target ? "超出目标 " : "距目标还差 ") + fmt(Math.abs(target - sum)) + " 人（可以保存，仅作提示）";
      }
    }
    inputs.forEach(function (el) { el.addEventListener("input", update); });
    update();
  }

  function confirms() {
    document.querySelectorAll("form[data-confirm]").forEach(function (f) {
      f.addEventListener("submit", function (e) {
        if (!window.confirm(f.getAttribute("data-confirm"))) e.preventDefault();
      });
    });
  }

  // A form sent twice (a double tap on a slow phone network) is harmless but confusing: once the browser has
  // taken the form's data (the submit event has run), its buttons are disabled until the next page.
  function singleSubmit() {
    document.querySelectorAll("form[method=post]").forEach(function (f) {
      f.addEventListener("submit", function (e) {
        if (e.defaultPrevented) return;
        window.setTimeout(function () {
          f.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
        }, 0);
      });
    });
    window.addEventListener("pageshow", function (e) {  // back button: the page comes from the cache
      if (e.persisted) document.querySelectorAll("button[type=submit]:disabled").forEach(function (b) { b.disabled = false; });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { liveTotal(); confirms(); singleSubmit(); });
})();
