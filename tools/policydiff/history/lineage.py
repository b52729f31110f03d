"""Sections followed through a policy's history.

A section's *lineage id* is the id it had when it first appeared. Each change maps the new
version's section ids to lineage ids (`follow_lineage`): a section matched to an old one
(unchanged, moved, renamed, modified) keeps its lineage; so does the first part of a split
and the first section of a merge. Feeds and section pages are named by lineage ids, so a
subscription survives a renamed heading.

A section can also be *born from* others, and this links the histories (`SectionLink`):

- **split**: the other parts of a split start their own lineage, born from the section split;
- **merge**: the other sections of a merge end there, gone into the merged section;
- **restructure**: when a rewrite removes sections and adds others that the alignment could
  not pair (their text changed too much to be "the same section"), an added section is linked
  to the removed one its text is closest to. Closeness is the Dice coefficient of the
  word-pair shingles (`diff.align`'s) of the two *subtrees* (a section and its descendants
  removed or added with it), kept when the two are each other's best match and reach
  `RESTRUCTURE_DICE`.

`RESTRUCTURE_DICE` was set on the restructures of the bundled archive (GitHub's privacy
statement of 2024-02-03/04-18, its 2020 and 2019 rewrites, Google's of 2018-2022), looking
at every mutual best pair: at 0.12 and above the pairs are the same subject reworded
("Sharing of Personal Data" <- "How we share the information we collect" at 0.17, "From
Third Parties" <- "Information we collect from third parties" 0.15, "Security and
Retention" <- "Retention of personal data" 0.12); below it they are boilerplate in common
("Geolocation information" <- "Public repositories" 0.09). The link says "its text is
closest to", never that it is the same section.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ..diff import PolicyDiff, Section, SectionChange
from ..diff.align import shingles
from .records import SectionHistory, SectionLink

RESTRUCTURE_DICE = 0.12


def follow_lineage(lineage: Mapping[str, str], diff: PolicyDiff) -> dict[str, str]:
    """The lineage ids of the new version's sections, given the old version's.

    In a split, the first part keeps the old section's lineage and the other parts start
    their own; a merge keeps the lineage of the first section merged. A new section whose id
    is the lineage of another live section (a renamed heading's old id, reused) gets a
    suffix, so that two sections never share a per-section feed.
    """
    out: dict[str, str] = {}
    fresh: list[str] = []
    for change in diff.sections:
        for k, new_id in enumerate(_new_ids(change)):
            inherited = lineage.get(change.old_ids[0]) if change.old_ids and k == 0 else None
            if inherited is None and k == 0 and change.old_id is not None:
                inherited = lineage.get(change.old_id)
            if inherited is None:
                fresh.append(new_id)
            else:
                out[new_id] = inherited
    taken = set(out.values())
    for new_id in fresh:
        candidate, n = new_id, 1
        while candidate in taken:
            n += 1
            candidate = f"{new_id}-{n}"
        out[new_id] = candidate
        taken.add(candidate)
    return out


def entry_lineages(old: Mapping[str, str], new: Mapping[str, str], diff: PolicyDiff) -> tuple[str, ...]:
    """The lineage id of each entry: its first new section's, or for a removed section the
    lineage it had in the old version."""
    return tuple(new[e.new_id] if e.new_id is not None else old[e.old_id or ""] for e in diff.sections)


@dataclass
class _Growing:
    """A section history while the changes are read (the record is frozen once done)."""

    lineage: str
    title: str
    first_seen: datetime
    titles: list[tuple[datetime, str]]
    entries: list[tuple[int, int]] = field(default_factory=list)
    removed_at: datetime | None = None
    born_from: list[SectionLink] = field(default_factory=list)
    went_into: list[SectionLink] = field(default_factory=list)

    def retitle(self, when: datetime, title: str) -> None:
        if title != self.title:
            self.titles.append((when, title))
            self.title = title


@dataclass(frozen=True)
class ChangeStep:
    """One change as the section histories need it."""

    number: int
    published: datetime
    diff: PolicyDiff
    new_sections: Sequence[Section]  # of the new version


def section_histories(
    first: Sequence[Section], first_seen: datetime, steps: Sequence[ChangeStep]
) -> tuple[tuple[SectionHistory, ...], list[tuple[tuple[str, ...], tuple[tuple[str, str], ...]]]]:
    """Every lineage's history, and for each change its entries' lineage ids and the new
    version's section id -> lineage id map."""
    histories: dict[str, _Growing] = {s.id: _Growing(s.id, s.title, first_seen, [(first_seen, s.title)]) for s in first}
    current: dict[str, str] = {s.id: s.id for s in first}
    per_change = []
    for step in steps:
        old, new = current, follow_lineage(current, step.diff)
        lineages = entry_lineages(old, new, step.diff)
        titles = {s.id: s.title for s in step.new_sections}
        before = {lineage: histories[lineage].title for lineage in old.values()}  # titles as they were
        links: list[tuple[str, str, str]] = []
        for index, entry in enumerate(step.diff.sections):
            new_ids, old_ids = _new_ids(entry), _old_ids(entry)
            for section_id in new_ids:
                lineage, title = new[section_id], titles[section_id]
                if lineage in histories:
                    histories[lineage].retitle(step.published, title)
                else:
                    histories[lineage] = _Growing(lineage, title, step.published, [(step.published, title)])
            touched = [new[i] for i in new_ids] + [old[i] for i in old_ids]
            if entry.status != "unchanged":
                for lineage in dict.fromkeys(touched):
                    histories[lineage].entries.append((step.number, index))
            links += _split_and_merge(entry, old, new)
        links += _restructure(histories, step, old, new)
        for source, target, how in links:
            if source != target:
                histories[target].born_from.append(SectionLink(source, before[source], step.number, how))
                histories[source].went_into.append(SectionLink(target, histories[target].title, step.number, how))
        alive = set(new.values())
        for lineage in set(old.values()) - alive:
            histories[lineage].removed_at = step.published
        for lineage in alive:
            histories[lineage].removed_at = None
        per_change.append((lineages, tuple(new.items())))
        current = new
    where = {}
    for section_id, lineage in current.items():
        where.setdefault(lineage, section_id)
    records = tuple(
        SectionHistory(
            lineage=h.lineage,
            title=h.title,
            first_seen=h.first_seen,
            titles=tuple(h.titles),
            entries=tuple(h.entries),
            current_id=where.get(h.lineage),
            removed_at=None if h.lineage in where else h.removed_at,
            born_from=tuple(h.born_from),
            went_into=tuple(h.went_into),
        )
        for h in histories.values()
    )
    return records, per_change


def _new_ids(entry: SectionChange) -> tuple[str, ...]:
    return entry.new_ids or ((entry.new_id,) if entry.new_id is not None else ())


def _old_ids(entry: SectionChange) -> tuple[str, ...]:
    return entry.old_ids or ((entry.old_id,) if entry.old_id is not None else ())


def _split_and_merge(
    entry: SectionChange, old: Mapping[str, str], new: Mapping[str, str]
) -> list[tuple[str, str, str]]:
    """(source lineage, target lineage, how) of the sections a split made, or a merge ended."""
    old_ids, new_ids = _old_ids(entry), _new_ids(entry)
    if not old_ids or not new_ids:
        return []
    host_old, host_new = old[old_ids[0]], new[new_ids[0]]
    return [(host_old, new[i], "split") for i in new_ids[1:]] + [(old[i], host_new, "merge") for i in old_ids[1:]]


def _restructure(
    histories: dict[str, _Growing], step: ChangeStep, old: Mapping[str, str], new: Mapping[str, str]
) -> list[tuple[str, str, str]]:
    """Each added section linked to the removed one whose text is closest (see the module)."""
    entries = step.diff.sections
    added = [e for e in entries if e.status == "added" and histories[new[e.new_id or ""]].first_seen == step.published]
    removed = [e for e in entries if e.status == "removed"]
    if not added or not removed:
        return []
    added_trees = _subtrees(added, lambda e: e.new_id, 1)
    removed_trees = _subtrees(removed, lambda e: e.old_id, -1)
    scores = {
        (a, r): _dice(a_shingles, r_shingles)
        for a, a_shingles in added_trees.items()
        for r, r_shingles in removed_trees.items()
    }
    best_removed = {a: max(removed_trees, key=lambda r, a=a: (scores[a, r], r)) for a in added_trees}
    best_added = {r: max(added_trees, key=lambda a, r=r: (scores[a, r], a)) for r in removed_trees}
    return [
        (old[r], new[a], "restructure")
        for a, r in best_removed.items()
        if best_added[r] == a and scores[a, r] >= RESTRUCTURE_DICE
    ]


def _subtrees(entries: Sequence[SectionChange], key: object, op: int) -> dict[str, frozenset[int]]:
    """Each entry's section id -> the shingles of its text and of its descendants' among
    `entries` (found through `parent`)."""
    own = {key(e): "".join(text for o, text in e.diff if o == op) for e in entries}  # type: ignore[operator]
    parent = {key(e): e.parent for e in entries}  # type: ignore[operator]
    texts = dict(own)
    for section_id, text in own.items():
        ancestor = parent[section_id]
        seen = {section_id}
        while ancestor in own and ancestor not in seen:
            texts[ancestor] += text
            seen.add(ancestor)
            ancestor = parent[ancestor]
    return {section_id: shingles(text) for section_id, text in texts.items()}


def _dice(a: frozenset[int], b: frozenset[int]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))
