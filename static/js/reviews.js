// 督察通 · 案卷评查: the running total and grade on the scoring form, and the grade charts.
(function () {
  "use strict";

  function num(text) {
    var value = parseFloat(text);
    return isNaN(value) ? null : value;
  }

  // Half up at the server's SCORE_PLACES (2), on the decimal text ("2.675e2" → 268), as numbers.py does.
  function fmt(value) {
    var sign = value < 0 ? -1 : 1;
    return (sign * Number(Math.round(Math.abs(value).toFixed(10) + "e2") + "e-2")).toString();
  }

  // --- scoring form ---------------------------------------------------------------------
  var form = document.getElementById("score-form");
  if (form) {
    var bands = (form.getAttribute("data-bands") || "").split("|").filter(Boolean).map(function (pair) {
      var parts = pair.split(":");
      return { label: parts[0], min: parseFloat(parts[1]) };
    }).sort(function (a, b) { return b.min - a.min; });

    var gradeFor = function (total, veto) {
      if (veto) { return "不合格"; }
      for (var i = 0; i < bands.length; i++) {
        if (total >= bands[i].min) { return bands[i].label; }
      }
      return "不合格";
    };

    var recalc = function () {
      var total = 0;
      var blank = 0;
      form.querySelectorAll(".score-group").forEach(function (group) {
        var top = num(group.getAttribute("data-max")) || 0;
        var taken = 0;
        group.querySelectorAll("[data-item]").forEach(function (row) {
          var input = row.querySelector("[data-points]");
          var note = row.querySelector("[data-note]");
          var max = num(input.getAttribute("data-max")) || 0;
          var points = num(input.value);
          var bad = input.value.trim() !== "" && (points === null || points < 0 || points > max);
          input.classList.toggle("is-invalid", bad);
          if (input.value.trim() === "") { blank += 1; }
          if (points !== null && points > 0 && !bad) { taken += points; }
          note.classList.toggle("is-invalid", points !== null && points > 0 && note.value.trim() === "");
        });
        var score = Math.max(0, top - taken);
        group.querySelector("[data-cat-score]").textContent = fmt(score);
        total += score;
      });
      var veto = false;
      form.querySelectorAll("[data-veto-row]").forEach(function (row) {
        var box = row.querySelector("[data-veto]");
        var note = row.querySelector("[data-note]");
        note.classList.toggle("d-none", !box.checked);
        note.classList.toggle("is-invalid", box.checked && note.value.trim() === "");
        if (box.checked) { veto = true; }
      });
      if (veto) { total = 0; }
      form.querySelector("[data-total]").textContent = fmt(total);
      var grade = form.querySelector("[data-grade]");
      grade.textContent = gradeFor(total, veto);
      grade.className = veto || grade.textContent === "不合格" ? "text-danger" : "";
      form.querySelector("[data-veto-warning]").classList.toggle("d-none", !veto);
      var counter = form.querySelector("[data-blank-count]");
      counter.textContent = blank && !veto ? "还有 " + blank + " 项未填写" : "";
    };

    form.addEventListener("input", recalc);
    form.addEventListener("change", recalc);
    recalc();

    // 其余项目不扣分: every deduction still empty becomes 0, shown (and changeable) before submitting.
    form.addEventListener("click", function (event) {
      if (!event.target.closest("[data-fill-zero]")) { return; }
      form.querySelectorAll("[data-points]").forEach(function (input) {
        if (input.value.trim() === "" && !input.readOnly) { input.value = "0"; }
      });
      recalc();
    });

    form.addEventListener("click", function (event) {
      var button = event.target.closest("[data-confirm-submit]");
      if (button && !window.confirm(button.getAttribute("data-confirm-submit"))) {
        event.preventDefault();
      }
    });
  }

  // --- charts (each has a table beside it) ------------------------------------------------
  if (window.echarts) {
    document.querySelectorAll("[data-chart=bar]").forEach(function (box) {
      var labels = (box.getAttribute("data-labels") || "").split("|");
      var values = (box.getAttribute("data-values") || "").split("|").map(Number);
      var colors = { "优秀": "#1e7b46", "良好": "#1d4e89", "合格": "#c28a00", "不合格": "#c8161d" };
      var chart = window.echarts.init(box);
      chart.setOption({
        grid: { left: 36, right: 12, top: 16, bottom: 28 },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: labels },
        yAxis: { type: "value", minInterval: 1 },
        series: [{
          name: box.getAttribute("data-series") || "",
          type: "bar",
          barMaxWidth: 48,
          data: values.map(function (v, i) { return { value: v, itemStyle: { color: colors[labels[i]] || "#1d4e89" } }; }),
          label: { show: true, position: "top" }
        }]
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
})();
