"""`diff_versions`: segment both versions, align their sections, diff each pair in words,
classify the changes and compare the dates the policy states."""

from __future__ import annotations

from .align import Group, align
from .classify import trivial_kind
from .dates import stated_date
from .records import DiffSummary, PolicyDiff, Section, SectionChange, Status
from .segment import segment, slugify
from .words import changed_words, count_words, word_diff


def diff_versions(old: str, new: str, *, old_id: str = "old", new_id: str = "new") -> PolicyDiff:
    """The section-level diff of two versions' Markdown."""
    if old == new:
        return _alike(old, old_id, new_id)
    old_sections, new_sections = segment(old), segment(new)
    groups = align(old_sections, new_sections)
    changes = tuple(_change(g, old_sections, new_sections) for g in _in_reading_order(groups, len(old_sections)))
    return PolicyDiff(old_id, new_id, _summarise(changes, old, new), changes)


def _alike(text: str, old_id: str, new_id: str) -> PolicyDiff:
    """Both versions the same text (captures often extract alike): what the general path
    gives, without its passes. `align` pairs each section with itself ("identical", in order,
    none moved, also for sections of the same text), so each is unchanged. It writes out
    what `_change` makes of such a group (a third of a small page's diff, skipped):
    tests/diff/test_diff_align.py holds the two equal on real versions."""
    changes = tuple(
        SectionChange(
            status="unchanged",
            old_id=s.id,
            new_id=s.id,
            old_title=s.title,
            new_title=s.title,
            old_index=s.index,
            new_index=s.index,
            words_added=0,
            words_removed=0,
            trivial=False,
            diff=((0, s.text),),
            old_ids=(s.id,),
            new_ids=(s.id,),
            level=s.level,
            parent=s.parent,
            match="identical",
        )
        for s in segment(text)
    )
    date = stated_date(text)
    iso = date.iso if date else None
    return PolicyDiff(
        old_id, new_id, DiffSummary(unchanged=len(changes), old_stated_date=iso, new_stated_date=iso), changes
    )


def _in_reading_order(groups: list[Group], old_count: int) -> list[Group]:
    """New order, each removed section right after the section that preceded it."""
    new_start_of_old = [-1] * old_count
    for g in groups:
        for o in g.old:
            if g.new:
                new_start_of_old[o] = g.new[0]
    # latest[o]: the largest new start among the old sections before o (-1 when none), in
    # one pass rather than a scan of the sections before each removed one.
    latest = [-1] * (old_count + 1)
    for o, start in enumerate(new_start_of_old):
        latest[o + 1] = max(latest[o], start)

    def key(g: Group) -> tuple[int, int, int]:
        if g.new:
            return (g.new[0], 0, 0)
        return (latest[g.old[0]], 1, g.old[0])

    return sorted(groups, key=key)


def _change(g: Group, old: list[Section], new: list[Section]) -> SectionChange:
    befores = [old[i] for i in g.old]
    afters = [new[i] for i in g.new]
    before_text = "".join(s.text for s in befores)
    after_text = "".join(s.text for s in afters)
    first_old = befores[0] if befores else None
    first_new = afters[0] if afters else None
    note = None
    if len(befores) > 1:
        note = f"merged from {len(befores)} sections"
    if len(afters) > 1:
        note = f"split into {len(afters)} sections"
        if len(befores) > 1:
            note = f"{len(befores)} sections into {len(afters)}"
    kind: str | None = None
    status: Status
    if not befores:
        status, ops = "added", [(1, after_text)]
        added, removed = count_words(after_text), 0
    elif not afters:
        status, ops = "removed", [(-1, before_text)]
        added, removed = 0, count_words(before_text)
    elif before_text == after_text:
        status, ops, added, removed = ("moved" if g.moved else "unchanged"), [(0, after_text)], 0, 0
    else:
        ops = word_diff(before_text, after_text)
        added, removed = changed_words(ops)
        kind = trivial_kind(ops)
        renamed = (
            len(befores) == len(afters) == 1 and slugify(first_old.title or "") != slugify(first_new.title or "")  # type: ignore[union-attr]
        )
        status = "renamed" if renamed else "modified"
    return SectionChange(
        status=status,
        old_id=first_old.id if first_old else None,
        new_id=first_new.id if first_new else None,
        old_title=first_old.title if first_old else None,
        new_title=first_new.title if first_new else None,
        old_index=first_old.index if first_old else None,
        new_index=first_new.index if first_new else None,
        words_added=added,
        words_removed=removed,
        trivial=kind is not None,
        diff=tuple(ops),
        trivial_kind=kind,
        note=note,
        old_ids=tuple(s.id for s in befores),
        new_ids=tuple(s.id for s in afters),
        level=(first_new or first_old).level,  # type: ignore[union-attr]
        parent=(first_new or first_old).parent,  # type: ignore[union-attr]
        moved=g.moved,
        match=g.how,
    )


def _summarise(changes: tuple[SectionChange, ...], old: str, new: str) -> DiffSummary:
    counts = dict.fromkeys(("unchanged", "modified", "added", "removed", "moved", "renamed"), 0)
    for c in changes:
        counts[c.status] += 1
    touched = [c for c in changes if c.status != "unchanged"]
    old_date = stated_date(old)
    new_date = old_date if new == old else stated_date(new)  # (captures often extract alike)
    substantive = [c for c in touched if not c.trivial]
    dates_differ = old_date is not None and new_date is not None and old_date.iso != new_date.iso
    return DiffSummary(
        **counts,
        words_added=sum(c.words_added for c in changes),
        words_removed=sum(c.words_removed for c in changes),
        trivial=bool(touched) and not substantive,
        old_stated_date=old_date.iso if old_date else None,
        new_stated_date=new_date.iso if new_date else None,
        silent_change=bool(substantive) and old_date is not None and not dates_differ and new_date is not None,
        date_only=bool(touched) and dates_differ and all(c.trivial_kind == "date" for c in touched),
    )
