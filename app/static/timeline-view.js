/* The timeline page's chart: the items of /timeline.json (the same filters as the list) on a
   vis-timeline axis, one row per kind. Labels are DOM text nodes (never HTML); choosing an
   item opens its page. Without the vendored library the page keeps its list only. */
(function () {
  "use strict";

  var MAX_LABEL = 34;
  var DAY = 24 * 3600 * 1000;

  function safeHref(href) {
    if (typeof href !== "string") return null;
    if (href.charAt(0) === "/" && href.charAt(1) !== "/" && href.charAt(1) !== "\\") return href;
    return null;
  }

  /* xsd:date, gYearMonth or gYear → a Date at the start of that day, month or year (UTC) */
  function startOf(value) {
    var m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(value || "");
    if (!m) return null;
    return new Date(Date.UTC(+m[1], m[2] ? +m[2] - 1 : 0, m[3] ? +m[3] : 1));
  }

  function init() {
    var section = document.getElementById("timeline-chart");
    var container = document.getElementById("timeline-vis");
    if (!section || !container || !window.vis || !window.vis.Timeline) return;
    fetch(section.dataset.src, { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data || !data.years) return;
        var groups = new window.vis.DataSet();
        var items = new window.vis.DataSet();
        var kinds = {};
        var first = null, last = null;
        data.years.forEach(function (y) {
          y.items.forEach(function (it) {
            var start = startOf(it.date);
            var href = safeHref(it.href);
            if (!start || !href) return;
            var kind = it.kind || "Other";
            if (!(kind in kinds)) {
              kinds[kind] = Object.keys(kinds).length;
              var g = document.createElement("span");
              g.textContent = kind;
              groups.add({ id: kinds[kind], content: g });
            }
            var label = document.createElement("span");
            var text = String(it.label || "");
            label.textContent = text.length > MAX_LABEL ? text.slice(0, MAX_LABEL - 1) + "…" : text;
            if (!first || start < first) first = start;
            if (!last || start > last) last = start;
            items.add({ id: href, group: kinds[kind], start: start, content: label, type: "point" });
          });
        });
        if (!items.length) return;
        section.hidden = false;
        // room on the right for the labels of the newest points, which extend to the right
        var span = Math.max(last - first, 365 * DAY);
        var pad = span * 0.04;
        var timeline = new window.vis.Timeline(container, items, groups, {
          stack: true, zoomKey: "ctrlKey", orientation: "top", margin: { item: 6 },
          selectable: true, maxHeight: 460, showCurrentTime: false,
          start: new Date(first.getTime() - pad), end: new Date(last.getTime() + span * 0.7)
        });
        timeline.on("select", function (props) {
          var href = props.items && props.items.length ? safeHref(props.items[0]) : null;
          if (href) window.location.assign(href);
        });
        container.dataset.items = String(items.length);
        container.dataset.ready = "1";
      })
      .catch(function () { /* the list below stays the page's content */ });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
