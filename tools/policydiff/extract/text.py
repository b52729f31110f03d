"""Markdown and plain-text captures: strip archive headers and front matter."""

from __future__ import annotations

import re

# The Princeton-Leuven dataset opens each Markdown capture with a quoted provenance note.
_CITP_HEADER = re.compile(r"\A\s*>\s*\*The following text is extracted.*?(?:\n(?!>).*?)??(?:\n\s*\n|\Z)", re.DOTALL)
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_TITLE = re.compile(r"^title:\s*['\"]?(.*?)['\"]?\s*$", re.MULTILINE)


def text_to_markdown(text: str, *, markdown: bool) -> tuple[str, str | None]:
    title = None
    text = text.replace("\r\n", "\n")
    text = _CITP_HEADER.sub("", text, count=1)
    front = _FRONT_MATTER.match(text)
    if front:
        found = _TITLE.search(front.group(1))
        title = found.group(1) if found else None
        text = text[front.end() :]
    if markdown:
        text = _HTML_COMMENT.sub("", text)
        # Markdown hard breaks ("  " at end of line) are presentation, not text.
        text = re.sub(r"[ \t]+\n", "\n", text)
    return text, title
