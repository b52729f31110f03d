"""Build a `PolicyHistory` from what was read of one policy: records and texts in, a record
out. Pure (no archive, no files), so tests and other tools (a batch runner, a process pool)
call it directly; `load.load_history` is the archive's side.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from functools import lru_cache
from itertools import pairwise

from ..declaration import Declaration
from ..diff import PolicyDiff, diff_versions, effective_date, segment, stated_date
from ..frozen import thaw
from ..models import Capture, Period, Version
from ..notes import Note
from ..times import build_date as today
from ..watch import TermGroup, matcher_for
from .assess import assess_change
from .flags import earlier_text
from .lineage import ChangeStep, section_histories
from .notes import attach_notes, is_upcoming, text_effective
from .records import Change, Exclusion, PolicyHistory, VersionText

# Bump when what a history derives from the same archive changes (a new field, another
# lineage rule), so fingerprints, and every cache keyed by them, change too.
HISTORY_VERSION = "2"

Differ = Callable[[str, str, str, str], PolicyDiff]


@lru_cache(maxsize=4096)
def _cached_diff(old_text: str, new_text: str, old_id: str, new_id: str) -> PolicyDiff:
    # Diffs are immutable records: sharing one between histories (a rebuild under `mkdocs
    # serve`, the same pair in two policies) is safe.
    return diff_versions(old_text, new_text, old_id=old_id, new_id=new_id)


def build_history(
    declaration: Declaration,
    *,
    captures: Sequence[Capture],
    exclusions: Sequence[Exclusion],
    versions: Sequence[Version],
    texts: Mapping[str, str],
    periods: Sequence[Period],
    differ: Differ | None = None,
    manifest_head: str | None = None,
    site_terms: Sequence[TermGroup] = (),
    notes: Mapping[str, Note] | None = None,
    build_date: date | None = None,
) -> PolicyHistory:
    """A policy's history from its records: every version segmented, every change diffed and
    flagged, every section followed, every editor's note attached, once. `differ(old, new,
    old_id, new_id)` replaces `diff_versions` (a test that renders a stored diff);
    `site_terms`: the site's watched terms (the plugin's `watched_terms`), added to the
    defaults and the declaration's; `build_date` (default: `times.build_date()`,
    SOURCE_DATE_EPOCH) decides what is upcoming."""
    diff = differ or _cached_diff
    slug = declaration.slug
    notes = dict(notes or {})
    built_for = build_date or today()
    by_file = {c.file: c for c in captures}
    version_texts = tuple(
        VersionText(
            v.frozen(),
            texts[v.id],
            tuple(segment(texts[v.id])),
            _stated(texts[v.id]),
            _effective(texts[v.id]),
        )
        for v in versions
    )
    sections = {v.id: v.sections for v in version_texts}
    periods = tuple(periods)
    diffs = [diff(texts[a.version], texts[b.version], a.version, b.version) for a, b in pairwise(periods)]
    steps = [
        ChangeStep(number, new.start, d, sections[new.version])
        for number, (d, new) in enumerate(zip(diffs, periods[1:], strict=True), start=1)
    ]
    stated = text_effective(periods, {v.id: v.effective_date for v in version_texts})
    attached = attach_notes(periods, notes, stated)
    effective = [
        (note.effective if note and note.effective else said) for note, said in zip(attached, stated, strict=True)
    ]
    lineage_histories: tuple = ()
    per_change: list = []
    if periods:
        lineage_histories, per_change = section_histories(sections[periods[0].version], periods[0].start, steps)
    site_terms = tuple(site_terms)
    matcher = matcher_for(declaration.language, site_terms, declaration.watch)
    assessments = [assess_change(d, matcher, earlier_text(periods, n)) for n, d in enumerate(diffs, start=1)]
    changes = tuple(
        Change(
            slug=slug,
            number=number,
            old=old,
            new=new,
            diff=d,
            first_capture=by_file[new.captures[0].file].frozen(),
            flags=a.flags,
            lineage=lineages,
            section_lineage=section_lineage,
            significance=a.significance,
            headline=a.headline,
            reasons=a.reasons,
            terms=a.terms,
            note=attached[number - 1],
            effective=effective[number - 1],
            upcoming=is_upcoming(effective[number - 1], built_for),
        )
        for number, ((old, new), d, a, (lineages, section_lineage)) in enumerate(
            zip(pairwise(periods), diffs, assessments, per_change, strict=True), start=1
        )
    )
    upcoming = [c.key for c in changes if c.upcoming]
    return PolicyHistory(
        slug=slug,
        declaration=declaration.frozen(),
        captures=tuple(sorted((c.frozen() for c in captures), key=lambda c: (c.captured_at, c.file))),
        exclusions=tuple(sorted(exclusions, key=lambda e: e.file)),
        versions=version_texts,
        periods=periods,
        changes=changes,
        sections=lineage_histories,
        fingerprint=fingerprint(
            declaration, captures, exclusions, versions, texts, manifest_head, site_terms, notes, upcoming
        ),
        manifest_head=manifest_head,
        site_terms=site_terms,
        notes=tuple(notes[key] for key in sorted(notes)),
        build_date=built_for,
    )


def _stated(text: str) -> str | None:
    found = stated_date(text)
    return found.iso if found else None


def _effective(text: str) -> str | None:
    found = effective_date(text)
    return found.iso if found else None


def fingerprint(
    declaration: Declaration,
    captures: Sequence[Capture],
    exclusions: Sequence[Exclusion],
    versions: Sequence[Version],
    texts: Mapping[str, str],
    manifest_head: str | None = None,
    site_terms: Sequence[TermGroup] = (),
    notes: Mapping[str, Note] | None = None,
    upcoming: Sequence[str] = (),
) -> str:
    """A hash of everything a history is built from (and of how: HISTORY_VERSION). Of the
    build date, only what it decides counts (which changes are upcoming), so a history
    rebuilt the next day is the same record unless a change took effect in between."""
    digest = hashlib.sha256(f"policy-diff history {HISTORY_VERSION}\0{declaration.slug}\0".encode())

    def add(data: object) -> None:
        digest.update(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))
        digest.update(b"\0")

    add(thaw(declaration.raw))
    add([[g.id, g.label, list(g.patterns)] for g in site_terms])
    add(sorted((c.to_json() for c in captures), key=lambda c: c["file"]))
    add(sorted((e.to_json() for e in exclusions), key=lambda e: e["file"]))
    for version in versions:
        add([version.to_json(), version.extractor_version, thaw(version.meta)])
        digest.update(hashlib.sha256(texts[version.id].encode("utf-8")).digest())
    if manifest_head is not None:
        add(["manifest_head", manifest_head])
    add([notes[key].to_json() for key in sorted(notes or {})])
    add(sorted(upcoming))
    return digest.hexdigest()
