/* Review page: clicking a fact's quote marks its sentence in the article text (CSS Custom
   Highlight API where the browser has it, else the text is selected) and scrolls to it.
   No HTML is built from data here: only ranges over the existing text nodes. */
(function () {
  "use strict";

  var container = document.getElementById("article-text");
  if (!container) return;

  function rangeAt(begin, end) {
    // character offsets (code points, as the draft gives them) into the text of the container
    var walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
    var pos = 0, node, range = document.createRange(), started = false;
    while ((node = walker.nextNode())) {
      var chars = Array.from(node.data);
      var len = chars.length;
      if (!started && begin <= pos + len) {
        range.setStart(node, chars.slice(0, begin - pos).join("").length);
        started = true;
      }
      if (started && end <= pos + len) {
        range.setEnd(node, chars.slice(0, end - pos).join("").length);
        return range;
      }
      pos += len;
    }
    return null;
  }

  function show(begin, end) {
    var range = rangeAt(begin, end);
    if (!range) return;
    if (window.CSS && CSS.highlights && typeof Highlight === "function") {
      CSS.highlights.set("review-evidence", new Highlight(range));
    } else {
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    }
    container.dataset.shown = begin + "-" + end;
    var rect = range.getBoundingClientRect();
    if (rect.top < 0 || rect.bottom > window.innerHeight) {
      window.scrollBy({ top: rect.top - window.innerHeight / 3, behavior: "smooth" });
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll("blockquote.quote[data-begin]"), function (q) {
    q.setAttribute("tabindex", "0");
    q.setAttribute("title", "Show this sentence in the article");
    function go() {
      var b = parseInt(q.dataset.begin, 10), e = parseInt(q.dataset.end, 10);
      if (!isNaN(b) && !isNaN(e) && e > b) show(b, e);
    }
    q.addEventListener("click", go);
    q.addEventListener("keydown", function (ev) { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); go(); } });
  });

  // a mention clicked in the text: mark its entry in the list
  Array.prototype.forEach.call(container.querySelectorAll("a.mention"), function (a) {
    a.addEventListener("click", function () {
      Array.prototype.forEach.call(document.querySelectorAll(".mention-item.current"), function (el) { el.classList.remove("current"); });
      var target = document.getElementById((a.getAttribute("href") || "").slice(1));
      if (target) target.classList.add("current");
    });
  });
})();
