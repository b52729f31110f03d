"""Chrome inside or around the policy's body: what a site adds to every page it serves.

`clean.drop_boilerplate` removes what the markup names as chrome (`<nav>`, a footer, a
cookie banner). What is left here is chrome that only its form or its words betray:

- text for screen readers only (`.sr-only`, `.visually-hidden`, clipped off-screen): a
  sighted reader never sees "(opens in a new window)" after a link. Every capture, with or
  without selectors: it is never what the page shows.
- controls: an element that is a control's label and nothing else ("Back to top", "Hide
  examples", "Download PDF version", a "Print" button), in the languages of `labels.py`;
  a language picker (links named "Deutsch", "English", "Русский"...);
- the same labels glued into loose text by a crawler that stripped the tags (tosback's
  pre-cleaned pages: "Back to topInformation we collect"): cut out, the text around them
  kept as separate lines;
- the edges of the body: leading and trailing blocks that are links and separators only
  (breadcrumbs, a footer's link list, "Privacy | Terms | Cookies") or a copyright line.
  In-page links (a table of contents) and e-mail addresses are text.

All but the first run for the automatic extraction only: with selectors, the declaration
decides what is text.

Evidence across captures (a block that recurs while its neighbours change) is deliberately
not used: a version's text is a function of its capture, its declaration and
`EXTRACTOR_VERSION` alone. That keeps the archive's invariants without new machinery:
ingest stays idempotent and order-independent, a new capture never rewrites an older
version, `rebuild` and `verify` re-derive every version from its own capture. On the
corpus (11 documents, 272 captures) the rules here leave no false version that such
evidence would have removed, and what it would learn is brittle there: the container that
holds the policy changes its generated class names from one deploy to the next. Were it
needed, the shape that keeps the invariants is a per-policy profile derived at `rebuild`
from all captures, stored with `versions/` (swapped in with them), read but never changed by
ingest, and checked by `verify`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree
from lxml.html import HtmlElement

from ..labels import MAX_LABEL_TEXT, UI_PHRASES, is_control_label, is_language_name, is_ui_phrase, may_be_label

# The usual names of a "visually hidden" class, generated ones included
# ("visually-hidden__VisuallyHidden-sc-71v4sl-0", "prc-VisuallyHidden-VisuallyHidden-UNWQp").
_VISUALLY_HIDDEN = re.compile(
    r"(?:^|[\s_-])(?:sr-only|visually-?hidden|screen-?reader-?(?:text|only)?|screenreader|sr-text|a11y-hidden|"
    r"assistive-text|element-invisible|ui-helper-hidden-accessible|show-for-sr|hide-text|text-hide|wcag-hidden|"
    r"offscreen|off-screen)(?=$|[\s_-])",
    re.IGNORECASE,
)
# The CSS of a visually hidden element (the usual `.sr-only` rules, inline).
_CLIPPED = re.compile(
    r"clip\s*:\s*rect\(\s*(?:0|1px)[\s,]|clip-path\s*:\s*inset\(\s*50%|(?:left|top|text-indent)\s*:\s*-\d{4,}(?:px|em)",
    re.IGNORECASE,
)
# What every match of `_CLIPPED` holds, found by plain searches (`_CLIPPED` is tried at every
# position): "clip", or a "-" before four digits.
_NEGATIVE_LENGTH = re.compile(r"-[0-9]{4}")


def _clips(css: str) -> bool:
    """`_CLIPPED` finds a clipping rule in `css`; in an ASCII text (nearly every one, where
    case folding is ASCII's) only after the searches of `_NEGATIVE_LENGTH` say it may."""
    if css.isascii() and "clip" not in css.lower() and not _NEGATIVE_LENGTH.search(css):
        return False
    return _CLIPPED.search(css) is not None


# Controls: what a reader clicks or toggles.
_CONTROL_TAGS = frozenset({"a", "button", "summary", "label"})
_CONTROL_ROLES = frozenset({"button", "tab", "switch", "menuitem", "link", "option"})
# Elements whose text starts a new line (a control alone in one is alone on its line).
_BLOCKS = frozenset({"p", "div", "li", "dt", "dd", "td", "th", "section", "article", "header", "footer", "aside",
                     "nav", "ul", "ol", "center", "form", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
                     "figcaption", "caption", "summary", "details", "table", "tr", "tbody", "menu"})  # fmt: skip
# Trimming looks inside these for the edge blocks; a table, a list or a quote is one block.
_TRIMMED_INTO = frozenset({"div", "section", "article", "main", "header", "footer", "aside", "center", "form",
                           "font", "nav", "span"})  # fmt: skip
# Hostile pages nest thousands deep; chrome sits within a few levels of the body's edge.
_MAX_TRIM_DEPTH = 40
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_MAX_LABEL = 80
_DECORATION = 20
# At most this share of a link list's text is not link text (separators, "Follow us:").
_LINK_LIST_PROSE = 0.2
_COPYRIGHT = re.compile(
    r"(?:^|\s)(?:©|\(c\)|copyright\b)|all rights reserved|tous droits réservés|alle rechte vorbehalten|"
    r"todos los derechos reservados|tutti i diritti riservati",
    re.IGNORECASE,
)
_MAX_COPYRIGHT = 300
_COPYRIGHT_FIRST = re.compile(r"(?:©|\(c\)|&copy;|copyright\b)\s*(?:\d{4}|[A-Z])", re.IGNORECASE)
_MAX_FOOTER = 800
_LOOSE_PARENTS = frozenset({"body", "div", "section", "article", "main", "center", "font", "form", "td", "header"})


# In a style sheet: the class a clipping rule applies to (`.x:not(:focus){clip:rect(0,0,0,0)...}`).
_CLIPPING_RULE = re.compile(r"clip\s*:\s*rect\(\s*0|clip-path\s*:\s*inset\(\s*50%", re.IGNORECASE)
_RULE_CLASS = re.compile(r"\.(-?[A-Za-z_][\w-]{0,120})")
_MAX_SHEET = 4_000_000


def hidden_classes(root: HtmlElement) -> frozenset[str]:
    """Classes the page's own style sheets clip to nothing (its "visually hidden" helpers,
    whatever they are called); read before `clean.drop_never_text` drops the sheets."""
    found: set[str] = set()
    for sheet in root.iter("style"):
        css = (sheet.text or "")[:_MAX_SHEET]
        if css.isascii() and "clip" not in css.lower():
            continue  # each rule of `_CLIPPING_RULE` names "clip" (in ASCII text, case folding is ASCII's)
        for match in _CLIPPING_RULE.finditer(css):
            opening = css.rfind("{", max(0, match.start() - 2000), match.start())
            if opening < 0 or "}" in css[opening : match.start()]:
                continue
            start = css.rfind("}", max(0, opening - 1000), opening) + 1
            selector = css[start:opening]
            # Only a rule for the class itself (".x", ".x:not(:focus)"), not for a descendant.
            if "," not in selector and " " not in selector.strip():
                found.update(_RULE_CLASS.findall(selector.split(":", 1)[0]))
    return frozenset(found)


# The class and style attributes of the page, as plain strings (no element proxies): the
# names are looked for in them all at once, so that the tree is then searched only for the
# class tokens this page does use.
_CLASS_VALUES = etree.XPath("//@class", smart_strings=False)
_STYLE_VALUES = etree.XPath("//@style", smart_strings=False)


_HIDDEN_NAMES = ("sr-only", "visually", "screen-reader", "screenreader", "sr-text", "a11y-hidden", "assistive-text",
                 "element-invisible", "hidden-accessible", "show-for-sr", "hide-text", "text-hide", "wcag-hidden",
                 "offscreen", "off-screen")  # fmt: skip


def hidden_markers(root: HtmlElement) -> tuple[frozenset[str], bool]:
    """The class tokens that name a visually hidden helper, and whether any inline style may
    clip an element away."""
    # Each distinct value once (a page repeats a few on most of its elements: an eighth of
    # the text to search); no name holds a space, so none is found across two values.
    classes = " ".join(set(_CLASS_VALUES(root)))
    low = classes.lower() if classes.isascii() else None
    tokens = set()
    if low is None or any(name in low for name in _HIDDEN_NAMES):
        tokens.update(token for token in set(classes.split()) if _hides_visually(token))
    return frozenset(tokens), _clips(" ".join(_STYLE_VALUES(root)))


# Sites repeat their class names from page to page: each is matched once.
@lru_cache(maxsize=4096)
def _hides_visually(token: str) -> bool:
    return _VISUALLY_HIDDEN.search(token) is not None


# The owners of these attributes, found by the attribute axis (see `clean._ARIA_HIDDEN`); the
# values are tested in Python.
_STYLE_OWNERS = etree.XPath("//@style/..")
_CLASS_OWNERS = etree.XPath("//@class/..")
_CLASS_HOLDING = etree.XPath("//@class[contains(., $token)]/..")
_FEW_TOKENS = 4


def _may_clip(style: str) -> bool:
    return "clip" in style or ":-" in style or ": -" in style


def drop_visually_hidden(root: HtmlElement, classes: frozenset[str] = frozenset(), styles: bool = True) -> None:
    """Elements a sighted reader never sees: `classes` are the class tokens that hide (from
    `hidden_markers` and `hidden_classes`), `styles` whether to look at inline styles."""
    candidates: list[HtmlElement] = []
    if classes:
        # A page has one or two such tokens: the owners of a class value holding each are
        # found in C, not every class owner in Python (a walk per token, so only for a few).
        owners = (
            [e for token in sorted(classes) for e in _CLASS_HOLDING(root, token=token)]
            if len(classes) <= _FEW_TOKENS
            else _CLASS_OWNERS(root)
        )
        candidates += [e for e in owners if not classes.isdisjoint(e.get("class", "").split())]
    if styles:
        candidates += [e for e in _STYLE_OWNERS(root) if _may_clip(style := e.get("style", "")) and _clips(style)]
    for element in candidates:
        if element.getparent() is not None:
            element.drop_tree()


def text_lengths(
    root: HtmlElement, texts: dict[HtmlElement, str] | None = None
) -> tuple[dict[HtmlElement, int], dict[HtmlElement, int]]:
    """(all characters, characters outside links) of every element's text, whitespace at the
    ends of each text node left out; one pass, children before their parent. `texts`, when
    given, gets the text (`text_content()`) of every element of at most `_MAX_LABEL`
    characters whose text could be a label (`MAX_LABEL_TEXT` characters, spaces and all),
    the only ones `drop_controls` reads, in the same order: made of its children's, which
    are as short, from the strings this pass reads anyway, where an XPath evaluation for
    each would cost more than the whole pass. A longer text is not kept (nor made again for
    each parent): nested elements around megabytes of spaces keep no copy at each level."""
    total: dict[HtmlElement, int] = {}
    prose: dict[HtmlElement, int] = {}
    # Bound lookups and a skipped child loop for leaves: this runs over every element.
    total_of, prose_of = total.get, prose.get
    text_of = (texts if texts is not None else {}).get
    for element in reversed(list(root.iter())):
        tag = element.tag
        if not isinstance(tag, str):
            continue
        text = element.text
        t = p = len(text.strip()) if text else 0
        if len(element):
            parts = [text or ""] if texts is not None else None
            for child in element:
                tail = child.tail
                tail_length = len(tail.strip()) if tail else 0
                t += total_of(child, 0) + tail_length
                p += prose_of(child, 0) + tail_length
                if parts is not None:  # while the element may still be short (`t` only grows)
                    # A short element's child not in `texts` holds a text too long to keep,
                    # and so does the element; a comment's own text is not the element's.
                    inner = text_of(child) if t <= _MAX_LABEL else None
                    if inner is None and t <= _MAX_LABEL and not isinstance(child.tag, str):
                        inner = ""
                    if inner is None:
                        parts = None
                    else:
                        parts += (inner, tail or "")
            if texts is not None and parts is not None and len(whole := "".join(parts)) <= MAX_LABEL_TEXT:
                texts[element] = whole  # (`parts` is left only for a short element)
        elif texts is not None and t <= _MAX_LABEL and len(text or "") <= MAX_LABEL_TEXT:
            texts[element] = text or ""
        total[element] = t
        prose[element] = 0 if tag == "a" else p
    return total, prose


def _is_control(element: HtmlElement) -> bool:
    return (
        element.tag in _CONTROL_TAGS
        or element.get("role") in _CONTROL_ROLES
        or element.get("onclick") is not None
        or element.get("aria-expanded") is not None
        or element.get("aria-controls") is not None
    )


def _standalone(element: HtmlElement, total: dict[HtmlElement, int]) -> bool:
    """The element's text is all the text of its line: it is a block, or the block it sits
    in holds nothing else."""
    if element.tag in _BLOCKS:
        return True
    size = total.get(element, 0)
    for ancestor in element.iterancestors():
        if ancestor.tag in _BLOCKS or ancestor.tag == "body":
            if total.get(ancestor, 0) > size + _DECORATION:
                return False
            # Nothing but decoration beside it ("↑", "|", "»").
            rest = ancestor.text_content().replace(element.text_content(), "", 1)
            return re.search(r"\w", rest) is None
    return True


def drop_controls(
    root: HtmlElement, total: dict[HtmlElement, int] | None = None, texts: dict[HtmlElement, str] | None = None
) -> bool:
    """Controls and language pickers, wherever they sit in the page (`total` and `texts`:
    the text lengths and short texts of `text_lengths`, when measured already; an element
    whose text is too long to be a label is not in `texts`). True when it dropped any."""
    if total is None or texts is None:
        texts = {}
        total, _ = text_lengths(root, texts)
    doomed: list[HtmlElement] = []
    pickers: dict[HtmlElement, int] = {}
    for element, text in texts.items():
        size = total[element]
        if not size or element.tag in ("html", "body"):
            continue
        if not may_be_label(text):
            continue
        if is_language_name(text):
            if element.tag == "a" or element.get("hreflang") or element.get("lang"):
                block = _enclosing_list(element)
                pickers[block] = pickers.get(block, 0) + 1
                if _standalone(element, total):
                    doomed.append(element)
            continue
        if element.tag in _HEADINGS and not is_ui_phrase(text):
            continue
        label = is_ui_phrase(text) or (_is_control(element) and is_control_label(text))
        if label and _standalone(element, total):
            doomed.append(element)
    # A list with two languages or more is a picker: the current language, often not a
    # link, goes with it.
    doomed.extend(_whole_picker(block) for block, count in pickers.items() if count >= 2 and block.tag != "body")
    # A disclosure whose content has gone (a menu): its toggle ("Table of contents") is left.
    for details in root.iter("details"):
        toggles = details.findall("summary")
        if toggles and total.get(details, 0) <= sum(total.get(summary, 0) for summary in toggles):
            doomed.append(details)
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()
    return bool(doomed)


def _whole_picker(block: HtmlElement) -> HtmlElement:
    """The picker with what stands beside it in its menu: the current language, which is
    often not a link ("English" over a drop-down of the others)."""
    inner = " ".join(block.text_content().split())
    whole = block
    for ancestor in list(block.iterancestors())[:4]:
        if ancestor.tag in ("body", "main", "article", "html"):
            break
        text = " ".join(ancestor.text_content().split())
        if len(text) > len(inner) + _MAX_LABEL:
            break
        rest = text.replace(inner, "", 1).strip()
        if rest and not is_language_name(rest):
            break
        whole = ancestor
    return whole


def _enclosing_list(element: HtmlElement) -> HtmlElement:
    """The list, menu or block that holds a picker's entries."""
    for ancestor in element.iterancestors():
        if ancestor.tag in ("ul", "ol", "select", "menu", "nav", "p", "div", "body"):
            return ancestor
    return element


@lru_cache(maxsize=1)
def _loose_label_pattern() -> re.Pattern[str]:
    """Every UI phrase, longest first, its words separated by any run of spaces."""
    phrases = sorted(UI_PHRASES, key=len, reverse=True)
    alternatives = "|".join(r"[ \t\n]+".join(map(re.escape, phrase.split())) for phrase in phrases)
    return re.compile(rf"(?:{alternatives})", re.IGNORECASE)


# Where a label glued into text can start: a line's first word, or a capital glued to the
# end of the word before it ("PolicyHide", "versions)Download").
_LINE_START = re.compile(r"(?m)^[ \t]*(?=\S)")
_GLUE = re.compile(r"(?<=[a-z0-9)\].])(?=[A-Z])")
_WORD_START = re.compile(r"(?<![^ \t])(?=[A-Z])")
_TITLE_WORDS = 10
# "Archived versions | Download PDF": a label after a separator of a row of controls.
_SEPARATED = re.compile(r"\s[|•·]\s*$")
_SEPARATOR = re.compile(r"[|•·][ \t]*(?=[A-Z])")
_LOOSE_FIRST = frozenset(key.split()[0] for key in UI_PHRASES)
_CAPITALISED = re.compile(r"[A-ZÀ-ÖØ-Þ][A-Za-zÀ-ÖØ-öø-ÿ']*")


def _cut_labels(text: str) -> list[str] | None:
    """The pieces of a loose text around the labels glued into it, or None if it has none.

    A label counts where it stands apart on its line: the whole line, at its start or its end,
    or glued to the words around it with no space (the next word capitalised: "Privacy
    PolicyHide examplesLast modified"), or after a short title ("Privacy Policy Hide
    examples"). It must start with a capital, as a control's label does: "you can show
    more" is a sentence. Only these few places of each line are tried, so the cost stays
    linear in the text."""
    pattern = _loose_label_pattern()
    starts = {m.start() for m in _LINE_START.finditer(text)} | {m.start() for m in _GLUE.finditer(text)}
    starts |= {m.end() for m in _SEPARATOR.finditer(text)}
    for m in _LINE_START.finditer(text):
        end = text.find("\n", m.start())
        line = text[m.start() : end if end >= 0 else len(text)]
        if len(line) <= 200 and len(line.split()) <= _TITLE_WORDS + 4:
            starts.update(m.start() + w.start() for w in _WORD_START.finditer(line))
    pieces: list[str] = []
    done = 0
    for at in sorted(starts):
        if at < done:
            continue
        if not text[at].isupper() or text[at : at + 24].split(None, 1)[0].casefold() not in _LOOSE_FIRST:
            continue
        match = pattern.match(text, at)
        if not match:
            continue
        before, after = text[done : match.start()], text[match.end() :]
        line_head = text[: match.start()].rsplit("\n", 1)[-1]
        left_edge = not line_head.strip()
        left_glued = (bool(line_head) and not line_head[-1].isspace()) or bool(_SEPARATED.search(line_head))
        right_edge = not after.split("\n", 1)[0].strip()
        right_glued = bool(after) and (after[0].isupper() or after[0] in '(«"“')
        short_title = len(line_head.split()) <= _TITLE_WORDS and not re.search(r"[.,;:!?]\s*$", line_head)
        title_before = right_edge and short_title
        if (left_edge or left_glued or title_before) and (right_edge or right_glued):
            pieces.append(_SEPARATED.sub("", before) if _SEPARATED.search(before) else before)
            done = match.end()
    if not pieces:
        return None
    pieces.append(text[done:])
    return pieces


def _may_hold_labels(text: str) -> bool:
    """A capitalised word of the text starts some label: else `_cut_labels` has nothing to do."""
    return not _LOOSE_FIRST.isdisjoint(word.casefold() for word in _CAPITALISED.findall(text))


def cut_loose_labels(root: HtmlElement) -> bool:
    """Labels glued into text that sits directly in a container (see `_cut_labels`): cut
    out, and a line break where each was. True when it cut any."""
    cut = False
    for element in list(root.iter(*_LOOSE_PARENTS)):
        if element.text and element.text.strip() and _may_hold_labels(element.text):
            pieces = _cut_labels(element.text)
            if pieces:
                cut = True
                element.text = pieces[0]
                for index, piece in enumerate(pieces[1:]):
                    element.insert(index, _line_break(piece))
        for child in list(element):
            if child.tail and child.tail.strip() and _may_hold_labels(child.tail):
                pieces = _cut_labels(child.tail)
                if pieces:
                    cut = True
                    child.tail = pieces[0]
                    at = element.index(child) + 1
                    for offset, piece in enumerate(pieces[1:]):
                        element.insert(at + offset, _line_break(piece))
    return cut


def _line_break(tail: str) -> HtmlElement:
    br = etree.Element("br")
    br.tail = tail
    return br  # type: ignore[return-value]


class _Edges:
    """The state of one trimming: lengths measured once, and what is left of the body."""

    def __init__(self, body: HtmlElement, lengths: tuple[dict, dict] | None, current: bool) -> None:
        self.total, self.prose = lengths or text_lengths(body)
        # Measured afresh unless the lengths measure the page as it is: lengths measured
        # before controls went overstate the body.
        known = self.total.get(body) if current or lengths is None else None
        self.left = sum(map(len, map(str.strip, body.itertext()))) if known is None else known


def trim_edges(body: HtmlElement, lengths: tuple[dict, dict] | None = None, *, current: bool = False) -> None:
    """Leading and trailing blocks of the body that are link lists or a copyright line; never
    the whole body (a page that is nothing but links keeps them). `lengths`: `text_lengths`
    of the page, when measured already; `current`: nothing was dropped or cut since."""
    edges = _Edges(body, lengths, current)
    _trim(body, edges, from_end=False)
    _trim(body, edges, from_end=True)


def _trim(element: HtmlElement, edges: _Edges, *, from_end: bool, depth: int = 0) -> bool:
    """Drop chrome blocks from one edge of `element`; True once content is reached."""
    if depth > _MAX_TRIM_DEPTH or (not from_end and (element.text or "").strip()):
        return True
    children = [c for c in element if isinstance(c.tag, str)]
    for child in reversed(children) if from_end else children:
        text_after = bool((child.tail or "").strip())
        if from_end and text_after:
            return True
        size = edges.total.get(child, 0)
        if size and _chrome_block(child, size, edges.prose.get(child, 0), from_end=from_end):
            if size >= edges.left:
                return True
            edges.left -= size
            child.drop_tree()  # its tail stays in place
            if not from_end and text_after:
                return True
            continue
        if size and (child.tag not in _TRIMMED_INTO or _trim(child, edges, from_end=from_end, depth=depth + 1)):
            return True
        if not from_end and text_after:
            return True
    return False


def _chrome_block(element: HtmlElement, size: int, prose: int, *, from_end: bool) -> bool:
    if element.tag in _HEADINGS or any(True for _ in element.iter(*_HEADINGS)):
        return False
    if prose <= _LINK_LIST_PROSE * size:
        links = element.xpath(".//a[@href]") if element.tag != "a" else [element]
        if not links:
            return False
        # A table of contents (links to the page's own sections) and e-mail addresses are text.
        return not any(a.get("href", "").strip().startswith(("#", "mailto:")) for a in links)
    if not from_end or size > _MAX_FOOTER:
        return False
    text = " ".join(element.text_content().split())
    # A copyright line, or a footer that opens with one (its links and disclaimers after it).
    return bool(_COPYRIGHT_FIRST.match(text) or (size <= _MAX_COPYRIGHT and _COPYRIGHT.search(text)))
