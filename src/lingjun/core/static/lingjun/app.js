// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  function liveTotal() {
    var box = document.querySelector("[data-live-total]");
    if (!box) return;
    var target = parseInt(box.getAttribute("data-target"), 10);
    var inputs = document.querySelectorAll("input[data-quota]");
    var out = box.querySelector("strong");
    var note = box.querySelector("[data-note]");
    function update() {
      var sum = 0, bad = 0;
      inputs.forEach(function (el) {
        var v = el.value.trim();
        if (v === "") return;
        if (/^\d+$/.test(v)) { sum += parseInt(v, 10); el.classList.remove("invalid"); }
        else { bad += 1; el.classList.add("invalid"); }
      });
      out.textContent = sum;
      box.classList.toggle("warn", sum !== target);
      box.classList.toggle("ok", sum === target);
      if (note) {
        if (bad) note.textContent = "有 " + bad + " 个名额不是整数";
        else if (sum === target) note.textContent = "与目标培训人数一致";
        else note.textContent = (sum > target ? "超出目标 " : "距目标还差 ") + Math.abs(target - sum) + " 人（可保存，仅提示）";
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
  document.addEventListener("DOMContentLoaded", function () { liveTotal(); confirms(); });
})();
