/* Autocomplete for every search box marked data-autocomplete, and the header search box.
   With data-autocomplete="fill", picking a suggestion puts its IRI into the field instead of
   following its link (the review's relink and correct forms); data-autocomplete-kind="organisation
   person …" limits the suggestions to those identifier kinds.
   Suggestions come from /search.json; labels are set with textContent (never innerHTML), and
   links only point at the hrefs the server computed (site paths or http(s) URLs). */
(function () {
  "use strict";

  var DELAY_MS = 120;
  var MIN_CHARS = 1;

  function safeHref(href) {
    if (typeof href !== "string") return null;
    if (href.charAt(0) === "/" && href.charAt(1) !== "/" && href.charAt(1) !== "\\") return href;
    if (/^https?:\/\//i.test(href)) return href;
    return null;
  }

  function attach(input) {
    if (input.dataset.acAttached) return;
    input.dataset.acAttached = "1";
    input.setAttribute("autocomplete", "off");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");

    var wrap = document.createElement("div");
    wrap.className = "ac-wrap";
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);

    var list = document.createElement("ul");
    list.className = "ac-list";
    list.id = (input.id || "search") + "-suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    wrap.appendChild(list);
    input.setAttribute("aria-controls", list.id);

    var items = [];
    var active = -1;
    var timer = null;
    var controller = null;
    var lastQuery = null;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(i) {
      items.forEach(function (el, j) { el.setAttribute("aria-selected", j === i ? "true" : "false"); });
      active = i;
      if (i >= 0 && items[i]) {
        input.setAttribute("aria-activedescendant", items[i].id);
        items[i].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function go(i) {
      var el = items[i];
      if (!el) return;
      if (input.dataset.autocomplete === "fill" && el.dataset.iri) {
        // a form field (the review's relink): put the chosen resource's IRI in it, stay on the page
        input.value = el.dataset.iri;
        lastQuery = input.value;
        close();
        return;
      }
      var href = safeHref(el.dataset.href);
      if (href) window.location.assign(href);
    }

    function show(results) {
      while (list.firstChild) list.removeChild(list.firstChild);
      items = [];
      active = -1;
      results.forEach(function (r, i) {
        var href = safeHref(r.href);
        if (!href) return;
        var li = document.createElement("li");
        li.className = "ac-item";
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.href = href;
        if (typeof r.iri === "string" && /^https?:\/\//i.test(r.iri)) li.dataset.iri = r.iri;
        var kind = document.createElement("span");
        kind.className = "ac-kind";
        kind.textContent = r.kindLabel || r.kind || "";
        var label = document.createElement("span");
        label.className = "ac-label";
        label.textContent = r.label;
        li.appendChild(kind);
        li.appendChild(label);
        if (r.matched && r.matched !== r.label) {
          var m = document.createElement("span");
          m.className = "ac-matched";
          m.textContent = "(" + r.matched + ")";
          li.appendChild(m);
        }
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); go(items.indexOf(li)); });
        li.addEventListener("mousemove", function () { highlight(items.indexOf(li)); });
        list.appendChild(li);
        items.push(li);
      });
      if (items.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      } else {
        close();
      }
    }

    function fetchSuggestions() {
      var q = input.value.trim();
      if (q.length < MIN_CHARS) { lastQuery = q; close(); return; }
      if (q === lastQuery && !list.hidden) return;
      lastQuery = q;
      if (controller) controller.abort();
      controller = typeof AbortController !== "undefined" ? new AbortController() : null;
      var kinds = (input.dataset.autocompleteKind || "").split(/\s+/).filter(function (k) { return /^[a-z]+$/.test(k); });
      var url = "/search.json?limit=8&q=" + encodeURIComponent(q) +
        kinds.map(function (k) { return "&kind=" + k; }).join("");
      fetch(url, {
        headers: { "Accept": "application/json" },
        signal: controller ? controller.signal : undefined
      }).then(function (resp) {
        return resp.ok ? resp.json() : { results: [] };
      }).then(function (data) {
        if (input.value.trim() !== q) return;  // an older answer: the user typed on
        show(Array.isArray(data.results) ? data.results : []);
      }).catch(function () { /* aborted or offline: keep the form usable */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, DELAY_MS);
    });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowDown") {
        if (list.hidden) { lastQuery = null; fetchSuggestions(); return; }
        ev.preventDefault();
        highlight(items.length ? (active + 1) % items.length : -1);
      } else if (ev.key === "ArrowUp") {
        if (list.hidden) return;
        ev.preventDefault();
        highlight(items.length ? (active <= 0 ? items.length - 1 : active - 1) : -1);
      } else if (ev.key === "Enter") {
        if (!list.hidden && active >= 0) { ev.preventDefault(); go(active); }
      } else if (ev.key === "Escape") {
        if (!list.hidden) { ev.preventDefault(); close(); }
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
    input.addEventListener("focus", function () { if (items.length && input.value.trim() === lastQuery) { list.hidden = false; input.setAttribute("aria-expanded", "true"); } });
  }

  function init() {
    var inputs = document.querySelectorAll("input[data-autocomplete], #site-search-q");
    Array.prototype.forEach.call(inputs, attach);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
