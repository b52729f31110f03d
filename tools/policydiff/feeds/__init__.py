"""Change-notification feeds: Atom, RSS and JSON Feed from policies' histories.

`build_feeds(histories, settings) -> list[Feed]` is a pure function of `PolicyHistory`
records (no archive, no file): one site-wide feed, one per policy, one per section lineage
of each policy (a section keeps the id it had when it first appeared, so a subscription
survives a renamed heading; a section's feed has the entries its history page shows).
`feed_documents(feed)` turns a feed into its three files; `write_feeds` writes them.

Entry ids are tag URIs built from the policy slug and the identity of the first capture of the
new period (its time and sha256), never from version hashes that a better extractor changes:
rebuilding, re-ingesting or regenerating versions never makes an old change look new.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

from ..diff import SectionChange
from ..errors import PolicyDiffError
from ..escape import xml_text
from ..history import PolicyHistory, SectionHistory
from ..history.significance import at_least, displayed_significance
from ..urls import feed_dir, policy_page, section_page, term_feed_dir, terms_page
from ..wording import section_name, shortened, significance_note, trivial_note
from .entries import MAX_TITLE_CHARS, EntryContext, FeedEntry, absolute, change_entry, change_entry_id, section_entry
from .formats import FORMAT_NAMES, FORMATS, Feed, feed_documents

__all__ = [
    "FORMATS",
    "FORMAT_NAMES",
    "Feed",
    "FeedEntry",
    "FeedMemo",
    "FeedSettings",
    "build_feeds",
    "feed_documents",
    "site_url_of",
    "write_feeds",
]

# The date part of the tag URIs (RFC 4151). Part of every entry id: never change it.
TAG_DATE = "2026"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class FeedSettings:
    site_url: str
    site_name: str
    site_description: str = ""
    max_entries: int = 20  # a positive number: the plugin's config and the CLI check it
    include_trivial: bool = False  # for every policy, whatever its declaration says (= min_significance trivial)
    language: str = "en"
    min_significance: str = "minor"  # the least significant change a feed lists (`feeds_min_significance`)

    @property
    def floor(self) -> str:
        return "trivial" if self.include_trivial else self.min_significance


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


def _latest(entries: Sequence[FeedEntry], limit: int) -> tuple[FeedEntry, ...]:
    ordered = sorted(entries, key=lambda e: (e.published, e.id), reverse=True)
    return tuple(ordered[:limit])


def _updated(entries: Sequence[FeedEntry], fallback: datetime | None) -> datetime:
    return entries[0].published if entries else (fallback or EPOCH)


def manifest_sentence(history: PolicyHistory) -> str:
    """The archive manifest head in a policy feed's description, as on the policy page."""
    if not history.manifest_head:
        return ""
    return f" Archive manifest head: {history.manifest_head}."


def section_is_substantive(section: SectionChange) -> bool:
    if section.status == "unchanged" or section.trivial:
        return False
    # A section that only moved has the same words: nothing to read for its subscribers.
    return not (section.status == "moved" and not section.words_added and not section.words_removed)


@dataclass
class _PolicyFeeds:
    entries: list[FeedEntry]
    sections: dict[str, list[FeedEntry]]  # lineage id -> entries
    titles: dict[str, str]  # lineage id -> title


@dataclass
class FeedMemo:
    """What `build_feeds` made in the previous build of a `mkdocs serve` session, so a rebuild
    after one policy's new capture renders only that policy's entries and documents. A
    policy's entries are reused when its history is the same record (the plugin keeps the
    record of a policy whose archive files did not change: frozen, so the same object means
    the same history) under the same settings; a feed's documents when the feed is equal,
    entry by entry. Nothing else is kept, so the result is the same bytes as without it."""

    policies: dict[str, tuple[PolicyHistory, FeedSettings, str, _PolicyFeeds]] = field(default_factory=dict)
    documents: dict[str, tuple[Feed, dict[str, bytes]]] = field(default_factory=dict)  # by feed dir

    def policy_entries(self, history: PolicyHistory, settings: FeedSettings, floor: str) -> _PolicyFeeds:
        kept = self.policies.get(history.slug)
        if kept is not None and kept[0] is history and kept[1] == settings and kept[2] == floor:
            return kept[3]
        built = _policy_entries(history, settings, floor)
        self.policies[history.slug] = (history, settings, floor, built)
        return built

    def feed_documents(self, feed: Feed) -> dict[str, bytes]:
        kept = self.documents.get(feed.dir)
        if kept is not None and kept[0] == feed:
            return kept[1]
        documents = feed_documents(feed)
        self.documents[feed.dir] = (feed, documents)
        return documents

    def keep_only(self, slugs: set[str], feeds: Sequence[Feed]) -> None:
        """Forget the policies and feeds a build no longer has."""
        self.policies = {slug: kept for slug, kept in self.policies.items() if slug in slugs}
        dirs = {feed.dir for feed in feeds}
        self.documents = {d: kept for d, kept in self.documents.items() if d in dirs}


def _policy_entries(history: PolicyHistory, settings: FeedSettings, floor: str) -> _PolicyFeeds:
    titles = {s.lineage: shortened(section_name(s.title), MAX_TITLE_CHARS) for s in history.sections}
    context = EntryContext(
        history=history, site_url=settings.site_url, id_prefix=tag_prefix(settings.site_url), section_titles=titles
    )
    include_trivial = floor == "trivial"
    told = _told(history, floor)
    entries = [change_entry(c, context) for c in history.changes if c.number in told]
    sections: dict[str, list[FeedEntry]] = {}
    for section in history.sections:
        if section.lineage not in history.paged_lineages:
            continue  # past the limit of section pages: no page, so no feed either
        pieces = _section_pieces(history, section, told, include_trivial)
        sections[section.lineage] = [
            section_entry(history.change(number), found, section.lineage, context) for number, found in pieces.items()
        ]
    return _PolicyFeeds(entries, sections, titles)


def _told(history: PolicyHistory, floor: str) -> set[int]:
    """The numbers of the changes a policy's feeds tell, at the feeds' floor of significance."""
    return {c.number for c in history.changes if at_least(displayed_significance(c), floor)}


def policy_floor(history: PolicyHistory, floor: str) -> str:
    """The feeds' floor for one policy: its declaration may ask for trivial changes too."""
    return "trivial" if history.declaration.include_trivial_in_feeds else floor


def _section_pieces(
    history: PolicyHistory, section: SectionHistory, told: set[int], include_trivial: bool
) -> dict[int, list[SectionChange]]:
    """Change number -> the pieces of that change a section's feed tells."""
    pieces: dict[int, list[SectionChange]] = {}
    for number, index in section.entries:
        entry = history.change(number).diff.sections[index]
        if number in told and (include_trivial or section_is_substantive(entry)):
            pieces.setdefault(number, []).append(entry)
    return pieces


def section_feed_has_entries(history: PolicyHistory, section: SectionHistory, floor: str = "minor") -> bool:
    """Whether a section's feed has an entry (pages offer only such feeds; `floor`: the feeds'
    `feeds_min_significance`, lowered by the declaration as `build_feeds` does)."""
    if section.lineage not in history.paged_lineages:
        return False
    floor = policy_floor(history, floor)
    return bool(_section_pieces(history, section, _told(history, floor), floor == "trivial"))


def build_feeds(histories: Sequence[PolicyHistory], settings: FeedSettings, memo: FeedMemo | None = None) -> list[Feed]:
    """Every feed of the site: site-wide first, then each policy and its sections, by slug.
    Policies not captured yet have no feed. `memo`: the previous build's, under `mkdocs serve`."""
    if settings.max_entries < 1:
        raise PolicyDiffError(f"feeds_max_entries: expected a positive number, got {settings.max_entries}")
    site_url = site_url_of(settings.site_url)
    settings = replace(settings, site_url=site_url)
    prefix = tag_prefix(site_url)
    limit = settings.max_entries
    captured = sorted((h for h in histories if h.periods), key=lambda h: h.slug)
    every: list[FeedEntry] = []
    by_key: dict[str, FeedEntry] = {}
    policy_feeds: list[Feed] = []
    trivial_for: list[str] = []
    for history in captured:
        floor = policy_floor(history, settings.floor)
        if floor == "trivial":
            trivial_for.append(history.name)
        if memo is not None:
            built = memo.policy_entries(history, settings, floor)
        else:
            built = _policy_entries(history, settings, floor)
        every += built.entries
        by_key.update({entry.id: entry for entry in built.entries})
        note = significance_note(floor)
        entries = _latest(built.entries, limit)
        directory = feed_dir(history.slug)
        language = history.declaration.language
        policy_feeds.append(
            Feed(
                dir=directory,
                id=f"{prefix}{quote(directory)}",
                title=xml_text(f"{history.name}: changes"),
                description=xml_text(
                    f"Every change to the {history.name}, from archived captures. The last {limit} changes; "
                    f"the whole history is on the site. {note}{manifest_sentence(history)}"
                ),
                home_url=absolute(site_url, policy_page(history.slug)),
                home_path=policy_page(history.slug),
                base_url=absolute(site_url, directory),
                author=settings.site_name,
                language=language,
                updated=_updated(entries, history.first_seen),
                entries=entries,
                manifest_head=history.manifest_head,
            )
        )
        for lineage_id in sorted(built.sections):
            title = built.titles[lineage_id]
            entries = _latest(built.sections[lineage_id], limit)
            directory = feed_dir(history.slug, lineage_id)
            policy_feeds.append(
                Feed(
                    dir=directory,
                    id=f"{prefix}{quote(directory)}",
                    title=xml_text(f"{history.name} — {title}: changes"),
                    description=xml_text(
                        f"Every change to the section “{title}” of the {history.name}, followed through "
                        f"renames and moves. The last {limit} changes. {note}"
                    ),
                    home_url=absolute(site_url, section_page(history.slug, lineage_id)),
                    home_path=section_page(history.slug, lineage_id),
                    base_url=absolute(site_url, directory),
                    author=settings.site_name,
                    language=language,
                    updated=_updated(entries, history.first_seen),
                    entries=entries,
                )
            )
    entries = _latest(every, limit)
    if not trivial_for:
        note = significance_note(settings.floor)
    elif len(trivial_for) == len(captured):
        note = trivial_note(True)
    else:
        note = f"{significance_note(settings.floor)[:-1]}, except for: {', '.join(trivial_for)}."
    firsts = [h.first_seen for h in captured if h.first_seen is not None]
    directory = feed_dir()
    site_feed = Feed(
        dir=directory,
        id=f"{prefix}{quote(directory)}",
        title=xml_text(f"{settings.site_name}: policy changes"),
        description=xml_text(
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
    feeds = [site_feed, *policy_feeds, *_term_feeds(captured, by_key, settings, prefix)]
    if memo is not None:
        memo.keep_only({h.slug for h in captured}, feeds)
    return feeds


def term_groups(histories: Sequence[PolicyHistory]) -> dict[str, str]:
    """Every watched term group of these policies (defaults, the site's, each declaration's):
    id -> label, in the order the matchers list them."""
    groups: dict[str, str] = {}
    for history in histories:
        for group in history.term_matcher.groups:
            groups.setdefault(group.id, group.label)
    return groups


def _term_feeds(
    histories: Sequence[PolicyHistory], listed: dict[str, FeedEntry], settings: FeedSettings, prefix: str
) -> list[Feed]:
    """One feed per watched term group: the changes (of every policy, as the policy feeds
    list them) that gained or lost one of its terms."""
    site_url, limit = settings.site_url, settings.max_entries
    feeds = []
    for group, label in term_groups(histories).items():
        found = [
            listed[entry_id]
            for history in histories
            for change in history.changes
            if group in change.terms and (entry_id := change_entry_id(change, prefix)) in listed
        ]
        entries = _latest(found, limit)
        directory = term_feed_dir(group)
        feeds.append(
            Feed(
                dir=directory,
                id=f"{prefix}{quote(directory)}",
                title=xml_text(f"{settings.site_name}: changes about {label}"),
                description=xml_text(
                    f"Changes of every tracked policy that add or remove text about {label} (watched terms "
                    f"“{group}”). The last {limit} changes. {significance_note(settings.floor)}"
                ),
                home_url=absolute(site_url, terms_page(group)),
                home_path=terms_page(group),
                base_url=absolute(site_url, directory),
                author=settings.site_name,
                language=settings.language,
                updated=_updated(entries, EPOCH),
                entries=entries,
            )
        )
    return feeds


def write_feeds(feeds: Sequence[Feed], out: Path) -> list[Path]:
    """Write every feed file under `out` (a site's root), for builders without the plugin."""
    written = []
    for feed in feeds:
        for path, content in feed_documents(feed).items():
            target = out / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            written.append(target)
    return written
