"""Text canonicalisation: the same policy text always yields the same bytes.

Unicode NFC; typographic quotes and dashes kept; every kind of space (nbsp, thin, ideographic)
becomes one ASCII space; zero-width characters, soft hyphens and control characters go;
no trailing spaces; at most one blank line in a row; exactly one final newline. Leading
indentation is structure (nested lists, list continuations) and is kept, tabs as four spaces.
"""

from __future__ import annotations

import re
import unicodedata

# Characters that change the bytes but never the meaning of a policy.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad\u034f\u180e"), None)
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\x85]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")
_FENCE = re.compile(r"^\s*(```|~~~)")


def normalise_line(line: str) -> str:
    line = line.translate(_INVISIBLE)
    line = _CONTROL.sub("", line)
    return _SPACES.sub(" ", line).strip()


def normalise_markdown(text: str) -> str:
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    lines: list[str] = []
    in_fence = False
    for raw in text.split("\n"):
        if _FENCE.match(raw):
            in_fence = not in_fence
        if in_fence:
            lines.append(_CONTROL.sub("", raw.translate(_INVISIBLE)).rstrip())
            continue
        expanded = raw.expandtabs(4).translate(_INVISIBLE)
        indent = len(expanded) - len(expanded.lstrip(" "))
        line = normalise_line(expanded)
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
_LINK = re.compile(r"\[((?:[^\[\]\\]|\\.)*)\]\((?:[^()\s]|\([^()\s]*\))*\)")
_BLOCK_MARK = re.compile(r"^\s*(?:(?:>\s?)+|#{1,6}\s+|(?:[-+*]|\d+[.)])\s+)+")
_TABLE_RULE = re.compile(r"^\s*\|?(?:\s*:?-{3,}:?\s*\|)+\s*$")
_EMPHASIS = re.compile(r"(?<!\\)(?:\*{1,3}|`+)")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])")


def visible_text(markdown: str) -> str:
    """The text of a Markdown document as a reader sees it, on one line: what decides
    whether two captures hold the same policy. Blocks with no word in them (a stray `#`,
    a divider) are left out."""
    blocks: list[str] = []
    for line in markdown.split("\n"):
        if _TABLE_RULE.match(line) or line.strip() in {"```", "~~~"}:
            continue
        line = _BLOCK_MARK.sub("", line)
        line = _LINK.sub(r"\1", line)
        line = _EMPHASIS.sub("", line)
        line = _ESCAPE.sub(r"\1", line)
        line = line.replace("|", " ")
        line = " ".join(line.split())
        if re.search(r"\w", line):
            blocks.append(line)
    return " ".join(blocks)
