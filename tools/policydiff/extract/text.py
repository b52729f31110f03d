"""Markdown and plain-text captures: strip archive headers and front matter."""

from __future__ import annotations

import re

# The Princeton-Leuven dataset opens each Markdown capture with a quoted provenance note.
_CITP_HEADER = re.compile(r"\A\s*>\s*\*The following text is extracted.*?(?:\n(?!>).*?)??(?:\n\s*\n|\Z)", re.DOTALL)
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_TITLE = re.compile(r"^title:\s*['\"]?(.*?)['\"]?\s*$", re.MULTILINE)
# A Markdown hard break: two spaces or a backslash at the end of a line of text.
_HARD_BREAK = re.compile(r"(?<=\S)(?: {2,}|\t+|\\)\n(?=[ \t]*\S)")
_BR_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)


def _split_lines(text: str) -> str:
    """A hard break or a `<br>` shows its lines apart: the segmenter and the site should see
    them as separate blocks (a table row keeps its `<br>`: it cannot hold two lines)."""
    text = _HARD_BREAK.sub("\n\n", text)
    return "\n".join(line if line.lstrip().startswith("|") else _BR_TAG.sub("\n\n", line) for line in text.split("\n"))


def text_to_markdown(text: str, *, markdown: bool) -> tuple[str, str | None]:
    title = None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CITP_HEADER.sub("", text, count=1)
    front = _FRONT_MATTER.match(text)
    if front:
        found = _TITLE.search(front.group(1))
        title = found.group(1) if found else None
        text = text[front.end() :]
    if markdown:
        text = _HTML_COMMENT.sub("", text)
        text = _split_lines(text)
    return text, title
