"""An lxml tree to canonical Markdown.

What the rest of the pipeline needs from the Markdown: one block per visual line (the
segmenter reads lines, and Markdown joins single-newline lines), ATX headings whose levels
keep their order, `- `/`1. ` lists indented by four spaces (Python-Markdown's rule),
pipe tables, absolute links, and no presentational noise. Whitespace inside a block is
collapsed the way a browser collapses it; `normalise.py` finishes the canonical form.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import quote

from lxml.html import HtmlElement

from .text import is_clause_title, promote_clause_titles

HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# Elements that start a new block. Everything else flows inline.
BLOCKS = frozenset(
    {
        *HEADINGS,
        "p", "div", "section", "article", "main", "aside", "header", "footer", "nav", "body", "html",
        "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption",
        "blockquote", "pre", "hr", "address", "figure", "figcaption", "fieldset", "legend", "details",
        "summary", "center", "form", "menu", "dir", "hgroup", "noscript", "option", "search", "dialog",
    }
)  # fmt: skip
_SKIP = frozenset({"script", "style", "template", "head", "title", "meta", "link", "svg", "math", "img", "picture",
                   "video", "audio", "canvas", "iframe", "object", "embed", "input", "select", "textarea", "button",
                   "map", "area", "source", "track", "base", "wbr"})  # fmt: skip
_WHITESPACE = re.compile(r"[ \t\n\r\f]+")
_INDENT = "    "
# A depth beyond which the page is hostile or broken: render the rest as plain text.
_MAX_DEPTH = 180
# Markdown's syntax characters; `<` only where it could open a tag in the rendered site.
_ESCAPE = re.compile(
    r"([\\`*\[\]])|(<)(?=[A-Za-z/!?])|&(?=#\d{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)"
)
# A `<` that could open a tag, written while its line is not complete yet; `_resolve_lt`
# decides (U+FDD0 is a noncharacter: no text holds it).
_LT = "\ufdd0"
# What may precede a `<` at the start of a line's content (indent, list or quote markers):
# an HTML block opens there even without a closing `>`.
_LINE_HEAD = re.compile(r"[\s>*+\-\d.)|]*")
_LINE_START = re.compile(r"^(\s*)(#{1,6}(?=\s|$)|>|[-+](?=\s)|(\d+)([.)])(?=\s|$)|={3,}$|-{3,}$)")
_BOLD_ONLY = re.compile(r"^\*\*(?P<text>[^*]+?)\*\*:?$")


@dataclass
class Context:
    """What rendering needs to know about the page, and what it learns on the way."""

    resolve_url: Callable[[str], str | None]
    heading_shift: int = 0
    last_heading: int = 1
    has_block: set[HtmlElement] = field(default_factory=set)
    # Inside a table cell: no heading, no promotion (a cell is never a section's title).
    in_cell: int = 0
    # Each href's target as a link writes it: a page repeats its links.
    targets: dict[str, str | None] = field(default_factory=dict)

    def link_target(self, href: str) -> str | None:
        if href not in self.targets:
            url = self.resolve_url(href)
            self.targets[href] = quote(url, safe="/:?#[]@!$&'*+,;=%~-._") if url else url
        return self.targets[href]


def escape_text(text: str) -> str:
    """Captured text as Markdown that reads as the same text: syntax characters escaped, an
    `&` that would start an entity written `&amp;`, and a `<` before a letter marked for
    `_resolve_lt`."""
    # Seven searches for one character each (memchr) are several times faster than one
    # search for a character class, and nearly every text holds none of them.
    if not ("\\" in text or "`" in text or "*" in text or "[" in text or "]" in text or "<" in text or "&" in text):
        return text
    if _LT in text:
        text = text.replace(_LT, "")
    return _ESCAPE.sub(_escape_one, text)


def collapse_whitespace(text: str) -> str:
    """`text` with each run of whitespace one space, and none at either end: a browser's
    collapsing of HTML whitespace (`_WHITESPACE`), then `str.strip`.

    `bytes.split` splits at `_WHITESPACE`'s characters and `\\x0b` only (`str.split` at every
    Unicode space, `\\xa0` included, which a browser keeps), and no character's UTF-8 but
    theirs holds those bytes: split so, the text needs no scan for other spaces, and the
    `str.strip` after it strips what the collapsed text would have at its ends. Most texts
    (a paragraph written on one source line) hold no run to collapse: for them that is
    `str.strip` alone, and a few searches for one character tell them."""
    if not ("\n" in text or "  " in text or "\t" in text or "\r" in text or "\f" in text or "\x0b" in text):
        return text.strip()
    if "\x0b" in text:
        return _WHITESPACE.sub(" ", text).strip()
    return b" ".join(text.encode("utf-8", "surrogatepass").split()).decode("utf-8", "surrogatepass").strip()


def _escape_one(match: re.Match[str]) -> str:
    if match.group(1):
        return "\\" + match.group(1)
    return _LT if match.group(2) else "&amp;"


def _resolve_lt(line: str) -> str:
    """A `<` stays `<` unless Markdown could read markup from it: a tag or an autolink needs
    a `>` after it on its line, and an HTML block opens at the start of a line. There it is
    written `&lt;`, which every renderer shows as `<` (`\\<` is not an escape for
    Python-Markdown)."""
    last_gt = line.rfind(">")
    head = _LINE_HEAD.match(line)
    head_end = head.end() if head else 0  # the markers before the line's first text
    out = []
    start = 0
    index = line.find(_LT)
    while index >= 0:
        markup = index < last_gt or index <= head_end
        out.append(line[start:index])
        out.append("&lt;" if markup else "<")
        start = index + 1
        index = line.find(_LT, start)
    out.append(line[start:])
    return "".join(out)


def _escape_line_start(line: str) -> str:
    match = _LINE_START.match(line)
    if not match:
        return line
    if match.group(3):  # "1. " would become a list: escape the dot
        return line[: match.end(3)] + "\\" + line[match.end(3) :]
    return match.group(1) + "\\" + line[len(match.group(1)) :]


_BLOCKS_AND_BR = (*BLOCKS, "br")


def _mark_block_ancestors(root: HtmlElement) -> set[HtmlElement]:
    """Elements holding a block or a <br> somewhere below: inline elements among them are
    rendered as blocks, so line structure survives `<span>a<br>b</span>`."""
    marked: set[HtmlElement] = set()
    for element in root.iter(*_BLOCKS_AND_BR):  # the tag test made by lxml
        parent = element.getparent()
        while parent is not None and parent not in marked:
            marked.add(parent)
            parent = parent.getparent()
    return marked


class _Flow:
    """Collects inline pieces and cuts them into blocks."""

    def __init__(self, promote: Callable[[str], str] | None = None) -> None:
        self.blocks: list[str] = []
        self.pieces: list[str] = []
        self.promote = promote

    def add_text(self, text: str | None) -> None:
        if text and (self.pieces or not text.isspace()):  # see `_render_flow`
            self.pieces.append(escape_text(text))

    def flush(self) -> None:
        if self.pieces:
            _flush(self.pieces, self.blocks, self.promote)

    def add_blocks(self, blocks: Iterable[str]) -> None:
        self.flush()
        self.blocks.extend(blocks)


# The first characters `_LINE_START` can match at (beside digits and spaces): a line that
# starts with none of them, most lines, is not looked at.
_LINE_START_FIRST = frozenset("#>-+=")


def _line(run: str) -> str:
    """A run of inline Markdown as one block, "" when it holds no text."""
    line = collapse_whitespace(run)
    if "****" in line:
        line = line.replace("****", "")
    if not line or line == "**" or line == "*":
        return ""
    first = line[0]
    if first in _LINE_START_FIRST or first.isdigit() or first.isspace():  # `\d`, `\s` are within these
        return _escape_line_start(line)
    return line


def _flush(pieces: list[str], blocks: list[str], promote: Callable[[str], str] | None) -> None:
    """The pieces collected so far as one block (none when they hold no text), then none."""
    line = _line("".join(pieces))
    pieces.clear()
    if line:
        blocks.append(_promoted(line, promote))


def _promoted(line: str, promote: Callable[[str], str] | None) -> str:
    # `_promote_bold` changes only a block that starts with `**`: the others skip two calls.
    return promote(line) if promote and line.startswith("**") else line


def render(elements: list[HtmlElement], ctx: Context) -> str:
    """The Markdown of the selected elements, in order, with one heading scale for all."""
    levels = [HEADINGS[e.tag] for root in elements for e in root.iter(*HEADINGS)]
    ctx.heading_shift = min(levels) - 1 if levels else 0
    blocks: list[str] = []
    for root in elements:
        ctx.has_block = _mark_block_ancestors(root)
        _render_block(root, ctx, 0, blocks)
    markdown = "\n\n".join(blocks)
    if _LT in markdown:
        markdown = "\n".join(_resolve_lt(line) if _LT in line else line for line in markdown.split("\n"))
    return promote_clause_titles(markdown) + "\n"


def _render_flow(
    element: HtmlElement, ctx: Context, depth: int, promote: bool = False, into: list[str] | None = None
) -> list[str]:
    """The blocks of an element's content: inline runs become paragraphs (and, when
    `promote`, a run that acts as a heading becomes one, unless the element's text is all
    link text: measured only for a run that would be promoted, few of them). Added to
    `into` when given (a parent's blocks: no list for each element), and returned."""
    # The hot loop of the writer (once per element): `_Flow`'s steps written out.
    blocks: list[str] = [] if into is None else into
    text = element.text
    if not len(element):  # a leaf (most paragraphs and list items): its text is its one run
        if text and not text.isspace() and (line := _line(escape_text(text))):
            blocks.append(_promoted(line, _Promoter(element, ctx) if promote else None))
        return blocks
    pieces: list[str] = []
    promoter = _Promoter(element, ctx) if promote else None
    if text and not text.isspace():  # see the tails below
        pieces.append(escape_text(text))
    has_block = ctx.has_block
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP:  # comments, processing instructions
            pass
        elif tag == "br":
            if pieces:
                _flush(pieces, blocks, promoter)
        elif tag in BLOCKS or child in has_block:
            if pieces:
                _flush(pieces, blocks, promoter)
            _render_block(child, ctx, depth + 1, blocks)
        else:
            pieces.append(_render_inline(child, ctx, depth + 1))
        text = child.tail
        # Whitespace that opens a run (the indentation between blocks, mostly) is stripped by
        # `_flush` in any case: left out, it costs no empty flush.
        if text and (pieces or not text.isspace()):
            pieces.append(escape_text(text))
    if pieces:
        _flush(pieces, blocks, promoter)
    return blocks


# What `_render_block` writes otherwise than as a flow of paragraphs.
_NOT_FLOW = frozenset({*HEADINGS, "ul", "ol", "menu", "dir", "table", "pre", "blockquote", "hr"})
_PROMOTED = frozenset({"p", "div", "dt", "summary", "section"})


def _render_block(element: HtmlElement, ctx: Context, depth: int, into: list[str]) -> None:
    """An element's blocks, added to `into` (see `_render_flow`)."""
    tag = element.tag
    if tag not in _NOT_FLOW and depth <= _MAX_DEPTH:  # most blocks: paragraphs, divisions, items
        _render_flow(element, ctx, depth, promote=tag in _PROMOTED and not ctx.in_cell, into=into)
    else:
        into.extend(_render_other(element, ctx, depth))


def _render_other(element: HtmlElement, ctx: Context, depth: int) -> list[str]:
    """The blocks of an element of `_NOT_FLOW`, or of any element too deep in the page."""
    tag = element.tag
    if depth > _MAX_DEPTH:
        text = collapse_whitespace(element.text_content())
        return [escape_text(text)] if text else []
    if tag in HEADINGS:
        text = _unescape_marker(_plain_heading(_render_flow(element, ctx, depth)))
        if not text:
            return []
        if ctx.in_cell:
            return [f"**{text}**"]
        level = max(1, min(6, HEADINGS[tag] - ctx.heading_shift))
        ctx.last_heading = level
        return ["#" * level + " " + text]
    if tag in {"ul", "ol", "menu", "dir"}:
        return _render_list(element, ctx, depth)
    if tag == "table":
        return _render_table(element, ctx, depth)
    if tag == "pre":
        code = element.text_content().strip("\n")
        if not code.strip():
            return []
        fence = "~~~" if "```" in code else "```"
        return [f"{fence}\n{code}\n{fence}"]
    if tag == "blockquote":
        inner = _render_flow(element, ctx, depth)
        return ["\n".join("> " + line if line else ">" for line in block.split("\n")) for block in inner]
    return []  # <hr>


class _Promoter:
    """`_promote_bold` for the runs of one element that is not all links (`_only_links`,
    asked once, and only of an element with a run to promote)."""

    __slots__ = ("ctx", "element", "only_links")

    def __init__(self, element: HtmlElement, ctx: Context) -> None:
        self.element = element
        self.ctx = ctx
        self.only_links: bool | None = None

    def __call__(self, block: str) -> str:
        promoted = _promote_bold(block, self.ctx)
        if promoted is block:
            return block
        if self.only_links is None:
            self.only_links = _only_links(self.element)
        return block if self.only_links else promoted


def _only_links(element: HtmlElement) -> bool:
    """All the text is link text: an entry of a table of contents, not a heading."""
    if next(element.iter("a"), None) is None:  # most blocks: no link to measure
        return False
    linked = sum(len(a.text_content().strip()) for a in element.iter("a"))
    return linked >= len(element.text_content().strip())


def _plain_heading(blocks: list[str]) -> str:
    text = " ".join(blocks)
    return text.replace("**", "").strip()


def _promote_bold(block: str, ctx: Context) -> str:
    """A short paragraph that is bold and nothing else acts as a heading: make it one, one
    level below the last real heading. (Lettered and numbered clause titles, "B. Community
    Sites", are promoted once the whole text is written, by `text.promote_clause_titles`,
    the rule Markdown captures get: only a title with text under it.)"""
    if not block.startswith("**") or "\n" in block or is_clause_title(block.replace("**", "")):
        return block  # (`_BOLD_ONLY` needs the leading `**`: asked first, it spares the rest)
    match = _BOLD_ONLY.match(block)
    if not match:
        return block
    text = match.group("text").strip()
    words = text.split()
    if not words or len(words) > 14 or (text.endswith((".", ",", ";")) and not re.match(r"^\w{1,3}\.", text)):
        return block
    level = min(6, ctx.last_heading + 1)
    return "#" * level + " " + text


def _render_list(element: HtmlElement, ctx: Context, depth: int) -> list[str]:
    """A list's items; text and inline elements directly inside the list, outside any
    `<li>` (invalid, and common), are kept in their place as paragraphs, never as items."""
    ordered = element.tag == "ol"
    try:
        number = int(element.get("start", "1"))
    except ValueError:
        number = 1
    out: list[str] = []
    items: list[str] = []
    loose = _Flow()

    def end_items() -> None:
        if items:
            out.append("\n".join(items))
            items.clear()

    def end_loose() -> None:
        loose.flush()
        if loose.blocks:
            end_items()
            out.extend(loose.blocks)
            loose.blocks.clear()

    loose.add_text(element.text)
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP:
            pass
        elif tag in {"ul", "ol"}:  # a list nested without its <li>
            end_loose()
            items.extend(_INDENT + line if line else line for block in _render_list(child, ctx, depth + 1)
                         for line in block.split("\n"))  # fmt: skip
        elif tag == "li":
            if loose.pieces or loose.blocks:  # (between items, mostly nothing to end)
                end_loose()
            blocks = _render_flow(child, ctx, depth + 1)
            if blocks:
                marker = f"{number}. " if ordered else "- "
                number += 1
                items.append(_list_item(marker, blocks))
        elif tag == "br":
            loose.flush()
        elif tag in BLOCKS or child in ctx.has_block:
            end_loose()
            end_items()
            _render_block(child, ctx, depth + 1, out)
        else:
            loose.pieces.append(_render_inline(child, ctx, depth + 1))
        loose.add_text(child.tail)
    end_loose()
    end_items()
    return out


_NUMBERED = re.compile(r"^\s*\d+\. ")


def _list_item(marker: str, blocks: list[str]) -> str:
    head = marker + _unescape_marker(blocks[0]).replace("\n", "\n" + _INDENT)
    if len(blocks) == 1:  # most items
        return head
    lines = [head]
    for block in blocks[1:]:
        nested = block.lstrip().startswith(("- ", "1. ")) or _NUMBERED.match(block)
        indented = "\n".join(_INDENT + line if line else line for line in block.split("\n"))
        lines.append(indented if nested else "\n" + indented)
    return "\n".join(lines)


_ESCAPED_MARKER = re.compile(r"^(\d+)\\([.)])")


def _unescape_marker(block: str) -> str:
    # After a list marker, a leading "1." or "-" no longer starts a list.
    return _ESCAPED_MARKER.sub(r"\1\2", block) if block[:1].isdigit() else block


def _cells(row: HtmlElement) -> list[HtmlElement]:
    return [c for c in row if isinstance(c.tag, str) and c.tag in {"td", "th"}]


def _rows(table: HtmlElement) -> list[HtmlElement]:
    rows = []
    for child in table:
        if child.tag == "tr":
            rows.append(child)
        elif child.tag in {"thead", "tbody", "tfoot"}:
            rows.extend(r for r in child if r.tag == "tr")
    return rows


def _is_layout_table(table: HtmlElement, rows: list[HtmlElement]) -> bool:
    """Tables used to lay out a page, not to tabulate: marked so, one column, or holding
    further tables; cells holding headings too, unless the table has a header row (then the
    headings are labels in cells: Bumble's "Students", "BFF")."""
    if table.get("role") in ("presentation", "none") or table.get("datatable") == "0":
        return True
    if not rows or max(len(_cells(r)) for r in rows) <= 1:
        return True
    headed = any(c.tag == "th" for c in _cells(rows[0])) or table.find("thead") is not None
    for row in rows:
        for cell in _cells(row):
            for inner in cell.iter("table", *HEADINGS):
                if inner is not cell and (inner.tag == "table" or not headed):
                    return True
    return False


def _render_table(table: HtmlElement, ctx: Context, depth: int) -> list[str]:
    rows = _rows(table)
    if _is_layout_table(table, rows):
        return _render_flow(table, ctx, depth) if not rows else _render_layout(table, rows, ctx, depth)
    grid: list[list[str]] = []
    for row in rows:
        cells = []
        for cell in _cells(row):
            cells.append(_render_cell(cell, ctx, depth + 1))
            for _ in range(min(int(cell.get("colspan", "1")) if cell.get("colspan", "1").isdigit() else 1, 20) - 1):
                cells.append("")
        if any(cells):
            grid.append(cells)
    if not grid:
        return []
    width = max(len(r) for r in grid)
    grid = [r + [""] * (width - len(r)) for r in grid]
    lines = ["| " + " | ".join(grid[0]) + " |", "|" + "---|" * width]
    lines += ["| " + " | ".join(r) + " |" for r in grid[1:]]
    caption = table.find("caption")
    out = _render_flow(caption, ctx, depth + 1) if caption is not None else []
    return [*out, "\n".join(lines)]


def _render_cell(cell: HtmlElement, ctx: Context, depth: int) -> str:
    """A cell's content on one line, as a pipe table needs it: its paragraphs, lines and list
    items kept apart by `<br>` (GitHub's and Python-Markdown's line break in a cell), no
    heading in it."""
    ctx.in_cell += 1
    try:
        blocks = _render_flow(cell, ctx, depth)
    finally:
        ctx.in_cell -= 1
    lines = [collapse_whitespace(line) for block in blocks for line in block.split("\n")]
    return "<br>".join(line for line in lines if line).replace("|", "\\|")


def _render_layout(table: HtmlElement, rows: list[HtmlElement], ctx: Context, depth: int) -> list[str]:
    blocks: list[str] = []
    for row in rows:
        for cell in _cells(row):
            _render_block(cell, ctx, depth + 2, blocks)
    return blocks


def _render_inline(element: HtmlElement, ctx: Context, depth: int) -> str:
    tag = element.tag
    if tag in _SKIP or depth > _MAX_DEPTH:
        return "" if tag in _SKIP else escape_text(element.text_content())
    text = element.text
    parts = [escape_text(text)] if text else []
    for child in element:
        child_tag = child.tag
        if isinstance(child_tag, str) and child_tag not in _SKIP:
            parts.append(_render_inline(child, ctx, depth + 1))
        text = child.tail
        if text:
            parts.append(escape_text(text))
    inner = "".join(parts)
    if tag in {"strong", "b"}:
        return _wrap(inner, "**")
    if tag in {"em", "i", "cite", "dfn"}:
        return _wrap(inner, "*")
    if tag == "code" or tag in {"kbd", "samp", "tt"}:
        text = _WHITESPACE.sub(" ", element.text_content())
        return _wrap(text, "``" if "`" in text else "`") if text.strip() else text
    if tag == "a":
        return _link(element, inner, ctx)
    return inner


def _wrap(inner: str, mark: str) -> str:
    stripped = inner.strip()
    if not stripped.replace("*", "").strip():
        return inner
    if stripped.startswith(mark) and stripped.endswith(mark):  # <b><b>x</b></b>
        return inner
    lead = inner[: len(inner) - len(inner.lstrip())]
    trail = inner[len(inner.rstrip()) :]
    return f"{lead and ' '}{mark}{stripped}{mark}{trail and ' '}"


def _link(element: HtmlElement, inner: str, ctx: Context) -> str:
    href = element.get("href")
    text = inner.strip()
    if not href or not text:
        return inner
    if "#" in href and not re.search(r"\w", text):
        return " "  # a permalink anchor beside a heading ("#", "¶", "🔗") is markup, not text
    url = ctx.link_target(href)
    if not url:
        return inner
    lead = " " if inner[:1].isspace() else ""
    trail = " " if inner[-1:].isspace() else ""
    return f"{lead}[{text}]({url}){trail}"
