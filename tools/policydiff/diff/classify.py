"""Is a change substantive, or trivial? A change is trivial when the two texts become equal
once one kind of noise is masked: whitespace, punctuation, dates, clause numbers, link
targets (or several of these together: "mixed")."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence

from .dates import MONTH_NAMES, mask_dates

_ALPHA_WORD = re.compile(r"\b[^\W\d_]{2,}\b")
# Every word `[ivx]{1,5}` matches (363 of them): one set look-up per word, not a regex match.
_ROMAN_WORDS = frozenset("".join(p) for k in range(1, 6) for p in itertools.product("ivx", repeat=k))
_IGNORED_WORDS = frozenset(MONTH_NAMES) | _ROMAN_WORDS
_PUNCT = re.compile(r"[^\w\s]+")
_LINK_TARGET = re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)|<https?://[^>\s]+>|https?://[^\s)\]>]+")
# Clause numbers at the start of a line or heading: "3.", "3.2", "(b)", "B.", "iv)".
_NUMBERING = re.compile(
    r"(?m)^(\s*(?:#{1,6}\s+|[-*+]\s+|\*\*)?)(?:\(?\d{1,3}(?:\.\d{1,3})*[.)]?|\(?[A-Za-z][.)]|\(?[ivxIVX]{1,5}[.)])(?=\s)"
)


def _whitespace(text: str) -> str:
    return " ".join(text.split())  # str.split's whitespace is re's \s: the same 29 characters


def _punctuation(text: str) -> str:
    return _whitespace(_PUNCT.sub(" ", text))


def _renumbering(text: str) -> str:
    return _whitespace(_NUMBERING.sub(r"\1#", text))


def _links(text: str) -> str:
    return _whitespace(_LINK_TARGET.sub("](link)", text))


_CONTEXT = 60  # characters of unchanged text around each edit: wider than any date


def trivial_kind(ops: Sequence[tuple[int, str]]) -> str | None:
    """The kind of a trivial change, or None when the change is substantive (or no change).

    Each edit is judged with a little unchanged text around it (a date is often edited in
    one token), so the cost follows the size of the edits, not of the section."""
    kinds: set[str] = set()
    hunks = _hunks(ops)
    whole_old = "".join(text for op, text in ops if op <= 0)
    whole_new = "".join(text for op, text in ops if op >= 0)
    if sum(len(a) + len(b) for a, b in hunks) > len(whole_old) + len(whole_new):
        hunks = [(whole_old, whole_new)]  # many small edits (list markers...): mask once
    for old, new in hunks:
        kind = _hunk_kind(old, new)
        if kind is None:
            return None
        kinds.add(kind)
    if not kinds:
        return None
    return kinds.pop() if len(kinds) == 1 else "mixed"


def _hunks(ops: Sequence[tuple[int, str]]) -> list[tuple[str, str]]:
    """(old, new) text of each run of edits, with the unchanged text around it. Edits closer
    than twice the context (the day and the year of one date) are judged together."""
    out = []
    i = 0
    while i < len(ops):
        if ops[i][0] == 0:
            i += 1
            continue
        before = ops[i - 1][1][-_CONTEXT:] if i and ops[i - 1][0] == 0 else ""
        old_parts, new_parts = [before], [before]
        while i < len(ops):
            op, text = ops[i]
            if op == 0:
                if len(text) >= 2 * _CONTEXT or i == len(ops) - 1:
                    break
                old_parts.append(text)
                new_parts.append(text)
            else:
                (old_parts if op < 0 else new_parts).append(text)
            i += 1
        after = ops[i][1][:_CONTEXT] if i < len(ops) else ""
        out.append(("".join(old_parts) + after, "".join(new_parts) + after))
    return out


def _words_differ(old: str, new: str) -> bool:
    """A quick no: the words changed, beyond what any mask hides (numbers, month names,
    clause letters, link targets). Saves masking a long rewritten passage six ways.

    No mask but the link one touches a word of two letters or more that is not a month or
    a roman numeral; the link mask only drops the words of link targets. So when the words
    differ as they are, once link targets are masked, and once dates then link targets are
    (the order of the combined mask), no mask can make the texts equal. The placeholders'
    own words ("date", "link") are left out of these counts."""
    if "](" not in old and "](" not in new and "http" not in old and "http" not in new:
        return not _same_counts(_content_words(old), _content_words(new))
    counted: dict[str, Counter[str]] = {}  # a mask that found nothing in a text: its words, counted once

    def words(text: str) -> Counter[str]:
        found = counted.get(text)
        if found is None:
            found = counted[text] = _content_words(text, _WITH_PLACEHOLDERS)
        return found

    for mask in (_unmasked, _mask_links, _mask_dates_and_links):
        if _same_counts(words(mask(old)), words(mask(new))):
            return False
    return True


_WITH_PLACEHOLDERS = _IGNORED_WORDS | {"date", "link"}


def _same_counts(a: Counter[str], b: Counter[str]) -> bool:
    # No count here is zero, so dict equality is Counter equality (done in C, where
    # Counter.__eq__ walks both in a Python generator).
    return dict.__eq__(a, b)


def _unmasked(text: str) -> str:
    return text


def _mask_links(text: str) -> str:
    return _LINK_TARGET.sub("](link)", text)


def _mask_dates_and_links(text: str) -> str:
    return _LINK_TARGET.sub("](link)", mask_dates(text))


def _content_words(text: str, ignored: frozenset[str] = _IGNORED_WORDS) -> Counter[str]:
    counts = Counter(_ALPHA_WORD.findall(text.lower()))
    # Counted first, dropped once: a text has far fewer distinct words. (The frozenset's
    # own intersection walks the smaller side; `keys() & ignored` copies all 400 first.)
    for word in ignored.intersection(counts):
        del counts[word]
    return counts


def _hunk_kind(old: str, new: str) -> str | None:
    # Whitespace and punctuation are never part of a word (nor is any lower-case form of
    # theirs), so texts equal once they are masked have the same words: `_words_differ` is
    # asked only when neither mask helps. (Except around a capital sigma, whose lower case
    # depends on the character after it: the one such letter str.lower knows.)
    if _whitespace(old) == _whitespace(new):
        return "whitespace"
    same_punctuation = _punctuation(old) == _punctuation(new)
    words_kept = same_punctuation and "\u03a3" not in old and "\u03a3" not in new
    if not words_kept and _words_differ(old, new):
        return None
    # The other masks in order, each one computed once per side. A mask that finds nothing
    # in either text leaves them as they were: it cannot succeed where whitespace failed.
    dated = mask_dates(old), mask_dates(new)
    for name, masked in (
        ("date", dated),
        ("renumbering", (_NUMBERING.sub(r"\1#", old), _NUMBERING.sub(r"\1#", new))),
        ("link", (_mask_links(old), _mask_links(new))),
    ):
        if masked != (old, new) and _whitespace(masked[0]) == _whitespace(masked[1]):
            return name
    if same_punctuation:
        return "punctuation"

    def every(dated_text: str) -> str:
        return _punctuation(_links(_renumbering(dated_text)))

    return "mixed" if every(dated[0]) == every(dated[1]) else None
