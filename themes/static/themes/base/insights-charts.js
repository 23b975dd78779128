/* Fills the dashboard's <div data-chart='{"type": "bar"|"line", "labels": [...], "series": [{name, data}]}'>
   placeholders with Apache ECharts (served by the portal: themes/vendor.json). The table beside each chart
   holds the same numbers, so a chart is decoration for sighted readers (aria-hidden in the template). */
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var spec;
    try { spec = JSON.parse(element.getAttribute("data-chart")); } catch (e) { return; }
    if (!spec || !spec.labels || !spec.labels.length || !spec.series || !spec.series.length) { return; }
    var line = spec.type === "line";
    var rows = spec.labels.length;
    element.style.height = (line ? 18 : Math.max(12, Math.min(60, 3 + rows * spec.series.length * 1.6))) + "rem";
    var chart = window.echarts.init(element, null, { renderer: "svg" });
    var category = { type: "category", data: spec.labels, axisLabel: { width: 160, overflow: "truncate" } };
    var value = { type: "value" };
    if (!line) { category.inverse = true; }
    chart.setOption({
      animation: false,
      aria: { enabled: false },
      tooltip: { trigger: "axis" },
      legend: { show: spec.series.length > 1, top: 0 },
      grid: { containLabel: true, left: 8, right: 24, top: spec.series.length > 1 ? 32 : 8, bottom: 8 },
      xAxis: line ? category : value,
      yAxis: line ? value : category,
      series: spec.series.map(function (s) {
        return {
          name: s.name,
          type: line ? "line" : "bar",
          data: s.data.map(function (v) { return v === null ? "-" : v; }),
          label: { show: !line && rows <= 20, position: "right" }
        };
      })
    });
    element.setAttribute("data-chart-ready", "1");
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
