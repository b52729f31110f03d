/* policy-diff: the side-by-side toggle of change pages and the in-browser compare page.
   Text from captures is only ever written with textContent, never as HTML. */
(function () {
  "use strict";

  function setView(view) {
    document.querySelectorAll(".pd-diff").forEach(function (el) { el.setAttribute("data-view", view); });
    document.querySelectorAll(".pd-toggle").forEach(function (button) {
      button.setAttribute("aria-pressed", view === "sbs" ? "true" : "false");
      button.textContent = view === "sbs" ? "Inline view" : "Side by side";
    });
  }

  function currentView() {
    var first = document.querySelector(".pd-diff");
    return first ? first.getAttribute("data-view") : "inline";
  }

  function initToggles() {
    document.querySelectorAll(".pd-toggle").forEach(function (button) {
      button.addEventListener("click", function () {
        setView(currentView() === "sbs" ? "inline" : "sbs");
      });
    });
  }

  // -- compare -------------------------------------------------------------------------
  var WORD = /[\p{L}\p{N}_]+|\s+|[^\p{L}\p{N}_\s]/gu;

  /* Word-level diff-match-patch: each word becomes one character, as the Python side
     does, then the character diff is mapped back and semantically cleaned up. */
  function wordDiff(dmp, a, b) {
    var table = [""], index = Object.create(null);
    function encode(text) {
      var out = "";
      (text.match(WORD) || []).forEach(function (token) {
        if (!(token in index)) { index[token] = table.length; table.push(token); }
        out += String.fromCharCode(index[token]);
      });
      return out;
    }
    var chars1 = encode(a), chars2 = encode(b);
    var diffs = dmp.diff_main(chars1, chars2, false);
    dmp.diff_charsToLines_(diffs, table);
    dmp.diff_cleanupSemantic(diffs);
    return diffs;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  var FOLD_AT = 1200, KEEP = 300;  // as render/diffhtml.py: fold long unchanged runs

  function folded(text) {
    var headEnd = text.indexOf(" ", KEEP), tailStart = text.lastIndexOf(" ", text.length - KEEP);
    if (text.length <= FOLD_AT || headEnd < 0 || tailStart <= headEnd) return document.createTextNode(text);
    var frag = document.createDocumentFragment(), middle = text.slice(headEnd, tailStart);
    var details = el("details", "pd-fold");
    details.appendChild(el("summary", null, middle.split(/\s+/).filter(Boolean).length + " unchanged words"));
    details.appendChild(document.createTextNode(middle));
    frag.appendChild(document.createTextNode(text.slice(0, headEnd)));
    frag.appendChild(details);
    frag.appendChild(document.createTextNode(text.slice(tailStart)));
    return frag;
  }

  function piece(op, text) {
    if (op > 0) { var ins = el("ins", "pd-ins", text); ins.title = "added"; return ins; }
    if (op < 0) { var del = el("del", "pd-del", text); del.title = "removed"; return del; }
    return folded(text);
  }

  function diffNode(diffs, oldLabel, newLabel) {
    var box = el("div", "pd-diff");
    box.setAttribute("data-view", currentView() === "sbs" ? "sbs" : "inline");
    var inline = el("div", "pd-inline"), sbs = el("div", "pd-sbs");
    var oldSide = el("div", "pd-old"), newSide = el("div", "pd-new");
    oldSide.appendChild(el("div", "pd-side-label", oldLabel));
    newSide.appendChild(el("div", "pd-side-label", newLabel));
    diffs.forEach(function (d) {
      inline.appendChild(piece(d[0], d[1]));
      if (d[0] <= 0) oldSide.appendChild(piece(d[0], d[1]));
      if (d[0] >= 0) newSide.appendChild(piece(d[0], d[1]));
    });
    sbs.appendChild(oldSide); sbs.appendChild(newSide);
    box.appendChild(inline); box.appendChild(sbs);
    return box;
  }

  function countWords(diffs, op) {
    return diffs.reduce(function (n, d) {
      return d[0] === op ? n + ((d[1].match(/[\p{L}\p{N}_]+/gu) || []).length) : n;
    }, 0);
  }

  /* Sections matched by id, then by title (a section whose id changed), then by identical
     text (moved under another title); the rest are added or removed. The Python side
     aligns more cleverly (similar text under a new title); this keeps the page static. */
  function align(oldDoc, newDoc) {
    var used = new Set(), pairs = new Map();
    function claim(key, newSection) {
      var found = oldDoc.sections.find(function (o) { return !used.has(o) && key(o) === key(newSection); });
      if (found) { used.add(found); pairs.set(newSection, found); }
    }
    [function (s) { return s.id; }, function (s) { return s.title; }, function (s) { return s.text; }]
      .forEach(function (key) {
        newDoc.sections.forEach(function (s) { if (!pairs.has(s)) claim(key, s); });
      });
    var rows = newDoc.sections.map(function (s, index) {
      var before = pairs.get(s);
      if (!before) return { title: s.title, old: "", new: s.text, status: "added" };
      var status = before.text === s.text
        ? (oldDoc.sections.indexOf(before) === index ? "unchanged" : "moved") : "modified";
      if (before.title !== s.title) status = before.text === s.text ? "renamed" : "modified";
      return { title: s.title, oldTitle: before.title, old: before.text, new: s.text, status: status };
    });
    oldDoc.sections.forEach(function (s) {
      if (!used.has(s)) rows.push({ title: s.title, old: s.text, new: "", status: "removed" });
    });
    return rows;
  }

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(url + ": " + r.status);
      return r.json();
    });
  }

  function initCompare(root) {
    var base = new URL(root.getAttribute("data-index"), document.baseURI);
    fetchJson(base).then(function (index) {
      var versions = index.versions;
      if (!versions.length) { root.textContent = "No version captured yet."; return; }
      var form = el("form", "pd-compare-form");
      var from = el("select"), to = el("select");
      from.name = "from"; to.name = "to";
      from.setAttribute("aria-label", "Older version"); to.setAttribute("aria-label", "Newer version");
      versions.forEach(function (v) {
        var label = v.id + " (" + v.first_seen.slice(0, 10) + " → " + v.last_seen.slice(0, 10) + ")";
        from.appendChild(new Option(label, v.id));
        to.appendChild(new Option(label, v.id));
      });
      var params = new URLSearchParams(window.location.search);
      var ids = versions.map(function (v) { return v.id; });
      from.value = ids.indexOf(params.get("from")) >= 0 ? params.get("from") : ids[Math.max(0, ids.length - 2)];
      to.value = ids.indexOf(params.get("to")) >= 0 ? params.get("to") : ids[ids.length - 1];
      var go = el("button", "md-button md-button--primary pd-compare-go", "Compare");
      go.type = "submit";
      var toggle = el("button", "md-button pd-toggle", "Side by side");
      toggle.type = "button";
      form.appendChild(el("label", null, "From ")); form.appendChild(from);
      form.appendChild(el("label", null, " to ")); form.appendChild(to);
      form.appendChild(go); form.appendChild(toggle);
      var result = el("div", "pd-compare-result");
      result.setAttribute("aria-live", "polite");
      root.appendChild(form); root.appendChild(result);
      toggle.addEventListener("click", function () { setView(currentView() === "sbs" ? "inline" : "sbs"); });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        run();
      });
      function run() {
        var a = versions[ids.indexOf(from.value)], b = versions[ids.indexOf(to.value)];
        var query = "?from=" + encodeURIComponent(a.id) + "&to=" + encodeURIComponent(b.id);
        window.history.replaceState(null, "", query);
        result.textContent = "Comparing…";
        Promise.all([fetchJson(new URL(a.file, base)), fetchJson(new URL(b.file, base))]).then(function (docs) {
          render(result, docs[0], docs[1]);
        }).catch(function (error) { result.textContent = "Could not load the versions: " + error.message; });
      }
      run();
    }).catch(function (error) { root.textContent = "Could not load the list of versions: " + error.message; });
  }

  function render(result, oldDoc, newDoc) {
    var dmp = new diff_match_patch();
    dmp.Diff_Timeout = 0;
    var rows = align(oldDoc, newDoc);
    result.textContent = "";
    var changed = rows.filter(function (r) { return r.status !== "unchanged"; });
    var added = 0, removed = 0;
    var details = [];
    changed.forEach(function (row) {
      var diffs = row.status === "added" ? [[1, row.new]] : row.status === "removed" ? [[-1, row.old]]
        : row.old === row.new ? [[0, row.new]] : wordDiff(dmp, row.old, row.new);
      var plus = countWords(diffs, 1), minus = countWords(diffs, -1);
      added += plus; removed += minus;
      var section = el("section", "pd-compare-section pd-status-" + row.status);
      section.appendChild(el("h2", null, row.title || "Preamble"));
      var label = row.status;
      if (row.oldTitle !== undefined && row.oldTitle !== row.title) label += " (was “" + (row.oldTitle || "Preamble") + "”)";
      section.appendChild(el("p", "pd-badge pd-badge-" + row.status, label + " · +" + plus + " −" + minus + " words"));
      section.appendChild(diffNode(diffs, oldDoc.id, newDoc.id));
      details.push(section);
    });
    var summary = el("p", "pd-compare-summary",
      oldDoc.id === newDoc.id ? "The same version on both sides." :
      changed.length + " of " + rows.length + " sections differ; +" + added + " −" + removed + " words.");
    result.appendChild(summary);
    details.forEach(function (node) { result.appendChild(node); });
  }

  function init() {
    initToggles();
    document.querySelectorAll(".pd-compare[data-index]").forEach(initCompare);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
