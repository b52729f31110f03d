"""The changes of a policy's history as records, shared by the site, the feeds and the CLI.

A change is a transition between two consecutive periods of `Archive.history`: a return to
an earlier text is a change too. Sections are followed through renames and moves by their
*lineage id*: the id a section had when it first appeared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from itertools import pairwise

from .archive import Archive
from .diff import PolicyDiff, SectionChange, diff_versions, segment
from .models import Capture, Period


@dataclass(frozen=True)
class Change:
    slug: str
    number: int  # 1-based position in the history's changes
    old: Period
    new: Period
    diff: PolicyDiff
    first_capture: Capture  # the first capture of the new period: the change's identity
    lineage: dict[str, str]  # new section id -> lineage id (id when the section first appeared)
    old_lineage: dict[str, str] = field(default_factory=dict)  # old section id -> lineage id

    def lineage_of(self, section: SectionChange) -> str:
        """The lineage id of an entry of this change's diff (a removed one's too)."""
        if section.new_id is not None:
            return self.lineage[section.new_id]
        return self.old_lineage[section.old_id or ""]

    @property
    def published(self) -> datetime:
        return self.new.start


@lru_cache(maxsize=4096)
def _cached_diff(old_text: str, new_text: str, old_id: str, new_id: str) -> PolicyDiff:
    return diff_versions(old_text, new_text, old_id=old_id, new_id=new_id)


def policy_changes(archive: Archive, slug: str) -> list[Change]:
    """Every change of a policy's history, oldest first."""
    periods = archive.history(slug)
    if not periods:
        return []
    captures = {c.file: c for c in archive.captures(slug)}
    versions = {v.id: v for v in archive.versions(slug)}
    texts = {vid: archive.version_text(v) for vid, v in versions.items()}
    lineage = {s.id: s.id for s in segment(texts[periods[0].version])}
    changes = []
    for number, (old, new) in enumerate(pairwise(periods), start=1):
        diff = _cached_diff(texts[old.version], texts[new.version], old.version, new.version)
        old_lineage, lineage = lineage, follow_lineage(lineage, diff)
        changes.append(
            Change(slug, number, old, new, diff, captures[new.captures[0].file], dict(lineage), dict(old_lineage))
        )
    return changes


def follow_lineage(lineage: dict[str, str], diff: PolicyDiff) -> dict[str, str]:
    """The lineage ids of the new version's sections, given the old version's.

    A section matched to an old one (unchanged, moved, renamed, modified) keeps its lineage.
    In a split, the first part keeps the old section's lineage and the other parts start
    their own; a merge keeps the lineage of the first section merged. A new section whose id
    is the lineage of another live section (a renamed heading's old id, reused) gets a
    suffix, so that two sections never share a per-section feed.
    """
    out: dict[str, str] = {}
    fresh: list[str] = []
    for change in diff.sections:
        for k, new_id in enumerate(change.new_ids or ((change.new_id,) if change.new_id else ())):
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
