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
# The spaces a line collapses beyond the ASCII space and the tab (expanded before a line is
# collapsed): a line with none of them, most lines, needs only its runs of spaces collapsed,
# which is much faster than `_SPACES` (a match at every space).
_ODD_SPACES = "\u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u202f\u205f\u3000\x85"
_SPACES = re.compile(rf"[ \t{_ODD_SPACES}]+")
_ODD_SPACE = re.compile(rf"[{_ODD_SPACES}]")
# Two spaces or more; written with its literal head, which sre searches for faster than
# `" {2,}"` (0.12 against 0.27 ms over a 34 KB text).
_SPACE_RUN = re.compile("  +")
_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f"
_CONTROL = re.compile(f"[{_CONTROLS}]")
# Invisible and control characters, both removed: one scan of the text instead of two.
_REMOVED = re.compile("[" + "".join(map(chr, _INVISIBLE)) + _CONTROLS + "]")
_REMOVED_OR_ODD_SPACE = re.compile("[" + "".join(map(chr, _INVISIBLE)) + _CONTROLS + _ODD_SPACES + "]")
_FENCE = re.compile(r"^\s*(```|~~~)")
# For `_normalise_plain`: an odd space in a line's leading spaces (where it would count as
# indentation once made an ASCII space), a run of spaces after a line's first text (the
# look-behind after the two spaces, so that the regex engine looks for them, not for every
# character), and a run of blank lines.
_LEADING_ODD_SPACE = re.compile(rf"\n *+[{_ODD_SPACES}]")
_INNER_SPACES = re.compile(r"  (?<=[^ \n]  ) *+")
_BLANK_LINES = re.compile(r"\n\n\n++")


def normalise_line(line: str) -> str:
    line = _CONTROL.sub("", line.translate(_INVISIBLE))
    return _SPACES.sub(" ", line).strip()


def normalise_markdown(text: str) -> str:
    # A search for one character runs several times faster than one for two or three (in C
    # both): the longer ones are asked only of a text that holds their first character.
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    # Invisible and control characters go everywhere, fences included: once for the text.
    # Most texts hold neither them nor an odd space, which one scan tells.
    odd_spaces = False
    if _REMOVED_OR_ODD_SPACE.search(text):
        text = _REMOVED.sub("", text)
        odd_spaces = _ODD_SPACE.search(text) is not None
    plain = "\t" not in text and not ("`" in text and "```" in text) and not ("~" in text and "~~~" in text)
    if plain and (not odd_spaces or not _LEADING_ODD_SPACE.search("\n" + text)):
        return _normalise_plain(text, odd_spaces)
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
        if odd_spaces and _ODD_SPACE.search(expanded):
            line = _SPACES.sub(" ", expanded).strip()
        elif "  " in expanded:
            line = _SPACE_RUN.sub(" ", expanded).strip()
        else:
            line = expanded.strip()
        if line and indent:
            line = " " * indent + line
        if not line and (not lines or not lines[-1]):
            continue
        lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""


def _normalise_plain(text: str, odd_spaces: bool) -> str:
    """`normalise_markdown`'s lines for a text without a tab, a fence, or an odd space among
    a line's leading spaces (most texts), made over the whole text at once: each odd space
    an ASCII space, no space at a line's end, a run of spaces after a line's first text one
    space (the leading ones are its indentation), at most one blank line in a row, none at
    either end. Each step is linear in the text."""
    if odd_spaces:  # a replace for each odd space there: a search in C, not a regex test per character
        for space in _ODD_SPACES:
            if space in text:
                text = text.replace(space, " ")
    if " \n" in text or text.endswith(" "):
        text = "\n".join([line.rstrip(" ") for line in text.split("\n")])
    if "  " in text:
        text = _INNER_SPACES.sub(" ", text)
    text = _BLANK_LINES.sub("\n\n", text)  # (its search is faster than `"\n\n\n" in text`)
    text = text.strip("\n")
    return text + "\n" if text else ""


# What a reader sees of a Markdown text: link targets, emphasis, heading and list markers,
# quote markers, table rules and escapes are markup, not text. This is a hot path (twice per
# extraction, and in every diff): the line patterns start with the `\n` that opens a line
# (`visible_text` puts one before the text), not `(?m)^`, so that the regex engine looks for
# that character instead of trying every position; for the same reason the other patterns
# start with a literal or a character class.
_WORD = re.compile(r"\w")
# Bounded repetitions: on hostile text full of brackets an unbounded scan is quadratic. The
# look-behind after the `[` (not before it) says the same: the `[` is not escaped.
_LINK = re.compile(r"\[(?<!\\\[)((?:[^\[\]\\\n]|\\[^\n]){0,2000})\]\((?:[^()\s]|\([^()\s]{0,500}\)){0,4000}\)")
_BLOCK_MARK = re.compile(r"\n[ \t]*(?:(?:>[ \t]?)+|#{1,6}[ \t]+|(?:[-+*]|\d+[.)])[ \t]+)+")
_TABLE_RULE = re.compile(r"(?m)\n[ \t]*\|?(?:[ \t]*:?-{3,}:?[ \t]*\|)+[ \t]*$")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])")
# A line without a word: left out.
_WORDLESS_LINE = re.compile(r"(?m)\n[^\w\n]*$")
# The characters `str.split()` splits at (`str.isspace`) other than the space and the line
# end: the odd spaces, the tab, the C0 separators and the Unicode line ends. A text with
# none of them, nearly every one, has its runs of spaces collapsed with `str.replace` and
# one regex over the runs, not cut into a list of its words and joined.
_OTHER_SPACE = re.compile(f"[\t\x0b\x0c\r\x1c-\x1f\u2028\u2029{_ODD_SPACES}]")


# An entity as CommonMark reads one (`&lt;`, `&#60;`, `&amp;`), and the line breaks of table cells.
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_CELL_BREAK = re.compile(r"<br\s?/?>", re.IGNORECASE)


def _without_emphasis(text: str) -> str:
    """`text` without its runs of `*` and backticks, which are markup, except a character
    escaped by the backslash before it (kept with its backslash). Made with `str.split` and
    `str.replace`, which search in C for one character; a regex tests every character."""
    if "*" not in text and "`" not in text:
        return text
    first, *escaped = text.split("\\")
    out = [_unmarked(first)]
    for part in escaped:  # each part follows a backslash
        if part[:1] in ("*", "`"):
            out.append(part[0] + _unmarked(part[1:]))
        else:
            out.append(_unmarked(part))
    return "\\".join(out)


def _unmarked(text: str) -> str:
    return text.replace("*", "").replace("`", "") if "*" in text or "`" in text else text


def visible_text(markdown: str) -> str:
    """The text of a Markdown document as a reader sees it, on one line: what decides
    whether two captures hold the same policy. Blocks with no word in them (a stray `#`,
    a divider, a code fence) are left out; entities are the characters they stand for
    (`&lt;` is `<`)."""
    text = "\n" + markdown  # every line starts with "\n": see the patterns above
    if "---" in text:
        text = _TABLE_RULE.sub("\n", text)
    if "<" in text:
        text = _CELL_BREAK.sub(" ", text)
    text = _BLOCK_MARK.sub("\n", text)
    if "[" in text:
        text = _LINK.sub(r"\1", text)
    text = _without_emphasis(text)
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
    text = text.replace("|", " ")
    if "&" in text:
        text = _ENTITY.sub(lambda m: html.unescape(m.group()), text)
    return _one_line(_WORDLESS_LINE.sub("\n", text))


def _one_line(text: str) -> str:
    """`" ".join(text.split())`, faster for a text whose only spaces are spaces and line ends."""
    if _OTHER_SPACE.search(text):
        return " ".join(text.split())
    text = text.replace("\n", " ")
    if "  " in text:
        text = _SPACE_RUN.sub(" ", text)
    return text.strip(" ")
