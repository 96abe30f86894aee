// perflab report page: lays out the embedded JSON (id "report-data") with
// uPlot. The Go side has aggregated everything; this script only draws it.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var palette = ["#2f6fdf", "#e0662d", "#2a9d5b", "#b23bb5", "#c9a100", "#1aa3b5", "#d6336c", "#6c757d", "#7a4f1d"];
  var verdictColor = { "REGRESSION": "#d62828", "improvement": "#2a9d5b", "significant, within tolerance": "#c9a100",
    "not significant": "#8a94a6", "within tolerance": "#5b86c9" };
  var drawn = [], pending = [];
  window.perflabReport = { charts: drawn };

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = text;
    return e;
  }

  function table(t) {
    var tb = el("table");
    if (t.title) tb.appendChild(el("caption", null, t.title));
    var tr = el("tr");
    t.header.forEach(function (h) { tr.appendChild(el("th", null, h)); });
    tb.appendChild(tr);
    // The status colours the verdict cell, or the whole row when it fails.
    var col = t.header.findIndex(function (h) { return ["result", "verdict", "verification"].indexOf(h) >= 0; });
    (t.rows || []).forEach(function (r, i) {
      var st = t.status && t.status[i] || "", row = el("tr", st === "fail" || (st && col < 0) ? { "class": st } : null);
      r.forEach(function (c, j) { row.appendChild(el("td", st && j === col ? { "class": st } : null, c)); });
      tb.appendChild(row);
    });
    return tb;
  }

  // Bars: each category gets one slot per series plus a gap slot, so uPlot
  // draws grouped bars from plain series; the axis labels the group centres.
  // A chart whose categories each have one series (colour by verdict)
  // keeps one centred slot per category.
  function barData(c) {
    var exclusive = c.categories.every(function (_, i) {
      return c.series.filter(function (s) { return s.values[i] != null; }).length <= 1;
    });
    if (exclusive) {
      return { x: c.x, ys: c.series.map(function (s) { return s.values; }), centres: c.x };
    }
    var n = c.series.length, x = [], ys = c.series.map(function () { return []; }), centres = [];
    c.categories.forEach(function (_, i) {
      for (var s = 0; s < n; s++) {
        x.push(i * (n + 1) + s);
        ys.forEach(function (y, k) { y.push(k === s ? c.series[k].values[i] : null); });
      }
      centres.push(i * (n + 1) + (n - 1) / 2);
    });
    return { x: x, ys: ys, centres: centres };
  }

  // Boxes first, charts after layout, so each chart takes its box's width.
  function chartBox(c, parent) {
    var box = el("div", { "class": "chart", id: c.id, "data-kind": c.kind });
    box.appendChild(el("h4", null, c.title));
    parent.appendChild(box);
    pending.push([c, box]);
  }

  function chart(c, box) {
    var width = Math.max(400, Math.floor(box.clientWidth - 16));
    var xs = c.x, ys = c.series.map(function (s) { return s.values; }), xAxis = { label: c.xLabel };
    var colors = c.series.map(function (s, i) { return verdictColor[s.label] || palette[i % palette.length]; });
    var series = [{ label: c.xLabel }];
    if (c.kind === "bars") {
      var b = barData(c);
      xs = b.x; ys = b.ys;
      xAxis.splits = function () { return b.centres; };
      // Few categories: labels wrapped on up to three lines; many: one
      // slanted line each.
      var few = c.categories.length <= 8, chars = Math.max(10, Math.floor(width / c.categories.length / 8));
      xAxis.values = function (u, splits) {
        return splits.map(function (v) {
          var i = b.centres.indexOf(v);
          return i < 0 ? "" : few ? wrap(c.categories[i], chars) : shorten(c.categories[i]);
        });
      };
      if (few) { xAxis.size = 64; } else { xAxis.rotate = -20; xAxis.size = 90; }
    }
    c.series.forEach(function (s, i) {
      var o = { label: s.label, stroke: colors[i], width: 2, spanGaps: c.kind !== "bars" };
      if (c.kind === "bars") { o.fill = colors[i]; o.paths = uPlot.paths.bars({ size: [0.9, 80] }); o.points = { show: false }; }
      if (c.kind === "step") { o.paths = uPlot.paths.stepped({ align: 1 }); }
      if (c.kind !== "bars") { o.points = { show: false }; }
      if (s.points) { o.paths = function () { return null; }; o.points = { show: true, size: 10, fill: colors[i] }; o.width = 0; }
      series.push(o);
    });
    var opts = {
      width: width, height: 280, series: series,
      scales: { x: { time: !!c.xTime } },
      axes: [xAxis, { label: c.yLabel, size: 70 }],
      legend: { live: false },
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"); } // as the header
    };
    if (c.yRange) { opts.scales.y = { range: c.yRange }; }
    if (c.kind === "bars") { // bars start at zero, or their lengths lie
      opts.scales.y = { range: function (u, min, max) { return [Math.min(0, min), Math.max(0, max) * 1.08 || 1]; } };
    }
    if (c.kind === "bars") { opts.scales.x.range = function (u, min, max) { return [min - 1, max + 1]; }; }
    var u = new uPlot(opts, [xs].concat(ys), box);
    drawn.push({ id: c.id, kind: c.kind, series: c.series.map(function (s, i) {
      return { label: s.label, color: colors[i], points: s.values.filter(function (v) { return v != null; }).length };
    }), width: u.width, height: u.height });
  }

  function shorten(s) { return s.length > 28 ? s.slice(0, 27) + "…" : s; }

  function wrap(s, chars) {
    var lines = [""];
    s.split(" ").forEach(function (w) {
      var last = lines.length - 1;
      if (lines[last] && (lines[last] + " " + w).length > chars) lines.push(w);
      else lines[last] = lines[last] ? lines[last] + " " + w : w;
    });
    if (lines.length > 3) { lines = lines.slice(0, 3); lines[2] += "…"; }
    return lines.join("\n");
  }

  function section(s, parent) {
    parent.appendChild(el("h3", null, s.title));
    if (s.note) parent.appendChild(el("p", { "class": "note" }, s.note));
    (s.tables || []).forEach(function (t) { parent.appendChild(table(t)); });
    if (s.charts && s.charts.length) {
      var cs = el("div", { "class": "charts" });
      parent.appendChild(cs);
      s.charts.forEach(function (c) { chartBox(c, cs); });
    }
  }

  function run(r, parent) {
    parent.appendChild(el("h2", null, r.name + " (" + r.kind + ")"));
    if (r.partial) parent.appendChild(el("div", { "class": "banner fail", id: "partial" }, "Partial data: " + r.partial));
    var card = el("div", { "class": "card" }), dl = el("dl", { "class": "header" });
    r.header.forEach(function (f) { dl.appendChild(el("dt", null, f.label)); dl.appendChild(el("dd", null, f.value)); });
    card.appendChild(dl);
    if (r.configText) {
      var d = el("details"); d.appendChild(el("summary", null, "config")); d.appendChild(el("pre", null, r.configText));
      card.appendChild(d);
    }
    parent.appendChild(card);
    (r.sections || []).forEach(function (s) { section(s, parent); });
  }

  function compare(c, parent) {
    parent.appendChild(el("div", { "class": "banner " + (c.decidedBy && c.decidedBy.length ? "fail" : "pass"), id: "verdict" },
      verdictLine(c)));
    var dl = el("dl", { "class": "header card" });
    [["baseline", c.baseline.join(", ")], ["candidate", c.candidate.join(", ")], ["tolerance", (100 * c.tolerance) + "%"],
     ["significance level", String(c.alpha)]].forEach(function (kv) {
      dl.appendChild(el("dt", null, kv[0])); dl.appendChild(el("dd", null, kv[1]));
    });
    parent.appendChild(dl);
    var t = { header: ["figure", "baseline", "candidate", "change", "judged by", "p / CI95", "verdict"], rows: [], status: [] };
    c.figures.forEach(function (f) {
      var ev = f.p != null ? "p=" + f.p.toPrecision(3) : f.ci95 ? "[" + f.ci95[0] + ", " + f.ci95[1] + "]" : "-";
      t.rows.push([f.name, fmt(f.baseline, f.unit), fmt(f.candidate, f.unit), f.baseline === 0 && f.candidate !== 0 ? "from 0" : (f.changePercent >= 0 ? "+" : "") + f.changePercent.toFixed(1) + "%",
        f.method, ev, f.verdict]);
      t.status.push(f.verdict === "REGRESSION" ? "fail" : f.verdict === "improvement" ? "pass" : "");
    });
    parent.appendChild(table(t));
  }

  function verdictLine(c) {
    if (!c.decidedBy || !c.decidedBy.length) return "No significant regression beyond " + (100 * c.tolerance) + "% in " + c.figures.length + " figures.";
    return c.decidedBy.length + " significant regression(s) beyond " + (100 * c.tolerance) + "%: " + c.decidedBy.join("; ");
  }

  function fmt(v, unit) { return Number(v.toPrecision(4)) + (unit ? " " + unit : ""); }

  var main = document.getElementById("report");
  main.appendChild(el("h1", null, data.title));
  if (data.compare) compare(data.compare, main);
  (data.sections || []).forEach(function (s) { section(s, main); });
  (data.runs || []).forEach(function (r) { run(r, main); });
  pending.forEach(function (p) { chart(p[0], p[1]); });
  document.body.setAttribute("data-rendered", "true");
})();
