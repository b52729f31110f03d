"""Segment a version's Markdown into a tree of sections.

Headings are Markdown headings (ATX and setext) and the clause titles that act as headings
in captured policies whose markup was lost: `A. Online Privacy`, `1. Data Involved`,
`Section 4 — Retention`, `**Information we collect**` alone on a line, and plain short
title lines (`Information Collected from Online Visitors`).

Because a clause title is only a guess, a candidate becomes a heading only when body text
follows it: directly, or through a chain of ever more specific titles (`E. Technical
Support` / `Information Collected in Connection with Technical Support` / body). A table of
contents (a block of titles with no text under them) therefore stays text, and a run of
short lines inside a paragraph (an address, a menu) is never split.

Sections partition the text: joining every section's `text` in order gives the Markdown
back exactly, which is what makes the diff's reconstruction property possible.
"""

from __future__ import annotations

import html
import itertools
import operator
import re
import unicodedata
from dataclasses import dataclass

from ..labels import is_ui_phrase
from ..memo import LINE_BUDGET, LINE_CHARS, LONG_TEXT_BUDGET, VERSION_CHARS, text_cache
from .dates import looks_like_date_line
from .records import Section

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
# What the two must start with (up to three spaces, then the marker): one C test per line
# before the regex.
_ATX_STARTS = tuple(" " * k + "#" for k in range(4))
_SETEXT_STARTS = tuple(" " * k + mark for k in range(4) for mark in "=-")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_BOLD_LINE = re.compile(r"^\s*(?:\*\*|__)(?P<title>[^*_].*?)(?:\*\*|__)\s*$")
_PART_WORDS = "section|article|part|chapter|artikel|abschnitt|teil|titre|chapitre"
# Clause enumerators, from the broadest to the most specific. Each kind is a rank: a chain of
# titles must go from broad to specific (a lettered part, then a numbered clause...).
_ENUMERATED: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("part", re.compile(rf"^(?:{_PART_WORDS})\s+[\dIVXLC]+\b", re.I)),
    ("paragraph-sign", re.compile(r"^§\s*\d+")),
    ("roman", re.compile(r"^(?:[IVX]{1,5})[.)]\s+\S")),
    ("letter", re.compile(r"^[A-Z][.)]\s+\S")),
    ("number", re.compile(r"^\d{1,2}[.)]\s+\S")),
    ("number2", re.compile(r"^\d{1,2}\.\d{1,2}\.?\s+\S")),
    ("number3", re.compile(r"^\d{1,2}\.\d{1,2}\.\d{1,2}\.?\s+\S")),
)
_KIND_RANK = {name: rank for rank, (name, _) in enumerate(_ENUMERATED)} | {"bold": 7, "plain": 8}
_NOT_TEXT = re.compile(r"^\s*(?:[-*+>|]|\d+[.)]\s*$|<|!\[|```|~~~)")
_ENUMERATOR = re.compile(
    r"^(?:(?:section|article|part|chapter|artikel|abschnitt|teil|titre|chapitre)\s+[\dIVXLC]+\s*[.:)\-–—]*\s*"
    r"|§\s*\d+\s*|[IVX]{1,5}[.)]\s+|[A-Z][.)]\s+|\d{1,2}(?:\.\d{1,2}){0,2}[.)]?\s+)",
    re.I,
)
_SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-Z]")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")
# [label](target), the target holding at most one level of parentheses (`javascript:f(1)`)
_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()\n]|\([^()\n]*\))*\)")
_ATTR_LIST = re.compile(r"\s*\{#[^}]*\}$")
_TAG = re.compile(r"<[^>]{0,200}>")
_EMPHASIS = re.compile(r"[*_`]+")
_LIST_HEADING = re.compile(r"^((?:\d{1,2}|[A-Za-z])[.)]\s+|[-*+]\s+)#{1,6}\s+")
_LIST_ITEM = re.compile(r"^\d{1,9}[.)][ \t]+\S")
_MAX_LABEL_LINE = 80
_MAX_TITLE_WORDS = 16
_MAX_TITLE_CHARS = 140
_MAX_CHAIN = 4
_SLUG_CHARS = 60
# Documented limit (README, "Limits"): past this many headings a version's further headings
# stay text, so a hostile page cannot make thousands of section pages and feeds. Far above
# any real policy (the corpus's largest has under 200).
MAX_SECTIONS = 1000


@dataclass(slots=True)
class _Line:
    text: str  # with its line ending
    kind: str  # "blank" | "atx" | "setext-title" | "setext-rule" | "candidate" | "body" | "code"
    level: int = 0
    title: str = ""
    rank: int = 0


def segment(markdown: str) -> list[Section]:
    """The sections of a Markdown text, in document order, partitioning it exactly."""
    return list(_segment(markdown))


@text_cache(64, limit=VERSION_CHARS, budget=LONG_TEXT_BUDGET)
def _segment(markdown: str) -> tuple[Section, ...]:
    # Cached: in a history every version is segmented as the new side of one change and
    # the old side of the next. Sections are frozen, so sharing them is safe.
    lines = _classify_lines(markdown)
    _accept_clause_titles(lines)
    _demote_table_of_contents(lines)
    _cap_sections(lines)
    return tuple(_build_sections(lines, markdown))


# -- line classification ---------------------------------------------------------------


def _classify_lines(markdown: str) -> list[_Line]:
    out: list[_Line] = []
    in_fence = False
    fenced = "```" in markdown or "~~~" in markdown  # most policies have no code block
    raw = markdown.splitlines(keepends=True)
    for i, text in enumerate(raw):
        stripped = text.strip()
        if fenced and ("```" in text or "~~~" in text) and _FENCE.match(text):
            in_fence = not in_fence
            out.append(_Line(text, "code"))
            continue
        if in_fence:
            out.append(_Line(text, "code"))
            continue
        if not stripped:
            out.append(_Line(text, "blank"))
            continue
        if len(stripped) > _MAX_TITLE_CHARS and stripped[0] not in "#=-":
            out.append(_Line(text, "body"))  # too long for any title: most lines of a policy
            continue
        atx = _atx(text) if text.startswith(_ATX_STARTS) else None
        if atx and (atx[1] or "").strip():
            out.append(_Line(text, "atx", len(atx[0]), _clean_title(atx[1])))
            continue
        following = raw[i + 1] if i + 1 < len(raw) else ""
        setext = _SETEXT.match(following) if following.startswith(_SETEXT_STARTS) else None
        after_blank = not out or out[-1].kind == "blank"
        if setext and after_blank and len(stripped) <= _MAX_TITLE_CHARS and not _NOT_TEXT.match(text):
            level = 1 if setext.group(1).startswith("=") else 2
            out.append(_Line(text, "setext-title", level, _clean_title(stripped)))
            continue
        if out and out[-1].kind == "setext-title" and text.startswith(_SETEXT_STARTS) and _SETEXT.match(text):
            out.append(_Line(text, "setext-rule"))
            continue
        kind = _candidate_kind(stripped)
        if kind is None:
            out.append(_Line(text, "body"))
        else:
            out.append(_Line(text, "candidate", title=_clean_title(stripped), rank=_KIND_RANK[kind]))
    return out


def _atx(text: str) -> tuple[str, str | None] | None:
    """`_ATX`'s groups for a line, None when it does not match. Its lazy title costs a try
    of the closing sequence at every character (1.5 us for a short heading): a line whose
    text after the marks ends in neither a space, a tab nor a `#` has no closing sequence
    and no trailing space, so its title is all of it after the marks' spaces, which plain
    string tests tell; any other line is left to the regex. `tests/diff/test_diff_segment.py`
    holds the two equal."""
    content = text[:-1] if text.endswith("\n") else text
    body = content.lstrip(" ")
    rest = body.lstrip("#")
    marks = len(body) - len(rest)
    opens = len(content) - len(body) <= 3 and 1 <= marks <= 6 and rest[:1] in (" ", "\t")
    if opens and rest[-1] not in " \t#" and "\n" not in rest:
        return body[:marks], rest.lstrip(" \t")
    match = _ATX.match(text)
    return (match.group(1), match.group(2)) if match else None


# Cached, as `_clean_title` is: pure functions of one line, and two versions of a policy
# share most of their lines (bench/diff.py clears these with the segmentation's cache).
@text_cache(4096, limit=LINE_CHARS, budget=LINE_BUDGET)
def _candidate_kind(line: str) -> str | None:
    """The kind of clause title this line could be, or None when it is plainly text.

    Never a title: a table row, a list item (`- x`, and `1. x` written as Markdown writes a
    list, where a numbered paragraph is `1\\. x`; an item holding a heading, `1. #### x`, is
    a heading its author made), nor a control's label ("Back to top", "Show examples")."""
    if _NOT_TEXT.match(line) and not line.startswith(("**", "__")):
        return None
    if _LIST_ITEM.match(line) and not _LIST_HEADING.match(line):
        return None
    if "\\" in line:
        line = _ESCAPE.sub(r"\1", line)
    if len(line) <= _MAX_LABEL_LINE and is_ui_phrase(line):
        return None
    bold = _BOLD_LINE.match(line)
    inner = bold.group("title").strip() if bold else line
    inner = inner.rstrip(":").strip() if bold else inner
    if not _title_like(inner):
        return None
    for name, pattern in _ENUMERATED:
        if pattern.match(inner):
            # "3. We collect your name." is a list item, not a title: enumerated titles
            # are short and say nothing of a sentence.
            return name
    if bold:
        return "bold"
    if line.startswith(("*", "_", "[", "`")) or ": " in line:
        return None
    first = line[0]
    if not (first.isupper() or first in "\"'«“"):
        return None
    return "plain"


def _title_like(text: str) -> bool:
    if not text or len(text) > _MAX_TITLE_CHARS:
        return False
    words = text.split()
    if len(words) > _MAX_TITLE_WORDS:
        return False
    if text[-1] in ",;:" or text.endswith(("...", "…")):
        return False
    if text[-1] in ".!" and len(words) > 10:
        return False
    # A sentence break inside ("We do. You may") is text, not a title.
    body = _ENUMERATOR.sub("", text, count=1)
    return _SENTENCE_BREAK.search(body.rstrip(".")) is None and not looks_like_date_line(text)


@text_cache(4096, limit=LINE_CHARS, budget=LINE_BUDGET)
def _clean_title(text: str) -> str:
    # Each substitution only where its marker occurs: most titles are plain words.
    text = text.strip()
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)  # "1\. Title" -> "1. Title"
    if "](" in text:
        text = _LINK.sub(r"\1", text)  # [label](url) -> label
    if "{#" in text:
        text = _ATTR_LIST.sub("", text)  # {#anchor}
    if "<" in text:
        text = _TAG.sub(" ", text)  # "GitHub, Inc. <br/>"
    if "#" in text:
        text = _LIST_HEADING.sub(r"\1", text)  # "1. #### Title": a heading inside a list item
    if "&" in text:
        text = html.unescape(text)  # "&lt;img" is how Markdown writes the text "<img"
    if "*" in text or "_" in text or "`" in text:
        plain = _EMPHASIS.sub("", text)
        # A heading of code or symbols only (`*`): its text is its title.
        text = plain if plain.strip() else text.strip("`").strip() or text
    return " ".join(text.split())


# -- deciding which candidates are headings ----------------------------------------------


def _accept_clause_titles(lines: list[_Line]) -> None:
    """Turn the candidates that title some text into headings; the rest become text."""
    if not any(line.kind == "candidate" for line in lines):
        return  # (no title to accept, none to demote, no clause to give a level)
    accepted: set[int] = set()
    for i, line in enumerate(lines):
        if not i or lines[i - 1].kind not in ("blank", "candidate") or not _is_text(line):
            continue  # (text right under other text has no title to walk back to)
        # Walk back over the chain of titles that lead to this text, broad to specific.
        chain: list[int] = []
        j = i - 1
        rank_limit = _KIND_RANK["plain"] + 1
        while j >= 0 and len(chain) < _MAX_CHAIN:
            while j >= 0 and lines[j].kind == "blank":
                j -= 1
            if j < 0 or lines[j].kind != "candidate":
                break
            cand = lines[j]
            if cand.rank >= rank_limit or not _stands_as_title(lines, j, i if not chain else None):
                break
            chain.append(j)
            rank_limit = cand.rank
            j -= 1
        # The broadest title must open its paragraph: "1. Name / 2. Email / We use..." is a list.
        if chain and chain[-1] > 0 and lines[chain[-1] - 1].kind == "candidate":
            continue
        accepted.update(chain)
    for i, line in enumerate(lines):
        if line.kind == "candidate" and i not in accepted:
            line.kind = "body"
    _assign_clause_levels(lines, accepted)


def _is_text(line: _Line) -> bool:
    """Text that a title can stand over: a body line, or a short plain sentence."""
    if line.kind in ("body", "code"):
        return True
    return line.kind == "candidate" and line.rank == _KIND_RANK["plain"] and line.title.endswith((".", "!", "?"))


def _stands_as_title(lines: list[_Line], j: int, body_at: int | None) -> bool:
    """A clause title starts its paragraph (or follows another accepted title line), and a
    plain line inside a paragraph must be directly followed by that paragraph's text."""
    before = lines[j - 1].kind if j > 0 else "blank"
    if before not in ("blank", "candidate", "atx", "setext-rule"):
        return False
    if lines[j].rank < _KIND_RANK["plain"]:
        return True
    if lines[j].title.endswith("."):
        # "Entities collecting personal information." over a paragraph is a title; a short
        # first sentence in a text written one sentence per line is not.
        return body_at is not None and j + 1 == body_at and _SENTENCE_BREAK.search(lines[body_at].text) is not None
    after = lines[j + 1].kind if j + 1 < len(lines) else "blank"
    if after == "blank":
        # A paragraph of its own, not the last line of a block of short lines.
        return before != "candidate"
    if body_at is not None:
        # The text that follows must be a sentence, not a second short line.
        return j + 1 == body_at and len(lines[body_at].text.strip()) > len(lines[j].text.strip())
    return True


def _assign_clause_levels(lines: list[_Line], accepted: set[int]) -> None:
    """A clause title sits one level below the nearest open heading of a broader kind: a
    lettered part below the document title, a plain subheading below its lettered part. A
    Markdown heading with a clause number ("## A. Online Privacy") is of that kind too, so a
    clause title "B. ..." after it is its sibling."""
    if not accepted:
        return  # (the open headings only place accepted clause titles)
    open_heads: list[tuple[int, int]] = []  # (rank, level); rank -1: a heading of no kind
    for i, line in enumerate(lines):
        if line.kind in ("atx", "setext-title"):
            while open_heads and open_heads[-1][1] >= line.level:
                open_heads.pop()
            open_heads.append((_title_rank(line.title), line.level))
        elif i in accepted:
            while open_heads and open_heads[-1][0] >= line.rank:
                open_heads.pop()
            line.kind = "clause"
            line.level = min(open_heads[-1][1] + 1 if open_heads else 1, 6)  # Markdown has six levels
            open_heads.append((line.rank, line.level))


def _title_rank(title: str) -> int:
    for name, pattern in _ENUMERATED:
        if pattern.match(title):
            return _KIND_RANK[name]
    return -1


def _demote_table_of_contents(lines: list[_Line]) -> None:
    """Headings with nothing but titles under them, whose titles come back later as headings
    (same slug, or the start of a longer one), two or more in a row, are the entries of a
    table of contents: they stay text."""
    heads = [i for i, line in enumerate(lines) if line.kind in ("atx", "setext-title", "clause")]
    if len(heads) < 2:
        return  # (an entry is demoted only beside another)
    slugs = [slugify(lines[i].title) for i in heads]
    entry = [False] * len(heads)
    # Walking back from the end, `later` holds every slug after the current heading and every
    # hyphen-bounded start of one ("a-b" of "a-b-c"): one set look-up instead of a scan of
    # every later heading, so the pass is linear in the headings.
    later: set[str] = set()
    for n in range(len(heads) - 1, -1, -1):
        i = heads[n]
        end = heads[n + 1] if n + 1 < len(heads) else len(lines)
        # Most headings have text under them: look for the title's return only for the rest.
        if all(line.kind == "blank" or line.title for line in lines[i + 1 : end]):
            entry[n] = slugs[n] in later
        slug = slugs[n]
        later.add(slug)
        cut = slug.find("-")
        while cut != -1:
            later.add(slug[:cut])
            cut = slug.find("-", cut + 1)
    for n, i in enumerate(heads):
        if entry[n] and ((n > 0 and entry[n - 1]) or (n + 1 < len(heads) and entry[n + 1])):
            lines[i].kind = "body"


def _cap_sections(lines: list[_Line]) -> None:
    count = 0
    for line in lines:
        if line.kind in ("atx", "setext-title", "clause"):
            count += 1
            if count > MAX_SECTIONS:
                line.kind = "body"


# -- sections ---------------------------------------------------------------------------


_TEXT_OF = operator.attrgetter("text")


def _build_sections(lines: list[_Line], markdown: str) -> list[Section]:
    starts = [i for i, line in enumerate(lines) if line.kind in ("atx", "setext-title", "clause")]
    bounds = ([0] if not starts or starts[0] != 0 else []) + starts + [len(lines)]
    line_offsets = [0, *itertools.accumulate(map(len, map(_TEXT_OF, lines)))]  # the lines partition the text
    sections: list[Section] = []
    seen: dict[str, int] = {}
    stack: list[tuple[int, Section]] = []  # (level, section) of the open ancestors
    offset = 0
    for start, end in itertools.pairwise(bounds):
        text = markdown[line_offsets[start] : line_offsets[end]]
        if start not in starts:
            if not text:
                continue
            title, level = "", 0
        else:
            title, level = lines[start].title, lines[start].level
        while stack and stack[-1][0] >= level:
            stack.pop()
        parent = stack[-1][1] if stack and level else None
        sid = _unique_id(title, parent, seen)
        section = Section(
            id=sid,
            title=title,
            level=level,
            text=text,
            index=len(sections),
            parent=parent.id if parent else None,
            path=(*(parent.path if parent else ()), title) if title else (),
            offset=offset,
        )
        sections.append(section)
        offset += len(text)
        if level:
            stack.append((level, section))
    return sections


@text_cache(4096, limit=LINE_CHARS, budget=LINE_BUDGET)
def slugify(title: str) -> str:
    """A URL- and file-safe slug of a title, without its clause number (so renumbering
    a clause keeps its id)."""
    text = _ENUMERATOR.sub("", title, count=1).strip() or title
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(slug) > _SLUG_CHARS:
        slug = slug[:_SLUG_CHARS].rsplit("-", 1)[0]
    return slug or "section"


def _unique_id(title: str, parent: Section | None, seen: dict[str, int]) -> str:
    """The slug of the title; if taken, the slug of the title path (parent--title); if that
    is taken too, a counter."""
    if not title:
        base = "preamble"
    else:
        base = slugify(title)
        if base in seen and parent is not None:
            base = f"{parent.id}--{base}"
    seen[base] = seen.get(base, 0) + 1
    if seen[base] == 1:
        return base
    while f"{base}-{seen[base]}" in seen:
        seen[base] += 1
    sid = f"{base}-{seen[base]}"
    seen[sid] = 1
    return sid
