"""HTML captures: clean the page, select the policy body, write Markdown."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

import lxml.html
from lxml import etree
from markdownify import markdownify

from ..declaration import ExtractionRules

_WAYBACK_TOOLBAR = re.compile(
    r"<!--\s*BEGIN WAYBACK TOOLBAR INSERT\s*-->.*?<!--\s*END WAYBACK TOOLBAR INSERT\s*-->",
    re.DOTALL | re.IGNORECASE,
)
_WAYBACK_URL = re.compile(r"^(?:https?://web\.archive\.org)?/web/\d{1,14}(?:[a-z]{2}_)?/", re.I)
_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "iframe",
    "form",
    "nav",
    "header",
    "footer",
    "template",
    "svg",
    "button",
    "select",
    "input",
    "object",
    "embed",
)


@dataclass(frozen=True)
class HtmlResult:
    markdown: str
    title: str | None
    selector_miss: bool
    warnings: tuple[str, ...]


def unwayback(url: str) -> str:
    return _WAYBACK_URL.sub("", url)


def html_to_markdown(text: str, rules: ExtractionRules, *, base_url: str | None) -> HtmlResult:
    text = _WAYBACK_TOOLBAR.sub("", text)
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return HtmlResult("", None, False, ("unparseable HTML",))
    title_el = root.find(".//title")
    title = title_el.text_content().strip() if title_el is not None else None
    etree.strip_elements(root, *_DROP_TAGS, etree.Comment, with_tail=False)
    for element in root.iter("a"):
        href = element.get("href")
        if href:
            href = unwayback(href)
            element.set("href", urljoin(base_url, href) if base_url else href)
    warnings: list[str] = []
    selector_miss = False
    body = root.find("body")
    selected = [] if body is None else [body]
    if rules.select:
        found = []
        for selector in rules.select:
            if isinstance(selector, str):
                found.extend(root.cssselect(selector))
        if found:
            selected = found
        else:
            selector_miss = True
            warnings.append(f"selector(s) {list(rules.select)} matched nothing")
    for element in selected:
        for selector in rules.remove:
            if isinstance(selector, str):
                for hit in element.cssselect(selector):
                    hit.drop_tree()
    html = "".join(lxml.html.tostring(el, encoding="unicode") for el in selected)
    markdown = markdownify(html, heading_style="ATX", bullets="-")
    return HtmlResult(markdown, title, selector_miss, tuple(warnings))
