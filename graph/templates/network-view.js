/* wckg network view: draws the network JSON of <script type="application/json"> with
 * vis-network. Every label and evidence string is put into the page as text
 * (textContent), never as HTML: tooltips are DOM elements built here.
 * Used by the web app (/network, /network/{kind}/{slug}) and by the standalone HTML
 * file of `wckg network --out FILE.html`.
 */
(function () {
  "use strict";
  if (window.__wckgNetworkView) return;   // included twice (page + partial): run once
  window.__wckgNetworkView = true;

  function el(tag, str, cls) {
    var e = document.createElement(tag);
    if (str !== undefined && str !== null) e.textContent = String(str);
    if (cls) e.className = cls;
    return e;
  }

  function fmt(v) {
    if (typeof v === "number" && !Number.isInteger(v)) return v.toFixed(4);
    return String(v);
  }

  var METRIC_NAMES = [
    ["degree", "Degree"], ["weighted_degree", "Weighted degree"], ["betweenness", "Betweenness"],
    ["eigenvector", "Eigenvector"], ["community", "Community"],
    ["brokerage", "Brokerage (communities)"], ["country_brokerage", "Brokerage (countries)"]
  ];

  function nodeTooltip(n) {
    var box = el("div", null, "wckg-tip");
    box.appendChild(el("strong", n.name));
    var line = n.kindLabel || "";
    if (n.country) line += " · " + n.country;
    if (n.date) line += " · " + n.date;
    box.appendChild(el("div", line, "wckg-tip-kind"));
    var m = n.metrics || {};
    METRIC_NAMES.forEach(function (pair) {
      if (Object.prototype.hasOwnProperty.call(m, pair[0])) {
        box.appendChild(el("div", pair[1] + ": " + fmt(m[pair[0]])));
      }
    });
    if (n.url) box.appendChild(el("div", "Click to open its page", "wckg-tip-hint"));
    return box;
  }

  function edgeTooltip(e, names) {
    var box = el("div", null, "wckg-tip");
    box.appendChild(el("strong", (names[e.from] || e.from) + " — " + (names[e.to] || e.to)));
    if (e.role) box.appendChild(el("div", "Role: " + e.role));
    if (e.tieLabels && e.tieLabels.length) {
      box.appendChild(el("div", (e.strength === "weak" ? "Weak tie: " : "Tie: ") + e.tieLabels.join(", ")
        + " · weight " + fmt(e.weight)));
    }
    var count = e.evidenceCount || 0;
    if (count) {
      box.appendChild(el("div", count === 1 ? "1 shared activity:" : count + " shared activities:"));
      var list = el("ul");
      (e.evidence || []).forEach(function (ev) {
        var s = (ev.type || "") + " “" + (ev.label || "") + "”" + (ev.date ? " (" + ev.date + ")" : "");
        if (ev.tie) s = ev.tie + ": " + s;
        var item = el("li", s);
        if (ev.sentence) item.appendChild(el("q", ev.sentence, "wckg-tip-sentence"));
        else if (ev.quotes && ev.quotes.length) ev.quotes.forEach(function (q) { item.appendChild(el("q", q, "wckg-tip-sentence")); });
        else item.appendChild(el("div", "(no sentence of the graph names both)", "wckg-tip-hint"));
        list.appendChild(item);
      });
      if (count > (e.evidence || []).length) list.appendChild(el("li", "+" + (count - e.evidence.length) + " more"));
      box.appendChild(list);
    }
    return box;
  }

  function draw(container, data) {
    var names = {};
    data.nodes.forEach(function (n) { names[n.id] = n.name; });
    // on large networks the tooltips are built when first hovered, not all up front
    var lazy = data.nodes.length + data.edges.length > 6000;
    var nodes = new vis.DataSet(data.nodes.map(function (n) {
      var copy = Object.assign({}, n);
      if (!lazy) copy.title = nodeTooltip(n);
      if (n.focus) { copy.borderWidth = 4; copy.color = { background: n.color, border: "#000000" }; }
      return copy;
    }));
    var edges = new vis.DataSet(data.edges.map(function (e, i) {
      var copy = Object.assign({}, e);
      copy.id = "e" + i;
      if (!lazy) copy.title = edgeTooltip(e, names);
      return copy;
    }));
    var big = data.nodes.length > 300;
    var options = {
      autoResize: true,
      layout: { improvedLayout: false },
      physics: data.physics
        ? { enabled: true, solver: "barnesHut",
            barnesHut: { gravitationalConstant: -4000, springLength: 140, avoidOverlap: 0.2 },
            stabilization: { enabled: true, iterations: 200, fit: true } }
        : { enabled: false },
      interaction: { hover: true, tooltipDelay: 120, hideEdgesOnDrag: big, hideEdgesOnZoom: big,
                     navigationButtons: false, keyboard: false },
      nodes: { borderWidth: 1, font: { size: 13, face: "sans-serif" } },
      edges: { smooth: false, color: { color: "#98a4b3", highlight: "#1f2d3d", hover: "#1f2d3d", opacity: 0.75 } }
    };
    var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
    if (lazy) {
      network.on("hoverNode", function (p) {
        var n = nodes.get(p.node);
        if (n && !n.title) nodes.update({ id: n.id, title: nodeTooltip(n) });
      });
      network.on("hoverEdge", function (p) {
        var e = edges.get(p.edge);
        if (e && !e.title) edges.update({ id: e.id, title: edgeTooltip(e, names) });
      });
    }
    function ready() {
      container.setAttribute("data-ready", "1");
      container.dispatchEvent(new CustomEvent("wckg-network-ready", { bubbles: true }));
    }
    if (data.physics) {
      network.once("stabilizationIterationsDone", function () {
        network.setOptions({ physics: { enabled: false } });
        ready();
      });
    } else {
      network.once("afterDrawing", function () { network.fit(); ready(); });
    }
    network.on("click", function (params) {
      if (params.nodes && params.nodes.length === 1) {
        var n = nodes.get(params.nodes[0]);
        if (n && n.url) window.location.assign(n.url);
      }
    });
    window.wckgNetwork = { network: network, nodes: nodes, edges: edges, data: data };
    yearSlider(data, nodes, edges);
    return network;
  }

  /* The year slider (#year-slider, two range inputs): redraws the network of the chosen
   * span without reloading. A link stays when one of its shared activities is dated in or
   * spans a year of the span; its width follows the weight those activities give. Undated
   * activities count only while the span is the whole period. Nodes left with no link hide. */
  function yearSlider(data, nodes, edges) {
    var box = document.getElementById("year-slider");
    if (!box) return;
    var from = document.getElementById("span-from"), to = document.getElementById("span-to");
    var fromOut = document.getElementById("span-from-value"), toOut = document.getElementById("span-to-value");
    var status = document.getElementById("span-status"), timeline = document.getElementById("span-timeline");
    var min = parseInt(box.getAttribute("data-min"), 10), max = parseInt(box.getAttribute("data-max"), 10);
    var lastKey = null;
    function widthOf(w) { return Math.round(Math.min(12, 1 + 3 * Math.log2(1 + Math.max(w, 0))) * 100) / 100; }
    function apply() {
      var lo = parseInt(from.value, 10), hi = parseInt(to.value, 10);
      if (lo > hi) { if (this === from) { to.value = lo; hi = lo; } else { from.value = hi; lo = hi; } }
      var key = lo + ":" + hi;
      if (key === lastKey) return;
      lastKey = key;
      var whole = lo <= min && hi >= max;
      var seen = {}, shown = 0, edgeUpdates = [];
      data.edges.forEach(function (e, i) {
        var w = 0;
        (e.shares || []).forEach(function (s) {
          if (s[0] === null || s[0] === undefined) { if (whole) w += s[2]; }
          else if (s[1] >= lo && s[0] <= hi) w += s[2];
        });
        if (!e.shares) w = whole ? (e.weight || 1) : 0;
        var hidden = w <= 0;
        if (!hidden) { seen[e.from] = true; seen[e.to] = true; shown += 1; }
        edgeUpdates.push({ id: "e" + i, hidden: hidden, width: hidden ? 1 : widthOf(w) });
      });
      edges.update(edgeUpdates);
      var nodeUpdates = [], orgs = 0;
      data.nodes.forEach(function (n) {
        var hidden = !whole && !seen[n.id] && !n.focus;
        if (!hidden) orgs += 1;
        nodeUpdates.push({ id: n.id, hidden: hidden });
      });
      nodes.update(nodeUpdates);
      fromOut.textContent = String(lo);
      toOut.textContent = String(hi);
      status.textContent = orgs + (orgs === 1 ? " node, " : " nodes, ") + shown + (shown === 1 ? " link" : " links")
        + " in " + (lo === hi ? lo : lo + "–" + hi) + (whole ? " (and undated activities)" : "");
      box.setAttribute("data-span", key);
      if (timeline) {
        var url = new URL(timeline.getAttribute("data-base") || timeline.getAttribute("href"), window.location.href);
        url.searchParams.set("from", String(lo));
        url.searchParams.set("to", String(hi));
        timeline.setAttribute("href", url.pathname + url.search);
      }
    }
    from.addEventListener("input", apply);
    to.addEventListener("input", apply);
    box.hidden = false;
    apply.call(from);
  }

  function start(container, data) {
    if (!data.nodes || data.nodes.length === 0) {
      var empty = container.parentNode && container.parentNode.querySelector(".ego-network-empty");
      if (empty) { empty.hidden = false; container.hidden = true; }
      return;
    }
    if (typeof vis === "undefined") {
      container.textContent = "The network view needs vis-network, which did not load.";
      return;
    }
    draw(container, data);
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-network-source]"), function (container) {
      var src = document.getElementById(container.getAttribute("data-network-source"));
      if (src) start(container, JSON.parse(src.textContent));
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-network-url]"), function (container) {
      fetch(container.getAttribute("data-network-url"), { headers: { "Accept": "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
        .then(function (data) { start(container, data); })
        .catch(function () { container.textContent = "The network could not be loaded."; });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
