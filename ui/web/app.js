// perflab live view: draws the views and charts the server pushes over
// server-sent events. No framework; each node box is rebuilt only when its
// data changed; the charts are uPlot (served at vendor/).
"use strict";

const STATES = ["pending", "ready", "notready", "terminating", "failed", "succeeded", "unknown"];
const nodeEls = new Map(); // name → {el, json}

function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

function cores(m) { return m < 1000 ? `${m}m` : (m / 1000).toFixed(m < 10000 ? 2 : 0); }
function bytes(b) {
  const u = ["B", "Ki", "Mi", "Gi", "Ti"];
  let i = 0;
  while (b >= 1024 && i < u.length - 1) { b /= 1024; i++; }
  return b.toFixed(b < 10 && i > 0 ? 1 : 0) + u[i];
}

function tile(t) {
  return `<span class="pod s-${esc(t[2])}" data-pod="${esc(t[0])}" data-phase="${esc(t[1])}" title="${esc(t[0])} ${esc(t[1])}"></span>`;
}

function meterRow(label, value, max, text) {
  return `<tr><td>${label}</td><td><meter min="0" max="${Math.max(max, 1)}" value="${Math.min(value, Math.max(max, 1))}"></meter></td><td>${text}</td></tr>`;
}

function countsText(counts) {
  const parts = [];
  counts.forEach((c, i) => { if (c > 0) parts.push(`${c} ${STATES[i]}`); });
  return parts.join(", ");
}

function nodeHTML(n, usage) {
  let rows = meterRow("pods", n.pods, n.maxPods, `${n.pods}/${n.maxPods}`);
  rows += meterRow("cpu req", n.cpuReq, n.cpuAlloc, `${cores(n.cpuReq)}/${cores(n.cpuAlloc)}`);
  rows += meterRow("mem req", n.memReq, n.memAlloc, `${bytes(n.memReq)}/${bytes(n.memAlloc)}`);
  if (usage && n.cpuUse >= 0) {
    rows += meterRow("cpu use", n.cpuUse, n.cpuAlloc, cores(n.cpuUse));
    rows += meterRow("mem use", n.memUse, n.memAlloc, bytes(n.memUse));
  }
  const tiles = (n.tiles || []).map(tile).join("");
  const more = n.more > 0 ? `<div class="more">+${n.more} more: ${esc(countsText(n.counts))}</div>` : "";
  return `<h2 title="${esc(n.name)}">${esc(n.name)}<span class="badge">${n.ready ? "Ready" : "NotReady"}</span></h2>` +
    `<table>${rows}</table><div class="tiles">${tiles}</div>${more}`;
}

function drawNodes(view) {
  const root = document.getElementById("nodes");
  // Many nodes: smaller boxes showing the pod count only.
  root.classList.toggle("compact", view.nodes.length > 300);
  const seen = new Set();
  let prev = null;
  for (const n of view.nodes) {
    seen.add(n.name);
    const json = JSON.stringify(n) + view.usage;
    let entry = nodeEls.get(n.name);
    if (!entry) {
      const el = document.createElement("div");
      el.className = "node";
      el.dataset.node = n.name;
      entry = { el, json: "" };
      nodeEls.set(n.name, entry);
    }
    if (entry.json !== json) {
      entry.el.innerHTML = nodeHTML(n, view.usage);
      entry.el.classList.toggle("notready", !n.ready);
      entry.json = json;
    }
    const want = prev ? prev.nextSibling : root.firstChild;
    if (want !== entry.el) root.insertBefore(entry.el, want);
    prev = entry.el;
  }
  for (const [name, entry] of nodeEls) {
    if (!seen.has(name)) { entry.el.remove(); nodeEls.delete(name); }
  }
}

function drawPending(view) {
  const section = document.getElementById("pending");
  const groups = view.pending || [];
  const total = groups.reduce((s, g) => s + g.count, 0);
  section.hidden = total === 0;
  document.getElementById("pending-count").textContent = total ? `(${total})` : "";
  const html = groups.map((g) => {
    const shown = (g.tiles || []).length;
    const more = g.count > shown ? `<div class="more">+${g.count - shown} more</div>` : "";
    return `<div class="group" data-reason="${esc(g.reason)}"><h3>${g.count} × ${esc(g.reason || "not scheduled yet")}</h3>` +
      `<div class="tiles">${(g.tiles || []).map(tile).join("")}</div>${more}</div>`;
  }).join("");
  const box = document.getElementById("pending-groups");
  if (box.dataset.html !== html) { box.innerHTML = html; box.dataset.html = html; }
}

function drawView(view) {
  drawNodes(view);
  drawPending(view);
  const t = view.totals;
  document.getElementById("totals").textContent =
    `${view.nodes.length} nodes, ${view.pods} pods` + (countsText(t) ? ` (shown: ${countsText(t)})` : "") +
    (view.orphans ? `, ${view.orphans} on unknown nodes` : "");
}

// The live charts are uPlot plots, one per figure, built when their figure
// first shows and then fed with setData. Each line is a value index of the
// samples [t ms, v1, v2, v3], on one of two y scales (left and right axis).
const CHARTS = {
  run: [
    { i: 1, axis: "n", unit: "", color: "#1d6fd6", label: "done" },
    { i: 3, axis: "n", unit: "", color: "#2e9d4f", label: "ready" },
    { i: 2, axis: "r", unit: "/s", color: "#d6761d", label: "rate" },
  ],
  api: [
    { i: 1, axis: "r", unit: "/s", color: "#1d6fd6", label: "requests" },
    { i: 2, axis: "ms", unit: " ms", color: "#2e9d4f", label: "p50" },
    { i: 3, axis: "ms", unit: " ms", color: "#d64545", label: "p99" },
  ],
};
const plots = {}; // id → {u, box, data}
const PLOT_HEIGHT = 160;
// For tests and scripts: what each chart draws.
window.perflabUI = { plots, charts: CHARTS };

function cssVar(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim(); }

function columns(points, lines) {
  return [points.map((p) => p[0] / 1000)].concat(lines.map((l) => points.map((p) => p[l.i])));
}

// short writes a tick value in at most a few characters: 1500 → 1.5k.
function short(v) {
  const a = Math.abs(v);
  if (a >= 1e6) return +(v / 1e6).toFixed(1) + "M";
  if (a >= 1e3) return +(v / 1e3).toFixed(1) + "k";
  return String(+v.toFixed(2));
}

function plotWidth(box) { return Math.max(200, Math.floor(box.clientWidth)); }

function newPlot(id, box, data) {
  const lines = CHARTS[id];
  const fg = cssVar("--muted"), grid = cssVar("--line");
  const scales = [...new Set(lines.map((l) => l.axis))];
  const axis = (scale, k) => {
    const unit = lines.find((l) => l.axis === scale).unit;
    return {
      scale, side: k === 0 ? 3 : 1, stroke: fg,
      size: (u, values) => 24 + 7 * Math.max(3, ...(values || []).map((v) => v.length)),
      grid: { show: k === 0, stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 },
      values: (u, splits) => splits.map((v) => short(v) + unit),
    };
  };
  const opts = {
    width: plotWidth(box), height: PLOT_HEIGHT,
    scales: Object.fromEntries([["x", { time: true }]].concat(scales.map((k) => [k, { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] }]))),
    series: [{}].concat(lines.map((l) => ({
      label: l.label, scale: l.axis, stroke: l.color, width: 1.5, points: { show: false },
      value: (u, v) => (v == null ? "–" : v.toFixed(1) + l.unit),
    }))),
    axes: [{ stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } }].concat(scales.map(axis)),
    legend: { live: false },
    cursor: { drag: { x: false, y: false } },
  };
  box.replaceChildren();
  return new uPlot(opts, data, box);
}

// showPlot draws the samples of chart id into its box, building the plot
// the first time (its figure must be visible to have a width).
function showPlot(id, points) {
  const data = columns(points, CHARTS[id]);
  const p = plots[id];
  if (p) { p.data = data; p.u.setData(data); return; }
  const box = document.getElementById(id + "-plot");
  plots[id] = { box, data, u: newPlot(id, box, data) };
}

window.addEventListener("resize", () => {
  for (const p of Object.values(plots)) p.u.setSize({ width: plotWidth(p.box), height: PLOT_HEIGHT });
});
// Colours come from the page's scheme: rebuild the plots when it changes.
matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => {
  for (const [id, p] of Object.entries(plots)) { p.u.destroy(); p.u = newPlot(id, p.box, p.data); }
});

function drawCharts(c) {
  const run = document.getElementById("run-chart");
  run.hidden = !c.run;
  if (c.run) {
    const j = c.run.job;
    const points = c.run.points || [];
    const last = points.length ? points[points.length - 1] : [0, 0, 0, 0];
    document.getElementById("run-text").textContent = j.name
      ? `job ${c.run.jobs}: ${j.name}, ${j.done}${j.total > 0 ? "/" + j.total : ""} ${j.unit}, ${last[2].toFixed(1)}/s` +
        (j.readyTotal >= 0 ? `, ready ${j.ready}/${j.readyTotal}` : "") + (j.errors ? `, ${j.errors} errors` : "")
      : "waiting for the first job";
    showPlot("run", points);
  }
  const api = document.getElementById("api-chart");
  api.hidden = !c.api;
  if (c.api) {
    const p = c.api.points || [];
    const last = p.length ? p[p.length - 1] : null;
    document.getElementById("api-text").textContent = c.api.error
      ? "(metrics unavailable)"
      : last ? `${last[1].toFixed(1)} req/s, p50 ${last[2].toFixed(1)} ms, p99 ${last[3].toFixed(1)} ms` : "sampling…";
    showPlot("api", p);
  }
}

function connect() {
  const params = new URLSearchParams(location.search);
  document.getElementById("ns").value = params.get("ns") || "";
  document.getElementById("selector").value = params.get("selector") || "";
  const q = new URLSearchParams();
  if (params.get("ns")) q.set("ns", params.get("ns"));
  if (params.get("selector")) q.set("selector", params.get("selector"));
  const status = document.getElementById("status");
  const es = new EventSource("events" + (q.toString() ? "?" + q : ""));
  es.addEventListener("view", (e) => {
    drawView(JSON.parse(e.data));
    status.textContent = "live";
    status.className = "status live";
  });
  es.addEventListener("charts", (e) => drawCharts(JSON.parse(e.data)));
  es.onerror = () => {
    status.textContent = "disconnected, retrying…";
    status.className = "status error";
    // A bad filter is refused for good: say why instead of retrying.
    fetch("api/view" + (q.toString() ? "?" + q : "")).then(async (r) => {
      if (r.status === 400) {
        es.close();
        status.textContent = (await r.text()).trim();
      }
    }).catch(() => {});
  };
}

document.getElementById("filter").addEventListener("submit", (e) => {
  e.preventDefault();
  const q = new URLSearchParams();
  const ns = document.getElementById("ns").value.trim();
  const sel = document.getElementById("selector").value.trim();
  if (ns) q.set("ns", ns);
  if (sel) q.set("selector", sel);
  location.search = q.toString();
});

connect();
