// 督察通 scorecards: charts (ECharts, data from data-* attributes or a JSON endpoint) and the
// "only unrated" switch on the self-assessment page. No inline scripts (CSP).
(function () {
  "use strict";

  // The band rule (thresholds and colours) comes from the page: scoring_indicators.band_scale()
  // in the chart's data-bands attribute. Nothing about the bands is written here.
  function bandScale(el) {
    return parse(el, "data-bands") || { bands: [], colours: {}, histogram: [] };
  }

  function heatPieces(scale) {
    return scale.bands.map(function (b) {
      var piece = { label: b.label, color: b.heat };
      if (b.min !== null) { piece.min = b.min; }
      if (b.max !== null) { piece.max = b.max; }
      return piece;
    });
  }

  // ECharts puts a tooltip formatter's string in as HTML: every name from the data is escaped.
  var HTML_ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function escapeHtml(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (ch) { return HTML_ESCAPES[ch]; });
  }
  window.dctScorecards = { escapeHtml: escapeHtml };

  function parse(el, name) {
    try { return JSON.parse(el.getAttribute(name) || "null"); } catch (e) { return null; }
  }

  function mount(el, option) {
    if (!window.echarts) { return; }
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function radar(el) {
    var labels = parse(el, "data-labels") || [];
    var values = parse(el, "data-values") || [];
    if (!labels.length) { el.classList.add("d-none"); return; }
    mount(el, {
      tooltip: {},
      radar: {
        indicator: labels.map(function (name) { return { name: name, max: 100 }; }),
        radius: "62%",
        axisName: { color: "#3b4a5e", fontSize: 11 }
      },
      series: [{
        type: "radar",
        data: [{ value: values, name: "得分率", areaStyle: { opacity: 0.25 } }],
        itemStyle: { color: "#1d4e89" }
      }]
    });
  }

  function trend(el) {
    var years = parse(el, "data-labels") || [];
    var values = parse(el, "data-values") || [];
    if (!years.length) { el.classList.add("d-none"); return; }
    mount(el, {
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 20, top: 20, bottom: 30 },
      xAxis: { type: "category", data: years.map(String) },
      yAxis: { type: "value", min: function (v) { return Math.max(0, Math.floor(v.min / 10) * 10 - 10); }, max: 100 },
      series: [{ type: "line", data: values, name: "总分", label: { show: true }, itemStyle: { color: "#1d4e89" } }]
    });
  }

  var officeData = {};
  function loadOffice(url, done) {
    if (officeData[url]) {
      if (officeData[url].data) { done(officeData[url].data); } else { officeData[url].waiting.push(done); }
      return;
    }
    officeData[url] = { data: null, waiting: [done] };
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        officeData[url].data = data;
        officeData[url].waiting.forEach(function (fn) { fn(data); });
      });
  }

  function heatmap(el) {
    loadOffice(el.getAttribute("data-src"), function (data) {
      if (!data.units.length) { el.classList.add("d-none"); return; }
      var many = data.units.length > 30;
      el.style.height = Math.max(380, Math.min(data.units.length, 30) * 22 + 150) + "px";
      mount(el, {
        tooltip: {
          position: "top",
          formatter: function (p) {
            return escapeHtml(data.units[p.value[1]]) + "<br>" + escapeHtml(data.areas[p.value[0]]) + "：" + escapeHtml(p.value[2]);
          }
        },
        grid: { left: 130, right: many ? 40 : 20, top: 10, bottom: 90 },
        xAxis: {
          type: "category", data: data.area_names || data.areas, splitArea: { show: true },
          axisLabel: { interval: 0, rotate: data.areas.length > 4 ? 30 : 0, fontSize: 11, width: 90, overflow: "truncate" }
        },
        yAxis: { type: "category", data: data.units, inverse: true, axisLabel: { fontSize: 11, width: 120, overflow: "truncate" } },
        dataZoom: many ? [{ type: "slider", yAxisIndex: 0, startValue: 0, endValue: 29, width: 14, right: 8 }, { type: "inside", yAxisIndex: 0 }] : [],
        visualMap: {
          type: "piecewise", orient: "horizontal", left: "center", bottom: 10,
          pieces: heatPieces(bandScale(el))
        },
        series: [{ type: "heatmap", data: data.heat, label: { show: !many || data.units.length <= 60, fontSize: 10 } }]
      });
    });
  }

  function histogram(el) {
    var colours = bandScale(el).histogram;
    loadOffice(el.getAttribute("data-src"), function (data) {
      mount(el, {
        tooltip: {},
        grid: { left: 40, right: 10, top: 20, bottom: 30 },
        xAxis: { type: "category", data: data.histogram.labels },
        yAxis: { type: "value", minInterval: 1 },
        series: [{
          type: "bar", data: data.histogram.counts, label: { show: true, position: "top" },
          itemStyle: {
            color: function (p) { return colours[p.dataIndex]; }
          }
        }]
      });
    });
  }

  var KINDS = { radar: radar, trend: trend, "office-heatmap": heatmap, "office-histogram": histogram };
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var fn = KINDS[el.getAttribute("data-chart")];
    if (fn) { fn(el); }
  });

  // Self-assessment: show only the indicators not yet rated.
  var only = document.querySelector("[data-only-unrated]");
  if (only) {
    var apply = function () {
      document.querySelectorAll(".score-row").forEach(function (row) {
        row.classList.toggle("d-none", only.checked && row.getAttribute("data-rated") === "1");
      });
      document.querySelectorAll(".score-area, .score-group").forEach(function (h) {
        h.classList.toggle("d-none", only.checked);
      });
    };
    only.addEventListener("change", apply);
    document.body.addEventListener("htmx:afterSwap", function () { if (only.checked) { apply(); } });
  }
})();
