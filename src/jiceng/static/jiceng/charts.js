// Renders the dashboard charts from the json_script block; the numbers also stand in tables beside.
document.addEventListener("DOMContentLoaded", function () {
  var node = document.getElementById("chart-data");
  if (!node || typeof echarts === "undefined") return;
  var charts = JSON.parse(node.textContent);
  var palette = ["#c23531", "#d48265", "#2f4554", "#61a0a8", "#91c7ae", "#749f83", "#ca8622", "#bda29a"];
  charts.forEach(function (c) {
    var el = document.getElementById(c.id);
    if (!el) return;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var option;
    if (c.type === "pie") {
      option = {
        color: palette, tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
        series: [{ type: "pie", radius: ["35%", "70%"], data: c.data, label: { formatter: "{b}\n{c}" } }]
      };
    } else {
      option = {
        color: palette, tooltip: { trigger: "axis" }, grid: { left: 50, right: 10, top: 20, bottom: 30 },
        xAxis: { type: "category", data: c.data.map(function (d) { return d.name; }) },
        yAxis: { type: "value" },
        series: [{ type: "bar", data: c.data.map(function (d) { return d.value; }), label: { show: true, position: "top" } }]
      };
    }
    chart.setOption(option);
    el.dataset.rendered = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  });
});
