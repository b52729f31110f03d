"""Watched terms marked in diff HTML that is already built: each term found in a text node is
wrapped in `<mark class="pd-term">`, with the group's name in its title and a marker glyph
drawn by the style sheet, so it differs from insertions and deletions by more than colour.

The HTML is our own (`diffhtml`): tags never hold `<` or `>` in attribute values, so a split
on tags is exact. Captured text in it is already escaped; a term is matched on that text
(entities are ASCII punctuation, never part of a word), and the mark wraps the escaped
characters as they are. The input is bounded (`MAX_HTML_CHARS`) and each text node is
matched by RE2 (`watch.TermMatcher`), so the cost is linear.
"""

from __future__ import annotations

import re

from ..escape import html_attribute
from ..watch import TermMatcher

MAX_HTML_CHARS = 4_000_000  # larger diff HTML is returned unmarked
_TAG = re.compile(r"(<[^<>]*>)")
_SKIP = ("summary",)  # labels we write, not policy text


def highlight_terms(html: str, matcher: TermMatcher) -> str:
    """`html` with every watched term in its text marked."""
    if len(html) > MAX_HTML_CHARS:
        return html
    labels = matcher.labels
    out: list[str] = []
    skipping = 0
    marked: dict[str, str] = {}  # a diff's views repeat its texts (inline, then each side)
    for piece in _TAG.split(html):
        if piece.startswith("<"):
            name = piece[1:].lstrip("/").split(" ", 1)[0].split(">", 1)[0].lower()
            if name in _SKIP:
                skipping += -1 if piece.startswith("</") else 1
            out.append(piece)
            continue
        if skipping or not piece:
            out.append(piece)
            continue
        if piece not in marked:
            marked[piece] = _mark(piece, matcher, labels)
        out.append(marked[piece])
    return "".join(out)


def _mark(text: str, matcher: TermMatcher, labels: dict[str, str]) -> str:
    spans: list[tuple[int, int, str]] = []
    for hit in sorted(matcher.hits(text), key=lambda h: (h.start, -h.end)):
        if spans and hit.start < spans[-1][1]:
            continue  # overlapping another group's term: the first one marks it
        spans.append((hit.start, hit.end, hit.group))
    if not spans:
        return text
    parts, at = [], 0
    for start, end, group in spans:
        title = html_attribute(f"watched term: {labels.get(group, group)}")
        parts.append(text[at:start])
        parts.append(
            f'<mark class="pd-term" data-term="{html_attribute(group)}" title="{title}">{text[start:end]}</mark>'
        )
        at = end
    parts.append(text[at:])
    return "".join(parts)
