"""Text canonicalisation: the same policy text always yields the same bytes.

Unicode NFC; typographic quotes and dashes kept; every kind of space (nbsp, thin, ideographic)
becomes one ASCII space; zero-width characters, soft hyphens and control characters go;
no trailing spaces; at most one blank line in a row; exactly one final newline. Leading
indentation is structure (nested lists, list continuations) and is kept, tabs as four spaces.
"""

from __future__ import annotations

import html
import re
import unicodedata

# Characters that change the bytes but never the meaning of a policy.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad\u034f\u180e"), None)
_INVISIBLE_RE = re.compile("[" + "".join(map(chr, _INVISIBLE)) + "]")
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\x85]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")
_FENCE = re.compile(r"^\s*(```|~~~)")


def normalise_line(line: str) -> str:
    line = _CONTROL.sub("", line.translate(_INVISIBLE))
    return _SPACES.sub(" ", line).strip()


def normalise_markdown(text: str) -> str:
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    # Invisible and control characters go everywhere, fences included: once for the text.
    text = _CONTROL.sub("", _INVISIBLE_RE.sub("", text))
    lines: list[str] = []
    in_fence = False
    for raw in text.split("\n"):
        if _FENCE.match(raw):
            in_fence = not in_fence
        if in_fence:
            lines.append(raw.rstrip())
            continue
        expanded = raw.expandtabs(4) if "\t" in raw else raw
        indent = len(expanded) - len(expanded.lstrip(" "))
        line = _SPACES.sub(" ", expanded).strip()
        if line and indent:
            line = " " * indent + line
        if not line and (not lines or not lines[-1]):
            continue
        lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""


# What a reader sees of a Markdown text: link targets, emphasis, heading and list markers,
# quote markers, table rules and escapes are markup, not text.
_WORD = re.compile(r"\w")
# Bounded repetitions: on hostile text full of brackets an unbounded scan is quadratic.
_LINK = re.compile(r"(?<!\\)\[((?:[^\[\]\\\n]|\\[^\n]){0,2000})\]\((?:[^()\s]|\([^()\s]{0,500}\)){0,4000}\)")
_BLOCK_MARK = re.compile(r"(?m)^[ \t]*(?:(?:>[ \t]?)+|#{1,6}[ \t]+|(?:[-+*]|\d+[.)])[ \t]+)+")
_TABLE_RULE = re.compile(r"(?m)^[ \t]*\|?(?:[ \t]*:?-{3,}:?[ \t]*\|)+[ \t]*$")
# A run of `*` and backticks is markup, except a character escaped by the backslash before it
# (found by its first character, not by a look-behind at every position: this is a hot path).
_EMPHASIS = re.compile(r"(\\?)([*`]+)")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])")


# An entity as CommonMark reads one (`&lt;`, `&#60;`, `&amp;`), and the line breaks of table cells.
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_CELL_BREAK = re.compile(r"<br\s?/?>", re.IGNORECASE)


def _emphasis(match: re.Match[str]) -> str:
    return match.group(1) + match.group(2)[0] if match.group(1) else ""


def visible_text(markdown: str) -> str:
    """The text of a Markdown document as a reader sees it, on one line: what decides
    whether two captures hold the same policy. Blocks with no word in them (a stray `#`,
    a divider) are left out; entities are the characters they stand for (`&lt;` is `<`)."""
    text = _TABLE_RULE.sub("", markdown)
    if "<" in text:
        text = _CELL_BREAK.sub(" ", text)
    text = _BLOCK_MARK.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _EMPHASIS.sub(_emphasis, text)
    text = _ESCAPE.sub(r"\1", text).replace("|", " ")
    if "&" in text:
        text = _ENTITY.sub(lambda m: html.unescape(m.group()), text)
    blocks = (" ".join(line.split()) for line in text.split("\n") if line.strip() not in {"```", "~~~"})
    return " ".join(block for block in blocks if _WORD.search(block))
