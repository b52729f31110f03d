"""The typed records of a policy's history, each with its JSON form beside it.

Every record is frozen and holds tuples (and `FrozenDict`s for free-form data), so a history
kept in a cache, or shared by the site, the feeds and the CLI, cannot be changed by any of
them. Times are UTC `datetime`s; in JSON they are ISO 8601 strings (`times.format_iso`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from ..declaration import Declaration, parse_declaration
from ..diff import PolicyDiff, Section, SectionChange
from ..frozen import thaw
from ..models import Capture, CaptureRef, Period, Version
from ..notes import Note
from ..times import format_iso, parse_time
from ..watch import TermGroup, TermMatcher, group_from_json, group_to_json, matcher_for

# Sections of one policy with a history page and a feed of their own (README, "Limits"):
# twice what one version can hold (diff.segment.MAX_SECTIONS), so that headings churned
# through many versions cannot make a site of 100,000 pages and 300,000 feed files.
MAX_SECTION_PAGES = 2000
FLAG_NAMES = ("date_only", "revert", "silent_change", "trivial")  # sorted: the JSON contract's order


def assessed_json(
    flags: ChangeFlags, significance: str, headline: str, terms: tuple[str, ...], reasons: tuple[str, ...]
) -> dict[str, Any]:
    """What `policy-diff diff --json` adds inside `summary` for a change (the published
    contract): its flags, significance, headline, terms and reasons."""
    return {
        **flags.summary_json(),
        "significance": significance,
        "headline": headline,
        "terms": list(terms),
        "reasons": list(reasons),
    }


@dataclass(frozen=True)
class ChangeFlags:
    """What a change is, beyond its diff. Each flag has one definition, in `flags.py`."""

    trivial: bool = False  # every changed section is noise (whitespace, punctuation, a date...)
    trivial_kinds: tuple[str, ...] = ()  # the kinds of that noise, sorted (see diff.classify)
    date_only: bool = False  # only the stated date changed (a date-only change is trivial too)
    silent_change: bool = False  # the text changed substantively, the stated date did not
    reverts_to: str | None = None  # the version id of an earlier text this change went back to

    @property
    def names(self) -> tuple[str, ...]:
        """The flags that are set, sorted: `trivial`, `date_only`, `silent_change`, `revert`."""
        on = {
            "trivial": self.trivial,
            "date_only": self.date_only,
            "silent_change": self.silent_change,
            "revert": self.reverts_to is not None,
        }
        return tuple(name for name in FLAG_NAMES if on[name])

    def summary_json(self) -> dict[str, Any]:
        """What `policy-diff diff --json` adds inside `summary` (the published contract)."""
        return {"flags": list(self.names), "reverts_to": self.reverts_to}

    def to_json(self) -> dict[str, Any]:
        return {**self.summary_json(), "trivial_kinds": list(self.trivial_kinds)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ChangeFlags:
        names = set(data["flags"])
        return cls(
            trivial="trivial" in names,
            trivial_kinds=tuple(data.get("trivial_kinds", ())),
            date_only="date_only" in names,
            silent_change="silent_change" in names,
            reverts_to=data.get("reverts_to"),
        )


@dataclass(frozen=True)
class Change:
    """A transition between two consecutive periods (a return to an earlier text is one too),
    with everything any page, feed or report shows about it, computed once."""

    slug: str
    number: int  # 1-based position in the history's changes
    old: Period
    new: Period
    diff: PolicyDiff
    first_capture: Capture  # the first capture of the new period: the change's identity
    flags: ChangeFlags
    lineage: tuple[str, ...]  # the lineage id of each entry of diff.sections, removed ones too
    section_lineage: tuple[tuple[str, str], ...]  # every section id of the new version -> its lineage id
    significance: str = "minor"  # major | minor | trivial, by the rules of `significance.py`
    headline: str = ""  # one plain sentence naming what happened (`headline.py`)
    reasons: tuple[str, ...] = ()  # why it has its significance, in words
    terms: tuple[str, ...] = ()  # watched term-group ids gained or lost, sorted (`terms.py`)
    # Later records add their fields here (an editor's note...), with defaults, and their
    # JSON in to_json/from_json.

    def summary_json(self) -> dict[str, Any]:
        """The change as `policy-diff diff --json` adds it inside `summary` (the contract)."""
        return assessed_json(self.flags, self.significance, self.headline, self.terms, self.reasons)

    note: Note | None = None  # the editor's note (notes.yml), see history/notes.py
    effective: str | None = None  # YYYY-MM-DD the new text takes effect, when known (note or text)
    upcoming: bool = False  # `effective` is after the history's build date
    # Later records add their fields here (significance, headline, reasons, terms...), with
    # defaults, and their JSON in to_json/from_json.

    @property
    def material(self) -> bool:
        """The editor marked it a material change."""
        return self.note is not None and self.note.material

    @property
    def notice_days(self) -> int | None:
        """Days from the first capture of the new text to the day it takes effect (advance
        notice), when it takes effect later than it was first seen."""
        if self.effective is None:
            return None
        days = (date.fromisoformat(self.effective) - self.published.date()).days
        return days if days > 0 else None

    @property
    def published(self) -> datetime:
        """When the new text was first captured."""
        return self.new.start

    @property
    def key(self) -> str:
        """The change's stable name (pages, feed entries): its first capture's file stem.
        Change numbers move when earlier captures are ingested later; this does not."""
        return self.first_capture.stem

    @property
    def old_stated_date(self) -> str | None:
        return self.diff.summary.old_stated_date

    @property
    def new_stated_date(self) -> str | None:
        return self.diff.summary.new_stated_date

    @cached_property
    def _lineage_by_new_id(self) -> dict[str, str]:
        return dict(self.section_lineage)

    def lineage_of_section(self, section_id: str) -> str:
        """The lineage id of a section of the new version."""
        return self._lineage_by_new_id[section_id]

    def lineage_of(self, entry: SectionChange) -> str:
        """The lineage id of an entry of this change's diff (a removed one's too)."""
        for candidate, lineage in zip(self.diff.sections, self.lineage, strict=True):
            if candidate is entry:
                return lineage
        return self.lineage[self.diff.sections.index(entry)]

    def entries(self) -> Iterator[tuple[SectionChange, str]]:
        """Each entry of the diff with its lineage id, in reading order."""
        return zip(self.diff.sections, self.lineage, strict=True)

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "old": self.old.to_json(),
            "new": self.new.to_json(),
            "first_capture": self.first_capture.to_json(),
            "flags": self.flags.to_json(),
            "lineage": list(self.lineage),
            "section_lineage": [list(pair) for pair in self.section_lineage],
            "significance": self.significance,
            "headline": self.headline,
            "reasons": list(self.reasons),
            "terms": list(self.terms),
            "note": self.note.to_json() if self.note else None,
            "effective": self.effective,
            "upcoming": self.upcoming,
            "diff": self.diff.to_json(),
        }

    @classmethod
    def from_json(cls, slug: str, data: dict[str, Any]) -> Change:
        return cls(
            slug=slug,
            number=data["number"],
            old=period_from_json(data["old"]),
            new=period_from_json(data["new"]),
            diff=PolicyDiff.from_json(data["diff"]),
            first_capture=Capture.from_json(slug, data["first_capture"]).frozen(),
            flags=ChangeFlags.from_json(data["flags"]),
            lineage=tuple(data["lineage"]),
            section_lineage=tuple((sid, lid) for sid, lid in data["section_lineage"]),
            significance=data.get("significance", "minor"),
            headline=data.get("headline", ""),
            reasons=tuple(data.get("reasons", ())),
            terms=tuple(data.get("terms", ())),
            note=Note.from_json(data["note"]) if data.get("note") else None,
            effective=data.get("effective"),
            upcoming=bool(data.get("upcoming", False)),
        )


@dataclass(frozen=True)
class SectionLink:
    """A section's history continuing into, or coming from, another one's."""

    lineage: str  # the other section's lineage id
    title: str  # its title at the time
    change: int  # the number of the change where it happened
    how: str  # split | merge | restructure (see lineage.py)

    def to_json(self) -> dict[str, Any]:
        return {"lineage": self.lineage, "title": self.title, "change": self.change, "how": self.how}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SectionLink:
        return cls(data["lineage"], data["title"], data["change"], data["how"])


@dataclass(frozen=True)
class SectionHistory:
    """One section followed through the changes by its lineage id (the id it had when it
    first appeared): renamed, moved, split off, merged into another, removed."""

    lineage: str
    title: str  # its latest title ("" for the preamble)
    first_seen: datetime
    titles: tuple[tuple[datetime, str], ...]  # each title it had, from when
    entries: tuple[tuple[int, int], ...]  # (change number, index in that change's diff) that touched it
    current_id: str | None  # its section id in the latest version, None when it is gone
    removed_at: datetime | None = None  # when it disappeared, if it is gone
    born_from: tuple[SectionLink, ...] = ()  # the sections its text came from (split, merge, restructure)
    went_into: tuple[SectionLink, ...] = ()  # the sections its text went to

    def to_json(self) -> dict[str, Any]:
        return {
            "lineage": self.lineage,
            "title": self.title,
            "first_seen": format_iso(self.first_seen),
            "titles": [[format_iso(when), title] for when, title in self.titles],
            "entries": [list(pair) for pair in self.entries],
            "current_id": self.current_id,
            "removed_at": format_iso(self.removed_at) if self.removed_at else None,
            "born_from": [link.to_json() for link in self.born_from],
            "went_into": [link.to_json() for link in self.went_into],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SectionHistory:
        return cls(
            lineage=data["lineage"],
            title=data["title"],
            first_seen=parse_time(data["first_seen"]),
            titles=tuple((parse_time(when), title) for when, title in data["titles"]),
            entries=tuple((n, i) for n, i in data["entries"]),
            current_id=data["current_id"],
            removed_at=parse_time(data["removed_at"]) if data["removed_at"] else None,
            born_from=tuple(SectionLink.from_json(link) for link in data["born_from"]),
            went_into=tuple(SectionLink.from_json(link) for link in data["went_into"]),
        )


@dataclass(frozen=True)
class VersionText:
    """A version with its text, read once, and what is derived from the text alone."""

    version: Version
    text: str
    sections: tuple[Section, ...]
    stated_date: str | None  # the date the text states for itself (ISO), see diff.dates
    effective_date: str | None = None  # the date it says it takes effect (ISO), see diff.dates

    @property
    def id(self) -> str:
        return self.version.id

    def to_json(self) -> dict[str, Any]:
        return {
            **self.version.to_json(),
            "extractor_version": self.version.extractor_version,
            "meta": thaw(self.version.meta),
            "text": self.text,
            "sections": [s.to_json() for s in self.sections],
            "stated_date": self.stated_date,
            "effective_date": self.effective_date,
        }

    @classmethod
    def from_json(cls, slug: str, data: dict[str, Any]) -> VersionText:
        version = Version(
            slug=slug,
            id=data["id"],
            sha256=data["sha256"],
            path=data["path"],
            captures=tuple(CaptureRef(parse_time(c["captured_at"]), c["file"]) for c in data["captures"]),
            extractor_version=data["extractor_version"],
            meta=data["meta"],
        ).frozen()
        sections = tuple(Section.from_json(s) for s in data["sections"])
        return cls(version, data["text"], sections, data["stated_date"], data.get("effective_date"))


@dataclass(frozen=True)
class Exclusion:
    """A capture withdrawn from the history (kept in the archive), and why."""

    file: str
    reason: str
    excluded_at: str

    def to_json(self) -> dict[str, str]:
        return {"file": self.file, "reason": self.reason, "excluded_at": self.excluded_at}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Exclusion:
        return cls(str(data.get("file", "")), str(data.get("reason", "")), str(data.get("excluded_at", "")))


def period_from_json(data: dict[str, Any]) -> Period:
    return Period(
        version=data["version"],
        start=parse_time(data["from"]),
        end=parse_time(data["to"]),
        captures=tuple(CaptureRef(parse_time(c["captured_at"]), c["file"]) for c in data["captures"]),
    )


@dataclass(frozen=True, eq=True)
class PolicyHistory:
    """Everything known about one policy, loaded and computed once: what the site, the feeds
    and the CLI show is read from here, never re-derived.

    Self-contained (no archive handle) so it can be cached, built in another process, or
    written to JSON; `fingerprint` is a hash of everything it was built from, so two histories
    with the same fingerprint are the same record."""

    slug: str
    declaration: Declaration
    captures: tuple[Capture, ...]  # every capture of the policy, by time (withdrawn ones too)
    exclusions: tuple[Exclusion, ...]  # withdrawn captures, by file name
    versions: tuple[VersionText, ...]  # by first capture
    periods: tuple[Period, ...]  # the texts in force, in order: A -> B -> A is three
    changes: tuple[Change, ...]  # one per transition between periods
    sections: tuple[SectionHistory, ...]  # every section lineage, in order of first appearance
    fingerprint: str
    # The sha256 of the policy's last manifest record when the history was loaded: what the
    # site publishes so that a mirror or a reader can tell that history was rewritten.
    manifest_head: str | None = None
    site_terms: tuple[TermGroup, ...] = ()  # the site's watched-term additions it was built with
    # Later records add theirs here with defaults (editor's notes from notes.yml, effective
    # dates, the archive manifest's head hash...), and their JSON in to_json/from_json.
    notes: tuple[Note, ...] = ()  # every editor's note, by key (those no change matches too)
    build_date: date | None = None  # the day it was built for: what is upcoming depends on it
    # Later records add theirs here with defaults (the archive manifest's head hash...), and
    # their JSON in to_json/from_json.

    def __hash__(self) -> int:
        return hash((self.slug, self.fingerprint))

    @property
    def name(self) -> str:
        return self.declaration.name

    @cached_property
    def term_matcher(self) -> TermMatcher:
        """The watched terms of this policy: the defaults, the site's, the declaration's."""
        return matcher_for(self.declaration.language, self.site_terms, self.declaration.watch)

    @cached_property
    def _versions_by_id(self) -> dict[str, VersionText]:
        return {v.id: v for v in self.versions}

    @cached_property
    def _captures_by_file(self) -> dict[str, Capture]:
        return {c.file: c for c in self.captures}

    @cached_property
    def _sections_by_lineage(self) -> dict[str, SectionHistory]:
        return {s.lineage: s for s in self.sections}

    @cached_property
    def paged_lineages(self) -> frozenset[str]:
        """The section lineages with a history page and a feed: every one up to
        MAX_SECTION_PAGES; past it the current text's sections first, then the most recently
        changed. The others still show on change pages and in the policy's feed."""
        if len(self.sections) <= MAX_SECTION_PAGES:
            return frozenset(s.lineage for s in self.sections)
        current = set(self.current_lineage.values())
        ranked = sorted(
            self.sections, key=lambda s: (s.lineage not in current, -(s.entries[-1][0] if s.entries else 0))
        )
        return frozenset(s.lineage for s in ranked[:MAX_SECTION_PAGES])

    def version(self, version_id: str) -> VersionText:
        return self._versions_by_id[version_id]

    def capture(self, file: str) -> Capture | None:
        return self._captures_by_file.get(file)

    def section(self, lineage: str) -> SectionHistory | None:
        return self._sections_by_lineage.get(lineage)

    def change(self, number: int) -> Change:
        return self.changes[number - 1]

    def section_entries(self, history: SectionHistory) -> list[tuple[Change, SectionChange]]:
        """The (change, diff entry) pairs of a section's history, oldest first."""
        return [(self.change(n), self.change(n).diff.sections[i]) for n, i in history.entries]

    @property
    def latest(self) -> VersionText | None:
        """The text in force now (the last period's)."""
        return self.version(self.periods[-1].version) if self.periods else None

    @property
    def in_force(self) -> VersionText | None:
        """The text in force on the build date: the latest, unless changes captured already
        take effect later (upcoming), then the text before the first of them."""
        if not self.periods:
            return None
        return self.version(self.periods[self.in_force_period].version)

    @property
    def in_force_period(self) -> int:
        """The index of the period in force on the build date."""
        for change in self.changes:
            if change.upcoming:
                return change.number - 1
        return len(self.periods) - 1

    @property
    def upcoming(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.upcoming)

    @property
    def first_seen(self) -> datetime | None:
        return self.periods[0].start if self.periods else None

    @property
    def last_changed(self) -> datetime | None:
        return self.changes[-1].published if self.changes else None

    @property
    def capture_count(self) -> int:
        """Captures in the history (withdrawn ones are not)."""
        return sum(len(p.captures) for p in self.periods)

    @cached_property
    def current_lineage(self) -> dict[str, str]:
        """Each section id of the latest version -> its lineage id."""
        if self.changes:
            return dict(self.changes[-1].section_lineage)
        latest = self.latest
        return {s.id: s.id for s in latest.sections} if latest else {}

    def to_json(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "fingerprint": self.fingerprint,
            "declaration": thaw(self.declaration.raw),
            "captures": [c.to_json() for c in self.captures],
            "exclusions": [e.to_json() for e in self.exclusions],
            "versions": [v.to_json() for v in self.versions],
            "periods": [p.to_json() for p in self.periods],
            "changes": [c.to_json() for c in self.changes],
            "sections": [s.to_json() for s in self.sections],
            "manifest_head": self.manifest_head,
            "site_terms": [group_to_json(g) for g in self.site_terms],
            "notes": [n.to_json() for n in self.notes],
            "build_date": self.build_date.isoformat() if self.build_date else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PolicyHistory:
        slug = data["slug"]
        declaration = parse_declaration(slug, data["declaration"], Path(slug, "policy.yml")).frozen()
        return cls(
            slug=slug,
            declaration=declaration,
            captures=tuple(Capture.from_json(slug, c).frozen() for c in data["captures"]),
            exclusions=tuple(Exclusion.from_json(e) for e in data["exclusions"]),
            versions=tuple(VersionText.from_json(slug, v) for v in data["versions"]),
            periods=tuple(period_from_json(p) for p in data["periods"]),
            changes=tuple(Change.from_json(slug, c) for c in data["changes"]),
            sections=tuple(SectionHistory.from_json(s) for s in data["sections"]),
            fingerprint=data["fingerprint"],
            manifest_head=data.get("manifest_head"),
            site_terms=tuple(group_from_json(g) for g in data.get("site_terms", ())),
            notes=tuple(Note.from_json(n) for n in data.get("notes", ())),
            build_date=date.fromisoformat(data["build_date"]) if data.get("build_date") else None,
        )


__all__ = [
    "FLAG_NAMES",
    "Change",
    "ChangeFlags",
    "Exclusion",
    "PolicyHistory",
    "SectionHistory",
    "SectionLink",
    "VersionText",
]
