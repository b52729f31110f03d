"""Text canonicalisation: the same policy text always yields the same bytes."""

from __future__ import annotations

import re
import unicodedata

# Characters that change the bytes but never the meaning of a policy.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalise_line(line: str) -> str:
    line = line.translate(_INVISIBLE)
    line = _CONTROL.sub("", line)
    return _SPACES.sub(" ", line).strip()


def normalise_markdown(text: str) -> str:
    """NFC, one space between words, no trailing spaces, at most one blank line in a row,
    exactly one final newline."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    lines: list[str] = []
    for raw in text.split("\n"):
        indent = len(raw) - len(raw.lstrip(" "))
        line = normalise_line(raw)
        if line and indent and (line[:2] in {"- ", "* "} or re.match(r"\d+\. ", line)):
            # keep the indentation of nested list items: it is structure, not noise
            line = " " * (indent - indent % 2) + line
        if not line and (not lines or not lines[-1]):
            continue
        lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""
