"""Everything that comes from a capture (or a declaration) passes through here before it
reaches a page or a feed: one control-character rule, one nh3 allow-list, for both.

Captured text is hostile. Pages are Markdown that MkDocs (or Zensical) turns into HTML, so
text has to be safe twice: as Markdown (no link, emphasis, attribute list or raw HTML may be
smuggled in) and as HTML. Three ways into a page, each closed:

- `md_text`: captured text inline in our Markdown (titles, table cells). Every character
  that is not a letter, digit or space becomes a numeric entity, so Markdown sees no syntax
  at all and the browser shows the original characters.
- `html_text`: captured text inside a raw HTML block of ours (word diffs). HTML-escaped, and
  the characters Markdown's preprocessors act on even inside raw HTML (code fences) and
  newlines (a raw block stays on one line) become entities too.
- `markdown_html`: a captured Markdown body rendered to HTML, then cleaned by nh3 with an
  allow-list: no script, style, event handler, iframe, form, image, or non-http(s) URL.

Feeds are XML: `xml_text` is captured text in a feed's plain-text field (Atom's and JSON
Feed's), `rss_text` in an RSS field that readers render as HTML, `feed_html_text`
captured text inside an entry's HTML, and `clean_html` (the same allow-list as pages) is the
last step of every fragment, on pages and in feeds.

Unicode bidi controls (Trojan Source) are made visible rather than obeyed; other control
characters, and everything XML 1.0 cannot hold (surrogates, U+FFFE, U+FFFF), are dropped;
NEL (U+0085, in captures only ever mojibake or a line break) becomes a space.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from urllib.parse import quote, urlsplit

import markdown
import nh3

BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "dd",
        "del",
        "dfn",
        "div",
        "dl",
        "dt",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Dropped with their content, not just unwrapped.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "iframe", "object", "noscript", "textarea", "title"})
LINK_REL = "nofollow noopener noreferrer"


# C0 controls but tab and newline (a raw U+0002 is Python-Markdown's own placeholder marker;
# CR never survives normalisation), DEL and C1, surrogates, the two XML non-characters.
_CONTROLS_RE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff" + "".join(sorted(BIDI_CONTROLS)) + "]"
)


def _show_control(match: re.Match[str]) -> str:
    char = match.group()
    if char in BIDI_CONTROLS:
        return f"⟦U+{ord(char):04X}⟧"
    return " " if char == "\x85" else ""


def visible_controls(text: str) -> str:
    """The one control-character rule: bidi controls shown as `⟦U+202E⟧`, NEL as a space,
    every other control character (tab and newline aside) dropped."""
    return _CONTROLS_RE.sub(_show_control, text)


def md_text(text: str) -> str:
    """Captured text as inert inline Markdown: whitespace collapsed, every character that
    is not a letter, digit or space written as an entity."""
    text = " ".join(visible_controls(text).split())
    return "".join(c if c.isalnum() or c == " " else f"&#{ord(c)};" for c in text)


# Code fences are found even inside raw HTML; `[text](url)` is text there, but link checkers
# that scan the Markdown source (Zensical's) would read it as a link.
_HTML_BLOCK_UNSAFE = {"`": "&#96;", "~": "&#126;", "[": "&#91;", "]": "&#93;", "\n": "&#10;", "\r": ""}
_HTML_BLOCK_UNSAFE_RE = re.compile("[`~\\[\\]\n\r]")


def _block_safe(html_fragment: str) -> str:
    return _HTML_BLOCK_UNSAFE_RE.sub(lambda m: _HTML_BLOCK_UNSAFE[m.group()], html_fragment)


def html_text(text: str) -> str:
    """Captured text for a raw HTML block in our Markdown (newlines kept as entities)."""
    return _block_safe(html.escape(visible_controls(text), quote=True))


def html_attribute(text: str) -> str:
    """Text for an attribute value of our own HTML (a page's `<head>` links)."""
    return html.escape(visible_controls(text), quote=True)


def plain_title(text: str, limit: int = 90) -> str:
    """A page title safe in any template context (MkDocs themes do not all escape titles)."""
    text = re.sub(r"[^\w \-.,:()/+·–—]", " ", visible_controls(text))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def safe_url(url: str | None) -> str | None:
    """An absolute http(s) URL, percent-encoded so no Markdown or HTML syntax survives in
    it; None for anything else (javascript:, data:, relative, malformed)."""
    if not url:
        return None
    url = url.strip()
    if any(not c.isprintable() or c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    return quote(url, safe="/:?#=&%.-~,;+@$!")


def external_link(url: str | None, text: str | None = None) -> str:
    """Inline HTML link to a captured URL, or the text alone when the URL is not safe."""
    label = html_text(text if text is not None else (url or ""))
    href = safe_url(url)
    if href is None:
        return label
    return f'<a href="{html.escape(href, quote=True)}" rel="{LINK_REL}" class="pd-external">{label}</a>'


def clean_html(fragment: str) -> str:
    """An HTML fragment through the allow-list: no script, style, event handler, iframe,
    form, image, relative or non-http(s)/mailto URL; links get `rel=nofollow noopener
    noreferrer`. The control-character rule is applied before and after."""
    cleaned = nh3.clean(
        visible_controls(fragment),
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        url_relative="deny",
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return visible_controls(cleaned)


_MD = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")


@lru_cache(maxsize=16384)
def markdown_html(text: str) -> str:
    """A captured Markdown fragment as clean HTML, on one line, ready for a raw HTML block."""
    _MD.reset()
    return _block_safe(clean_html(_MD.convert(visible_controls(text))))


def markdown_plain(text: str) -> str:
    """A Markdown fragment's words alone, markup and HTML dropped (a note in a table cell or
    a feed's plain-text summary); still to be escaped for where it goes (`md_text`, `xml_text`)."""
    _MD.reset()
    rendered = _MD.convert(visible_controls(text))
    words = nh3.clean(rendered, tags=set(), clean_content_tags=set(DROPPED_WITH_CONTENT), strip_comments=True)
    return " ".join(html.unescape(words).split())


# -- feeds ----------------------------------------------------------------------------------
def xml_text(text: str) -> str:
    """Captured text for a plain-text field of a feed (titles, summaries, descriptions)."""
    return visible_controls(text)


def rss_text(text: str) -> str:
    """Plain text for an RSS 2.0 element that readers render as HTML (`<description>`, and
    `<title>`, which many readers treat the same way): HTML-escaped, so that once XML has
    been decoded the reader still sees text. Atom and JSON Feed say which fields are text."""
    return html.escape(" ".join(visible_controls(text).split()), quote=False)


def feed_html_text(text: str) -> str:
    """Captured text inside an entry's HTML: escaped, line breaks as `<br>` (a blank line as
    two), since feed readers show no CSS and no Markdown."""
    escaped = html.escape(visible_controls(text), quote=True)
    return re.sub(r"\n+", lambda m: "<br>" if len(m.group()) == 1 else "<br><br>", escaped)
