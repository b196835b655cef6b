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
        if (f.hasAttribute("data-download")) return;  // a file download leaves the page where it is
        window.setTimeout(function () {
          f.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
        }, 0);
      });
    });
    window.addEventListener("pageshow", function (e) {  // back button: the page comes from the cache
      if (e.persisted) document.querySelectorAll("button[type=submit]:disabled").forEach(function (b) { b.disabled = false; });
    });
  }

  // Registration form (附件4): the justification is asked for only when the trainee is not the principal leader.
  function principalNote() {
    var radios = document.querySelectorAll("[data-principal]");
    var note = document.querySelector(".field-principal_justification");
    if (!radios.length || !note) return;
    var area = note.querySelector("textarea");
    function update() {
      var no = Array.prototype.some.call(radios, function (r) { return r.checked && r.value === "0"; });
      note.hidden = !no && !note.classList.contains("has-error") && !(area && area.value.trim());
    }
    radios.forEach(function (r) { r.addEventListener("change", update); });
    update();
  }

  // Industry code: name the GB/T 4754 section of what was typed (13–43 is manufacturing).
  function industryHint() {
    var input = document.querySelector("input[data-industry]");
    if (!input) return;
    var list = document.getElementById(input.getAttribute("list"));
    var help = document.getElementById(input.id + "_helptext");
    if (!list || !help) return;
    var original = help.textContent;
    function update() {
      var code = input.value.replace(/\s/g, "").slice(0, 2);
      var opt = code.length === 2 ? list.querySelector('option[value="' + code + '"]') : null;
      if (opt) {
        var manufacturing = opt.textContent.charAt(0) === "C";
        help.textContent = "门类 " + opt.textContent + (manufacturing ? "（计入制造业企业）" : "");
      } else {
        help.textContent = original;
      }
    }
    input.addEventListener("input", update);
    update();
  }

  // Invitation link: copy to the clipboard (falls back to selecting the text where the clipboard API is absent).
  function copyButtons() {
    document.querySelectorAll("[data-copy]").forEach(function (b) {
      b.addEventListener("click", function () {
        var field = document.querySelector(b.getAttribute("data-copy"));
        if (!field) return;
        var note = document.querySelector("[data-copy-note]");
        function done(ok) {
          b.textContent = ok ? "已复制" : "请长按链接复制";
          if (ok && note) note.textContent = "链接已复制，请粘贴到微信发给学员本人。";
          window.setTimeout(function () { b.textContent = "复制链接"; }, 2500);
        }
        field.focus();
        field.select();
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(function () { done(true); }, function () {
            done(document.execCommand && document.execCommand("copy"));
          });
        } else {
          done(document.execCommand && document.execCommand("copy"));
        }
      });
    });
  }

  // Review queue: one box ticks every selectable row of the page.
  function checkAll() {
    document.querySelectorAll("[data-check-all]").forEach(function (all) {
      var name = all.getAttribute("data-check-all");
      var boxes = document.querySelectorAll('input[type=checkbox][name="' + name + '"]');
      if (!boxes.length) { all.disabled = true; return; }
      all.addEventListener("change", function () { boxes.forEach(function (b) { b.checked = all.checked; }); });
    });
  }

  // A slow upload: say that something is happening.
  function busyForms() {
    document.querySelectorAll("form[data-busy]").forEach(function (f) {
      f.addEventListener("submit", function (e) {
        if (e.defaultPrevented) return;
        var note = f.querySelector("[data-busy-note]");
        if (note) { note.textContent = f.getAttribute("data-busy"); note.hidden = false; }
        f.classList.add("busy");
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    liveTotal(); confirms(); singleSubmit(); principalNote(); industryHint(); copyButtons(); checkAll(); busyForms();
  });
})();

// Class pages (issue #4). Progressive enhancements only: every form works without them.
(function () {
  "use strict";

  // Timetable editor: the faculty list follows the chosen topic (teachers whose topics include it), and a
  // search box narrows it by name or affiliation. The full list is kept and rebuilt, so nothing is lost.
  function facultyFilter() {
    var select = document.querySelector("select[data-faculty-select]");
    var tools = document.querySelector("[data-faculty-tools]");
    if (!select || !tools) return;
    var topic = document.querySelector("select[data-topic-select]");
    var byTopic = tools.querySelector("[data-faculty-by-topic]");
    var search = tools.querySelector("[data-faculty-search]");
    var count = tools.querySelector("[data-faculty-count]");
    var all = Array.prototype.map.call(select.options, function (o) {
      return {value: o.value, text: o.text, topics: (o.getAttribute("data-topics") || "").split(" ")};
    });
    // Put the tools right under the faculty field.
    select.closest(".field").appendChild(tools);
    tools.hidden = false;
    function update() {
      var chosen = select.value;
      var code = topic ? topic.value : "";
      var words = search.value.trim().toLowerCase();
      var shown = 0;
      select.innerHTML = "";
      all.forEach(function (f) {
        var keep = f.value === "" || f.value === chosen;
        if (!keep) {
          keep = (!byTopic.checked || !code || f.topics.indexOf(code) >= 0) &&
                 (!words || f.text.toLowerCase().indexOf(words) >= 0);
        }
        if (!keep) return;
        var o = document.createElement("option");
        o.value = f.value; o.text = f.text;
        if (f.value === chosen) o.selected = true;
        select.appendChild(o);
        if (f.value !== "") shown += 1;
      });
      var total = all.length - 1;
      count.textContent = shown === total ? "共 " + total + " 位师资" : "显示 " + shown + " / " + total + " 位师资";
    }
    if (topic) topic.addEventListener("change", update);
    byTopic.addEventListener("change", update);
    search.addEventListener("input", update);
    update();
  }

  // Placement: per-class totals follow the selects; a class over its capacity turns red, and a row whose class
  // was changed by hand is marked (the server stores “人工调整” for it).
  function placementTotals() {
    var form = document.querySelector("form[data-placement]");
    if (!form) return;
    var selects = form.querySelectorAll("select[data-placement-select]");
    if (!selects.length) return;
    var rows = {};
    form.querySelectorAll("[data-class-row]").forEach(function (tr) { rows[tr.getAttribute("data-class-row")] = tr; });
    var note = form.querySelector("[data-placement-note]");
    function update() {
      var counts = {}, over = 0, none = 0;
      selects.forEach(function (s) {
        if (s.value) counts[s.value] = (counts[s.value] || 0) + 1; else none += 1;
        var tr = s.closest("tr");
        var changed = s.value !== s.getAttribute("data-proposed");
        tr.classList.toggle("changed", changed);
        tr.classList.toggle("unplaced", !s.value);
        var reason = tr.querySelector("[data-reason]");
        if (reason) reason.textContent = changed ? (s.value ? "人工调整" : "人工取消编班") : reason.getAttribute("data-reason");
      });
      Object.keys(rows).forEach(function (id) {
        var tr = rows[id];
        var cap = parseInt(tr.getAttribute("data-capacity"), 10);
        var total = parseInt(tr.getAttribute("data-enrolled"), 10) + (counts[id] || 0);
        var cell = tr.querySelector("[data-proposed]");
        if (cell) cell.textContent = counts[id] || 0;
        var t = tr.querySelector("[data-total]");
        if (t) t.textContent = total;
        tr.querySelector("[data-left]").textContent = cap - total;
        var pct = cap ? Math.min(100, Math.round(100 * total / cap)) : 0;
        var bar = tr.querySelector("[data-bar]");
        bar.querySelector("span").style.width = pct + "%";
        bar.className = "fillbar fill-" + (total >= cap && cap > 0 ? "full" : total === 0 ? "empty" : total < cap / 2 ? "low" : "mid");
        tr.querySelector("[data-fill]").textContent = (cap ? Math.round(100 * total / cap) : 0) + "%";
        tr.classList.toggle("row-error", total > cap);
        if (total > cap) over += 1;
      });
      if (note) {
        note.textContent = over ? over + " 个班级超出容量，确认时超出的学员会被拒绝。" : (none ? none + " 人未编班。" : "");
        note.className = "small " + (over ? "warn-text" : "muted");
      }
    }
    selects.forEach(function (s) { s.addEventListener("change", update); });
    update();
  }

  document.addEventListener("DOMContentLoaded", function () { facultyFilter(); placementTotals(); });
})();
