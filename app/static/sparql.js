// The SPARQL editor page: YASGUI (from node_modules, served under /static/vendor/yasgui)
// configured for this site's endpoint. No inline script: the configuration comes from the
// JSON block #sparql-config written by the server.
(function () {
  "use strict";
  var cfgEl = document.getElementById("sparql-config");
  var root = document.getElementById("yasgui");
  if (!cfgEl || !root) return;
  var cfg = JSON.parse(cfgEl.textContent);
  // the editor queries the origin this page came from (the Content-Security-Policy allows
  // connect-src 'self' only), at the path of the public endpoint: a site reached at another
  // address than WCKG_PUBLIC_URL (a port forward, a test server) still works
  cfg.endpoint = new URL(new URL(cfg.endpoint, window.location.href).pathname, window.location.href).href;

  if (typeof Yasgui === "undefined") {
    root.className += " yasgui-missing";
    root.textContent = "The query editor could not be loaded. Use the plain form below " +
      "(the server needs `npm ci` to install it).";
    return;
  }

  // PREFIX lines of the project's prefix map, so that every query starts with them.
  function prologue(prefixes, used) {
    var lines = [];
    Object.keys(prefixes).forEach(function (p) {
      if (!used || used.indexOf(p) >= 0) lines.push("PREFIX " + p + ": <" + prefixes[p] + ">");
    });
    return lines.join("\n");
  }
  var corePrefixes = ["wc", "wcid", "org", "skos", "dcterms", "prov", "schema", "rdf", "rdfs", "xsd"];
  var defaultQuery = prologue(cfg.prefixes, corePrefixes) + "\n\n" +
    cfg.defaultQuery.replace(/^(PREFIX[^\n]*\n)+\n?/i, "");

  var yasgui = new Yasgui(root, {
    requestConfig: {
      endpoint: cfg.endpoint,
      method: "POST",
      acceptHeaderSelect: "application/sparql-results+json",
      acceptHeaderGraph: "text/turtle",
      acceptHeaderUpdate: "text/plain"
    },
    copyEndpointOnNewTab: false,
    // only this site's endpoint is offered (YASGUI's default catalogue lists remote ones)
    endpointCatalogueOptions: {
      getData: function () { return [{ endpoint: cfg.endpoint }]; },
      keys: []
    },
    persistenceId: "wckg-sparql-" + cfg.endpoint,
    populateFromUrl: true,     // shared links (#query=...) and /sparql?query=... open as a tab
    tabName: "Query",
    yasqe: {
      value: defaultQuery,
      // no remote autocompletion (LOV, prefix.cc): the page talks only to this site
      autocompleters: ["prefixes", "variables"],
      prefixCcApi: null,
      editorHeight: "320px"
    },
    yasr: {
      prefixes: cfg.prefixes,
      maxPersistentResponseSize: 200000
    }
  });

  // Example queries: each opens (or re-selects) a tab with its text.
  var buttons = document.querySelectorAll(".example-button");
  Array.prototype.forEach.call(buttons, function (btn) {
    btn.addEventListener("click", function () {
      var ex = cfg.examples[Number(btn.getAttribute("data-example"))];
      if (!ex) return;
      var tab = yasgui.addTab(true, {
        name: ex.title.length > 32 ? ex.title.slice(0, 30) + "…" : ex.title,
        yasqe: { value: ex.query }
      }, { avoidDuplicateTabs: true });
      root.scrollIntoView({ behavior: "smooth", block: "start" });
      if (tab && tab.getYasqe) {
        var yasqe = tab.getYasqe();
        if (yasqe) yasqe.focus();
      }
    });
  });

  // Result links to this dataset's resources open their page on this site (YASR links
  // every IRI to itself): {base}{kind}/{slug} → /id/{kind}/{slug}, wc:Term → /ontology#Term.
  // Rewritten just before the link is followed, by mouse or keyboard, so that copying the
  // link still gives the IRI.
  function localise(event) {
    var a = event.target && event.target.closest ? event.target.closest(".yasr a[href]") : null;
    if (!a) return;
    var href = a.getAttribute("href");
    if (href.indexOf(cfg.vocabularyNs) === 0 && href.length > cfg.vocabularyNs.length) {
      a.setAttribute("href", "/ontology#" + encodeURIComponent(href.slice(cfg.vocabularyNs.length)));
      a.removeAttribute("target");
      return;
    }
    if (href.indexOf(cfg.baseIri) !== 0) return;
    var rest = href.slice(cfg.baseIri.length);
    var kind = rest.split("/")[0];
    if (cfg.kinds.indexOf(kind) < 0 || rest.indexOf("/") < 0) return;
    a.setAttribute("href", "/id/" + rest);
    a.removeAttribute("target");
  }
  root.addEventListener("mousedown", localise, true);
  root.addEventListener("keydown", function (e) { if (e.key === "Enter") localise(e); }, true);
  root.addEventListener("click", localise, true);

  // The endpoint says in a header when the row cap cut a result; YASR does not show
  // headers, so the page does, above the editor.
  var notice = document.getElementById("sparql-notice");
  var watched = typeof WeakSet === "function" ? new WeakSet() : null;
  function watch(tab) {
    var yasqe = tab && tab.getYasqe ? tab.getYasqe() : null;
    if (!yasqe || !notice || (watched && watched.has(yasqe))) return;
    if (watched) watched.add(yasqe);
    yasqe.on("queryResponse", function (_yasqe, response) {
      var headers = response && response.headers;
      if (headers && typeof headers.get === "function" && headers.get("X-WCKG-Truncated") === "true") {
        notice.textContent = "The result was cut at " + headers.get("X-WCKG-Row-Limit") +
          " rows, the site's limit: narrow the query (a LIMIT, more specific patterns), " +
          "or download the dataset and query it locally.";
        notice.hidden = false;
      } else {
        notice.hidden = true;
      }
    });
  }
  watch(yasgui.getTab());
  yasgui.on("tabChange", function (_y, tab) { watch(tab); });
  yasgui.on("tabSelect", function (_y, id) { watch(yasgui.getTab(id)); });
  yasgui.on("query", function (_y, tab) { watch(tab); });

  window.wckgYasgui = yasgui;   // for the browser tests and curious users
})();
