/* /map: Leaflet with Natural Earth boundaries (world-atlas TopoJSON, served from this
 * site), no tile server. Markers come from <script type="application/json" id="map-data">
 * (GeoJSON); the filters redraw them without reloading. Every label, sentence and name is
 * put into the page as text (textContent), never as HTML. No inline script: CSP. */
(function () {
  "use strict";

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function link(href, text) {
    var a = el("a", text);
    if (href && /^\/(?!\/)/.test(href)) a.setAttribute("href", href);
    return a;
  }

  function popup(p) {
    var box = el("div", null, "map-popup");
    var title = el("strong");
    title.appendChild(p.url ? link(p.url, p.label) : document.createTextNode(p.label));
    box.appendChild(title);
    var line = [p.type, p.date, p.place_label].filter(Boolean).join(" · ");
    if (line) box.appendChild(el("div", line, "map-popup-meta"));
    if (p.evidence) box.appendChild(el("q", p.evidence, "map-popup-evidence"));
    if (p.members && p.members.length) {
      var ul = el("ul");
      p.members.slice(0, 25).forEach(function (m) {
        var li = el("li");
        li.appendChild(m.url ? link(m.url, m.label) : document.createTextNode(m.label));
        ul.appendChild(li);
      });
      if (p.members.length > 25) ul.appendChild(el("li", "+" + (p.members.length - 25) + " more"));
      box.appendChild(ul);
    }
    if (p.sources && p.sources.length) {
      var s = el("div", p.sources.length === 1 ? "Source: " : p.sources.length + " sources: ", "map-popup-sources");
      p.sources.forEach(function (iri, i) {
        var slug = iri.replace(/\/+$/, "").split("/").pop();
        if (i) s.appendChild(document.createTextNode(", "));
        s.appendChild(link("/id/source/" + encodeURIComponent(slug), slug));
      });
      box.appendChild(s);
    }
    return box;
  }

  function start(container) {
    var src = document.getElementById(container.getAttribute("data-map-source"));
    if (!src) return;
    performance.mark("wckg-map-start");
    var data = JSON.parse(src.textContent);
    if (typeof L === "undefined") { container.textContent = "The map needs Leaflet, which did not load (run npm ci)."; return; }
    var map = L.map(container, { center: [43, 66], zoom: 4, minZoom: 1, maxZoom: 12, worldCopyJump: false });
    // one canvas for the boundaries and the markers: thousands of SVG elements are slow
    var canvas = L.canvas({ padding: 0.3 });
    map.attributionControl.addAttribution("Boundaries: Natural Earth");
    var colors = {};
    Object.keys(data.layers || {}).forEach(function (k) { colors[k] = data.layers[k].color; });
    var cluster = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 40 });
    var areas = L.layerGroup();
    var all = (data.features || []).map(function (f) {
      var p = f.properties, layer;
      var color = colors[p.layer] || "#555555";
      if (f.geometry && f.geometry.type === "Point") {
        var c = f.geometry.coordinates;
        layer = L.circleMarker([c[1], c[0]], { radius: p.layer === "organisations" ? 7 + Math.min(10, Math.sqrt((p.members || []).length) * 2) : 7,
          color: "#333333", weight: 1, fillColor: color, fillOpacity: 0.85, renderer: canvas });
        layer.options.title = p.label;
      } else if (f.geometry) {
        layer = L.geoJSON(f.geometry, { style: { color: color, weight: 1, fillOpacity: 0.25 } });
      } else {
        return null;
      }
      layer.bindPopup(function () { return popup(p); });
      layer.feature = f;
      return { layer: layer, p: p, area: !!(f.geometry && f.geometry.type !== "Point") };
    }).filter(Boolean);

    performance.mark("wckg-map-markers-made");
    var form = document.getElementById("map-filters");
    var status = document.getElementById("map-status");

    function current() {
      var kinds = [], yf = null, yt = null, topic = "";
      if (form) {
        form.querySelectorAll("input[name=kind]").forEach(function (i) { if (i.checked) kinds.push(i.value); });
        var f = form.querySelector("[name=from]"), t = form.querySelector("[name=to]"), s = form.querySelector("[name=topic]");
        yf = f && f.value ? parseInt(f.value, 10) : null;
        yt = t && t.value ? parseInt(t.value, 10) : null;
        topic = s ? s.value : "";
      }
      return { kinds: kinds, from: yf, to: yt, topic: topic };
    }

    function keep(p, q) {
      if (q.kinds.indexOf(p.layer) === -1) return false;
      if (q.topic && (p.topics || []).indexOf(q.topic) === -1) return false;
      if ((q.from !== null || q.to !== null) && (p.layer === "event" || p.layer === "agreement")) {
        if (p.year_from === null || p.year_from === undefined) return false;
        if (q.from !== null && p.year_to < q.from) return false;
        if (q.to !== null && p.year_from > q.to) return false;
      }
      return true;
    }

    var lastKey = null;
    function redraw() {
      var q = current();
      var key = JSON.stringify(q);
      if (key === lastKey) return;        // a change event with nothing changed (e.g. on blur)
      lastKey = key;
      var points = [], shown = 0;
      var drop = [];
      areas.clearLayers();
      all.forEach(function (m) {
        var on = keep(m.p, q);
        if (on) shown += 1;
        if (m.area) { if (on) areas.addLayer(m.layer); return; }
        // only what changes goes in or out of the cluster (re-adding 10,000 markers is slow)
        if (on && !m.shown) points.push(m.layer);
        if (!on && m.shown) drop.push(m.layer);
        m.shown = on;
      });
      if (drop.length) cluster.removeLayers(drop);
      if (points.length) cluster.addLayers(points);
      if (status) status.textContent = shown + " of " + all.length + " markers";
      container.setAttribute("data-markers", String(shown));
    }

    var ready = { boundaries: false, markers: false };
    function maybeReady() {
      if (ready.boundaries && ready.markers) {
        container.setAttribute("data-ready", "1");
        container.dispatchEvent(new CustomEvent("wckg-map-ready", { bubbles: true }));
      }
    }
    // the light boundaries (1:110m) first, so the map is usable at once; the detailed
    // ones (1:50m) replace them when they have arrived
    var light = container.getAttribute("data-boundaries-light"), detailed = container.getAttribute("data-boundaries");
    var style = { color: "#8a97a8", weight: 0.7, fillColor: "#f1efe6", fillOpacity: 1 };
    function boundaries(url) {
      return fetch(url).then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
        .then(function (topo) {
          return L.geoJSON(topojson.feature(topo, topo.objects.countries), { interactive: false, renderer: canvas, style: style });
        });
    }
    boundaries(light || detailed)
      .then(function (layer) {
        layer.addTo(map);
        layer.bringToBack();
        performance.mark("wckg-map-boundaries");
        areas.addTo(map);
        cluster.addTo(map);
        performance.mark("wckg-map-clustered");
        ready.boundaries = true;
        maybeReady();
        if (light && detailed && light !== detailed) {
          // 1:110m is right up to zoom 4; closer in, the detailed ones are fetched once
          var fetched = false;
          var detail = function () {
            if (fetched || map.getZoom() < 5) return;
            fetched = true;
            boundaries(detailed).then(function (fine) {
              fine.addTo(map);
              fine.bringToBack();
              map.removeLayer(layer);
              container.setAttribute("data-boundaries-detail", "50m");
            }).catch(function () { /* the light ones stay */ });
          };
          map.on("zoomend", detail);
          detail();
        }
      })
      .catch(function () {
        container.setAttribute("data-boundaries-error", "1");
        areas.addTo(map);
        cluster.addTo(map);
        ready.boundaries = true;
        maybeReady();
      });
    redraw();
    ready.markers = true;
    maybeReady();
    if (form) {
      form.addEventListener("change", function () {
        redraw();
        var params = new URLSearchParams(new FormData(form));
        Array.from(params.keys()).forEach(function (k) { if (!params.get(k)) params.delete(k); });
        history.replaceState(null, "", "/map" + (params.toString() ? "?" + params.toString() : ""));
      });
      form.addEventListener("submit", function (ev) { ev.preventDefault(); redraw(); });
    }
    window.wckgMap = { map: map, cluster: cluster, redraw: redraw };
  }

  function init() {
    document.querySelectorAll("[data-map-source]").forEach(start);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
