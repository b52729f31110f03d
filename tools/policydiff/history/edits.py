"""What each entry of a diff changed, as sentences: the sentences of the old text that the new
one no longer has, and the new text's sentences the old one did not have. Terms, values and
significance are judged over these, so that a sentence reworded around a term ("we share
your data with partners" -> "... with our partners") leaves the term where it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..diff import PolicyDiff, SectionChange
from ..wording import entry_title

# A sentence ends at . ! ? ; or a line break; a list item or heading is one too.
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
MAX_SENTENCE_CHARS = 2000  # a "sentence" without punctuation (a table row...) is cut here


@dataclass(frozen=True)
class EntryEdit:
    """One changed entry of a diff, by sentences."""

    index: int  # in diff.sections
    title: str  # as a reader sees it
    status: str
    old_only: tuple[str, ...]
    new_only: tuple[str, ...]
    old_words: int  # content words of the entry's old text
    new_words: int
    old_text: str = ""
    new_text: str = ""


def sentences(text: str) -> list[str]:
    out = []
    for piece in _SENTENCE_END.split(text):
        cleaned = " ".join(piece.split())
        if cleaned:
            out.append(cleaned[:MAX_SENTENCE_CHARS])
    return out


_LINK_TARGET = re.compile(r"\]\([^)\s]{0,2000}(?:\s+\"[^\"]{0,300}\")?\)|<!--.{0,2000}?-->|<https?://[^>\s]{1,2000}>")


def readable(sentence: str) -> str:
    """A sentence as a reader reads it: link targets and comments dropped (a link to
    "#cookie-choices" is not a sentence about cookies)."""
    return _LINK_TARGET.sub("]", sentence)


def _key(sentence: str) -> str:
    return " ".join(_WORD.findall(readable(sentence).casefold()))


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


# The texts a policy's changes share are counted once; the cache outlives the history (a
# serve session), so it is kept small: a policy is loaded change after change, and its
# unchanged sections come back within a few dozen entries.
_CACHED_TEXT = 100_000


@lru_cache(maxsize=1024)
def _cached_words(text: str) -> int:
    return word_count(text)


def _unchanged_words(text: str) -> int:
    """An unchanged entry's words: the same section text comes back in each change of a
    policy until it changes (hashing it is cheaper than the word regex)."""
    return _cached_words(text) if len(text) <= _CACHED_TEXT else word_count(text)


def entry_edit(index: int, entry: SectionChange) -> EntryEdit | None:
    """The sentences an entry changed; None when it changed no word (unchanged, moved, or
    trivial: noise is not an edit)."""
    if entry.status == "unchanged" or entry.trivial or not (entry.words_added or entry.words_removed):
        return None
    old_text = "".join(text for op, text in entry.diff if op <= 0)
    new_text = "".join(text for op, text in entry.diff if op >= 0)
    old, new = sentences(old_text), sentences(new_text)
    # Sentences are compared by their words: a list marker or a comma changed is not an edit.
    old_set, new_set = {_key(s) for s in old}, {_key(s) for s in new}
    return EntryEdit(
        index=index,
        title=entry_title(entry),
        status=entry.status,
        old_only=tuple(s for s in old if _key(s) not in new_set),
        new_only=tuple(s for s in new if _key(s) not in old_set),
        old_words=word_count(old_text),
        new_words=word_count(new_text),
        old_text=old_text,
        new_text=new_text,
    )


def diff_edits(diff: PolicyDiff) -> list[EntryEdit]:
    return [edit for i, entry in enumerate(diff.sections) if (edit := entry_edit(i, entry)) is not None]


def policy_words(diff: PolicyDiff) -> int:
    """Content words of the longer of the two versions (every entry, unchanged ones too)."""
    old = new = 0
    for entry in diff.sections:
        if all(op == 0 for op, _ in entry.diff):  # most entries: one text, counted once for both
            words = _unchanged_words("".join(text for _, text in entry.diff))
            old, new = old + words, new + words
        else:
            old += word_count("".join(text for op, text in entry.diff if op <= 0))
            new += word_count("".join(text for op, text in entry.diff if op >= 0))
    return max(old, new)


def small_edit(diff: PolicyDiff, limit: int = 60) -> tuple[str, str, str] | None:
    """(removed, added, section) when the whole change is one short replacement in one
    section ("repos" -> "repositories"), else None."""
    touched = [e for e in diff.sections if e.status != "unchanged"]
    if len(touched) != 1 or touched[0].status != "modified":
        return None
    edits = [(op, text) for op, text in touched[0].diff if op != 0]
    removed = " ".join(" ".join(t for op, t in edits if op < 0).split())
    added = " ".join(" ".join(t for op, t in edits if op > 0).split())
    runs = sum(1 for i, (op, _) in enumerate(touched[0].diff) if op != 0 and (i == 0 or touched[0].diff[i - 1][0] == 0))
    if runs != 1 or len(removed) > limit or len(added) > limit or not (removed or added):
        return None
    return removed, added, entry_title(touched[0])
