"""Tree clean-up: what is never policy text, and what is boilerplate around it.

The first group (scripts, styles, embedded objects, form controls) goes from every capture.
The boilerplate rules (navigation, site header and footer, cookie banners, sidebars, hidden
elements) only run for the automatic extraction: with a declaration's selectors the
declaration decides.
"""

from __future__ import annotations

import re
from functools import lru_cache

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
    r"toc|table-of-contents|back-to-top|newsletter|related\w*|foot|footer[\w-]*|copyright\w*|top-?bar|masthead)"
    r"(?:\s|$)",
    re.IGNORECASE,
)
# Chrome wherever it sits, even inside <main>: a language switcher, a sidebar, share buttons.
_ALWAYS_CHROME = re.compile(
    r"(?:^|\s)(?:lang(?:uage)?-?(?:switch\w*|select\w*|picker|chooser|menu|nav|list|dropdown)|"
    r"locale-?(?:switch\w*|select\w*|picker|chooser|menu)|sidebar|side-?bar|share-?(?:buttons?|links|bar|tools)|"
    r"social-?(?:share|links|media|icons|buttons)|breadcrumbs?|skip-?links?|back-?to-?top|print-?(?:button|link)|"
    r"newsletter\w*|related-?(?:links|articles|posts|content)|cookie-?(?:bar|banner|notice))(?:\s|$)",
    re.IGNORECASE,
)
# An element holding this share of the page's text is never boilerplate.
_MOST_OF_PAGE = 0.5
# Chrome named by its class is short; a long block is content whatever its class says.
_SHORT = 1500
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# A heading's id is the slug of its words ("social-media"), not a role.
_NEVER_BOILERPLATE = frozenset({"html", "body", "main", "article", *_HEADINGS})
_CHROME_TAGS = frozenset({*_BOILERPLATE_TAGS, "header", "footer"})
_LABEL = 80
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def drop(element: HtmlElement) -> None:
    """Remove an element but keep the text that follows it."""
    if element.getparent() is not None:
        element.drop_tree()


def drop_never_text(root: HtmlElement) -> None:
    etree.strip_elements(root, *NEVER_TEXT, etree.Comment, etree.ProcessingInstruction, with_tail=False)


# libxml2 finds attributes by the attribute axis about twice as fast as it tests a predicate
# on every element (`//*[@aria-hidden='true']`): the elements are the attributes' owners, in
# document order, and the value is tested in Python.
_ARIA_HIDDEN = etree.XPath("//@aria-hidden/..")
_WORD = re.compile(r"\w")


def drop_decorations(root: HtmlElement) -> list[HtmlElement]:
    """Elements hidden from screen readers that hold no word (a heading's "#" permalink
    symbol, icon glyphs): decoration in every capture. Returns every element that had an
    `aria-hidden` attribute, for `drop_hidden`."""
    owners = _ARIA_HIDDEN(root)
    for element in owners:
        if (
            element.get("aria-hidden") == "true"
            and element.getparent() is not None
            and not _WORD.search(element.text_content())
        ):
            drop(element)
    return owners


def _in_content(element: HtmlElement) -> bool:
    return any(a.tag in {"main", "article"} or a.get("role") == "main" for a in element.iterancestors())


# The owners of these attributes (see `_ARIA_HIDDEN`); the values are tested in Python.
_HIDDEN_CANDIDATES = etree.XPath("(//@hidden | //@aria-hidden | //@style)/..")
_HIDDEN_OR_STYLED = etree.XPath("(//@hidden | //@style)/..")


def drop_hidden(root: HtmlElement, aria_hidden: list[HtmlElement] | None = None) -> None:
    """Hidden elements (`aria_hidden`: the owners of that attribute found earlier, when no
    attribute has changed since: one walk of the page fewer). An element that has left the
    page since is dropped from where it is, which leaves the page as it is, and the order of
    the drops does not change the page: each joins its tail to the text before it."""
    candidates = _HIDDEN_CANDIDATES(root) if aria_hidden is None else aria_hidden + _HIDDEN_OR_STYLED(root)
    for element in candidates:
        style = element.get("style")
        if element.get("hidden") is not None or element.get("aria-hidden") == "true" or (style and _hides(style)):
            drop(element)


@lru_cache(maxsize=4096)
def _hides(style: str) -> bool:
    return _HIDDEN_STYLE.search(style) is not None


def forms_with_fields(root: HtmlElement) -> list[HtmlElement]:
    """Forms a reader fills in (a newsletter sign-up, a search box, a contact form), found
    before their fields go with `drop_never_text`."""
    return [
        form for form in root.iter("form") if form.find(".//input") is not None or form.find(".//textarea") is not None
    ]


def drop_boilerplate(root: HtmlElement, forms: list[HtmlElement] = ()) -> None:  # type: ignore[assignment]
    """Navigation, page header and footer, sidebars, cookie banners, forms.

    Never an element holding most of the page's prose: a site that wraps its whole page in
    a `<form>` (ASP.NET) or names its content column "sidebar-main" has no chrome there."""
    body = root.find("body")
    page = _text_length(body if body is not None else root)
    dropped: list[HtmlElement] = []

    def small(element: HtmlElement, limit: float = _MOST_OF_PAGE * max(page, 1)) -> bool:
        # Measured only for the few elements a rule names.
        return _text_length(element) < limit

    for element in list(root.iter(etree.Element)):
        tag = element.tag
        if tag in _NEVER_BOILERPLATE:
            continue
        ident, cls = element.get("id"), element.get("class")
        if ident or cls:
            banner, navigation, always = _classes(ident, cls)
        elif tag in _CHROME_TAGS or element.get("role") is not None:
            banner = navigation = always = False
        else:
            continue  # most elements: nothing names them chrome
        # Consent banners are dropped however much text they hold (their cookie tables can
        # outweigh a short policy).
        if tag in _BOILERPLATE_TAGS or element.get("role") in _BOILERPLATE_ROLES or banner:
            dropped.append(element)
            drop(element)
            continue
        # By class only: a section's id names its subject ("newsletter" in a policy's own text).
        chrome = not always and (tag in {"header", "footer"} or navigation) and not _in_content(element)
        if (always or chrome) and small(element) and (not always or small(element, _SHORT)):
            dropped.append(element)
            drop(element)
    for form in forms:
        if form.getparent() is not None and small(form):
            drop(form)
    _drop_labels_of(root, dropped)


# Pages repeat a few class names on thousands of elements: each is matched once. The cache
# outlives the page (a pool worker, a serve session), so it keeps short names only, as the
# link targets' does: a hostile page's megabyte-long ones would stay in memory.
_CACHED_NAMES = 2000


def _classes(ident: str | None, cls: str | None) -> tuple[bool, bool, bool]:
    """(a consent banner, navigation, chrome wherever it sits) by the names of an element."""
    if len(ident or "") + len(cls or "") > _CACHED_NAMES:
        return _match_classes.__wrapped__(ident, cls)
    return _match_classes(ident, cls)


@lru_cache(maxsize=4096)
def _match_classes(ident: str | None, cls: str | None) -> tuple[bool, bool, bool]:
    names = f"{ident or ''} {cls or ''}"
    always = cls is not None and _ALWAYS_CHROME.search(cls) is not None
    return _BANNER.search(names) is not None, _NAVIGATION.search(names) is not None, always


def _text_length(element: HtmlElement) -> int:
    return len(element.text_content())


# The owner of an id, by the attribute axis: twice as fast in libxml2 as `//*[@id=$name]`.
_WITH_ID = etree.XPath("//@id[. = $name]/..")


def _drop_labels_of(root: HtmlElement, dropped: list[HtmlElement]) -> None:
    """The heading that names a dropped menu (`<h3 id="toc-heading">` for `<nav
    aria-labelledby="toc-heading">`) goes with it: it labels nothing left."""
    ids = {name for element in dropped for name in element.get("aria-labelledby", "").split()[:8]}
    for name in ids:
        for label in _WITH_ID(root, name=name)[:1]:
            if len(label.text_content()) <= _LABEL and label.getparent() is not None:
                drop(label)


def apply_filters(root: HtmlElement, filters: tuple[TextFilter, ...]) -> None:
    """A declaration's noise rules: elements whose text matches a pattern."""
    for rule in filters:
        for element in compile_css(rule.selector)(root):
            if element.getparent() is not None and rule.text.search(" ".join(element.text_content().split())):
                drop(element)
