"""Which editor's note belongs to which change, when each change takes effect, and which are
still upcoming on the build date: the publisher's side of a history (notes.py has the notes).

A note keyed by a version id belongs to the first change that introduced that version. A
note keyed by a date belongs to the change that took effect that day: the change whose new
text says it takes effect then, else the last change whose earlier text was last seen before
that date (the text in force that day came from it; a date in the gap between two captures
belongs to the change made in that gap).

A change's effective date is its note's `effective`, else the date its new text says it
takes effect when that differs from the old text's (an unchanged "Effective: 2019-01-01"
under a later edit is stale, not notice). A change is upcoming when that date is after the
build date; the days of notice are from its first capture to that date.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from datetime import date

from ..models import Period
from ..notes import DATE_KEY, Note


def day_of(iso: str | None) -> date | None:
    """A full date from an ISO string; None for a month alone or nothing."""
    if not iso or not DATE_KEY.fullmatch(iso):
        return None
    try:
        return date.fromisoformat(iso)
    except ValueError:
        return None


def text_effective(periods: Sequence[Period], effective_of: Mapping[str, str | None]) -> list[str | None]:
    """For each change (periods[1:]), the date its new text newly says it takes effect."""
    out = []
    for old, new in itertools.pairwise(periods):
        said = effective_of.get(new.version)
        out.append(said if day_of(said) and said != effective_of.get(old.version) else None)
    return out


def attach_notes(
    periods: Sequence[Period], notes: Mapping[str, Note], stated: Sequence[str | None]
) -> list[Note | None]:
    """The note of each change (periods[1:]); `stated` is `text_effective`'s answer."""
    changes = list(itertools.pairwise(periods))
    found: list[tuple[int, Note] | None] = [None] * len(changes)  # (priority, note): lower wins

    def offer(index: int | None, priority: int, note: Note) -> None:
        if index is None:
            return
        current = found[index]
        if current is None or priority < current[0]:
            found[index] = (priority, note)

    for key in sorted(notes):
        note = notes[key]
        if note.by_version:
            first = next((i for i, (_old, new) in enumerate(changes) if new.version == key), None)
            offer(first, 0, note)
            continue
        exact = next((i for i, said in enumerate(stated) if said == key), None)
        if exact is not None:
            offer(exact, 1, note)
            continue
        when = date.fromisoformat(key)
        before = [i for i, (old, _new) in enumerate(changes) if old.end.date() < when]
        offer(before[-1] if before else None, 2, note)
    return [item[1] if item else None for item in found]


def note_target(periods: Sequence[Period], note: Note, stated: Sequence[str | None]) -> int | None:
    """The 0-based index of the change a note would belong to, or None (the CLI refuses it)."""
    for index, attached in enumerate(attach_notes(periods, {note.key: note}, stated)):
        if attached is not None:
            return index
    return None


def is_upcoming(effective: str | None, build_date: date) -> bool:
    when = day_of(effective)
    return when is not None and when > build_date


def change_rank(material: bool, significance: float | None = None) -> tuple[int, float]:
    """How changes are ranked: the editor's word first (a material change above any other),
    then the automatic significance when there is one. Sort descending."""
    return (1 if material else 0, significance if significance is not None else 0.0)
