"""`PolicyHistory` values built directly from texts, with no archive on disk: each text is one
capture a day apart, each distinct text one version, consecutive texts one period each (the
records `Archive` would hold), and `build_history` computes the rest as it does for the site."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from policydiff.declaration import Declaration
from policydiff.history import PolicyHistory, build_history
from policydiff.history.build import Differ
from policydiff.models import Capture, CaptureRef, Period, Version
from policydiff.notes import Note
from policydiff.times import format_stamp

START = datetime(2020, 1, 1, tzinfo=UTC)


def version_id(text: str) -> str:
    return "v" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:10]


def capture_of(
    slug: str, when: datetime, content: str, *, wayback: str | None = None, source: str | None = None
) -> Capture:
    sha = hashlib.sha256(content.encode("utf-8", "surrogatepass")).hexdigest()
    return Capture(
        slug=slug,
        file=f"{format_stamp(when)}-{sha[:12]}.md",
        captured_at=when,
        sha256=sha,
        size=len(content),
        media_type="text/markdown",
        source_url=source,
        ingested_via="file",
        ingested_at=when,
        wayback_url=wayback,
    )


def history_of(
    slug: str,
    texts: Sequence[str],
    *,
    name: str | None = None,
    start: datetime = START,
    language: str = "en",
    include_trivial: bool = False,
    captured: Sequence[str] | None = None,
    moments: Sequence[datetime] | None = None,
    differ: Differ | None = None,
    notes: Sequence[Note] = (),
    build_date: date | None = None,
    **capture_options: str,
) -> PolicyHistory:
    """A history whose periods have these texts, in order. `captured`: the bytes of each
    capture when they are not the text itself (a re-extraction of the same captures)."""
    moments = list(moments or [start + timedelta(days=i) for i in range(len(texts))])
    raw = captured or texts
    captures = [capture_of(slug, when, content, **capture_options) for when, content in zip(moments, raw, strict=True)]
    refs: dict[str, list[CaptureRef]] = {}
    periods = []
    for text, capture in zip(texts, captures, strict=True):
        vid = version_id(text)
        ref = CaptureRef(capture.captured_at, capture.file)
        refs.setdefault(vid, []).append(ref)
        if periods and periods[-1].version == vid:
            last = periods[-1]
            periods[-1] = replace(last, end=ref.captured_at, captures=(*last.captures, ref))
        else:
            periods.append(Period(vid, ref.captured_at, ref.captured_at, (ref,)))
    by_id = {version_id(t): t for t in texts}
    versions = [
        Version(slug, vid, hashlib.sha256(by_id[vid].encode()).hexdigest(), f"{vid}.md", tuple(r), "test")
        for vid, r in refs.items()
    ]
    declaration = Declaration(
        slug=slug,
        name=name or slug,
        urls=("https://example.org/policy",),
        language=language,
        include_trivial_in_feeds=include_trivial,
        raw={"name": name or slug, "url": "https://example.org/policy"},
    )
    return build_history(
        declaration,
        captures=captures,
        exclusions=(),
        versions=versions,
        texts=by_id,
        periods=periods,
        differ=differ,
        notes={n.key: n for n in notes},
        build_date=build_date or date(2026, 1, 1),
    )


def relineage(history: PolicyHistory, old: str, new: str) -> PolicyHistory:
    """The same history with the lineage id `old` called `new` everywhere (section ids are the
    diff's business; this tests what pages and feeds do with ids it might make)."""

    def name(lineage: str) -> str:
        return new if lineage == old else lineage

    changes = tuple(
        replace(
            change,
            lineage=tuple(map(name, change.lineage)),
            section_lineage=tuple((sid, name(lid)) for sid, lid in change.section_lineage),
        )
        for change in history.changes
    )
    sections = tuple(replace(section, lineage=name(section.lineage)) for section in history.sections)
    return replace(history, changes=changes, sections=sections)
