"""Generated pages converted without Python-Markdown re-parsing their big raw HTML blocks.

Our pages hold the version texts and word diffs as raw HTML blocks, each on one line of its
own (`render.blocks.raw_block`). Python-Markdown passes such a block through unchanged, but
only after tokenising every tag of it twice per page (md_in_html's block extractor, then
MkDocs' anchor scan), and the same block shows on many pages (a section's text on each
version page, a diff on the change page and the section's history): a fifth of a build.

So, for a generated page, each long line that is a raw block is swapped for a tiny raw block
(a placeholder) before conversion, and the converted placeholders are swapped back for the
lines. Exactness, checked rather than assumed:

- a line is swapped only once Python-Markdown itself, with the site's extensions, has
  converted it, between two paragraphs, to exactly itself with the paragraphs untouched
  (so it is one raw block, closed on its line, passed through verbatim), or once the line is
  shown to be of a shape that conversion passes through (`_passes_through`: plain tags and
  escaped text, one element closed at the line's end, the site's Markdown of known parts);
  that verdict and the line's anchor ids (which MkDocs' scan would have found) are kept by
  the line's hash, so each distinct block is parsed once per build rather than per page;
- after conversion every placeholder must appear exactly once, in order, verbatim (one
  made odd on purpose, with single quotes, which a parser rewriting the HTML would not
  keep); otherwise the page is converted again from its own Markdown, the usual way.
"""

from __future__ import annotations

import hashlib
import re
import secrets

import markdown
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

try:  # MkDocs' own raw-HTML anchor scan, so the ids found are the ones it would find
    from mkdocs.structure.pages import _HTMLHandler
except ImportError:  # pragma: no cover - another MkDocs: no fast path, pages convert as usual
    _HTMLHandler = None

MIN_CHARS = 256  # shorter blocks cost less to parse than to look up
_CANDIDATE = re.compile(r"(?<=\n\n)<[a-z][^\n]{" + str(MIN_CHARS - 2) + r",}(?=\n\n)")
_MAX_KNOWN = 200_000  # verdicts kept (16-byte keys): a bound for long serve sessions
# MkDocs' scan keeps the values of attributes named `id` (and `name`); HTMLParser reads an
# attribute's name after a quote, a space or a slash, up to a space, "/", "=" or ">", and
# lower-cases it. A line whose lower-cased text has no such word has no anchor to scan for.
_MAYBE_ANCHOR = re.compile(r"(?<=['\"\s/])(?:id|name)(?=[\s/=>]|\Z)")


# What `_passes_through` knows Python-Markdown to do with a raw block. Any other processor
# (another extension's) might rewrite one: its lines get the conversion check.
_KNOWN_PROCESSORS = frozenset(
    {
        "markdown.preprocessors.NormalizeWhitespace",  # tabs, CR, STX/ETX: none in the shape
        "markdown.preprocessors.HtmlBlockPreprocessor",
        "markdown.extensions.md_in_html.HtmlBlockPreprocessor",  # raw mode when no `markdown` attribute
        "pymdownx.superfences.SuperFencesBlockPreprocessor",  # fences start a line with ``` or ~~~
        "markdown.postprocessors.RawHtmlPostprocessor",
        "markdown.extensions.md_in_html.MarkdownInHTMLPostprocessor",
        "markdown.postprocessors.AndSubstitutePostprocessor",
    }
)
# Tags, double-quoted attributes; text without "<", ">", a bare "&", control characters or
# line separators, so HTMLParser calls back on exactly these pieces, each kept as written.
_PIECE = re.compile(
    r'<(/?)([a-z][a-z0-9]*)((?: [a-z][a-z0-9-]*(?:="[^"<>\x00-\x1f\x7f-\x9f\u2028\u2029]*")?)*)>'
    r"|(?:[^<>&\x00-\x1f\x7f-\x9f\u2028\u2029]|&(?:#[0-9]+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);)+"
)
# Elements whose content HTMLParser reads as raw text, in one Python version or another.
_RAW_TEXT = frozenset(
    {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext"}
)


class RawBlocks:
    def __init__(self) -> None:
        self._known: dict[bytes, frozenset[str] | None] = {}  # line's hash -> its anchor ids, or None: not swappable
        self._signature = ""
        self._md: markdown.Markdown | None = None
        self._known_processors = False  # `_passes_through` applies to the site's Markdown
        self._placeholder = ""
        self._found: re.Pattern[str] | None = None
        self.swapped = 0  # lines swapped in this build (tests read it)

    def start_build(self, config: MkDocsConfig) -> None:
        """Verdicts hold while the Markdown extensions and their options do."""
        signature = repr((config.markdown_extensions, config.mdx_configs))
        if signature != self._signature:
            self._known.clear()
            self._signature = signature
        self._md = None
        nonce = secrets.token_hex(8)
        self._placeholder = "<div data-pd-raw='" + nonce + "-{}'></div>"
        self._found = re.compile("<div data-pd-raw='" + nonce + r"-(\d+)'></div>")
        self.swapped = 0

    def enabled(self) -> bool:
        return _HTMLHandler is not None and self._found is not None

    def _anchors(self, line: str, config: MkDocsConfig) -> frozenset[str] | None:
        key = hashlib.blake2b(line.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        if key in self._known:
            return self._known[key]
        if self._md is None:
            self._md = markdown.Markdown(
                extensions=config.markdown_extensions, extension_configs=config.mdx_configs or {}
            )
            self._known_processors = all(
                f"{type(p).__module__}.{type(p).__qualname__}" in _KNOWN_PROCESSORS
                for p in [*self._md.preprocessors, *self._md.postprocessors]
            )
        anchors: frozenset[str] | None = None
        if (self._known_processors and _passes_through(line, self._md)) or self._converts_to_itself(line):
            anchors = _anchor_ids(line)
        if len(self._known) >= _MAX_KNOWN:
            self._known.clear()
        self._known[key] = anchors
        return anchors

    def _converts_to_itself(self, line: str) -> bool:
        """Between two paragraphs: the line must come out as itself and leave the next one
        alone (a block left open would swallow what follows it on the page)."""
        assert self._md is not None
        self._md.reset()
        return (
            self._md.convert("pd-before\n\n" + line + "\n\npd-after\n")
            == f"<p>pd-before</p>\n{line}\n\n<p>pd-after</p>"
        )

    def render(self, page: Page, config: MkDocsConfig, files: Files) -> None:
        """`Page.render` for a generated page, its raw blocks swapped out and back."""
        source = page.markdown
        assert source is not None and self._found is not None
        parts: list[str] = []
        lines: list[str] = []
        anchors: set[str] = set()
        at = 0
        for match in _CANDIDATE.finditer(source):
            line = match.group()
            ids = self._anchors(line, config)
            if ids is None:
                continue
            parts += [source[at : match.start()], self._placeholder.format(len(lines))]
            lines.append(line)
            anchors |= ids
            at = match.end()
        if not lines:
            Page.render(page, config, files)
            return
        parts.append(source[at:])
        page.markdown = "".join(parts)
        try:
            Page.render(page, config, files)
        finally:
            page.markdown = source
        content = _swap_back(page.content or "", self._found, lines)
        if content is None:  # a placeholder was not passed through as it was: the usual way
            Page.render(page, config, files)
            return
        page.content = content
        page.present_anchor_ids = (page.present_anchor_ids or set()) | anchors
        self.swapped += len(lines)


def _passes_through(line: str, md: markdown.Markdown) -> bool:
    """Whether the line is one raw block Python-Markdown keeps as it is, read as its HTML
    extractor reads it: the first tag a block-level one (not `hr`, an empty block of its
    own) opens the block; every start tag but `hr` is stacked, an end tag unstacks down to
    its own; the block ends when the stack is empty, which must be at the line's end. No
    `markdown` attribute (md_in_html would convert the content), no raw-text element."""
    stack: list[str] = []
    at, end = 0, len(line)
    while at < end:
        piece = _PIECE.match(line, at)
        if piece is None:
            return False
        at = piece.end()
        closing, name, attributes = piece.groups()
        if name is None:  # text
            if not stack:
                return False
            continue
        if name in _RAW_TEXT or " markdown" in attributes or (closing and attributes):
            return False
        if closing:
            if name not in stack:
                return False
            while stack.pop() != name:
                pass
            if not stack:
                return at == end
        elif not stack and (name == "hr" or not md.is_block_level(name)):
            return False
        elif name != "hr":
            stack.append(name)
    return False


def _anchor_ids(line: str) -> frozenset[str]:
    if not _MAYBE_ANCHOR.search(line.lower()):
        return frozenset()
    scan = _HTMLHandler()
    scan.feed(line)
    scan.close()
    return frozenset(scan.present_anchor_ids)


def _swap_back(html: str, found: re.Pattern[str], lines: list[str]) -> str | None:
    out: list[str] = []
    at = 0
    for expected, match in enumerate(found.finditer(html)):
        if expected >= len(lines) or int(match.group(1)) != expected:
            return None
        out += [html[at : match.start()], lines[expected]]
        at = match.end()
    if len(out) != 2 * len(lines):
        return None
    out.append(html[at:])
    return "".join(out)


__all__ = ["RawBlocks"]
