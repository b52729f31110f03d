"""Tree clean-up: what is never policy text, and what is boilerplate around it.

The first group (scripts, styles, embedded objects, form controls) goes from every capture.
The boilerplate rules (navigation, site header and footer, cookie banners, sidebars, hidden
elements) only run for the automatic extraction: with a declaration's selectors the
declaration decides.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

from ..declaration import TextFilter
from .selectors import compile_css

NEVER_TEXT = ("script", "style", "noscript", "template", "svg", "math", "iframe", "frame", "frameset", "object",
              "embed", "applet", "canvas", "input", "select", "textarea", "button", "datalist", "dialog")  # fmt: skip
_BOILERPLATE_TAGS = ("nav", "aside")
_BOILERPLATE_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alertdialog", "menu",
                      "menubar", "toolbar"}  # fmt: skip
# Consent managers and cookie banners by their usual names; "cookie" alone would also
# match the policy's own section on cookies.
_BANNER = re.compile(
    r"(?:^|[\s_-])(?:onetrust|ot-sdk|didomi|usercentrics|cookiebot|cybotcookiebot|truste|trustarc|osano|iubenda|"
    r"termly|qc-cmp|cmp-|cc-window|cc-banner|cookie-?law|gdpr-?(?:banner|consent)|cookieyes|cmplz-|"
    r"cky-(?:consent|preference|modal|overlay|banner|btn-revisit)|"
    r"(?:cookies?|consent|privacy)[_-]?(?:banner|notice|bar|popup|modal|overlay|wall|consent|message|alert|dialog|"
    r"layer|settings|preferences|container|wrapper))",
    re.IGNORECASE,
)
_NAVIGATION = re.compile(
    r"(?:^|\s)(?:nav|navbar|navigation|site-?nav\w*|menu|main-?menu|breadcrumbs?|sidebar|side-?nav|skip-?link\w*|"
    r"share|social\w*|site-?header|site-?footer|global-?(?:header|footer|nav)|page-?footer|footer|header|"
    r"toc|table-of-contents|back-to-top|newsletter|related\w*)(?:\s|$)",
    re.IGNORECASE,
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def drop(element: HtmlElement) -> None:
    """Remove an element but keep the text that follows it."""
    if element.getparent() is not None:
        element.drop_tree()


def drop_never_text(root: HtmlElement) -> None:
    etree.strip_elements(root, *NEVER_TEXT, etree.Comment, etree.ProcessingInstruction, with_tail=False)


def drop_decorations(root: HtmlElement) -> None:
    """Elements hidden from screen readers that hold no word (a heading's "#" permalink
    symbol, icon glyphs): decoration in every capture."""
    for element in root.xpath("//*[@aria-hidden='true']"):
        if element.getparent() is not None and not re.search(r"\w", element.text_content()):
            drop(element)


def _in_content(element: HtmlElement) -> bool:
    return any(a.tag in {"main", "article"} or a.get("role") == "main" for a in element.iterancestors())


def drop_hidden(root: HtmlElement) -> None:
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        if (
            element.get("hidden") is not None
            or element.get("aria-hidden") == "true"
            or _HIDDEN_STYLE.search(element.get("style", ""))
        ):
            drop(element)


def drop_boilerplate(root: HtmlElement) -> None:
    """Navigation, page header and footer, sidebars, cookie banners."""
    for element in list(root.iter()):
        tag = element.tag
        if not isinstance(tag, str) or tag in {"html", "body", "main", "article"}:
            continue
        names = f"{element.get('id', '')} {element.get('class', '')}"
        always = tag in _BOILERPLATE_TAGS or element.get("role") in _BOILERPLATE_ROLES or _BANNER.search(names)
        chrome = tag in {"header", "footer"} or _NAVIGATION.search(names)
        if always or (chrome and not _in_content(element)):
            drop(element)


def apply_filters(root: HtmlElement, filters: tuple[TextFilter, ...]) -> None:
    """A declaration's noise rules: elements whose text matches a pattern."""
    for rule in filters:
        for element in compile_css(rule.selector)(root):
            if element.getparent() is not None and rule.text.search(" ".join(element.text_content().split())):
                drop(element)
