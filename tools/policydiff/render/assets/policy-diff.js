/* policy-diff: the side-by-side toggle of change pages and the in-browser compare page.
   Text from captures is written with textContent, or escaped by esc() in the rendered
   diffs' HTML (renderDiff, a port of render/diffhtml.py), never as markup. The compare
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
    configureRender();
  }

  /* Token codes as diff/words.py _codes: from first_code on, skipping the surrogates, so
     each token is one UTF-16 unit (diff-match-patch's unit). */
  function codeOf(n) {
    var code = CONFIG.tokens.first_code + n, gap = CONFIG.tokens.surrogates;
    if (code >= gap[0]) code += gap[1] - gap[0];
    if (code > 0xFFFF) throw new Error("too many distinct words to compare in the browser");
    return String.fromCharCode(code);
  }

  var spaces = new Map();
  function isSpace(ch) {  // str.isspace, asked of every character of a rendered diff
    var found = spaces.get(ch);
    if (found === undefined) { found = SPACE_RE.test(ch); spaces.set(ch, found); }
    return found;
  }

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

  /* One section's diff, both views, as the change pages have it (render/diffhtml.py's
     diff_block); the HTML is renderDiff's, where captured text went through esc(). */
  function diffNode(diffs, oldLabel, newLabel) {
    var box = el("div", "pd-diff");
    box.setAttribute("data-view", currentView() === "sbs" ? "sbs" : "inline");
    var inline = el("div", "pd-inline"), sbs = el("div", "pd-sbs");
    var oldSide = el("div", "pd-old"), newSide = el("div", "pd-new");
    inline.innerHTML = renderDiff(diffs, true);
    oldSide.appendChild(el("div", "pd-side-label", oldLabel));
    newSide.appendChild(el("div", "pd-side-label", newLabel));
    oldSide.insertAdjacentHTML("beforeend", renderDiff(diffs.filter(function (d) { return d[0] <= 0; }), false));
    newSide.insertAdjacentHTML("beforeend", renderDiff(diffs.filter(function (d) { return d[0] >= 0; }), false));
    sbs.appendChild(oldSide); sbs.appendChild(newSide);
    box.appendChild(inline); box.appendChild(sbs);
    return box;
  }

  // -- rendered diffs ---------------------------------------------------------------------
  /* A port of render/diffhtml.py (read its docstring): the same lines, kinds, forms, blocks
     and folds, so that a compared pair reads as its change page does. Captured text reaches
     the HTML only through esc(); links only through safeUrl() (escape.safe_url). */
  var BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069";
  var CONTROLS_RE = new RegExp("[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\ufffe\\uffff" + BIDI + "]", "g");
  function visibleControls(text) {
    return text.replace(CONTROLS_RE, function (c) {
      if (BIDI.indexOf(c) >= 0) return "⟦U+" + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0") + "⟧";
      return c === "\u0085" ? " " : "";
    });
  }
  function esc(text) {
    return visibleControls(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" }[c];
    });
  }
  var URL_SAFE = "/:?#=&%.-~,;+@$!_";
  function safeUrl(url) {
    if (!url) return null;
    url = url.replace(SPACE_EDGES_RE, "");
    if (!/^https?:\/\/[^\/?#]/i.test(url)) return null;
    var out = "", chars = Array.from(url);
    for (var i = 0; i < chars.length; i++) {
      var c = chars[i];
      if (isSpace(c) || /[\p{C}\p{Z}]/u.test(c)) return null;
      if (/[A-Za-z0-9]/.test(c) || URL_SAFE.indexOf(c) >= 0) { out += c; continue; }
      UTF8.encode(c).forEach(function (b) { out += "%" + b.toString(16).toUpperCase().padStart(2, "0"); });
    }
    return out;
  }
  var SPACE_EDGES_RE, ALNUM_RE, WORD_CHAR_RE;
  var HEADING_RE = /^ {0,3}(#{1,6})(?:[ \t]+|$)/, ITEM_RE = /^([ \t]*)([-*+]|(\d{1,9})[.)])(?:[ \t]+|$)/;
  var QUOTE_RE = /^ {0,3}>[ \t]?/, RULE_RE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/, ROW_RE = /^[ \t]*\|/;
  var SEPARATOR_RE = /^[ \t|:-]*-[ \t|:-]*$/, INDENT_RE = /^[ \t]*/, AUTOLINK_RE = /^<((?:https?:\/\/|mailto:)[^\s<>]+)>/;
  var PUNCT = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

  function configureRender() {
    var s = CONFIG.tokens.space, w = CONFIG.tokens.word;
    SPACE_EDGES_RE = new RegExp("^[" + s + "]+|[" + s + "]+$", "gu");
    ALNUM_RE = new RegExp("^[\\p{L}\\p{N}]$", "u");
    WORD_CHAR_RE = new RegExp("^[" + w + "]$", "u");
  }
  function isBlank(text) { return !Array.from(text).some(function (c) { return !isSpace(c); }); }
  function width(indent) {  // str.expandtabs(4) length
    var n = 0;
    for (var i = 0; i < indent.length; i++) n = indent[i] === "\t" ? n + 4 - (n % 4) : n + 1;
    return n;
  }
  function Kind(name, level, ordered, prefix, bold) {
    return { name: name, level: level || 0, ordered: !!ordered, prefix: prefix || 0, bold: !!bold };
  }
  var BLANK = Kind("blank");
  function cpLength(text) { return Array.from(text).length; }
  function kindOf(line) {  // diffhtml.kind_of; prefixes in code points
    if (isBlank(line)) return BLANK;
    var m;
    if ((m = HEADING_RE.exec(line))) return Kind("heading", m[1].length, false, cpLength(m[0]));
    if (RULE_RE.test(line)) return Kind("rule", 0, false, cpLength(line));
    if (ROW_RE.test(line)) return Kind(SEPARATOR_RE.test(line) ? "sep" : "row");
    if ((m = ITEM_RE.exec(line))) {
      var inner = HEADING_RE.exec(line.slice(m[0].length));
      var end = m[0].length + (inner ? inner[0].length : 0);
      return Kind("item", width(m[1]), m[3] !== undefined, cpLength(line.slice(0, end)), !!inner);
    }
    if ((m = QUOTE_RE.exec(line))) {
      var q = HEADING_RE.exec(line.slice(m[0].length));
      return Kind("quote", 0, false, cpLength(line.slice(0, m[0].length + (q ? q[0].length : 0))), !!q);
    }
    var indent = INDENT_RE.exec(line)[0];
    return Kind("text", width(indent), false, indent.length);
  }
  function sameKind(a, b) {
    if (a.name !== b.name) return (a.name === "row" || a.name === "sep") && (b.name === "row" || b.name === "sep");
    if (a.name === "heading") return a.level === b.level;
    return a.ordered === b.ordered;
  }
  function describe(kind) { return kind.name === "item" && kind.ordered ? ["ordered", 0] : [kind.name, kind.level]; }
  function structureWas(kind) {
    var d = describe(kind);
    return WORDS.structure_was.replace("{what}", WORDS.blocks[d[0]].replace("{level}", d[1]));
  }

  function matching(s, start, open, close) {
    var depth = 0;
    for (var i = start; i < s.length; i++) {
      var c = s[i];
      if (c === "\\") { i++; continue; }
      if (c === open) depth++;
      else if (c === close) { if (depth === 0) return i; depth--; }
    }
    return -1;
  }
  function findRun(s, run, from) {  // s.find("`" * run, from) over code points
    outer: for (var i = from; i + run <= s.length; i++) {
      for (var k = 0; k < run; k++) if (s[i + k] !== "`") continue outer;
      return i;
    }
    return -1;
  }
  function fill(n, v) { var a = new Array(n); for (var i = 0; i < n; i++) a[i] = v; return a; }
  function parseInline(s) {  // diffhtml.parse_inline over an array of code points
    var n = s.length;
    var r = { hidden: fill(n, false), strong: fill(n, false), em: fill(n, false), code: fill(n, false),
              link: fill(n, -1), target: fill(n, false), links: [] };
    var literal = fill(n, false), jump = new Map(), current = [], i = 0, k;
    while (i < n) {
      if (jump.has(i)) { var to = jump.get(i); jump.delete(i); i = to; continue; }
      while (current.length && i >= current[current.length - 1][0]) current.pop();
      var cur = current.length ? current[current.length - 1][1] : -1;
      if (cur >= 0) r.link[i] = cur;
      var c = s[i];
      if (c === "\\" && i + 1 < n && PUNCT.indexOf(s[i + 1]) >= 0) {
        r.hidden[i] = true; literal[i + 1] = true;
        if (cur >= 0) r.link[i + 1] = cur;
        i += 2; continue;
      }
      if (c === "`") {
        var run = 1;
        while (i + run < n && s[i + run] === "`") run++;
        var end = findRun(s, run, i + run);
        if (end < 0) { for (k = i; k < i + run; k++) literal[k] = true; i += run; continue; }
        for (k = i; k < end + run; k++) {
          if (cur >= 0) r.link[k] = cur;
          if (k < i + run || k >= end) r.hidden[k] = true;
          else { r.code[k] = true; literal[k] = true; }
        }
        i = end + run; continue;
      }
      if (c === "[" || (c === "!" && i + 1 < n && s[i + 1] === "[")) {
        var start = i + (c === "[" ? 1 : 2), close = matching(s, start, "[", "]");
        if (close >= 0 && close + 1 < n && s[close + 1] === "(") {
          var stop = matching(s, close + 2, "(", ")");
          if (stop >= 0) {
            var dest = s.slice(close + 2, stop).join("").replace(SPACE_EDGES_RE, "");
            var href = dest ? dest.split(new RegExp("[" + CONFIG.tokens.space + "]+", "u"))[0] : "";
            if (href.startsWith("<")) href = href.slice(1);
            if (href.endsWith(">")) href = href.slice(0, -1);
            r.links.push(href);
            var index = r.links.length - 1;
            for (k = i; k < start; k++) r.hidden[k] = true;
            for (k = close; k <= stop; k++) { r.hidden[k] = true; r.link[k] = index; r.target[k] = close + 1 < k && k < stop; }
            for (k = start; k < close; k++) r.link[k] = index;
            jump.set(close, stop + 1);
            current.push([close, index]);
            i = start; continue;
          }
        }
      }
      if (c === "<") {
        var m = AUTOLINK_RE.exec(s.slice(i, i + 2048).join(""));
        if (m) {
          r.links.push(m[1]);
          var len = cpLength(m[0]);
          for (k = i; k < i + len; k++) { r.link[k] = r.links.length - 1; literal[k] = true; }
          r.hidden[i] = r.hidden[i + len - 1] = true;
          i += len; continue;
        }
      }
      i++;
    }
    emphasis(s, r, literal);
    return r;
  }
  function emphasis(s, r, literal) {
    var n = s.length, stack = [], i = 0;
    while (i < n) {
      var c = s[i];
      if ((c !== "*" && c !== "_") || r.hidden[i] || literal[i]) { i++; continue; }
      var j = i;
      while (j < n && s[j] === c && !r.hidden[j] && !literal[j]) j++;
      var run = j - i, before = i ? s[i - 1] : " ", after = j < n ? s[j] : " ";
      var canOpen = !isSpace(after), canClose = !isSpace(before);
      if (c === "_") { canOpen = canOpen && !ALNUM_RE.test(before); canClose = canClose && !ALNUM_RE.test(after); }
      var matched = false;
      if (canClose && run <= 3) {
        for (var k = stack.length - 1; k >= 0; k--) {
          if (stack[k][0] === c && stack[k][2] === run) {
            var at = stack[k][1], p;
            for (p = at; p < at + run; p++) r.hidden[p] = true;
            for (p = i; p < j; p++) r.hidden[p] = true;
            for (p = at + run; p < i; p++) { if (run >= 2) r.strong[p] = true; if (run !== 2) r.em[p] = true; }
            stack.length = k; matched = true; break;
          }
        }
      }
      if (!matched && canOpen && run <= 3) stack.push([c, i, run]);
      i = j;
    }
  }

  var PLAIN = { syntax: false, link: null, target: false, strong: false, em: false, code: false };
  var SYNTAX = { syntax: true, link: null, target: false, strong: false, em: false, code: false };
  var serial = 0;
  function form(ctx, syntax, link, target, strong, em, code) {  // forms are few: one object each
    if (!syntax && link === null && !target && !strong && !em && !code) return PLAIN;
    var key = [syntax, link, target, strong, em, code].join("|"), found = ctx.forms.get(key);
    if (!found) {
      found = { syntax: syntax, link: link, target: target, strong: strong, em: em, code: code };
      ctx.forms.set(key, found);
    }
    return found;
  }
  function Ch(mark, text, old, neu) {  // forms (fn/fo), kinds (kn/ko) and line starts (sn/so) of each side
    return { mark: mark, text: text, old: old, neu: neu, fn: null, fo: null, kn: null, ko: null, sn: null, so: null };
  }
  function formOf(ch, primaryNew) {
    var side = (primaryNew ? ch.neu : ch.old) ? primaryNew : !primaryNew;
    return (side ? ch.fn : ch.fo) || PLAIN;
  }
  function annotate(chars, ctx) {
    [true, false].forEach(function (side) {
      var line = [];
      chars.filter(function (c) { return side ? c.neu : c.old; }).concat([Ch(0, "\n", true, true)]).forEach(function (ch) {
        if (ch.text !== "\n") { line.push(ch); return; }
        annotateLine(line, side, ++serial, ctx);
        line = [];
      });
    });
  }
  function annotateLine(line, side, number, ctx) {
    if (!line.length) return;
    var kind = kindOf(line.map(function (c) { return c.text; }).join(""));
    line[0][side ? "sn" : "so"] = kind;
    var fk = side ? "fn" : "fo", kk = side ? "kn" : "ko";
    line.forEach(function (ch, k) { ch[kk] = kind; if (k < kind.prefix) ch[fk] = SYNTAX; });
    var content = line.slice(kind.prefix), pieces = [[]];
    content.forEach(function (ch, k) {
      if ((kind.name === "row" || kind.name === "sep") && ch.text === "|" && !(k && content[k - 1].text === "\\")) {
        ch[fk] = SYNTAX; pieces.push([]);
      } else pieces[pieces.length - 1].push(ch);
    });
    pieces.forEach(function (piece, p) {
      var parsed = parseInline(piece.map(function (c) { return c.text; }));
      parsed.links.forEach(function (href, k) {
        var key = side + ":" + number + ":" + p + ":" + k;
        ctx.hrefs.set(key, href);
        var marks = ctx.marks.get(key) || new Set();
        piece.forEach(function (ch, at) { if (parsed.link[at] === k) marks.add(ch.mark); });
        ctx.marks.set(key, marks);
      });
      piece.forEach(function (ch, k) {
        var link = parsed.link[k] >= 0 ? side + ":" + number + ":" + p + ":" + parsed.link[k] : null;
        ch[fk] = form(ctx, parsed.hidden[k] && !parsed.target[k], link, parsed.target[k], parsed.strong[k], parsed.em[k],
                      parsed.code[k]);
      });
    });
  }
  function visible(chars, neu) {
    return chars.some(function (c) {
      return (neu ? c.neu : c.old) && !isSpace(c.text) && !((neu ? c.fn : c.fo) || PLAIN).syntax;
    });
  }
  function inPrefix(ch, primaryNew) {
    var side = (primaryNew ? ch.neu : ch.old) ? primaryNew : !primaryNew, kind = side ? ch.kn : ch.ko;
    return kind !== null && kind.prefix > 0 && (side ? ch.fn : ch.fo) === SYNTAX;
  }
  function makeLine(chars, newlineKept) {
    var primaryNew = visible(chars, true) || !visible(chars, false);
    var mine = chars.filter(function (c) { return primaryNew ? c.neu : c.old; });
    var kind = mine.length ? ((primaryNew ? mine[0].kn : mine[0].ko) || BLANK) : BLANK;
    if (!mine.some(function (c) { return !isSpace(c.text); })) kind = BLANK;
    var others = chars.filter(function (c) { return primaryNew ? c.old : c.neu; });
    var other = others.length ? ((primaryNew ? others[0].so : others[0].sn) || BLANK) : BLANK;
    var content = [], kept = [];
    chars.forEach(function (ch) {
      if (ch.text === "|" && (kind.name === "row" || kind.name === "sep")) { content.push(ch); return; }
      var form = formOf(ch, primaryNew);
      if (form.syntax && !form.target) {
        if (ch.mark && WORD_CHAR_RE.test(ch.text) && ch.text !== "_" && inPrefix(ch, primaryNew)) kept.push(ch);
        return;
      }
      content.push(ch);
    });
    if (kept.length && new Set(chars.map(function (c) { return c.mark; })).size > 1) {
      var shown = kept.map(function (c) { var x = Ch(c.mark, c.text, true, true); x.fn = x.fo = PLAIN; return x; });
      content = shown.concat([Ch(0, " ", true, true)], content);
    }
    var note = "";
    if (other.name !== "blank" && kind.name !== "blank" && kind.name !== "sep" && !sameKind(kind, other)) {
      note = structureWas(primaryNew ? other : kind);
    }
    return { kind: kind, chars: content, unchanged: newlineKept && chars.every(function (c) { return c.mark === 0; }),
             note: note, length: chars.length + 1, primaryNew: primaryNew, all: chars };
  }
  function diffLines(diffs, twoSides, ctx) {
    var chars = [];
    diffs.forEach(function (d) {
      var old = twoSides ? d[0] <= 0 : true, neu = twoSides ? d[0] >= 0 : true;
      Array.from(d[1]).forEach(function (c) { chars.push(Ch(d[0], c, old, neu)); });
    });
    annotate(chars, ctx);
    var lines = [], current = [];
    chars.forEach(function (ch) {
      if (ch.text === "\n") { lines.push(makeLine(current, ch.mark === 0)); current = []; }
      else current.push(ch);
    });
    lines.push(makeLine(current, true));
    while (lines.length && lines[lines.length - 1].kind.name === "blank") lines.pop();
    return lines;
  }

  function strip(chars) {
    var a = 0, b = chars.length;
    while (a < b && isSpace(chars[a].text)) a++;
    while (b > a && isSpace(chars[b - 1].text)) b--;
    return chars.slice(a, b);
  }
  var LEVELS = ["a", "target", "strong", "em", "code"];
  function inlineHtml(chars, ctx, primaryNew) {
    var shown = [], group = 0, inTarget = false, groupAttrs = {}, targetAttrs = {};
    chars.forEach(function (ch) {
      var form = formOf(ch, primaryNew);
      if (form.target) {
        if (!inTarget) { group++; inTarget = true; }
        var gk = group + "|" + form.link;
        if (!groupAttrs[gk]) groupAttrs[gk] = [form.link, group, false, false, false];
        shown.push([ch, groupAttrs[gk]]);
        return;
      }
      inTarget = false;
      if (form.syntax) return;
      if (!form.attrs) form.attrs = [form.link, null, form.strong, form.em, form.code];
      shown.push([ch, form.attrs]);
    });
    var changed = new Map();
    shown.forEach(function (item) {
      var attrs = item[1];
      if (attrs[1] !== null && (ctx.marks.get(attrs[0]) || new Set()).size > 1) {
        changed.set(attrs[1], changed.get(attrs[1]) || item[0].mark !== 0);
      }
    });
    var runs = [];
    shown.forEach(function (item) {
      var attrs = item[1];
      if (attrs[1] !== null) {
        if (!changed.get(attrs[1])) return;
        if (!targetAttrs[attrs[1]]) targetAttrs[attrs[1]] = [null, attrs[1], false, false, false];
        attrs = targetAttrs[attrs[1]];
      }
      runs.push([attrs, item[0].mark, item[0].text]);
    });
    return nest(runs, 0, runs.length, 0, ctx);
  }
  function nest(runs, lo, hi, level, ctx) {  // runs[lo:hi], grouped level by level
    if (level === LEVELS.length) return marksHtml(runs, lo, hi);
    var out = "", i = lo;
    while (i < hi) {
      var value = runs[i][0][level], j = i;
      while (j < hi && runs[j][0][level] === value) j++;
      out += wrap(LEVELS[level], value, nest(runs, i, j, level + 1, ctx), ctx);
      i = j;
    }
    return out;
  }
  function wrap(what, value, inner, ctx) {
    if (!value) return inner;
    if (what === "a") {
      var href = safeUrl(ctx.hrefs.get(value) || "");
      if (href === null) return inner;
      var url = esc(href);
      return '<a href="' + url + '" title="' + url + '" rel="nofollow noopener noreferrer">' + inner + "</a>";
    }
    if (what === "target") return '<span class="pd-target">' + esc(" [" + WORDS.link_target) + inner + esc("]") + "</span>";
    return "<" + what + ">" + inner + "</" + what + ">";
  }
  function marksHtml(runs, lo, hi) {
    var out = "", i = lo;
    while (i < hi) {
      var mark = runs[i][1], j = i, text = "";
      while (j < hi && runs[j][1] === mark) { text += runs[j][2]; j++; }
      text = esc(text);
      if (mark > 0) out += '<ins class="pd-ins" title="added">' + text + "</ins>";
      else if (mark < 0) out += '<del class="pd-del" title="removed">' + text + "</del>";
      else out += text;
      i = j;
    }
    return out;
  }
  function contentHtml(line, ctx) {
    var body = inlineHtml(strip(line.chars), ctx, line.primaryNew);
    if (line.kind.bold) body = "<strong>" + body + "</strong>";
    if (line.note) body = '<small class="pd-was">(' + esc(line.note) + ")</small> " + body;
    return body;
  }
  function cells(chars) {
    var out = [[]];
    chars.forEach(function (ch) {
      if (ch.text === "|" && ((ch.fn && ch.fn.syntax) || (ch.fo && ch.fo.syntax))) out.push([]);
      else out[out.length - 1].push(ch);
    });
    function empty(cell) { return isBlank(cell.map(function (c) { return c.text; }).join("")); }
    if (out.length && empty(out[0])) out.shift();
    if (out.length && empty(out[out.length - 1])) out.pop();
    return out;
  }
  function rowMark(line) {
    var marks = new Set();
    line.chars.forEach(function (c) { if (!isSpace(c.text) && c.text !== "|") marks.add(c.mark); });
    return marks.size === 1 ? Array.from(marks)[0] : 0;
  }
  function tableHtml(lines, ctx) {
    var rows = lines.filter(function (l) { return l.kind.name === "row"; }), heads = 0, out = [];
    if (lines.length > 1 && lines[1].kind.name === "sep" && lines[0].kind.name === "row") heads = 1;
    rows.forEach(function (line, n) {
      var cell = n < heads ? "th" : "td", mark = rowMark(line);
      var cls = mark ? ' class="pd-row-' + (mark > 0 ? "ins" : "del") + '"' : "";
      var html = cells(line.chars).map(function (c) {
        return "<" + cell + ">" + inlineHtml(strip(c), ctx, line.primaryNew) + "</" + cell + ">";
      }).join("");
      if (line.note) html = html.replace(">", '><small class="pd-was">(' + esc(line.note) + ")</small> ");
      out.push("<tr" + cls + ">" + html + "</tr>");
      if (n + 1 === heads) out[out.length - 1] = "<thead>" + out[out.length - 1] + "</thead><tbody>";
    });
    var body = out.join("");
    if (!heads) body = "<tbody>" + body;
    return "<table>" + body + "</tbody></table>";
  }
  function blocksHtml(lines, ctx) {
    var out = [], i = 0, j;
    function run(name) { j = i; while (j < lines.length && name(lines[j].kind.name)) j++; }
    while (i < lines.length) {
      var line = lines[i], name = line.kind.name;
      if (name === "blank") i++;
      else if (name === "heading") {
        var level = Math.min(line.kind.level + 2, 6);
        out.push("<h" + level + ">" + contentHtml(line, ctx) + "</h" + level + ">"); i++;
      } else if (name === "rule") {
        out.push("<hr>" + (line.note || strip(line.chars).length ? "<p>" + contentHtml(line, ctx) + "</p>" : "")); i++;
      } else if (name === "row" || name === "sep") {
        run(function (x) { return x === "row" || x === "sep"; });
        out.push(tableHtml(lines.slice(i, j), ctx)); i = j;
      } else if (name === "quote") {
        run(function (x) { return x === "quote"; });
        out.push("<blockquote><p>" + lines.slice(i, j).map(function (x) { return contentHtml(x, ctx); }).join(" ") + "</p></blockquote>");
        i = j;
      } else if (name === "item") {
        var made = listHtml(lines, i, ctx); out.push(made[0]); i = made[1];
      } else {
        run(function (x) { return x === "text"; });
        out.push("<p>" + lines.slice(i, j).map(function (x) { return contentHtml(x, ctx); }).join(" ") + "</p>");
        i = j;
      }
    }
    return out;
  }
  function listHtml(lines, i, ctx) {
    var out = "", stack = [];
    while (i < lines.length) {
      var line = lines[i], kind = line.kind;
      if (kind.name === "blank") {
        var j = i;
        while (j < lines.length && lines[j].kind.name === "blank") j++;
        var follows = j < lines.length ? lines[j].kind : BLANK;
        if (follows.name === "item" || (follows.name === "text" && follows.level > 0)) { i = j; continue; }
        break;
      }
      if (kind.name === "text" && kind.level > 0) { out += " " + contentHtml(line, ctx); i++; continue; }
      if (kind.name !== "item") break;
      var tag = kind.ordered ? "ol" : "ul";
      while (stack.length && stack[stack.length - 1][0] > kind.level) out += "</li></" + stack.pop()[1] + ">";
      if (stack.length && stack[stack.length - 1][0] === kind.level && stack[stack.length - 1][1] !== tag) {
        out += "</li></" + stack.pop()[1] + ">";
      }
      if (stack.length && stack[stack.length - 1][0] === kind.level) out += "</li><li>";
      else { stack.push([kind.level, tag]); out += "<" + tag + "><li>"; }
      out += contentHtml(line, ctx);
      i++;
    }
    while (stack.length) out += "</li></" + stack.pop()[1] + ">";
    return [out, i];
  }
  function mayCut(lines, at) {
    if (at <= 0 || at >= lines.length) return false;
    var before = lines[at - 1].kind.name, here = lines[at].kind.name;
    if (here === "heading" || before === "heading") return true;
    if (here === "item" && (before === "item" || before === "blank")) {
      var previous = before === "item" ? lines[at - 1] : at >= 2 ? lines[at - 2] : null;
      var bulleted = !lines[at].kind.ordered && (previous === null || !previous.kind.ordered);
      return bulleted && lines[at].kind.level === 0 && (previous === null || previous.kind.level === 0);
    }
    return before === "blank" && ["text", "row", "quote", "rule"].indexOf(here) >= 0 && lines[at].kind.level === 0;
  }
  function foldsOf(lines) {
    var out = [], i = 0, keep = CONFIG.fold.keep;
    while (i < lines.length) {
      if (!lines[i].unchanged) { i++; continue; }
      var j = i, length = 0;
      while (j < lines.length && lines[j].unchanged) { length += lines[j].length; j++; }
      if (length > CONFIG.fold.at) {
        var a = i, b = j, used = 0;
        while (a < j && used < keep) { used += lines[a].length; a++; }
        used = 0;
        while (b > i && used < keep) { b--; used += lines[b].length; }
        while (a < b && !mayCut(lines, a)) a++;
        while (b > a && !(mayCut(lines, b) || b === lines.length)) b--;
        if (b - a >= 2) out.push([a, b]);
      }
      i = j;
    }
    return out;
  }
  function renderDiff(diffs, twoSides) {  // diffhtml.render, for pages
    var ctx = { hrefs: new Map(), marks: new Map(), forms: new Map() };
    var lines = diffLines(diffs, twoSides, ctx), out = [], at = 0;
    foldsOf(lines).forEach(function (fold) {
      out = out.concat(blocksHtml(lines.slice(at, fold[0]), ctx));
      var words = lines.slice(fold[0], fold[1]).reduce(function (n, line) {
        return n + ((line.all.map(function (c) { return c.text; }).join("").match(WORD_RE) || []).length);
      }, 0);
      out.push('<details class="pd-fold"><summary>' + esc(WORDS.folded.replace("{count}", words)) + "</summary>" +
               blocksHtml(lines.slice(fold[0], fold[1]), ctx).join("") + "</details>");
      at = fold[1];
    });
    return out.concat(blocksHtml(lines.slice(at), ctx)).join("");
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
        var first = v.first_seen.slice(0, 10), last = v.last_seen.slice(0, 10);  // by date, as a reader knows them
        var label = (first === last ? first : first + " → " + last) + " (" + v.id + ")";
        from.appendChild(new Option(label, v.id));
        to.appendChild(new Option(label, v.id));
      });
      var params = new URLSearchParams(window.location.search);
      var ids = versions.map(function (v) { return v.id; });
      from.value = ids.indexOf(params.get("from")) >= 0 ? params.get("from") : ids[Math.max(0, ids.length - 2)];
      // without a `to`, the current version (a version page links here with `from` only)
      var current = ids.indexOf(index.latest) >= 0 ? index.latest : ids[ids.length - 1];
      to.value = ids.indexOf(params.get("to")) >= 0 ? params.get("to") : current;
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

  /* What the change page shows above its sections: each changed section, linked, with its
     label and its words. */
  function contents(sections) {
    var table = el("table", "pd-compare-contents"), head = el("tr"), body = el("tbody");
    ["Section", "Change", "Words"].forEach(function (name) { head.appendChild(el("th", null, name)); });
    var thead = el("thead"); thead.appendChild(head); table.appendChild(thead);
    sections.forEach(function (section) {
      var tr = el("tr"), link = el("a", null, section.querySelector("h2").textContent);
      link.href = "#" + section.id;
      var cell = el("td"); cell.appendChild(link); tr.appendChild(cell);
      tr.appendChild(el("td", null, section.getAttribute("data-label")));
      tr.appendChild(el("td", null, section.getAttribute("data-words")));
      body.appendChild(tr);
    });
    table.appendChild(body);
    return table;
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
      section.setAttribute("data-words", "+" + plus + " −" + minus);
      section.id = "pd-compared-" + (details.length + 1);
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
    if (details.length) result.appendChild(contents(details));
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

  /* Material's search drops a query typed before its index has loaded ("No matching
     documents" until the reader types again, as it sends a query only when it changes):
     while the box holds a query and shows no result, ask again (the query with a space,
     then itself) for a few seconds. */
  function initSearchRetry() {
    var input = document.querySelector("input.md-search__input");
    if (!input) return;
    var timer = null;
    input.addEventListener("keyup", function () {
      if (timer) return;
      var tries = 0;
      timer = window.setInterval(function () {  // slowly: each ask redraws the results
        var list = document.querySelector(".md-search-result__list");
        var value = input.value;
        if (!value.trim() || (list && list.children.length) || ++tries > 5) {
          window.clearInterval(timer);
          timer = null;
          return;
        }
        input.value = value + " ";
        input.dispatchEvent(new KeyboardEvent("keyup"));
        input.value = value;
        input.dispatchEvent(new KeyboardEvent("keyup"));
      }, 1500);
    });
  }

  function init() {
    initToggles();
    initPrint();
    initSearchRetry();
    document.querySelectorAll(".pd-compare[data-index]").forEach(initCompare);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
