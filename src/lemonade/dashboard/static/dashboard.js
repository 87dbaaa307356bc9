// lemonade dashboard: keep the page live while a search writes to its store.
// Polls the page's JSON endpoint; when the stores' version changes, fetches the server-rendered
// fragment (already HTML-escaped by the server) and swaps it in, then redraws the plots.
// No data from a store is ever evaluated: plots get numbers, the rest is escaped HTML.
(function () {
  "use strict";
  const live = document.getElementById("live");
  if (!live) return;
  const api = live.dataset.api;
  const fragment = live.dataset.fragment;
  const pollMs = Math.max(250, Number(live.dataset.pollMs) || 2000);
  const status = document.getElementById("live-status");
  let version = live.dataset.version;
  let drawn = null;
  // the lineage node whose panel is open; kept across the fragment swaps of live refreshes
  let selected = /^#cand-\d+$/.test(location.hash) ? location.hash.slice(6) : null;

  function say(text) {
    if (status) status.textContent = text;
  }

  function showSelected() {
    live.querySelectorAll(".lin-detail.selected, .lin-node.selected").forEach(function (e) {
      e.classList.remove("selected");
    });
    if (selected === null) return;
    const panel = document.getElementById("cand-" + selected);
    if (panel) panel.classList.add("selected");
    live.querySelectorAll(".lin-node").forEach(function (a) {
      if (a.dataset.node === selected) a.classList.add("selected");
    });
    live.dataset.selected = selected;
  }

  // One listener on the live container: it survives the swaps of its contents. The link's own
  // navigation to #cand-N goes on (CSS :target shows the panel, as in the report); the class
  // shows it again after a refresh has replaced the panel.
  live.addEventListener("click", function (ev) {
    const link = ev.target.closest("a[href^='#cand-']");
    if (!link) return;
    selected = link.getAttribute("href").slice(6);
    showSelected();
  });

  function cmePlot(el, p) {
    const colors = p.feasible.map(function (f) { return f ? "#2a9d3f" : "#e07b00"; });
    const traces = [
      {x: p.x, y: p.y, mode: "markers", type: "scatter", name: "candidate CME",
       marker: {color: colors, size: 9}},
      {x: p.x, y: p.best_so_far, mode: "lines", type: "scatter", name: "best so far",
       line: {shape: "hv", color: "#3465a4"}},
    ];
    const layout = {title: {text: "CME per candidate (green: feasible)", x: 0.02, xanchor: "left"},
                    xaxis: {title: {text: "candidate"}, dtick: 1},
                    yaxis: {title: {text: "CME"}, range: [-1.05, 1.05], zeroline: true},
                    margin: {t: 40, r: 10, b: 45, l: 55}, showlegend: true,
                    legend: {orientation: "h", y: -0.25}};
    Plotly.react(el, traces, layout, {displaylogo: false, responsive: true, displayModeBar: "hover"});
  }

  function paretoPlot(el, p) {
    const front = p.front.map(function (id) { return p.ids.indexOf(id); });
    const traces = [
      {x: p.x, y: p.y, text: p.ids.map(function (i) { return "#" + i; }), mode: "markers",
       type: "scatter", name: "ok candidate", marker: {color: "#3465a4", size: 9}},
      {x: front.map(function (i) { return p.x[i]; }), y: front.map(function (i) { return p.y[i]; }),
       mode: "lines+markers", type: "scatter", name: "Pareto front",
       line: {color: "#c4262e"}, marker: {symbol: "square", size: 7}},
    ];
    const b = p.ids.indexOf(p.best_id);
    if (b >= 0) {
      traces.push({x: [p.x[b]], y: [p.y[b]], mode: "markers", type: "scatter", name: "best",
                   marker: {symbol: "star", size: 18, color: "#f2c40f",
                            line: {color: "#000", width: 1}}});
    }
    const s = p.ids.indexOf(p.start_id);
    if (s >= 0 && p.start_id !== p.best_id) {
      traces.push({x: [p.x[s]], y: [p.y[s]], mode: "markers", type: "scatter",
                   name: "starting model", marker: {symbol: "diamond-open", size: 14,
                                                    color: "#000", line: {width: 2}}});
    }
    const shapes = [];
    if (typeof p.y_threshold === "number") {
      shapes.push({type: "line", xref: "paper", x0: 0, x1: 1, y0: p.y_threshold,
                   y1: p.y_threshold, line: {color: "#c4262e", dash: "dash", width: 1}});
    }
    if (typeof p.x_threshold === "number") {
      shapes.push({type: "line", yref: "paper", y0: 0, y1: 1, x0: p.x_threshold,
                   x1: p.x_threshold, line: {color: "#c4262e", dash: "dot", width: 1.5}});
    }
    const positive = p.x.filter(function (v) { return v > 0; });
    const logx = positive.length === p.x.length && positive.length > 1 &&
      Math.max.apply(null, positive) / Math.min.apply(null, positive) > 20;
    // autorange ignores shapes: widen the x range so the cost threshold stays in view
    let xrange = null;
    if (typeof p.x_threshold === "number" && p.x.length) {
      const lo = Math.min.apply(null, p.x.concat([p.x_threshold]));
      const hi = Math.max.apply(null, p.x.concat([p.x_threshold]));
      if (!logx) {
        const pad = (hi - lo) * 0.06 || 1;
        xrange = [lo - pad, hi + pad];
      } else if (lo > 0) {
        xrange = [Math.log10(lo) - 0.1, Math.log10(hi) + 0.1];
      }
    }
    const xaxis = {title: {text: p.x_name + " (lower is better)"}, type: logx ? "log" : "linear"};
    if (xrange) xaxis.range = xrange;
    const layout = {title: {text: p.y_name + " vs " + p.x_name, x: 0.02, xanchor: "left"},
                    xaxis: xaxis,
                    yaxis: {title: {text: p.y_name + " (higher is better)"}}, shapes: shapes,
                    margin: {t: 40, r: 10, b: 45, l: 55}, showlegend: true,
                    legend: {orientation: "h", y: -0.25}};
    Plotly.react(el, traces, layout, {displaylogo: false, responsive: true, displayModeBar: "hover"});
  }

  function drawPlots(plots) {
    if (typeof Plotly === "undefined" || !plots) return;
    let n = 0;
    const cme = document.getElementById("plot-cme");
    const pareto = document.getElementById("plot-pareto");
    if (cme) { cmePlot(cme, plots.cme); n += 1; }
    if (pareto) { paretoPlot(pareto, plots.pareto); n += 1; }
    live.dataset.plotsDrawn = String(n);
  }

  async function poll() {
    try {
      const since = drawn === null ? "" : "?since=" + encodeURIComponent(drawn);
      const r = await fetch(api + since, {cache: "no-store", credentials: "same-origin"});
      if (!r.ok) throw new Error("HTTP " + r.status);
      const data = await r.json();
      if (data.version !== version) {
        const f = await fetch(fragment, {cache: "no-store", credentials: "same-origin"});
        if (!f.ok) throw new Error("HTTP " + f.status);
        live.innerHTML = await f.text();
        showSelected();
        version = data.version;
        live.dataset.version = version;
        live.dataset.refreshes = String(Number(live.dataset.refreshes || 0) + 1);
        drawn = null;
      }
      if (data.plots && drawn !== version) {
        drawPlots(data.plots);
        drawn = version;
      }
      say("live · checked " + new Date().toLocaleTimeString());
    } catch (e) {
      say("not updating: " + e.message);
    }
    setTimeout(poll, pollMs);
  }

  showSelected();
  poll();
})();
