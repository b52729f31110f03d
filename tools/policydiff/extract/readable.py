"""Automatic extraction: find the policy body the way a reader mode would.

After boilerplate is dropped (`clean.drop_boilerplate`), the body is the element that
holds most of the page's prose: start from the `<main>` landmark (or the page's only
`<article>`) when it holds a fair share of the text, then go down while one child holds
nearly all of it. Text inside links does not count: menus and link lists are not prose.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# What the body can be: never a paragraph, a list or an inline element alone.
CONTAINERS = frozenset({"div", "section", "article", "main", "td", "center", "font", "span", "form", "table", "tbody",
                        "tr", "blockquote"})  # fmt: skip
# A child holding this share of its parent's prose is the content; the rest is chrome.
DESCEND_SHARE = 0.8
# A landmark holding this share of the page's prose is trusted.
LANDMARK_SHARE = 0.4
# The elements below with a role: libxml2 finds attributes by the attribute axis about twice
# as fast as it tests a predicate on every element (`.//*[@role='main']`); the value is
# tested in Python.
_ROLE_OWNERS = etree.XPath("descendant::*/@role/..")
_POLICY_HEADING = re.compile(
    r"privacy|policy|terms|conditions|notice|statement|cookies?|datenschutz|nutzungsbedingungen|agb|"
    r"confidentialit|vie priv|données personnelles|conditions g|privacidad|privacy|privacité|informativa",
    re.IGNORECASE,
)


def prose_lengths(root: HtmlElement) -> dict[HtmlElement, int]:
    """Characters of text outside links, for every element (children are seen before their
    parent in reversed document order, so one pass suffices)."""
    lengths: dict[HtmlElement, int] = {}
    for element in reversed(list(root.iter())):
        if not isinstance(element.tag, str):
            continue
        if element.tag == "a":
            lengths[element] = 0
            continue
        total = len((element.text or "").strip())
        for child in element:
            total += lengths.get(child, 0) + len((child.tail or "").strip())
        lengths[element] = total
    return lengths


def find_main(root: HtmlElement, lengths: dict[HtmlElement, int] | None = None) -> HtmlElement:
    """The policy's body (`lengths`: `prose_lengths` of the page, when measured already)."""
    body = root.find("body")
    if body is None:
        body = root
    if lengths is None:
        lengths = prose_lengths(body)
    page = lengths.get(body, 0) or 1
    current = body
    landmarks = [e for e in body.iter("main", "article") if isinstance(e.tag, str)]
    landmarks += [e for e in _ROLE_OWNERS(body) if e.get("role") == "main"]
    good = [e for e in landmarks if lengths.get(e, 0) >= LANDMARK_SHARE * page]
    if good:
        # The outermost good landmark: a <main> holding an <article> keeps the article's title.
        current = min(good, key=lambda e: sum(1 for _ in e.iterancestors()))
    while True:
        children = [c for c in current if isinstance(c.tag, str)]
        if not children:
            break
        best = max(children, key=lambda c: lengths.get(c, 0))
        if best.tag not in CONTAINERS or lengths.get(best, 0) <= DESCEND_SHARE * lengths.get(current, 0):
            break
        if _loses_title(current, best) or _loses_heading(children, best, lengths):
            break
        current = best
    return current


def _loses_heading(children: list[HtmlElement], best: HtmlElement, lengths: dict[HtmlElement, int]) -> bool:
    """A sibling left behind holds a heading: it is part of the document's structure.

    Not when that heading is chrome: a site logo (`<h1><a href="/">Brand</a></h1>`), a
    widget title over a list of links, a heading that swallowed a menu (broken markup):
    a heading counts when it has words outside links, and its block is not mostly links."""
    for child in children:
        if child is best:
            continue
        headings = [child] if child.tag in HEADINGS else list(child.iter(*HEADINGS))
        for heading in headings:
            words = len(heading.text_content().strip())
            if words and lengths.get(heading, 0) * 2 >= words and not _mostly_links(child, lengths):
                return True
    return False


def _mostly_links(element: HtmlElement, lengths: dict[HtmlElement, int]) -> bool:
    """Most of the element's text is link text (a menu, a list of versions, a footer)."""
    total = len(" ".join(element.text_content().split()))
    return total > 0 and lengths.get(element, 0) * 2 < total


def _loses_title(current: HtmlElement, child: HtmlElement) -> bool:
    """Going down would leave the policy's title heading behind."""
    for heading in current.iter("h1", "h2"):
        if _POLICY_HEADING.search(heading.text_content()):
            return not any(h is heading for h in child.iter("h1", "h2"))
    return False
