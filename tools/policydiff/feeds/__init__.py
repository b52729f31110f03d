"""Change-notification feeds: Atom, RSS and JSON Feed from the same change records.

`build_feeds(policies, settings) -> list[Feed]` is a pure function of the change records: one
site-wide feed, one per policy, one per section lineage of each policy (a section keeps the
id it had when it first appeared, so a subscription survives a renamed heading).
`feed_documents(feed)` turns a feed into its three files. `policy_source(archive, slug)` reads
what a policy contributes from the archive.

Entry ids are tag URIs built from the policy slug and the identity of the first capture of the
new period (its time and sha256), never from version hashes that a better extractor changes:
rebuilding, re-ingesting or regenerating versions never makes an old change look new.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

from ..archive import Archive
from ..changes import Change, policy_changes
from ..diff import SectionChange, segment
from ..errors import PolicyDiffError
from ..urls import feed_dir, policy_page, section_page
from .entries import (
    EntryContext,
    FeedEntry,
    absolute,
    change_entry,
    is_trivial,
    plain_title,
    section_entry,
    section_is_substantive,
    xml_safe,
)
from .formats import FORMAT_NAMES, FORMATS, Feed, feed_documents

__all__ = [
    "FORMATS",
    "FORMAT_NAMES",
    "Feed",
    "FeedEntry",
    "FeedSettings",
    "PolicyFeedSource",
    "archive_feeds",
    "build_feeds",
    "feed_documents",
    "policy_source",
    "site_url_of",
    "write_feeds",
]

# The date part of the tag URIs (RFC 4151). Part of every entry id: never change it.
TAG_DATE = "2026"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class PolicyFeedSource:
    """What one policy contributes to the feeds."""

    slug: str
    name: str
    changes: Sequence[Change]
    first_sections: Mapping[str, str]  # id -> title, sections of the first version
    first_seen: datetime | None = None
    language: str = "en"
    include_trivial: bool = False  # the policy's declaration: `feeds: {include_trivial: true}`


@dataclass(frozen=True)
class FeedSettings:
    site_url: str
    site_name: str
    site_description: str = ""
    max_entries: int = 20
    include_trivial: bool = False  # for every policy, whatever its declaration says
    language: str = "en"


def site_url_of(site_url: str | None) -> str:
    """The absolute base URL feeds link to, ending in "/"; an error when there is none."""
    if not site_url or not urlsplit(site_url).scheme or not urlsplit(site_url).netloc:
        raise PolicyDiffError(
            f"feeds need an absolute `site_url` in mkdocs.yml (got {site_url!r}); "
            "set it to the address the site is published at, e.g. site_url: https://example.org/policy-diff/"
        )
    return site_url if site_url.endswith("/") else site_url + "/"


def tag_prefix(site_url: str) -> str:
    """`tag:example.org,2026:policy-diff/`: the authority and path of the site."""
    parts = urlsplit(site_url)
    return f"tag:{parts.hostname},{TAG_DATE}:{parts.path.lstrip('/')}"


def _trivial_note(included: bool) -> str:
    if included:
        return "Trivial-only changes (whitespace, punctuation, a date) are included."
    return "Trivial-only changes (whitespace, punctuation, a date) are left out."


def _latest(entries: Sequence[FeedEntry], limit: int) -> tuple[FeedEntry, ...]:
    ordered = sorted(entries, key=lambda e: (e.published, e.id), reverse=True)
    return tuple(ordered[:limit])


def _updated(entries: Sequence[FeedEntry], fallback: datetime | None) -> datetime:
    return entries[0].published if entries else (fallback or EPOCH)


@dataclass
class _PolicyFeeds:
    entries: list[FeedEntry]
    sections: dict[str, list[FeedEntry]]
    titles: dict[str, str]


def _policy_entries(source: PolicyFeedSource, settings: FeedSettings, include_trivial: bool) -> _PolicyFeeds:
    titles = dict(source.first_sections)
    for change in source.changes:
        for section in change.diff.sections:
            if section.new_id is not None and section.new_title is not None:
                titles[change.lineage.get(section.new_id, section.new_id)] = plain_title(section.new_title)
    context = EntryContext(
        name=source.name,
        site_url=settings.site_url,
        id_prefix=tag_prefix(settings.site_url),
        section_titles={lid: plain_title(title) for lid, title in titles.items()},
    )
    entries: list[FeedEntry] = []
    sections: dict[str, list[FeedEntry]] = {lid: [] for lid in titles}
    # Versions already in force, to tell a return to an earlier text; and the lineage of the
    # old side's section ids, to file a removed section under the feed it always had.
    seen = {c.old.version: c.old.start for c in source.changes[:1]}
    old_lineage: Mapping[str, str] = {sid: sid for sid in source.first_sections}
    for change in source.changes:
        reverts_to = seen.get(change.new.version)
        seen.setdefault(change.new.version, change.new.start)
        old_lineage, previous = change.lineage, old_lineage
        if not include_trivial and is_trivial(change.diff):
            continue
        entries.append(change_entry(change, context, reverts_to=reverts_to))
        touched: dict[str, list[SectionChange]] = {}
        for section in change.diff.sections:
            if section.status == "unchanged" or not (include_trivial or section_is_substantive(section)):
                continue
            if section.new_id is not None:
                lineage_id = change.lineage.get(section.new_id, section.new_id)
            else:
                lineage_id = previous.get(section.old_id or "", section.old_id or "")
            touched.setdefault(lineage_id, []).append(section)
        for lineage_id, pieces in touched.items():
            entry = section_entry(change, pieces, lineage_id, context, reverts_to=reverts_to)
            sections.setdefault(lineage_id, []).append(entry)
    return _PolicyFeeds(entries, sections, dict(context.section_titles))


def build_feeds(policies: Sequence[PolicyFeedSource], settings: FeedSettings) -> list[Feed]:
    """Every feed of the site: site-wide first, then each policy and its sections, by slug."""
    if settings.max_entries < 1:
        raise PolicyDiffError(f"feeds_max_entries: expected a positive number, got {settings.max_entries}")
    site_url = site_url_of(settings.site_url)
    settings = replace(settings, site_url=site_url)
    prefix = tag_prefix(site_url)
    limit = settings.max_entries
    every: list[FeedEntry] = []
    policy_feeds: list[Feed] = []
    trivial_for: list[str] = []
    for source in sorted(policies, key=lambda s: s.slug):
        include_trivial = settings.include_trivial or source.include_trivial
        if include_trivial:
            trivial_for.append(source.name)
        built = _policy_entries(source, settings, include_trivial)
        every += built.entries
        note = _trivial_note(include_trivial)
        entries = _latest(built.entries, limit)
        directory = feed_dir(source.slug)
        policy_feeds.append(
            Feed(
                dir=directory,
                id=f"{prefix}{quote(directory)}",
                title=xml_safe(f"{source.name}: changes"),
                description=xml_safe(
                    f"Every change to the {source.name}, from archived captures. The last {limit} changes; "
                    f"the whole history is on the site. {note}"
                ),
                home_url=absolute(site_url, policy_page(source.slug)),
                home_path=policy_page(source.slug),
                base_url=absolute(site_url, directory),
                author=settings.site_name,
                language=source.language,
                updated=_updated(entries, source.first_seen),
                entries=entries,
            )
        )
        for lineage_id in sorted(built.sections):
            title = built.titles.get(lineage_id) or "Introduction"
            entries = _latest(built.sections[lineage_id], limit)
            directory = feed_dir(source.slug, lineage_id)
            policy_feeds.append(
                Feed(
                    dir=directory,
                    id=f"{prefix}{quote(directory)}",
                    title=xml_safe(f"{source.name} — {title}: changes"),
                    description=xml_safe(
                        f"Every change to the section “{title}” of the {source.name}, followed through "
                        f"renames and moves. The last {limit} changes. {note}"
                    ),
                    home_url=absolute(site_url, section_page(source.slug, lineage_id)),
                    home_path=section_page(source.slug, lineage_id),
                    base_url=absolute(site_url, directory),
                    author=settings.site_name,
                    language=source.language,
                    updated=_updated(entries, source.first_seen),
                    entries=entries,
                )
            )
    entries = _latest(every, limit)
    if not trivial_for:
        note = _trivial_note(False)
    elif len(trivial_for) == len(policies):
        note = _trivial_note(True)
    else:
        note = f"{_trivial_note(False)[:-1]}, except for: {', '.join(trivial_for)}."
    firsts = [s.first_seen for s in policies if s.first_seen is not None]
    directory = feed_dir()
    site_feed = Feed(
        dir=directory,
        id=f"{prefix}{quote(directory)}",
        title=xml_safe(f"{settings.site_name}: policy changes"),
        description=xml_safe(
            " ".join(
                filter(None, [settings.site_description, f"The last {limit} changes of every tracked policy.", note])
            )
        ),
        home_url=site_url,
        home_path="",
        base_url=absolute(site_url, directory),
        author=settings.site_name,
        language=settings.language,
        updated=_updated(entries, max(firsts, default=None)),
        entries=entries,
    )
    return [site_feed, *policy_feeds]


def policy_source(archive: Archive, slug: str, changes: Sequence[Change] | None = None) -> PolicyFeedSource:
    """A policy's change records and first sections, read from the archive."""
    declaration = archive.declaration(slug)
    periods = archive.history(slug)
    first_sections: dict[str, str] = {}
    if periods:
        first = archive.version(slug, periods[0].version)
        first_sections = {s.id: s.title for s in segment(archive.version_text(first))}
    return PolicyFeedSource(
        slug=slug,
        name=declaration.name,
        changes=policy_changes(archive, slug) if changes is None else changes,
        first_sections=first_sections,
        first_seen=periods[0].start if periods else None,
        language=declaration.language,
        include_trivial=declaration.include_trivial_in_feeds,
    )


def archive_feeds(
    archive: Archive, settings: FeedSettings, changes: Mapping[str, Sequence[Change]] | None = None
) -> list[Feed]:
    """Every feed of the site, for every policy of the archive that has a history.

    `changes` (slug -> change records) lets a caller that already diffed the history, like
    the MkDocs plugin after rendering, spare the feeds a second pass over the archive."""
    known = changes or {}
    sources = [policy_source(archive, slug, known.get(slug)) for slug in archive.slugs() if archive.history(slug)]
    return build_feeds(sources, settings)


def write_feeds(archive: Archive, out: Path, settings: FeedSettings) -> list[Path]:
    """Write every feed file under `out` (a site's root), for builders without the plugin."""
    written = []
    for feed in archive_feeds(archive, settings):
        for path, content in feed_documents(feed).items():
            target = out / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            written.append(target)
    return written
