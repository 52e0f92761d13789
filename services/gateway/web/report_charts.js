// Draws the practice report's charts with Chart.js 4 (the global `Chart`).
// Each chart is a <canvas class="sgm-chart" data-chart-id="ID"> with its
// data in <script type="application/json" class="sgm-chart-data"
// data-chart-id="ID">: {type, title, labels, datasets: [{label, data,
// type?, axis?}], yTitle, percent, stacked, horizontal, y2Title?,
// y2Percent?}. A dataset's own type ("line" in a chart of bars) draws it
// so; axis "y2" measures it on a second value axis on the right (y2Title,
// y2Percent). The first dataset is drawn on top. A null point is a
// withheld or missing figure and is left out. The tables beside the charts carry every
// figure, so a page without scripts loses nothing.
(function () {
  "use strict";

  // Colour-blind-safe (Okabe-Ito), dark enough on white.
  var COLOURS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#56b4e9",
                 "#e69f00", "#000000", "#999999"];
  // The charts drawn, by canvas, so a redraw destroys the previous one.
  var drawn = new WeakMap();

  function dataFor(root, id) {
    var blocks = root.querySelectorAll("script.sgm-chart-data");
    for (var i = 0; i < blocks.length; i++) {
      if (blocks[i].getAttribute("data-chart-id") === id) {
        return JSON.parse(blocks[i].textContent);
      }
    }
    return null;
  }

  function config(spec) {
    var datasets = (spec.datasets || []).map(function (d, i) {
      var colour = COLOURS[i % COLOURS.length];
      var line = (d.type || spec.type) === "line";
      var dataset = {
        label: d.label,
        data: d.data,
        borderColor: colour,
        backgroundColor: line ? colour : colour + "cc",
        borderWidth: line ? 2 : 1,
        pointRadius: line ? 3 : 0,
        // Line styles differ too, so colour is never the only signal.
        borderDash: line && i % 2 === 1 ? [6, 4] : [],
        pointStyle: ["circle", "rect", "triangle", "rectRot", "star",
                     "cross"][i % 6],
        spanGaps: false
      };
      if (d.type) dataset.type = line ? "line" : "bar";
      if (d.axis === "y2" && !spec.horizontal) dataset.yAxisID = "y2";
      return dataset;
    });
    // Whether the dataset at `index` is a percent.
    function isPercent(index) {
      var d = datasets[index];
      return d && d.yAxisID === "y2" ? !!spec.y2Percent : !!spec.percent;
    }
    var valueAxis = {
      beginAtZero: true,
      stacked: !!spec.stacked,
      title: { display: !!spec.yTitle, text: spec.yTitle || "" },
      ticks: spec.percent ? {
        callback: function (v) { return v + "%"; }
      } : {}
    };
    var categoryAxis = { stacked: !!spec.stacked };
    var scales = spec.horizontal ? { x: valueAxis, y: categoryAxis }
                                 : { x: categoryAxis, y: valueAxis };
    if (datasets.some(function (d) { return d.yAxisID === "y2"; })) {
      scales.y2 = {
        position: "right",
        beginAtZero: true,
        // Its grid lines would not meet the left axis's: left out.
        grid: { drawOnChartArea: false },
        title: { display: !!spec.y2Title, text: spec.y2Title || "" },
        ticks: spec.y2Percent ? {
          callback: function (v) { return v + "%"; }
        } : {}
      };
      if (spec.y2Percent) scales.y2.max = 100;
    }
    return {
      type: spec.type === "line" ? "line" : "bar",
      data: { labels: spec.labels || [], datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: true,
        aspectRatio: spec.horizontal ? 1.6 : 2,
        indexAxis: spec.horizontal ? "y" : "x",
        scales: scales,
        plugins: {
          title: { display: !!spec.title, text: spec.title || "" },
          legend: { display: datasets.length > 1, position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                var v = spec.horizontal ? ctx.parsed.x : ctx.parsed.y;
                return ctx.dataset.label + ": " +
                    (v === null ? "withheld"
                                : v + (isPercent(ctx.datasetIndex) ? "%" : ""));
              }
            }
          }
        }
      }
    };
  }

  function draw(canvas, root) {
    var id = canvas.getAttribute("data-chart-id");
    var spec = dataFor(root, id);
    if (!spec) return null;
    var previous = drawn.get(canvas) ||
        (typeof Chart.getChart === "function" ? Chart.getChart(canvas) : null);
    if (previous) previous.destroy();
    if (spec.title) canvas.setAttribute("aria-label", spec.title);
    canvas.setAttribute("role", "img");
    var chart = new Chart(canvas, config(spec));
    drawn.set(canvas, chart);
    return chart;
  }

  // Draws every chart under `root` (default: the document); returns the
  // Chart objects drawn.
  function drawAll(root) {
    root = root || document;
    if (typeof Chart === "undefined") return [];
    var charts = [];
    var canvases = root.querySelectorAll("canvas.sgm-chart");
    for (var i = 0; i < canvases.length; i++) {
      try {
        var chart = draw(canvases[i], root);
        if (chart) charts.push(chart);
      } catch (e) {
        // One bad chart leaves the others (and every table) in place.
        if (window.console) window.console.error("sgm chart", e);
      }
    }
    return charts;
  }

  // Printing changes the page width: resize every chart to its paper box.
  window.addEventListener("beforeprint", function () {
    if (typeof Chart === "undefined" || !Chart.instances) return;
    Object.keys(Chart.instances).forEach(function (k) {
      Chart.instances[k].resize();
    });
  });

  window.SgmReportCharts = { drawAll: drawAll, config: config };
})();
