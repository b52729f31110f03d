"""Watched terms gained or lost by a change: for each changed entry, the term groups
(`policydiff.watch`) whose terms the changed sentences hold more of (gained) or fewer of
(lost). Counting over changed sentences only means a sentence reworded around a term
leaves it where it was."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..watch import TermMatcher
from .edits import EntryEdit, readable


@dataclass(frozen=True)
class TermChange:
    """A watched group a changed entry has more (gained) or fewer (lost) terms of, counted
    in the sentences the edit changed."""

    group: str
    gained: bool
    section: str  # the section's title, as a reader sees it
    sentences: int  # changed sentences on that side holding the group's terms
    example: str  # the first such sentence
    entering: bool = False  # the section had none of the group's terms before (gained) or has none after (lost)


def term_changes(edits: Iterable[EntryEdit], matcher: TermMatcher) -> list[TermChange]:
    out: list[TermChange] = []
    for edit in edits:
        old = [matcher.groups_in(readable(s)) for s in edit.old_only]
        new = [matcher.groups_in(readable(s)) for s in edit.new_only]
        groups = {g for counts in old + new for g in counts}
        whole_old = matcher.groups_in(readable(edit.old_text)) if groups else {}
        whole_new = matcher.groups_in(readable(edit.new_text)) if groups else {}
        for group in sorted(groups):
            before = sum(c.get(group, 0) for c in old)
            after = sum(c.get(group, 0) for c in new)
            if before == after:
                continue
            gained = after > before
            side, counts = (edit.new_only, new) if gained else (edit.old_only, old)
            holding = [s for s, c in zip(side, counts, strict=True) if group in c]
            entering = not (whole_old if gained else whole_new).get(group)
            out.append(TermChange(group, gained, edit.title, len(holding), holding[0] if holding else "", entering))
    return out
