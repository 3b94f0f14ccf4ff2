// Renders the charts from json_script blocks; the numbers also stand in tables beside. The home
// page's monthly trend arrives later (htmx), so rendering runs again on each swap.
(function () {
  var palette = ["#c23531", "#d48265", "#2f4554", "#61a0a8", "#91c7ae", "#749f83", "#ca8622", "#bda29a"];

  function draw(c) {
    var el = document.getElementById(c.id);
    if (!el || el.dataset.rendered) return;
    var total = (c.data || []).reduce(function (s, d) { return s + (d.value || 0); }, 0);
    if (c.type !== "line" && total === 0) {
      // a chart of nothing is a grey ring that reads as "no one": say so instead
      el.textContent = el.dataset.empty || "—";
      el.className += " empty";
      el.dataset.rendered = "1";
      return;
    }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var option;
    if (c.type === "pie") {
      option = {
        color: palette, tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
        series: [{ type: "pie", radius: ["35%", "70%"], data: c.data, label: { formatter: "{b}\n{c}" } }]
      };
    } else if (c.type === "line") {
      option = {
        color: palette, tooltip: { trigger: "axis" }, legend: { top: 0 },
        grid: { left: 40, right: 40, top: 40, bottom: 30 },
        xAxis: { type: "category", data: c.months },
        yAxis: [{ type: "value", name: "%", max: 100 }, { type: "value", minInterval: 1 }],
        series: c.series.map(function (s) {
          return { type: "line", name: s.name, data: s.data, yAxisIndex: s.rate ? 0 : 1, connectNulls: false };
        })
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
  }

  function render(root) {
    if (typeof echarts === "undefined") return;
    var main = document.getElementById("chart-data");
    if (main && !main.dataset.done) {
      main.dataset.done = "1";
      JSON.parse(main.textContent).forEach(draw);
    }
    (root || document).querySelectorAll("script[id^='trend-data-']").forEach(function (node) {
      var c = JSON.parse(node.textContent);
      c.id = "trend-chart-" + node.id.slice("trend-data-".length);
      draw(c);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { render(document); });
  document.addEventListener("htmx:afterSwap", function (evt) { render(evt.detail.target); });
})();
