/* /network page: year sliders mirror the year fields, the metrics table sorts by column.
 * (The drawing itself is /network/assets/network-view.js.) No inline script: CSP. */
(function () {
  "use strict";

  function linkYears() {
    document.querySelectorAll("input[type=range][data-year-for]").forEach(function (range) {
      var field = document.getElementById(range.getAttribute("data-year-for"));
      if (!field) return;
      range.addEventListener("input", function () { field.value = range.value; });
      field.addEventListener("input", function () { if (field.value) range.value = field.value; });
    });
  }

  function sortable(table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, col) {
      var button = th.querySelector("button");
      if (!button) return;
      button.addEventListener("click", function () {
        var numeric = th.getAttribute("data-type") === "number";
        var current = th.getAttribute("aria-sort");
        var dir = current === "descending" ? "ascending" : (current === "ascending" ? "descending" : (numeric ? "descending" : "ascending"));
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir);
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col].getAttribute("data-value"), y = b.cells[col].getAttribute("data-value");
          var c = numeric ? (parseFloat(x) - parseFloat(y)) : x.localeCompare(y);
          return dir === "ascending" ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  function init() {
    linkYears();
    document.querySelectorAll("table.sortable").forEach(sortable);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
