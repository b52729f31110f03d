"""Markdown and plain-text captures: strip archive headers and front matter."""

from __future__ import annotations

import re
from urllib.parse import urljoin

# The Princeton-Leuven dataset opens each Markdown capture with a quoted provenance note.
_CITP_HEADER = re.compile(r"\A\s*>\s*\*The following text is extracted.*?(?:\n(?!>).*?)??(?:\n\s*\n|\Z)", re.DOTALL)
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_TITLE = re.compile(r"^title:\s*['\"]?(.*?)['\"]?\s*$", re.MULTILINE)
# A Markdown hard break: two spaces or a backslash at the end of a line of text.
_HARD_BREAK = re.compile(r"(?m)^(?P<line>[ \t]*[^\s|].*?\S)(?:[ \t\u00a0]{2,}|[ \t\u00a0]*\\)\n(?=[ \t]*\S)")
_BR_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)
# A relative link target in Markdown: `](/path)`, `](page.md)`; not `](#anchor)` nor a scheme.
_RELATIVE_LINK = re.compile(r"(?<=\]\()(?![a-zA-Z][a-zA-Z0-9+.-]*:|#)([^)\s]+)(?=[)\s])")


def _split_lines(text: str) -> str:
    """A hard break or a `<br>` shows its lines apart: the segmenter and the site should see
    them as separate blocks (a table row keeps its `<br>`: it cannot hold two lines)."""
    text = _HARD_BREAK.sub(lambda m: m.group("line") + "\n\n", text)
    return "\n".join(line if line.lstrip().startswith("|") else _BR_TAG.sub("\n\n", line) for line in text.split("\n"))


_CLAUSE_TITLE = re.compile(r"^(?:[A-Z]|\d{1,2}(?:\.\d{1,2})*|[IVX]{1,4})\\?[.)]\s+(?P<title>[A-ZÀ-ÝÄÖÜ].*)$")


def is_clause_title(line: str) -> bool:
    """ "B. ZWSOFT Community Sites": a lettered or numbered title, short, not a sentence."""
    match = _CLAUSE_TITLE.match(line)
    if not match:
        return False
    title = match.group("title")
    return len(title.split()) <= 16 and not title.rstrip("*").endswith((".", ",", ";", ":"))


def absolutise_links(text: str, base_url: str | None) -> str:
    if not base_url:
        return text
    return _RELATIVE_LINK.sub(lambda m: urljoin(base_url, m.group(1)), text)


def text_to_markdown(text: str, *, markdown: bool, base_url: str | None = None) -> tuple[str, str | None]:
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
        text = promote_clause_titles(text)
        text = absolutise_links(text, base_url)
    return text, title


def promote_clause_titles(text: str) -> str:
    """Standalone one-line paragraphs like "A. Online Privacy" or "4. Your rights" act as
    headings: make them headings one level below the last real one."""
    blocks = text.split("\n\n")
    last = 1
    for index, block in enumerate(blocks):
        stripped = block.strip()
        heading = re.match(r"^(#{1,6})\s", stripped)
        if heading:
            last = len(heading.group(1))
        elif "\n" not in stripped and is_clause_title(stripped):
            blocks[index] = "#" * min(6, last + 1) + " " + stripped
    return "\n\n".join(blocks)
