// Charts for the dashboard: each .chart-box carries its data in data-chart (no inline script).
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var palette = ["#1d4e89", "#e8a33d", "#c8161d", "#2e9e6b", "#7a5cc7", "#3aa0c8"];

  function option(spec) {
    if (spec.type === "pie") {
      return {
        color: palette,
        tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
        legend: { bottom: 0 },
        series: [{ type: "pie", radius: ["38%", "68%"], data: spec.data, label: { formatter: "{b} {c}" } }]
      };
    }
    var stacked = spec.type === "stacked";
    return {
      color: palette,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: stacked ? { top: 0 } : undefined,
      grid: { left: 40, right: 16, top: stacked ? 32 : 16, bottom: 40 },
      xAxis: { type: "category", data: spec.categories, axisLabel: { interval: 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: spec.series.map(function (s) {
        return { name: s.name, type: "bar", stack: stacked ? "total" : undefined, data: s.data, barMaxWidth: 36 };
      })
    };
  }

  document.querySelectorAll(".chart-box[data-chart]").forEach(function (box) {
    var spec = JSON.parse(box.getAttribute("data-chart"));
    var empty = spec.type === "pie" ? !spec.data.length : !spec.categories.length;
    if (empty) { box.classList.add("d-none"); return; }
    var chart = window.echarts.init(box, null, { renderer: "svg" });
    chart.setOption(option(spec));
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
