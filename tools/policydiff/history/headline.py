"""One plain sentence per change, made from the records, naming what happened in the reader's
terms: sections added, removed or renamed (by title), watched terms gained or lost, values
changed with before and after. Its words are English; what it quotes (titles, values) is the
policy's own text, in whatever language the policy is written.

Pieces, in this order, at most `MAX_PIECES` of them: sections added, sections removed,
sections renamed, watched terms, values; when none applies, what was edited and how much.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..diff import PolicyDiff
from ..wording import entry_title, listing, quoted, section_name, shortened, term_phrase, value_phrase
from .edits import EntryEdit, small_edit
from .records import ChangeFlags
from .terms import TermChange
from .values import ValueChange

MAX_PIECES = 4
MAX_HEADLINE_CHARS = 400


def _cap(text: str) -> str:
    return text[0].upper() + text[1:] if text else text


def headline(
    diff: PolicyDiff,
    flags: ChangeFlags,
    edits: Sequence[EntryEdit],
    terms: Sequence[TermChange],
    values: Sequence[ValueChange],
    labels: dict[str, str],
    *,
    share: float,
) -> str:
    summary = diff.summary
    if flags.date_only:
        return f"Only the stated date changed ({summary.old_stated_date or '?'} → {summary.new_stated_date or '?'})."
    touched = [e for e in diff.sections if e.status != "unchanged"]
    if not touched:
        return "No section changed."
    if flags.trivial:
        kinds = listing(list(flags.trivial_kinds)) if flags.trivial_kinds else "noise"
        titles = listing([quoted(entry_title(e)) for e in touched])
        return f"Only {kinds} changed, in {titles}."
    if not edits:
        return f"Sections moved, no word changed: {listing([quoted(entry_title(e)) for e in touched])}."
    pieces: list[str] = []
    if flags.reverts_to is not None:
        pieces.append(f"returns to an earlier text ({flags.reverts_to})")
    if share >= 0.5:
        pieces.append(f"rewrites most of the policy ({share:.0%} of its words)")
    added = [e.title for e in edits if e.status == "added"]
    removed = [e.title for e in edits if e.status == "removed"]
    if added:
        pieces.append(f"adds {_sections(added)}")
    if removed:
        pieces.append(f"removes {_sections(removed)}")
    pieces += _term_pieces(terms, labels)
    pieces += _value_pieces(values)
    renamed = [
        (section_name(e.old_title), section_name(e.new_title))
        for e in touched
        if e.old_title is not None and e.new_title is not None and _really_renamed(e.old_title, e.new_title)
    ]
    if renamed:
        named = [f"{quoted(old)} to {quoted(new)}" for old, new in renamed]
        pieces.append(f"renames {listing(named, 2)}")
    small = small_edit(diff)
    if not pieces and small:
        removed, added, section = small
        if removed and added:
            pieces.append(f"“{removed}” → “{added}” in {quoted(section)}")
        elif added:
            pieces.append(f"adds “{added}” in {quoted(section)}")
        else:
            pieces.append(f"drops “{removed}” from {quoted(section)}")
    if not pieces:
        words = max(summary.words_added, summary.words_removed)
        titles = [quoted(e.title) for e in edits]
        pieces.append(f"edits {listing(titles)} ({words} word{'' if words == 1 else 's'})")
    shown = pieces[:MAX_PIECES]
    if len(pieces) > MAX_PIECES:
        shown.append(f"{len(pieces) - MAX_PIECES} more")
    text = _cap("; ".join(shown)) + "."
    return shortened(text, MAX_HEADLINE_CHARS)


def _sections(titles: list[str]) -> str:
    names = listing([quoted(t) for t in titles], 2)
    return f"the section{'s' if len(titles) > 1 else ''} {names}"


def _really_renamed(old: str, new: str) -> bool:
    """Another title, not the same one in other case or punctuation."""
    return _KEY.sub("", old).casefold() != _KEY.sub("", new).casefold()


def _value_pieces(values: Sequence[ValueChange]) -> list[str]:
    """One piece per distinct value change, naming the first section it was made in."""
    seen: dict[tuple[str, str | None, str | None], int] = {}
    first: list[ValueChange] = []
    for value in values:
        key = (value.kind, value.before, value.after)
        if key not in seen:
            seen[key] = 0
            first.append(value)
        seen[key] += 1
    out = []
    for value in first:
        phrase = value_phrase(value)
        phrase = f"changes {phrase}" if value.before and value.after else phrase
        more = seen[(value.kind, value.before, value.after)] - 1
        out.append(phrase + (f" (and {more} more section{'s' if more > 1 else ''})" if more else ""))
    return out


_KEY = re.compile(r"[\W_]+")


def _term_pieces(terms: Sequence[TermChange], labels: dict[str, str]) -> list[str]:
    """One piece per group and direction, naming its sections; the groups entering or
    leaving a section first."""
    grouped: dict[tuple[str, bool], list[TermChange]] = {}
    for term in sorted(terms, key=lambda t: not t.entering):
        grouped.setdefault((term.group, term.gained), []).append(term)
    return [
        term_phrase(labels.get(group, group), gained, sum(t.sentences for t in found), [t.section for t in found])
        for (group, gained), found in grouped.items()
    ]
