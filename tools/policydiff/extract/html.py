"""HTML captures: clean the page, select the policy body, write Markdown."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree
from lxml.cssselect import SelectorError
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction

from ..declaration import ExtractionRules
from ..errors import ExtractionError
from . import chrome, clean, readable, selectors
from .markdown import Context, render
from .wayback import decode_cloudflare_emails, remove_wayback_elements, strip_toolbar, unwayback

# Cache-busting queries (`file.pdf?1653379842366`, `?v=3.2.1`, `?ts=...`) change on every
# deploy while the link stays the same.
_CACHE_BUSTER = re.compile(r"\?(?:\d{6,}|(?:v|ver|version|t|ts|timestamp|cb|cachebuster|_)=[\w.-]*)(?=#|$)", re.I)
_XML_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_UNSAFE_SCHEME = re.compile(r"^\s*(?:javascript|vbscript|data|file|about|blob):", re.IGNORECASE)


@dataclass(frozen=True)
class HtmlResult:
    markdown: str
    title: str | None
    selector_miss: bool
    warnings: tuple[str, ...]
    method: str = "auto"


# Documented limit (README, "Limits"): libxml2 checks each new attribute of an element against
# all the earlier ones, so 40,000 attributes take 15 s to parse and a million never end. No
# real page comes near 1,000 on one element. Possessive and atomic, so the scan is linear.
MAX_ATTRIBUTES = 1000
_ATTRIBUTE_BOMB = re.compile(
    r"""<[A-Za-z][^\s/<>]*+(?>\s++[^\s"'<>/=]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s<>]*+))?+)"""
    + f"{{{MAX_ATTRIBUTES + 1}}}"
)

# huge_tree: a page with a 20 MB inline script or JSON blob must not lose the text after it
# (libxml2 otherwise stops at a 10 MB text node).
_PARSER = etree.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True)
# The same parser for the page as UTF-8 bytes, which libxml2 reads a quarter faster than the
# text lxml hands it from a Python string (in UTF-16 or UCS-4), with the same tree: the
# encoding is given, so no declaration in the page changes it.
_UTF8_PARSER = etree.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True, encoding="utf-8")
# lxml.html's own class lookup is Python code run each time an element gets its proxy (most
# elements, several times per extraction); this one runs in C. Every element is a plain
# HtmlElement: nothing here uses the extras of lxml.html's form and input classes.
for _parser in (_PARSER, _UTF8_PARSER):
    _parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
        )
    )

# In UTF-8 the controls of `_XML_CONTROLS` are their own bytes and no other character's
# encoding holds them: deleting bytes is done in C several times faster than the regex
# engine scans a string.
_XML_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


def _utf8(text: str) -> bytes | None:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return None


def parse_html(text: str, utf8: bytes | None = None) -> HtmlElement | None:
    """The page's tree (`utf8`: the text's UTF-8, when at hand)."""
    # NUL characters end the document for libxml2 (nothing after one would be seen), and no
    # C0 control but tab and line ends can be set back into a tree: lxml refuses them when
    # a later step joins two texts. None of them is visible text.
    data = _utf8(text) if utf8 is None else utf8
    if data is None or len(data.translate(None, _XML_CONTROL_BYTES)) != len(data):
        text = _XML_CONTROLS.sub("", text)
        data = _utf8(text)
    if not text.strip():
        return None
    if _ATTRIBUTE_BOMB.search(text):
        raise ExtractionError(f"an element with more than {MAX_ATTRIBUTES} attributes: not parsed (a limit)")
    try:
        # lxml refuses a string that opens with an XML declaration naming an encoding (a
        # ValueError: unparseable), and so does this, whatever bytes would give.
        if data is None or text.startswith("<?xml"):
            return lxml.html.document_fromstring(text, parser=_PARSER)
        return lxml.html.document_fromstring(data, parser=_UTF8_PARSER)
    except (etree.ParserError, ValueError):
        return None


def _page_title(root: HtmlElement) -> str | None:
    title = root.find(".//title")
    if title is None:
        return None
    text = " ".join(title.text_content().split())
    return text or None


def make_url_resolver(base_url: str | None, strip_query: tuple[str, ...] | None) -> Callable[[str], str | None]:
    return partial(_resolve_any, unwayback(base_url) if base_url else None, strip_query)


# A page links to the same few targets again and again, and the captures of a policy to the
# same ones as each other; the cache outlives the page (a pool worker, a serve session), so
# it holds short hrefs only: a hostile page's megabyte-long ones would stay in memory.
_CACHED_HREF = 2000


def _resolve_any(base: str | None, strip_query: tuple[str, ...] | None, href: str) -> str | None:
    if len(href) > _CACHED_HREF:
        return _resolve.__wrapped__(base, strip_query, href)
    return _resolve(base, strip_query, href)


@lru_cache(maxsize=8192)
def _resolve(base: str | None, strip_query: tuple[str, ...] | None, href: str) -> str | None:
    href = href.strip()
    if not href or href.startswith("#") or _UNSAFE_SCHEME.match(href):
        return None
    url = unwayback(href)
    if base:
        try:
            url = unwayback(urljoin(base, url))
        except ValueError:
            return None
    if "?" in url:
        url = _CACHE_BUSTER.sub("", url)
        if strip_query is not None:
            url = _strip_query(url, strip_query)
    url = _normal_url(url)
    if base and url.split("#")[0] == base.split("#")[0] and "#" in url:
        return None  # a link to a section of the same page: its target is markup
    return url


_SCHEME_HOST = re.compile(r"^(https?)://([^/?#]+)(.*)$", re.IGNORECASE)


def _normal_url(url: str) -> str:
    """RFC 3986's normal form of the parts a link's text never depends on: scheme and host
    in lower case, an empty path as "/" (`http://www.ZWSOFT.com` is `http://www.zwsoft.com/`,
    as the Princeton-Leuven dataset writes it)."""
    match = _SCHEME_HOST.match(url)
    if not match:
        return url
    scheme, host, rest = match.groups()
    if "@" in host:  # user information is case-sensitive
        return url
    return f"{scheme.lower()}://{host.lower()}{rest if rest.startswith('/') else '/' + rest}"


def _strip_query(url: str, names: tuple[str, ...]) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    query = "" if not names else urlencode([(k, v) for k, v in parse_qsl(parts.query, True) if k not in names])
    return urlunsplit(parts._replace(query=query))


def parse_page(text: str, utf8: bytes | None = None) -> HtmlElement | None:
    """A page's tree, the Wayback toolbar's insert taken out of its source first (`utf8`:
    the text's UTF-8, when at hand, parsed instead when the insert took nothing out)."""
    source = strip_toolbar(text, utf8)
    return parse_html(source, utf8 if source is text else None)


def html_to_markdown(
    text: str, rules: ExtractionRules, *, base_url: str | None, utf8: bytes | None = None
) -> HtmlResult:
    """The policy of a page (`utf8`: the text's UTF-8, when at hand)."""
    root = parse_page(text, utf8)
    if root is None:
        return HtmlResult("", None, False, ("unparseable or empty HTML",))
    title = _page_title(root)
    base = root.find(".//base[@href]")
    if base is not None and not base_url:
        base_url = base.get("href")
    forms = clean.forms_with_fields(root)
    hidden, styled = chrome.hidden_markers(root)
    hidden |= chrome.hidden_classes(root)
    clean.drop_never_text(root)
    aria_hidden = clean.drop_decorations(root)
    chrome.drop_visually_hidden(root, hidden, styled)
    remove_wayback_elements(root)
    decode_cloudflare_emails(root)
    warnings: list[str] = []
    try:
        selectors.remove(root, rules.remove)
        clean.apply_filters(root, rules.filters)
        picked = selectors.select(root, rules.select) if rules.select else []
    except SelectorError as exc:  # validated at load time; a declaration built in code may slip through
        warnings.append(f"invalid selector: {exc}")
        picked = []
    selector_miss = bool(rules.select) and not picked
    if selector_miss:
        shown = ", ".join(s if isinstance(s, str) else str(s) for s in rules.select)
        warnings.append(f"selector(s) {shown} matched nothing: automatic extraction used")
    method = "select" if picked else "auto"
    if not picked:
        clean.drop_hidden(root, aria_hidden)
        clean.drop_boilerplate(root, forms)
        # One measure of the page's text for the three steps after (each drops little).
        texts: dict[HtmlElement, str] = {}
        lengths = chrome.text_lengths(root, texts)
        changed = chrome.drop_controls(root, lengths[0], texts)
        changed = chrome.cut_loose_labels(root) or changed
        main = readable.find_main(root, lengths[1])
        chrome.trim_edges(main, lengths, current=not changed)
        picked = [main]
    ctx = Context(resolve_url=make_url_resolver(base_url, rules.strip_query))
    markdown = render(picked, ctx)
    return HtmlResult(markdown, title, selector_miss, tuple(warnings), method)
