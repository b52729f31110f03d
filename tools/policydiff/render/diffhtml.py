"""Word diffs as rendered text: the policy's Markdown shown as it reads (headings, lists,
tables cell by cell, links, emphasis) with the words `diff_versions` marked inside it,
inline or side by side, on pages and in feeds.

Why not Python-Markdown over the marked text: a mark may start inside a construct (`**`
inserted around old words, a deleted list marker, a link whose target changed), and the
compare page's script must give the very same result in the browser. So this is a small,
line-based reading of the Markdown that policies use, written once here and once in
`assets/policy-diff.js` (`renderDiff`), over the characters of the diff each carrying its
mark (-1 deleted, 0 kept, 1 inserted):

- Lines are split at every newline of the diff. A line's kind (heading, list item, table
  row, quotation, rule, paragraph text) is read from the new text where the line has any,
  else from the old; each side's syntax (`## `, `- `, `1. `, `> `) is dropped, and where
  the two sides' kinds differ the line says what it was (`wording.structure_was`).
- Inside a line (or a table cell) emphasis, code, escapes and links are read on each side
  separately and every character keeps the formatting of its own side (kept characters:
  of the side the line's kind came from). Syntax characters are not shown, but no marked
  word is ever dropped: a changed list number is shown, and a link target that changed is
  shown beside the link with its marks (an unchanged one is on hover).
- Unchanged runs of lines fold, but only between blocks: never inside a paragraph, a list
  or a table.

Every character of capture text reaches the output through `escape` (pages: `html_text`;
feeds: `feed_html_text`'s rule without the line breaks) and every link through `safe_url`.
Diff words are plain text nodes inside `ins`/`del`/`span`/`a` (issue 12 marks terms in them).
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from ..escape import LINK_REL, html_text, safe_url, visible_controls
from ..wording import FEED_FOLDED, LINK_TARGET, folded, structure_was

Op = tuple[int, str]
Esc = Callable[[str], str]

FOLD_AT = 1200  # a run of unchanged lines longer than this (characters) is folded...
KEEP = 300  # ...keeping about this much context on each side of it
MAX_LINE = 100_000  # characters of one line read for syntax (a bound for hostile input)

_HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]+|$)")
_ITEM = re.compile(r"([ \t]*)([-*+]|(\d{1,9})[.)])(?:[ \t]+|$)")
_QUOTE = re.compile(r" {0,3}>[ \t]?")
_RULE = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*")
_ROW = re.compile(r"[ \t]*\|")
_SEPARATOR = re.compile(r"[ \t|:-]*-[ \t|:-]*")
_INDENT = re.compile(r"[ \t]*")
_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^\s<>]+)>")
_WORD = re.compile(r"\w")
_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def feed_text(text: str) -> str:
    """Captured text in a feed entry's HTML (one line: lines are blocks here)."""
    return html.escape(visible_controls(text), quote=True)


@dataclass(frozen=True)
class Kind:
    name: str  # blank heading item row sep quote rule text
    level: int = 0  # heading level; indentation of a list item or text
    ordered: bool = False
    prefix: int = 0  # characters of syntax at the start of the line
    bold: bool = False  # a heading inside an item or a quotation

    def describe(self) -> tuple[str, int]:
        if self.name == "item" and self.ordered:
            return "ordered", 0
        return self.name, self.level


def kind_of(line: str) -> Kind:
    line = line[:MAX_LINE]
    if not line.strip():
        return Kind("blank")
    if m := _HEADING.match(line):
        return Kind("heading", len(m.group(1)), prefix=m.end())
    if _RULE.fullmatch(line):
        return Kind("rule", prefix=len(line))
    if _ROW.match(line):
        return Kind("sep" if _SEPARATOR.fullmatch(line) else "row")
    if m := _ITEM.match(line):
        # a heading written inside an item or a quotation (`1. ## Title`) is read as the
        # item's text in bold
        inner = _HEADING.match(line, m.end())
        end = inner.end() if inner else m.end()
        return Kind("item", len(m.group(1).expandtabs(4)), ordered=m.group(3) is not None, prefix=end, bold=bool(inner))
    if m := _QUOTE.match(line):
        inner = _HEADING.match(line, m.end())
        return Kind("quote", prefix=inner.end() if inner else m.end(), bold=bool(inner))
    indent = _INDENT.match(line)
    width = indent.end() if indent else 0
    return Kind("text", len(line[:width].expandtabs(4)), prefix=width)


def _same_kind(a: Kind, b: Kind) -> bool:
    if a.name != b.name:
        return {a.name, b.name} <= {"row", "sep"}
    if a.name == "heading":
        return a.level == b.level
    return a.ordered == b.ordered


# -- inline: emphasis, code, escapes, links -------------------------------------------------
@dataclass
class Inline:
    """What each character of one side's line (or cell) is: shown or syntax, its formatting,
    the link it belongs to (an index into `links`), whether it is a link's target."""

    hidden: list[bool]
    strong: list[bool]
    em: list[bool]
    code: list[bool]
    link: list[int]
    target: list[bool]
    links: list[str]


def _matching(s: str, start: int, open_c: str, close_c: str) -> int:
    depth = 0
    i = start
    while i < len(s):
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if c == open_c:
            depth += 1
        elif c == close_c:
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1


def parse_inline(s: str) -> Inline:
    n = len(s)
    r = Inline([False] * n, [False] * n, [False] * n, [False] * n, [-1] * n, [False] * n, [])
    literal = [False] * n
    jump: dict[int, int] = {}
    current_link: list[tuple[int, int]] = []  # (end of its text, link index)
    i = 0
    while i < n:
        if i in jump:
            i = jump.pop(i)
            continue
        while current_link and i >= current_link[-1][0]:
            current_link.pop()
        if current_link:
            r.link[i] = current_link[-1][1]
        c = s[i]
        if c == "\\" and i + 1 < n and s[i + 1] in _PUNCT:
            r.hidden[i] = True
            literal[i + 1] = True
            if current_link:
                r.link[i + 1] = current_link[-1][1]
            i += 2
            continue
        if c == "`":
            run = 1
            while i + run < n and s[i + run] == "`":
                run += 1
            end = s.find("`" * run, i + run)
            if end < 0:
                for k in range(i, i + run):
                    literal[k] = True
                i += run
                continue
            for k in range(i, end + run):
                if current_link:
                    r.link[k] = current_link[-1][1]
                if k < i + run or k >= end:
                    r.hidden[k] = True
                else:
                    r.code[k] = literal[k] = True
            i = end + run
            continue
        if c == "[" or (c == "!" and i + 1 < n and s[i + 1] == "["):
            start = i + (1 if c == "[" else 2)
            close = _matching(s, start, "[", "]")
            if close >= 0 and close + 1 < n and s[close + 1] == "(":
                end = _matching(s, close + 2, "(", ")")
                if end >= 0:
                    dest = s[close + 2 : end].strip()
                    href = dest.split()[0] if dest else ""
                    r.links.append(href.removeprefix("<").removesuffix(">"))
                    index = len(r.links) - 1
                    for k in range(i, start):
                        r.hidden[k] = True
                    for k in range(close, end + 1):
                        r.hidden[k] = True
                        r.link[k] = index
                        r.target[k] = close + 1 < k < end
                    for k in range(start, close):
                        r.link[k] = index
                    jump[close] = end + 1
                    current_link.append((close, index))
                    i = start
                    continue
        if c == "<" and (m := _AUTOLINK.match(s, i)):
            r.links.append(m.group(1))
            for k in range(i, m.end()):
                r.link[k] = len(r.links) - 1
                literal[k] = True
            r.hidden[i] = r.hidden[m.end() - 1] = True
            i = m.end()
            continue
        i += 1
    _emphasis(s, r, literal)
    return r


def _emphasis(s: str, r: Inline, literal: list[bool]) -> None:
    """`*`/`_` runs paired with the nearest open run of the same character and length."""
    n = len(s)
    stack: list[tuple[str, int, int]] = []
    i = 0
    while i < n:
        c = s[i]
        if c not in "*_" or r.hidden[i] or literal[i]:
            i += 1
            continue
        j = i
        while j < n and s[j] == c and not r.hidden[j] and not literal[j]:
            j += 1
        run = j - i
        before = s[i - 1] if i else " "
        after = s[j] if j < n else " "
        can_open = not after.isspace()
        can_close = not before.isspace()
        if c == "_":
            can_open = can_open and not before.isalnum()
            can_close = can_close and not after.isalnum()
        matched = False
        if can_close and run <= 3:
            for k in range(len(stack) - 1, -1, -1):
                char, at, length = stack[k]
                if char == c and length == run:
                    for p in (*range(at, at + run), *range(i, j)):
                        r.hidden[p] = True
                    for p in range(at + run, i):
                        if run >= 2:
                            r.strong[p] = True
                        if run != 2:
                            r.em[p] = True
                    del stack[k:]
                    matched = True
                    break
        if not matched and can_open and run <= 3:
            stack.append((c, i, run))
        i = j


# -- characters, sides and lines ---------------------------------------------------------------
@dataclass(frozen=True)
class Form:
    """What one character is on one side, read on that side's own line."""

    syntax: bool = False  # Markdown syntax: not shown
    link: object = None  # the link it belongs to (a key of `Annotated.hrefs`)
    target: bool = False  # part of a link's target
    strong: bool = False
    em: bool = False
    code: bool = False
    # how a shown character nests (`_LEVELS`): made once per form, not once per character
    nesting: tuple[object, ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "nesting", (self.link, None, self.strong, self.em, self.code))


PLAIN = Form()
SYNTAX = Form(syntax=True)


@lru_cache(maxsize=4096)
def _form(syntax: bool, link: object, target: bool, strong: bool, em: bool, code: bool) -> Form:
    """Forms are few: one object each (the characters of a diff are many)."""
    return Form(syntax, link, target, strong, em, code)


_NO_STARTS: dict[bool, Kind] = {}  # shared by the characters that start no line: never written to


class Char:
    """One character of the diff: its mark, which sides have it, and how each reads it. A
    line shows it as the line's side reads it, or as the other side does where the line's
    side lacks it (written out where it is read, per character, rather than a method call)."""

    __slots__ = ("forms", "kinds", "mark", "new", "old", "starts", "text")

    def __init__(self, mark: int, text: str, old: bool, new: bool, forms: dict[bool, Form] | None = None) -> None:
        self.mark = mark  # -1 deleted, 0 kept, 1 inserted
        self.text = text  # one character
        self.old = old  # on the old side
        self.new = new  # on the new side
        self.forms: dict[bool, Form] = forms if forms is not None else {}  # side (True: new) -> its form
        self.starts: dict[bool, Kind] = _NO_STARTS  # side -> the kind of the line it starts (own dict once set)
        self.kinds: dict[bool, Kind] = {}  # side -> the kind of its line


@dataclass
class Line:
    kind: Kind
    chars: list[Char]  # shown content, syntax dropped
    unchanged: bool  # every character (and its newline) kept
    note: str = ""
    length: int = 0  # characters of the line in the diff
    primary_new: bool = True  # its kind (and its kept characters' form) from the new side
    text: str | None = None  # a line kept, inserted or deleted whole (its HTML is `_plain`'s)
    mark: int = 0  # the mark of such a line
    raw: str = ""  # every character of the line, syntax included (a fold counts its words)


def _chars(ops: Sequence[Op], two_sides: bool) -> list[Char]:
    out = []
    for op, text in ops:
        old, new = (op <= 0, op >= 0) if two_sides else (True, True)
        out += [Char(op, c, old, new) for c in text]
    return out


_LINE_SERIAL = itertools.count()


def _annotate(chars: list[Char], hrefs: dict[object, str], marks: dict[object, set[int]], two_sides: bool) -> None:
    """Read each side on its own lines (so a construct is whole whatever the other side
    did): each line's kind and syntax, each cell's and text's emphasis, code and links.
    One side's text (`two_sides` false) is both sides: read once, its reading shared."""
    for side in (True, False) if two_sides else (True,):
        mine = chars if not two_sides else [c for c in chars if c.new] if side else [c for c in chars if c.old]
        text = "".join([c.text for c in mine])  # one character each: positions are the same
        start = 0
        while True:
            end = text.find("\n", start)
            stop = len(text) if end < 0 else end
            number = next(_LINE_SERIAL)  # link keys unique across a diff's groups
            _annotate_line(mine[start:stop], text[start:stop], side, number, hrefs, marks)
            if end < 0:
                break
            start = end + 1
    if not two_sides:
        for ch in chars:
            for readings in (ch.forms, ch.kinds, ch.starts):
                if True in readings:
                    readings[False] = readings[True]


def _annotate_line(
    line: list[Char], text: str, side: bool, number: int, hrefs: dict[object, str], marks: dict[object, set[int]]
) -> None:
    if not line:
        return
    kind = kind_of(text)
    if line[0].starts is _NO_STARTS:
        line[0].starts = {}
    line[0].starts[side] = kind
    for ch in line:
        ch.kinds[side] = kind
    for ch in line[: kind.prefix]:
        ch.forms[side] = SYNTAX
    content = line[kind.prefix :]
    pieces: list[list[Char]] = [content]
    texts = [text[kind.prefix :]]
    if kind.name in {"row", "sep"}:
        pieces = [[]]
        for k, ch in enumerate(content):
            if ch.text == "|" and not (k and content[k - 1].text == "\\"):
                ch.forms[side] = SYNTAX
                pieces.append([])
            else:
                pieces[-1].append(ch)
        texts = ["".join([c.text for c in piece]) for piece in pieces]
    for p, piece in enumerate(pieces):
        parsed = parse_inline(texts[p])
        if parsed.links:
            for k, href in enumerate(parsed.links):
                hrefs[(side, number, p, k)] = href
                marks.setdefault((side, number, p, k), set())
            for ch, at in zip(piece, parsed.link, strict=True):
                if at >= 0:
                    marks[(side, number, p, at)].add(ch.mark)
        for ch, hidden, at, target, strong, em, code in zip(
            piece, parsed.hidden, parsed.link, parsed.target, parsed.strong, parsed.em, parsed.code, strict=True
        ):
            ch.forms[side] = _form(
                hidden and not target, (side, number, p, at) if at >= 0 else None, target, strong, em, code
            )


def _split_lines(chars: list[Char]) -> list[tuple[list[Char], bool]]:
    """Lines of the diff, each with whether its newline was kept: a line breaks at every
    newline of either side, so a deleted line stands apart from the new text around it
    (each side was read on its own whole lines, see `_annotate`)."""
    lines: list[tuple[list[Char], bool]] = []
    current: list[Char] = []
    for ch in chars:
        if ch.text == "\n":
            lines.append((current, ch.mark == 0))
            current = []
        else:
            current.append(ch)
    lines.append((current, True))
    return lines


def _line(chars: list[Char], newline_kept: bool) -> Line:
    # The line's kind is the new side's, unless the new side has only syntax here (the end
    # of a table's separator row) and the old side has text.
    primary_new = _visible(chars, True) or not _visible(chars, False)
    mine = [c for c in chars if (c.new if primary_new else c.old)]
    kind = mine[0].kinds.get(primary_new, Kind("blank")) if mine else Kind("blank")
    if not any(not c.text.isspace() for c in mine):
        kind = Kind("blank")
    others = [c for c in chars if (c.old if primary_new else c.new)]
    other = others[0].starts.get(not primary_new, Kind("blank")) if others else Kind("blank")
    content: list[Char] = []
    kept_words: list[Char] = []
    for ch in chars:
        if ch.text == "|" and kind.name in {"row", "sep"}:
            content.append(ch)  # a cell boundary, for `_cells`
            continue
        form = ch.forms.get(primary_new if (ch.new if primary_new else ch.old) else not primary_new, PLAIN)
        if form.syntax and not form.target:
            # syntax is not shown, but a marked word in it (a list item's new number) is
            if ch.mark and _WORD.match(ch.text) and ch.text != "_" and ch.kinds and _in_prefix(ch, primary_new):
                kept_words.append(ch)
            continue
        content.append(ch)
    if kept_words and len({c.mark for c in chars}) > 1:  # a number that changed, not a new list's
        shown = [Char(c.mark, c.text, True, True, {True: PLAIN, False: PLAIN}) for c in kept_words]
        content = [*shown, Char(0, " ", True, True), *content]
    note = ""
    if other.name != "blank" and kind.name not in {"blank", "sep"} and not _same_kind(kind, other):
        note = structure_was(*(other if primary_new else kind).describe())
    unchanged = newline_kept and all(c.mark == 0 for c in chars)
    return Line(kind, content, unchanged, note, len(chars) + 1, primary_new, raw="".join([c.text for c in chars]))


def _visible(chars: list[Char], new: bool) -> bool:
    return any((c.new if new else c.old) and not c.text.isspace() and not c.forms.get(new, PLAIN).syntax for c in chars)


def _in_prefix(ch: Char, primary_new: bool) -> bool:
    side = primary_new if (ch.new if primary_new else ch.old) else not primary_new
    kind = ch.kinds.get(side)
    return kind is not None and kind.prefix > 0 and ch.forms.get(side, PLAIN) is SYNTAX


def _lines(ops: Sequence[Op], two_sides: bool, hrefs: dict[object, str], marks: dict[object, set[int]]) -> list[Line]:
    """The diff's lines. A line kept whole (and its newlines) is read once for all diffs
    (`_plain`); only groups of lines with an edit go through the characters."""
    lines: list[Line] = []
    pending: list[Op] = []

    def flush(ended: bool) -> None:
        if not pending:
            return
        if all(op == 0 for op, _ in pending):
            lines.append(_unchanged("".join(t for _, t in pending)))
        else:
            chars = _chars(pending, two_sides)
            _annotate(chars, hrefs, marks, two_sides)
            split = _split_lines(chars)
            if ended:
                split = split[:-1]  # the group's last newline is kept: nothing follows it
            lines.extend(_line(line, kept) for line, kept in split)
        pending.clear()

    for op, text in ops:
        if op != 0:
            first, last = text.find("\n"), text.rfind("\n")
            # The lines of an insertion or a deletion that are whole lines of their own, when
            # the other side's line is complete too (each side is read on whole lines).
            other = "".join(t for o, t in pending if not two_sides or (o <= 0 if op > 0 else o >= 0))
            whole = first >= 0 and (not other or other.endswith("\n"))
            if not whole:
                pending.append((op, text))
                continue
            pending.append((op, text[: first + 1]))
            flush(True)
            if last > first:
                lines.extend(_unchanged(line, op) for line in text[first + 1 : last].split("\n"))
            if last + 1 < len(text):
                pending.append((op, text[last + 1 :]))
            continue
        start = 0
        while (end := text.find("\n", start)) >= 0:
            if pending:
                pending.append((0, text[start : end + 1]))
                flush(True)
            else:
                lines.append(_unchanged(text[start:end]))
            start = end + 1
        if start < len(text):
            pending.append((0, text[start:]))
    flush(False)
    while lines and lines[-1].kind.name == "blank":
        lines.pop()
    return lines


def _unchanged(text: str, mark: int = 0) -> Line:
    kind = kind_of(text)
    return Line(kind, [], mark == 0, length=len(text) + 1, text=text, mark=mark)


# The characters that start inline syntax (`parse_inline`): escapes, code, links and
# images, autolinks, emphasis. A line's content without any of them reads as plain text.
_INLINE_SYNTAX = frozenset("\\`[<*_")


@lru_cache(maxsize=65536)
def _plain(text: str, feed: bool, mark: int = 0) -> tuple[str, ...]:
    """The HTML of a line kept, inserted or deleted whole: its content, or each of its
    cells (a table row)."""
    kind = kind_of(text)
    content = text[kind.prefix :]
    if kind.name not in {"row", "sep"} and _INLINE_SYNTAX.isdisjoint(content):
        # Most lines of a policy: no character of the content is syntax, so each is one run
        # of the line's mark, which is what reading it character by character gives.
        shown = content.strip()
        body = _marked(mark, (FEED if feed else PAGE).esc(shown), feed) if shown else ""
        return (f"<strong>{body}</strong>" if kind.bold else body,)
    return _read_plain(text, feed, mark)


def _read_plain(text: str, feed: bool, mark: int) -> tuple[str, ...]:
    """`_plain` read character by character, as an edited line is."""
    style = replace(FEED if feed else PAGE, hrefs={}, link_marks={})
    chars = _chars([(mark, text)], False)
    _annotate(chars, style.hrefs, style.link_marks, False)
    line = _line(chars, True)
    if line.kind.name in {"row", "sep"}:
        return tuple(inline_html(_strip(c), style, True) for c in _cells(line.chars))
    return (_content(line, style),)


# -- HTML -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Style:
    esc: Esc  # captured text -> HTML text
    feed: bool = False  # a feed entry: no classes needed, folds left out
    hrefs: dict[object, str] = field(default_factory=dict)  # link key -> target, of one diff
    link_marks: dict[object, set[int]] = field(default_factory=dict)  # link key -> its characters' marks


PAGE = Style(html_text)
FEED = Style(feed_text, feed=True)


def _strip(chars: list[Char]) -> list[Char]:
    start, end = 0, len(chars)
    while start < end and chars[start].text.isspace():
        start += 1
    while end > start and chars[end - 1].text.isspace():
        end -= 1
    return chars[start:end]


def inline_html(chars: list[Char], style: Style, primary_new: bool = True) -> str:
    """A line's (or cell's) content, every character formatted as its own side reads it
    (kept characters: as the line's side does)."""
    shown: list[tuple[Char, tuple[object, ...]]] = []
    group = 0
    in_target = False
    for ch in chars:
        form = ch.forms.get(primary_new if (ch.new if primary_new else ch.old) else not primary_new, PLAIN)
        if form.target:
            if not in_target:
                group += 1
                in_target = True
            shown.append((ch, (form.link, group, False, False, False)))
            continue
        in_target = False
        if form.syntax:
            continue
        shown.append((ch, form.nesting))
    # A target is shown where it changed against the rest of its link; a link inserted or
    # deleted whole has its target on hover, as any other link.
    changed: dict[object, bool] = {}
    if group:
        for ch, attrs in shown:
            if attrs[1] is not None and len(style.link_marks.get(attrs[0], ())) > 1:
                changed[attrs[1]] = changed.get(attrs[1], False) or ch.mark != 0
    # Characters alike (formatting and mark) in a row are one run: `_nest` splits runs only
    # where one of those changes, and `_marks` joins a mark's texts before escaping them.
    runs: list[tuple[tuple[object, ...], int, list[str]]] = []
    for ch, attrs in shown:
        if attrs[1] is not None:
            if not changed.get(attrs[1]):
                continue
            attrs = (None, attrs[1], False, False, False)
        if runs and runs[-1][1] == ch.mark and runs[-1][0] == attrs:
            runs[-1][2].append(ch.text)
        else:
            runs.append((attrs, ch.mark, [ch.text]))
    return _nest([(attrs, mark, "".join(texts)) for attrs, mark, texts in runs], 0, style)


_LEVELS = ("a", "target", "strong", "em", "code")


def _nest(runs: list[tuple[tuple[object, ...], int, str]], level: int, style: Style) -> str:
    if level == len(_LEVELS):
        return _marks(runs, style)
    out = []
    i = 0
    while i < len(runs):
        value = runs[i][0][level]
        j = i
        while j < len(runs) and runs[j][0][level] == value:
            j += 1
        inner = _nest(runs[i:j], level + 1, style)
        out.append(_wrap(_LEVELS[level], value, inner, style))
        i = j
    return "".join(out)


def _wrap(what: str, value: object, inner: str, style: Style) -> str:
    if not value:
        return inner
    if what == "a":
        href = safe_url(style.hrefs.get(value, ""))
        if href is None:
            return inner
        url = html.escape(href, quote=True)
        return f'<a href="{url}" title="{url}" rel="{LINK_REL}">{inner}</a>'
    if what == "target":
        cls = "" if style.feed else ' class="pd-target"'
        return f"<span{cls}>{style.esc(' [' + LINK_TARGET)}{inner}{style.esc(']')}</span>"
    return f"<{what}>{inner}</{what}>"


def _marks(runs: list[tuple[tuple[object, ...], int, str]], style: Style) -> str:
    out = []
    i = 0
    while i < len(runs):
        mark = runs[i][1]
        j = i
        while j < len(runs) and runs[j][1] == mark:
            j += 1
        out.append(_marked(mark, style.esc("".join(r[2] for r in runs[i:j])), style.feed))
        i = j
    return "".join(out)


def _marked(mark: int, escaped: str, feed: bool) -> str:
    """Escaped text as inserted, deleted or kept."""
    if mark > 0:
        return f"<ins>{escaped}</ins>" if feed else f'<ins class="pd-ins" title="added">{escaped}</ins>'
    if mark < 0:
        return f"<del>{escaped}</del>" if feed else f'<del class="pd-del" title="removed">{escaped}</del>'
    return escaped


def _content(line: Line, style: Style) -> str:
    if line.text is not None:
        return _plain(line.text, style.feed, line.mark)[0]
    chars = _strip(line.chars)
    body = inline_html(chars, style, line.primary_new)
    if line.kind.bold:
        body = f"<strong>{body}</strong>"
    if line.note:
        cls = "" if style.feed else ' class="pd-was"'
        body = f"<small{cls}>({style.esc(line.note)})</small> " + body
    return body


def _cells(chars: list[Char]) -> list[list[Char]]:
    cells: list[list[Char]] = [[]]
    for ch in chars:
        if ch.text == "|" and any(f.syntax for f in ch.forms.values()):
            cells.append([])
        else:
            cells[-1].append(ch)
    if cells and not "".join(c.text for c in cells[0]).strip():
        cells = cells[1:]
    if cells and not "".join(c.text for c in cells[-1]).strip():
        cells = cells[:-1]
    return cells


def _row_mark(line: Line) -> int:
    if line.text is not None:
        return line.mark
    marks = {c.mark for c in line.chars if not c.text.isspace() and c.text != "|"}
    return marks.pop() if len(marks) == 1 else 0


def _table(lines: list[Line], style: Style) -> str:
    rows = [line for line in lines if line.kind.name == "row"]
    heads = 0
    if len(lines) > 1 and lines[1].kind.name == "sep" and lines[0].kind.name == "row":
        heads = 1
    out = []
    for n, line in enumerate(rows):
        cell = "th" if n < heads else "td"
        mark = _row_mark(line)
        cls = "" if style.feed or not mark else f' class="pd-row-{"ins" if mark > 0 else "del"}"'
        if line.text is not None:
            shown = _plain(line.text, style.feed, line.mark)
        else:
            shown = tuple(inline_html(_strip(c), style, line.primary_new) for c in _cells(line.chars))
        cells = "".join(f"<{cell}>{html_cell}</{cell}>" for html_cell in shown)
        note = ""
        if line.note:
            ncls = "" if style.feed else ' class="pd-was"'
            note = f"<small{ncls}>({style.esc(line.note)})</small> "
        out.append(f"<tr{cls}>{cells.replace('>', '>' + note, 1) if note else cells}</tr>")
        if n + 1 == heads:
            out[-1] = f"<thead>{out[-1]}</thead><tbody>"
    body = "".join(out)
    if not heads:
        body = "<tbody>" + body
    return f"<table>{body}</tbody></table>"


def blocks(lines: list[Line], style: Style) -> list[str]:
    """Lines grouped into HTML blocks: paragraphs, headings, lists, tables, quotations."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        name = line.kind.name
        if name == "blank":
            i += 1
        elif name == "heading":
            level = min(line.kind.level + 2, 6)
            out.append(f"<h{level}>{_content(line, style)}</h{level}>")
            i += 1
        elif name == "rule":
            note = f"<p>{_content(line, style)}</p>" if line.note or _strip(line.chars) else ""
            out.append("<hr>" + note)
            i += 1
        elif name in {"row", "sep"}:
            j = i
            while j < len(lines) and lines[j].kind.name in {"row", "sep"}:
                j += 1
            out.append(_table(lines[i:j], style))
            i = j
        elif name == "quote":
            j = i
            while j < len(lines) and lines[j].kind.name == "quote":
                j += 1
            out.append(f"<blockquote><p>{' '.join(_content(x, style) for x in lines[i:j])}</p></blockquote>")
            i = j
        elif name == "item":
            html_list, i = _list(lines, i, style)
            out.append(html_list)
        else:
            j = i
            while j < len(lines) and lines[j].kind.name == "text":
                j += 1
            out.append(f"<p>{' '.join(_content(x, style) for x in lines[i:j])}</p>")
            i = j
    return out


def _list(lines: list[Line], i: int, style: Style) -> tuple[str, int]:
    """A list from line `i`: items nest by indentation; indented text continues an item."""
    out: list[str] = []
    stack: list[tuple[int, str]] = []  # (indentation, tag)
    while i < len(lines):
        line = lines[i]
        kind = line.kind
        if kind.name == "blank":
            j = i
            while j < len(lines) and lines[j].kind.name == "blank":
                j += 1
            follows = lines[j].kind if j < len(lines) else Kind("blank")
            if follows.name == "item" or (follows.name == "text" and follows.level > 0):
                i = j
                continue
            break
        if kind.name == "text" and kind.level > 0:
            out.append(" " + _content(line, style))
            i += 1
            continue
        if kind.name != "item":
            break
        tag = "ol" if kind.ordered else "ul"
        while stack and stack[-1][0] > kind.level:
            out.append(f"</li></{stack.pop()[1]}>")
        if stack and stack[-1][0] == kind.level and stack[-1][1] != tag:
            out.append(f"</li></{stack.pop()[1]}>")
        if stack and stack[-1][0] == kind.level:
            out.append("</li><li>")
        else:
            stack.append((kind.level, tag))
            out.append(f"<{tag}><li>")
        out.append(_content(line, style))
        i += 1
    while stack:
        out.append(f"</li></{stack.pop()[1]}>")
    return "".join(out), i


# -- folds ---------------------------------------------------------------------------------------
def _may_cut(lines: list[Line], at: int) -> bool:
    """A fold may start or end before line `at` only between blocks."""
    if at <= 0 or at >= len(lines):
        return False
    before, here = lines[at - 1].kind.name, lines[at].kind.name
    if here == "heading" or before == "heading":
        return True
    if here == "item" and before in {"item", "blank"}:  # between the items of a bulleted list
        previous = lines[at - 1] if before == "item" else lines[at - 2] if at >= 2 else None
        bulleted = not lines[at].kind.ordered and (previous is None or not previous.kind.ordered)
        return bulleted and lines[at].kind.level == 0 and (previous is None or previous.kind.level == 0)
    return before == "blank" and here in {"text", "row", "quote", "rule"} and lines[at].kind.level == 0


def _folds(lines: list[Line], feed: bool) -> list[tuple[int, int]]:
    """(start, end) of each run of unchanged lines to fold."""
    out = []
    i = 0
    while i < len(lines):
        if not lines[i].unchanged:
            i += 1
            continue
        j = i
        while j < len(lines) and lines[j].unchanged:
            j += 1
        length = sum(line.length for line in lines[i:j])
        if feed or length > FOLD_AT:
            keep_head = 1 if feed else KEEP
            keep_tail = (1 if j < len(lines) else 0) if feed else KEEP
            a = _advance(lines, i, j, keep_head, feed)
            b = _retreat(lines, i, j, keep_tail, feed)
            while a < b and not _may_cut(lines, a):
                a += 1
            while b > a and not (_may_cut(lines, b) or b == len(lines)):
                b -= 1
            if b - a >= (1 if feed else 2):
                out.append((a, b))
        i = j
    return out


def _advance(lines: list[Line], i: int, j: int, keep: int, feed: bool) -> int:
    if feed:
        return min(i + keep, j)
    used = 0
    while i < j and used < keep:
        used += lines[i].length
        i += 1
    return i


def _retreat(lines: list[Line], i: int, j: int, keep: int, feed: bool) -> int:
    if feed:
        return max(j - keep, i)
    used = 0
    while j > i and used < keep:
        j -= 1
        used += lines[j].length
    return j


@dataclass(frozen=True)
class Reading:
    """A diff's lines as read (`_lines`), which every style renders the same way."""

    lines: list[Line]
    hrefs: dict[object, str]
    link_marks: dict[object, set[int]]


def read(ops: Sequence[Op], *, two_sides: bool = True) -> Reading:
    hrefs: dict[object, str] = {}
    marks: dict[object, set[int]] = {}
    return Reading(_lines(ops, two_sides, hrefs, marks), hrefs, marks)


def render(ops: Sequence[Op], style: Style = PAGE, *, two_sides: bool = True) -> list[str]:
    """A diff (or one side of it) as HTML blocks, unchanged runs folded."""
    return render_reading(read(ops, two_sides=two_sides), style)


def render_reading(reading: Reading, style: Style) -> list[str]:
    style = replace(style, hrefs=reading.hrefs, link_marks=reading.link_marks)
    lines = reading.lines
    out: list[str] = []
    at = 0
    for a, b in _folds(lines, style.feed):
        out.extend(blocks(lines[at:a], style))
        if style.feed:
            out.append(f"<p>{style.esc(FEED_FOLDED)}</p>")
        else:
            words = sum(len(_WORD_RUN.findall(_line_text(line))) for line in lines[a:b])
            inner = "".join(blocks(lines[a:b], style))
            out.append(f'<details class="pd-fold"><summary>{style.esc(folded(words))}</summary>{inner}</details>')
        at = b
    out.extend(blocks(lines[at:], style))
    return out


_WORD_RUN = re.compile(r"\w+")


def _line_text(line: Line) -> str:
    return line.text if line.text is not None else line.raw


@lru_cache(maxsize=4096)
def _inline_views(ops: tuple[Op, ...]) -> tuple[str, tuple[str, ...]]:
    """The inline view of a page and a feed entry's blocks, from one reading: a change's
    diffs are shown on its pages, then again in each feed that lists it."""
    reading = read(ops)
    return "".join(render_reading(reading, PAGE)), tuple(render_reading(reading, FEED))


def inline_diff(ops: Sequence[Op]) -> str:
    return _inline_views(tuple(ops))[0]


def feed_blocks(ops: Sequence[Op]) -> tuple[str, ...]:
    """`render(ops, FEED)`."""
    return _inline_views(tuple(ops))[1]


def old_side(ops: Sequence[Op]) -> str:
    return "".join(render([(op, t) for op, t in ops if op <= 0], two_sides=False))


def new_side(ops: Sequence[Op]) -> str:
    return "".join(render([(op, t) for op, t in ops if op >= 0], two_sides=False))


@lru_cache(maxsize=4096)
def diff_block(ops: tuple[Op, ...], *, old_label: str = "Before", new_label: str = "After") -> str:
    """One raw HTML block holding both views; `policy-diff.js` switches between them (the
    inline view shows without JavaScript). Cached: a change page and a section's history
    show the same diffs."""
    return (
        '<div class="pd-diff" data-view="inline">'
        f'<div class="pd-inline">{inline_diff(ops)}</div>'
        '<div class="pd-sbs" data-search-exclude>'
        f'<div class="pd-old"><div class="pd-side-label">{html_text(old_label)}</div>{old_side(ops)}</div>'
        f'<div class="pd-new"><div class="pd-side-label">{html_text(new_label)}</div>{new_side(ops)}</div>'
        "</div></div>"
    )
