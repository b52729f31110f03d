/* policy-diff: the side-by-side toggle of change pages and the in-browser compare page.
   Text from captures is only ever written with textContent, never as HTML. The compare
   page is a port of the Python diff (diff/words.py, diff/align.py, diff/compare.py) fed
   with constants and words that Python writes (assets/policy-diff/compare.json). */
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
  /* Every constant below comes from assets/policy-diff/compare.json, written by Python
     (render/compare.py) from the modules that define them: nothing is copied here. */
  var CONFIG = null, WORD_RE, TOKEN_RE, SPACE_RE, WORDS;

  function configure(config) {
    CONFIG = config;
    var w = config.tokens.word, s = config.tokens.space;
    WORD_RE = new RegExp("[" + w + "]+", "gu");  // Python's \w+
    TOKEN_RE = new RegExp("[" + w + "]+|[" + s + "]+|[^" + w + s + "]", "gu");  // diff/words.py _TOKEN
    SPACE_RE = new RegExp("^[" + s + "]$", "u");  // str.isspace
    WORDS = config.words;
  }

  /* Token codes as diff/words.py _codes: from first_code on, skipping the surrogates, so
     each token is one UTF-16 unit (diff-match-patch's unit). */
  function codeOf(n) {
    var code = CONFIG.tokens.first_code + n, gap = CONFIG.tokens.surrogates;
    if (code >= gap[0]) code += gap[1] - gap[0];
    if (code > 0xFFFF) throw new Error("too many distinct words to compare in the browser");
    return String.fromCharCode(code);
  }

  function isSpace(ch) { return SPACE_RE.test(ch); }

  /* diff/words.py _common_ends: a common head and tail cut on token boundaries. */
  function commonEnds(a, b) {
    var n = Math.min(a.length, b.length), p = 0;
    while (p < n && a.charCodeAt(p) === b.charCodeAt(p)) p++;
    var head = p - 1;
    while (head > 0 && !(isSpace(a[head]) && !isSpace(a[head - 1]))) head--;
    head = Math.max(head, 0);
    var limit = n - head, q = 0;
    while (q < limit && a.charCodeAt(a.length - 1 - q) === b.charCodeAt(b.length - 1 - q)) q++;
    var cut = Math.max(a.length - q + 1, head + 1);
    while (cut < a.length && !(isSpace(a[cut]) && !isSpace(a[cut - 1]))) cut++;
    return [head, a.length - cut];
  }

  function tokenDiff(dmp, a, b) {
    if (!a || !b) return [[-1, a], [1, b]];
    var ta = a.match(TOKEN_RE) || [], tb = b.match(TOKEN_RE) || [], codes = new Map();
    function encode(tokens) {
      return tokens.map(function (t) {
        if (!codes.has(t)) codes.set(t, codeOf(codes.size));
        return codes.get(t);
      }).join("");
    }
    var ea = encode(ta), eb = encode(tb);
    var diffs = dmp.diff_main(ea, eb, false);
    dmp.diff_cleanupSemantic(diffs);
    var out = [], i = 0, j = 0;
    diffs.forEach(function (d) {
      var n = d[1].length, text;
      if (!n) return;
      if (d[0] > 0) { text = tb.slice(j, j + n).join(""); j += n; }
      else { text = ta.slice(i, i + n).join(""); i += n; if (d[0] === 0) j += n; }
      push(out, d[0], text);
    });
    return out;
  }

  function push(out, op, text) {
    if (!text) return;
    if (out.length && out[out.length - 1][0] === op) out[out.length - 1][1] += text;
    else out.push([op, text]);
  }

  /* diff/words.py word_diff: the same operations, so the same words are marked. */
  function wordDiff(dmp, a, b) {
    if (a === b) return a ? [[0, a]] : [];
    if (!a) return [[1, b]];
    if (!b) return [[-1, a]];
    var ends = commonEnds(a, b), head = ends[0], tail = ends[1], out = [];
    push(out, 0, a.slice(0, head));
    tokenDiff(dmp, a.slice(head, a.length - tail), b.slice(head, b.length - tail)).forEach(function (d) {
      push(out, d[0], d[1]);
    });
    push(out, 0, a.slice(a.length - tail));
    return out;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function folded(text) {  // as render/diffhtml.py _fold
    var keep = CONFIG.fold.keep;
    var headEnd = text.indexOf(" ", keep), tailStart = text.lastIndexOf(" ", text.length - keep);
    if (text.length <= CONFIG.fold.at || headEnd < 0 || tailStart <= headEnd) return document.createTextNode(text);
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
      return d[0] === op ? n + ((d[1].match(WORD_RE) || []).length) : n;
    }, 0);
  }

  /* Section alignment: a port of tools/policydiff/diff/align.py, so that this page pairs
     sections as the change pages do. Passes, each over what the previous ones left:
     identical text; same id (when the title occurs at most once under its parent); same
     title slug (when it occurs at most once); similar text (candidates share a min-hash of
     their word-pair shingles, hashed with CRC-32 as Python does; then shingle Dice at least
     prefilter_dice and word similarity at least match_ratio, best pairs first); splits and
     merges (a left-over section mostly found in the other side of an adjacent pair). */
  var CRC_TABLE = (function () {
    var table = new Uint32Array(256);
    for (var n = 0; n < 256; n++) {
      var c = n;
      for (var k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
    return table;
  })();
  var UTF8 = new TextEncoder();

  function crc32(text) {  // zlib.crc32(text.encode("utf-8")): align._stable_hash
    var bytes = UTF8.encode(text), c = 0xFFFFFFFF;
    for (var i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xFF] ^ (c >>> 8);
    return (c ^ 0xFFFFFFFF) >>> 0;
  }

  var profiles = new Map();
  function profile(text) {  // lower-cased words and hashed word-pair shingles, as align._profile
    var found = profiles.get(text);
    if (found) return found;
    var words = text.toLowerCase().match(WORD_RE) || [], shingles = new Set();
    if (words.length < 2) words.forEach(function (w) { shingles.add(crc32(w)); });
    else for (var i = 0; i + 1 < words.length; i++) shingles.add(crc32(words[i] + " " + words[i + 1]));
    found = { words: words, shingles: shingles, sketch: null };
    if (profiles.size > 4096) profiles.clear();
    profiles.set(text, found);
    return found;
  }

  function sketch(p) {  // align._sketch: the smallest hashes
    if (!p.sketch) p.sketch = Array.from(p.shingles).sort(byNumber).slice(0, CONFIG.align.sketch);
    return p.sketch;
  }

  function overlap(a, b) {
    var small = a.size <= b.size ? a : b, large = small === a ? b : a, n = 0;
    small.forEach(function (x) { if (large.has(x)) n++; });
    return n;
  }

  /* rapidfuzz's Indel.normalized_similarity of two word lists: 1 - (|a|+|b|-2·LCS)/(|a|+|b|).
     With no time limit diff-match-patch's diff is minimal, so its equal parts are an LCS. */
  function wordSimilarity(dmp, a, b) {
    var total = a.length + b.length;
    if (!total) return 1;
    var table = new Map();
    function encode(words) {
      return words.map(function (w) {
        if (!table.has(w)) table.set(w, codeOf(table.size));
        return table.get(w);
      }).join("");
    }
    var common = dmp.diff_main(encode(a), encode(b), false).reduce(function (n, d) {
      return d[0] === 0 ? n + d[1].length : n;
    }, 0);
    return 1 - (total - 2 * common) / total;
  }

  function countBy(keys) {
    var counts = new Map();
    keys.forEach(function (k) { counts.set(k, (counts.get(k) || 0) + 1); });
    return counts;
  }

  function alignSections(dmp, old, neu) {
    var oldOf = new Map(), takenOld = new Set(), how = new Map();
    function pair(o, n, name) { oldOf.set(n, o); takenOld.add(o); how.set(n, name); }
    // 1. identical text
    var byText = new Map();
    old.forEach(function (s, o) {
      if (!byText.has(s.text)) byText.set(s.text, []);
      byText.get(s.text).push(o);
    });
    neu.forEach(function (s, n) {
      var queue = byText.get(s.text);
      if (queue && queue.length) pair(queue.shift(), n, "identical");
    });
    // 2. same id, 3. same title slug: only where the title says which section it is
    function placedKey(s) { return JSON.stringify([s.parent, s.slug]); }
    var placed = countBy(old.concat(neu).map(placedKey));
    var titled = countBy(old.concat(neu).map(function (s) { return s.slug; }));
    [
      ["id", function (s) { return s.id; }, function (s) { return placed.get(placedKey(s)) <= 2; }],
      ["title", function (s) { return s.slug; }, function (s) { return !!s.title && titled.get(s.slug) <= 2; }],
    ].forEach(function (pass) {
      var name = pass[0], key = pass[1], telling = pass[2], keyed = new Map();
      old.forEach(function (s, o) {
        if (takenOld.has(o) || !telling(s)) return;
        if (!keyed.has(key(s))) keyed.set(key(s), []);
        keyed.get(key(s)).push(o);
      });
      neu.forEach(function (s, n) {
        if (oldOf.has(n) || !telling(s)) return;
        var queue = keyed.get(key(s));
        if (queue && queue.length) pair(queue.shift(), n, name);
      });
    });
    // 4. similar text
    similarPairs(dmp, old, neu, takenOld, oldOf).forEach(function (t) {
      if (!takenOld.has(t[0]) && !oldOf.has(t[1])) pair(t[0], t[1], "similar");
    });
    var groups = [];  // in the order pairs were made, as align.py's dict
    oldOf.forEach(function (o, n) { groups.push({ old: [o], neu: [n], how: how.get(n), moved: false }); });
    // 5. splits and merges
    var left = attachLeftovers(old, neu, groups, oldOf, takenOld);
    var result = groups.slice();
    left.neu.sort(byNumber).forEach(function (n) { result.push({ old: [], neu: [n], how: "added", moved: false }); });
    left.old.sort(byNumber).forEach(function (o) { result.push({ old: [o], neu: [], how: "removed", moved: false }); });
    markMoves(result);
    return result;
  }

  function byNumber(a, b) { return a - b; }

  /* align._similar_pairs: only pairs sharing a min-hash are candidates. */
  function similarPairs(dmp, old, neu, takenOld, oldOf) {
    var index = new Map(), freeOld = [], freeNew = [];
    old.forEach(function (s, o) { if (!takenOld.has(o)) freeOld.push(o); });
    neu.forEach(function (s, n) { if (!oldOf.has(n)) freeNew.push(n); });
    if (!freeOld.length || !freeNew.length) return [];
    freeOld.forEach(function (o) {
      sketch(profile(old[o].text)).forEach(function (h) {
        if (!index.has(h)) index.set(h, []);
        index.get(h).push(o);
      });
    });
    var scored = [];
    freeNew.forEach(function (n) {
      var pn = profile(neu[n].text), candidates = new Set();
      sketch(pn).forEach(function (h) { (index.get(h) || []).forEach(function (o) { candidates.add(o); }); });
      candidates.forEach(function (o) {
        var po = profile(old[o].text);
        var dice = 2 * overlap(pn.shingles, po.shingles) / (pn.shingles.size + po.shingles.size);
        if (dice < CONFIG.align.prefilter_dice) return;
        var ratio = wordSimilarity(dmp, po.words, pn.words);
        if (ratio >= CONFIG.align.match_ratio) scored.push([o, n, ratio]);
      });
    });
    scored.sort(function (a, b) { return b[2] - a[2] || a[1] - b[1] || a[0] - b[0]; });
    return scored;
  }

  function attachLeftovers(old, neu, groups, oldOf, takenOld) {
    var freeOld = new Set(), freeNew = new Set();
    old.forEach(function (s, o) { if (!takenOld.has(o)) freeOld.add(o); });
    neu.forEach(function (s, n) { if (!oldOf.has(n)) freeNew.add(n); });
    function indexBy(side) {
      var map = new Map();
      groups.forEach(function (g) { map.set(g[side][0], g); });
      return map;
    }
    function texts(g) {
      return [g.old.map(function (i) { return old[i].text; }).join(""),
              g.neu.map(function (i) { return neu[i].text; }).join("")];
    }
    function hostable(host) {
      return host && !(host.how === "identical" && host.old.length === 1 && host.neu.length === 1);
    }
    var groupOfOld = indexBy("old"), groupOfNew = indexBy("neu"), changed = true;
    while (changed) {
      changed = false;
      // A split: a new section next to a pair, made of the pair's old text.
      Array.from(freeNew).sort(byNumber).forEach(function (n) {
        var hosts = [groupOfNew.get(n - 1), groupOfNew.get(n + 1)];
        for (var i = 0; i < hosts.length; i++) {
          var host = hosts[i];
          if (!hostable(host)) continue;
          if (!(host.neu[host.neu.length - 1] === n - 1 || host.neu[0] === n + 1)) continue;
          var t = texts(host);
          if (contained(neu[n].text, t[0], t[1])) {
            host.neu = host.neu.concat([n]).sort(byNumber);
            groupOfNew = indexBy("neu");
            freeNew.delete(n);
            changed = true;
            break;
          }
        }
      });
      // A merge: an old section next to a pair, whose text went into the pair's new text.
      Array.from(freeOld).sort(byNumber).forEach(function (o) {
        var before = groups.find(function (g) { return g.old.length && g.old[g.old.length - 1] === o - 1; });
        var hosts = [before, groupOfOld.get(o + 1)];
        for (var i = 0; i < hosts.length; i++) {
          var host = hosts[i];
          if (!hostable(host)) continue;
          if (!(host.old[host.old.length - 1] === o - 1 || host.old[0] === o + 1)) continue;
          var t = texts(host);
          if (contained(old[o].text, t[1], t[0])) {
            host.old = host.old.concat([o]).sort(byNumber);
            groupOfOld = indexBy("old");
            freeOld.delete(o);
            changed = true;
            break;
          }
        }
      });
    }
    return { old: Array.from(freeOld), neu: Array.from(freeNew) };
  }

  function contained(piece, otherSide, sameSide) {
    var mine = profile(piece).shingles;
    if (!mine.size) return false;
    var other = profile(otherSide).shingles, same = profile(sameSide).shingles, n = 0;
    mine.forEach(function (x) { if (other.has(x) && !same.has(x)) n++; });
    return n / mine.size >= CONFIG.align.attach_containment;
  }

  /* Moved: a matched group off one longest chain whose old and new positions both
     increase (patience sorting, as align._longest_increasing, so ties break alike). */
  function markMoves(groups) {
    var matched = groups.filter(function (g) { return g.old.length && g.neu.length; })
      .sort(function (a, b) { return a.neu[0] - b.neu[0]; });
    var values = matched.map(function (g) { return g.old[0]; });
    var tails = [], tailPos = [], prev = [];
    values.forEach(function (v, i) {
      var lo = 0, hi = tails.length;
      while (lo < hi) { var mid = (lo + hi) >> 1; if (tails[mid] < v) lo = mid + 1; else hi = mid; }
      tails[lo] = v; tailPos[lo] = i;
      prev[i] = lo ? tailPos[lo - 1] : -1;
    });
    var keep = new Set();
    for (var i = tailPos.length ? tailPos[tailPos.length - 1] : -1; i >= 0; i = prev[i]) keep.add(i);
    matched.forEach(function (g, k) { g.moved = !keep.has(k); });
  }

  /* Rows in reading order (as diff/compare.py): new order, each removed section right
     after the section that preceded it; statuses as compare._change gives them. */
  function align(dmp, oldDoc, newDoc) {
    var old = oldDoc.sections, neu = newDoc.sections;
    var groups = alignSections(dmp, old, neu), newStartOfOld = new Map();
    groups.forEach(function (g) { if (g.neu.length) g.old.forEach(function (o) { newStartOfOld.set(o, g.neu[0]); }); });
    function key(g) {
      if (g.neu.length) return [g.neu[0], 0, 0];
      var before = -1;
      for (var o = 0; o < g.old[0]; o++) if (newStartOfOld.has(o)) before = Math.max(before, newStartOfOld.get(o));
      return [before, 1, g.old[0]];
    }
    var keyed = groups.map(function (g) { return { g: g, k: key(g) }; });
    keyed.sort(function (a, b) { return a.k[0] - b.k[0] || a.k[1] - b.k[1] || a.k[2] - b.k[2]; });
    return keyed.map(function (item) {
      var g = item.g;
      var befores = g.old.map(function (i) { return old[i]; }), afters = g.neu.map(function (i) { return neu[i]; });
      var before = befores.map(function (s) { return s.text; }).join("");
      var after = afters.map(function (s) { return s.text; }).join("");
      var first = afters[0] || befores[0], status;
      if (!befores.length) status = "added";
      else if (!afters.length) status = "removed";
      else if (before === after) status = g.moved ? "moved" : "unchanged";
      else status = befores.length === 1 && afters.length === 1 && befores[0].slug !== afters[0].slug ? "renamed" : "modified";
      var note = null;
      if (befores.length > 1) note = "merged from " + befores.length + " sections";
      if (afters.length > 1) note = befores.length > 1 ? befores.length + " sections into " + afters.length
        : "split into " + afters.length + " sections";
      return {
        status: status, moved: g.moved, note: note, title: first.title, name: first.name,
        oldTitle: befores.length ? befores[0].title : undefined, oldName: befores.length ? befores[0].name : undefined,
        oldIndex: g.old.length ? g.old[0] : null, newIndex: g.neu.length ? g.neu[0] : null,
        oldIds: befores.map(function (s) { return s.id; }), newIds: afters.map(function (s) { return s.id; }),
        old: before, new: after,
      };
    });
  }

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(url + ": " + r.status);
      return r.json();
    });
  }

  function initCompare(root) {
    var base = new URL(root.getAttribute("data-index"), document.baseURI);
    var loads = [
      fetchJson(new URL(root.getAttribute("data-config"), document.baseURI)),
      fetchJson(base),
      fetchJson(new URL(root.getAttribute("data-changes"), document.baseURI)),
    ];
    Promise.all(loads).then(function (loaded) {
      configure(loaded[0]);
      var index = loaded[1], history = loaded[2].changes;
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
        result.removeAttribute("data-compared");
        Promise.all([fetchJson(new URL(a.file, base)), fetchJson(new URL(b.file, base))]).then(function (docs) {
          render(result, docs[0], docs[1], changeOf(history, a.id, b.id));
          result.setAttribute("data-compared", a.id + " " + b.id);  // done: tools and tests wait for it
        }).catch(function (error) { result.textContent = "Could not compare the versions: " + error.message; });
      }
      run();
    }).catch(function (error) { root.textContent = "Could not load the list of versions: " + error.message; });
  }

  /* The change of the history from one version to the other (its latest, as the CLI takes
     it), if the pair is one: its flags and labels are then the change page's. */
  function changeOf(history, from, to) {
    for (var i = history.length - 1; i >= 0; i--) if (history[i].from === from && history[i].to === to) return history[i];
    return null;
  }

  /* An entry's status in words, as wording.entry_label words it (with WORDS from Python).
     Whether an edit is trivial is decided by Python's classifier: for a pair that is a
     change of the history the recorded label says it; for any other pair it is not shown. */
  function rowLabel(row) {
    var parts = [row.status];
    if (row.oldTitle !== undefined && row.newIds.length && row.oldTitle !== row.title) {
      var renamed = WORDS.renamed_from.replace("{title}", row.oldName);
      if (row.status === "renamed") parts[0] = renamed; else parts.push(renamed);
    }
    if ((row.status === "moved" || row.status === "renamed") && row.oldIndex !== null && row.newIndex !== null
        && row.oldIndex !== row.newIndex) {
      parts.push(WORDS.position.replace("{old}", row.oldIndex + 1).replace("{new}", row.newIndex + 1));
    }
    if (row.note) parts.push(row.note);
    return parts.filter(function (p, i) { return parts.indexOf(p) === i; }).join("; ");
  }

  function recordedLabel(change, row) {
    var oldIds = row.oldIds.join(" "), newIds = row.newIds.join(" ");
    for (var i = 0; i < change.sections.length; i++) {
      var s = change.sections[i];
      if (s.old_ids.join(" ") === oldIds && s.new_ids.join(" ") === newIds) return s.label;
    }
    return null;
  }

  function tagRow(node, row) {  // what a reader's tools (and the tests) can read back
    node.setAttribute("data-status", row.status);
    node.setAttribute("data-old-ids", row.oldIds.join(" "));
    node.setAttribute("data-new-ids", row.newIds.join(" "));
    return node;
  }

  function flagsNode(change) {
    var box = el("div", "pd-compare-flags");
    box.setAttribute("data-flags", change.flags.join(" "));
    change.shown.forEach(function (flag) {
      var p = el("p", "pd-flag pd-flag-" + flag.level);
      p.setAttribute("data-flag", flag.name);
      p.appendChild(el("strong", null, flag.title));
      p.appendChild(document.createTextNode(" " + flag.text));
      box.appendChild(p);
    });
    return box;
  }

  function render(result, oldDoc, newDoc, change) {
    var dmp = new diff_match_patch();
    dmp.Diff_Timeout = 0;
    var rows = align(dmp, oldDoc, newDoc);
    result.textContent = "";
    var changed = rows.filter(function (r) { return r.status !== "unchanged"; });
    var same = rows.filter(function (r) { return r.status === "unchanged"; });
    var added = 0, removed = 0;
    var details = [];
    changed.forEach(function (row) {
      var diffs = row.status === "added" ? [[1, row.new]] : row.status === "removed" ? [[-1, row.old]]
        : row.old === row.new ? [[0, row.new]] : wordDiff(dmp, row.old, row.new);
      var plus = countWords(diffs, 1), minus = countWords(diffs, -1);
      added += plus; removed += minus;
      var label = (change && recordedLabel(change, row)) || rowLabel(row);
      var section = tagRow(el("section", "pd-compare-section pd-status-" + row.status), row);
      section.setAttribute("data-label", label);
      section.appendChild(el("h2", null, row.name));
      section.appendChild(el("p", "pd-badge pd-badge-" + row.status, label + " · +" + plus + " −" + minus + " words"));
      section.appendChild(diffNode(diffs, oldDoc.id, newDoc.id));
      details.push(section);
    });
    var summary = el("p", "pd-compare-summary",
      oldDoc.id === newDoc.id ? "The same version on both sides." :
      changed.length + " of " + rows.length + " sections differ; +" + added + " −" + removed + " words.");
    result.appendChild(summary);
    if (change) result.appendChild(flagsNode(change));
    details.forEach(function (node) { result.appendChild(node); });
    if (same.length && oldDoc.id !== newDoc.id) {
      var fold = el("details", "pd-compare-unchanged");
      fold.appendChild(el("summary", null, same.length + " unchanged " + (same.length === 1 ? "section" : "sections")));
      var list = el("ul");
      same.forEach(function (row) { list.appendChild(tagRow(el("li", null, row.name), row)); });
      fold.appendChild(list);
      result.appendChild(fold);
    }
  }

  /* A printed page is whole: every fold and collapsed section opens for the print, and
     closes again after it. */
  function initPrint() {
    var opened = [];
    window.addEventListener("beforeprint", function () {
      document.querySelectorAll(".pd-print-url").forEach(function (node) { node.textContent = window.location.href; });
      document.querySelectorAll("article details:not([open])").forEach(function (d) { d.open = true; opened.push(d); });
    });
    window.addEventListener("afterprint", function () {
      opened.forEach(function (d) { d.open = false; });
      opened = [];
    });
  }

  function init() {
    initToggles();
    initPrint();
    document.querySelectorAll(".pd-compare[data-index]").forEach(initCompare);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
