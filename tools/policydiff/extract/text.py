"""Markdown and plain-text captures: strip archive headers and front matter.

The Princeton-Leuven dataset's Markdown (github.com/citp/privacy-policy-historical) is one
page run through a reader mode and an html2text-style converter. Its conventions, and what
we do with each so that its Markdown and the raw page of the same text (`html.py`) give one
text, hence one version:

- a header note, a quote block: "> *The following text is extracted and transformed from the
  <site> privacy policy that was archived on <date>. Please check the [original snapshot on
  the Wayback Machine](...) for the most accurate reproduction.*". Provenance, not text:
  dropped (the capture time it names is read by `ingest/dating.py`).
- the page's `<title>` as a `# ` heading right under that note ("# Privacy Policy -
  ZWSOFT.com", where the page itself shows "Privacy Policy"): the page's title, not its
  text. It becomes the extraction's `title`, as an HTML capture's `<title>` does.
- `<br>` as a hard break (the line ends with two spaces, often after a no-break space):
  each line its own block, as the HTML writer writes a `<br>`.
- a table of contents kept as those lines (ZWSOFT: "A. Online Privacy/ ...", "Information
  Collected about Online Visitors", ...): text like any other; a title in it is not a
  heading, because a heading needs text under it (`promote_clause_titles`), for both formats.
- html2text's own marks: `_emphasis_`, `  * item` bullets indented by two spaces per level,
  tables without outer pipes (`a | b` / `---|---`): rewritten as the HTML writer writes them
  (`*emphasis*`, `- item` indented by four, `| a | b |`).

The rewriting of html2text's marks only applies under the dataset's header note: other
Markdown (a policy's own sources) is kept as its authors wrote it.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

# The Princeton-Leuven dataset opens each Markdown capture with a quoted provenance note.
_CITP_HEADER = re.compile(r"\A\s*>\s*\*The following text is extracted.*?(?:\n(?!>).*?)??(?:\n\s*\n|\Z)", re.DOTALL)
# ... then the page's <title> as a heading.
_CITP_TITLE = re.compile(r"\A\s*# (?P<title>[^\n]{1,1000})\n")
# html2text's marks (bounded: a line of a capture is at most a few thousand characters).
_H2T_EMPHASIS = re.compile(r"(?<![\w\\*_])_(?=[^\s_])(?P<text>[^_\n]{1,2000}?)(?<=[^\s_\\])_(?![\w*_])")
_H2T_BULLET = re.compile(r"(?m)^(?P<indent>(?:  ){1,10})[*+-] (?=\S)")
_H2T_NUMBER = re.compile(r"(?m)^(?P<indent>(?:  ){1,10})(?P<n>\d{1,9}\.) (?=\S)")
_LIST_ITEM = re.compile(r"^\d{1,9}[.)][ \t]")
_TEXT_NUMBER = re.compile(r"(?m)^(?P<n>[ \t]{0,3}\d{1,9})(?P<mark>[.)])(?=[ \t])")
_H2T_TABLE_RULE = re.compile(r"^ {0,3}:?-{3,}:?(?: ?\| ?:?-{3,}:?)+ *$")
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
    title = match.group("title").rstrip("*")
    words = len(title.split())
    if words > 16 or title.endswith((",", ";", ":")):
        return False
    # Old policies end lettered part titles with a full stop ("C. Purchasing Items or Services
    # from the ZWSOFT Site."); a short lettered line is a title, a numbered one may be a clause.
    return not title.endswith(".") or (line[0].isalpha() and words <= 10)


def absolutise_links(text: str, base_url: str | None) -> str:
    if not base_url:
        return text
    return _RELATIVE_LINK.sub(lambda m: urljoin(base_url, m.group(1)), text)


def text_to_markdown(text: str, *, markdown: bool, base_url: str | None = None) -> tuple[str, str | None]:
    title = None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text, dataset = _CITP_HEADER.subn("", text, count=1)
    if dataset and markdown:
        heading = _CITP_TITLE.match(text)
        if heading:
            title = heading.group("title").strip().strip("#").strip() or None
            text = text[heading.end() :]
        text = from_html2text(text)
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
    else:
        # Plain text is stored as Markdown: "1. Introduction" at the start of a line is a
        # numbered line of the text, not the list Markdown would make of it.
        text = _TEXT_NUMBER.sub(r"\g<n>\\\g<mark>", text)
    return text, title


def _reads_as_body(block: str) -> bool:
    """A sentence or a paragraph, as opposed to a title or an entry of a table of contents."""
    words = block.split()
    return len(words) >= 12 or block.rstrip("*_ ").endswith((".", "!", "?", ":", ";"))


_HEADING = re.compile(r"^#{1,6}\s")


def _may_open_clause_title(block: str) -> bool:
    """The block could open as `_CLAUSE_TITLE` once its `**` are gone: a letter or digit, and
    a `.` or `)` among the first six characters. Asked first, it spares most blocks the copy
    and the match; a `*` there leaves it to them."""
    head = block[:6]
    if "*" in head:
        return True
    return ("." in head or ")" in head) and ("A" <= head[:1] <= "Z" or head[:1].isdigit())


def promote_clause_titles(text: str) -> str:
    """Standalone one-line paragraphs like "A. Online Privacy" or "4. Your rights" act as
    headings: make them headings one level below the last real one.

    Only a title that has body text under it is promoted: a table of contents repeats the
    titles with nothing but other titles between them (ZWSOFT's policy opens with one), and
    headings there would show every part twice."""
    blocks = text.split("\n\n")
    stripped = [block.strip() for block in blocks]
    is_heading = [block[:1] == "#" and _HEADING.match(block) is not None for block in stripped]
    # "**B.** Community Sites" and "**B. Community Sites**" are the same title.
    # A Markdown list item ("1. x", where a numbered paragraph is written "1\\. x") is never a heading.
    candidates = [
        not is_heading[i]
        and _may_open_clause_title(block)
        and "\n" not in block
        and "](" not in block
        and not _LIST_ITEM.match(block)
        and is_clause_title(block.replace("**", ""))
        for i, block in enumerate(stripped)
    ]
    last = 1
    for index, block in enumerate(stripped):
        if is_heading[index]:
            last = len(block) - len(block.lstrip("#"))
            continue
        if not candidates[index]:
            continue
        following = []
        for after in range(index + 1, len(stripped)):
            if is_heading[after] or candidates[after]:
                break
            following.append(stripped[after])
        if any(_reads_as_body(b) for b in following):
            # After "## " a "1." cannot start a list: its escape goes.
            title = re.sub(r"^(\w{1,3})\\([.)])", r"\1\2", block.replace("**", ""))
            blocks[index] = "#" * min(6, last + 1) + " " + title
    return "\n\n".join(blocks)


def from_html2text(text: str) -> str:
    """html2text's marks as the HTML writer writes them (see the module docstring)."""
    lines = text.split("\n")
    out: list[str] = []
    in_table = False
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        in_table = in_table and "|" in line
        if "|" in line and (in_table or _H2T_TABLE_RULE.match(following)):
            in_table = True
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if _H2T_TABLE_RULE.match(line):
                out.append("|" + "---|" * len(cells))
            else:
                out.append("| " + " | ".join(cells) + " |")
            continue
        out.append(line)
    text = "\n".join(out)
    if "_" in text:
        text = _H2T_EMPHASIS.sub(r"*\g<text>*", text)
    text = _H2T_BULLET.sub(lambda m: " " * (2 * len(m.group("indent")) - 4) + "- ", text)
    return _H2T_NUMBER.sub(lambda m: " " * (2 * len(m.group("indent")) - 4) + m.group("n") + " ", text)
