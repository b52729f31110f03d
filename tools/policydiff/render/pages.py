"""The pages of one policy, as Markdown with front matter plus static JSON.

Everything here is a pure function of the archive's records. Links between generated pages
are relative `.md` links in Markdown, so MkDocs checks them and every builder rewrites them;
captured text goes through `escape` (see there why it is safe).
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import yaml

from .. import urls
from ..archive import Archive
from ..changes import Change
from ..declaration import Declaration
from ..diff import Section, SectionChange, diff_versions, segment
from ..diff.segment import slugify
from ..models import Capture, Period, Version
from ..times import format_iso
from .diffhtml import diff_block
from .escape import external_link, html_text, markdown_html, md_text, plain_title, safe_url

FEED_FILES = (("Atom", "atom.xml"), ("RSS", "rss.xml"), ("JSON Feed", "feed.json"))


def src(page_dir: str) -> str:
    """The Markdown source of a page directory from `urls` (`policies/x/` -> `policies/x/index.md`)."""
    return page_dir + "index.md"


def rel(from_src: str, to_path: str) -> str:
    return posixpath.relpath(to_path, posixpath.dirname(from_src) or ".")


def day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def span(start: datetime, end: datetime) -> str:
    """`2020-01-01 → 2020-03-01`, or one date when a period lasted a day."""
    return day(start) if day(start) == day(end) else f"{day(start)} → {day(end)}"


def front_matter(title: str, *, search_exclude: bool = False, hide: Sequence[str] = ()) -> str:
    meta: dict[str, object] = {"title": plain_title(title)}
    if hide:
        meta["hide"] = list(hide)
    if search_exclude:
        meta["search"] = {"exclude": True}
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n\n"


def anchor(section_id: str) -> str:
    """An HTML id for a section: its stable id when that is a plain slug."""
    if section_id and all(c.isalnum() or c in "-_" for c in section_id) and not section_id.startswith("pd--"):
        return section_id
    return "s-" + hashlib.sha1(section_id.encode("utf-8")).hexdigest()[:12]


def heading(level: int, title: str, anchor_id: str, classes: str = "") -> str:
    marks = "#" * max(1, min(level, 6))
    attrs = f"#{anchor_id}" + (f" {classes}" if classes else "")
    return f"{marks} {md_text(title) or 'Untitled'} {{ {attrs} }}\n\n"


def raw_block(html_fragment: str) -> str:
    """A raw HTML block: alone on its line, blank lines around it."""
    return f"\n{html_fragment}\n\n"


def feed_links(page_src: str, slug: str | None = None) -> str:
    """Links to the feeds (written by the feeds step at `urls.feed_dir`); raw HTML because
    they are not Markdown pages, so MkDocs must not try to resolve them."""
    base = urls.feed_dir(slug)
    links = " · ".join(
        f'<a href="{rel(page_src, base + name)}" class="pd-feed" type="{kind}">{label}</a>'
        for (label, name), kind in zip(
            FEED_FILES, ("application/atom+xml", "application/rss+xml", "application/feed+json"), strict=True
        )
    )
    return raw_block(f'<p class="pd-feeds"><span class="pd-feeds-label">Subscribe:</span> {links}</p>')


def body_without_heading(section: Section) -> str:
    if section.level > 0 and section.title:
        return section.text.split("\n", 1)[1] if "\n" in section.text else ""
    return section.text


def describe_summary(change: Change) -> str:
    s = change.diff.summary
    parts = [
        f"{n} {label}"
        for n, label in (
            (s.modified, "modified"),
            (s.added, "added"),
            (s.removed, "removed"),
            (s.moved, "moved"),
            (s.renamed, "renamed"),
        )
        if n
    ]
    words = f"+{s.words_added} −{s.words_removed} words"
    return (", ".join(parts) or "no section changed") + f"; {words}"


@dataclass
class SectionHistory:
    lineage: str
    title: str
    first_seen: datetime
    current_id: str | None
    titles: list[tuple[datetime, str]] = field(default_factory=list)
    entries: list[tuple[Change, SectionChange]] = field(default_factory=list)
    removed_at: datetime | None = None


@dataclass
class PolicyData:
    """Everything the pages of one policy are made of, read once from the archive."""

    slug: str
    declaration: Declaration
    versions: dict[str, Version]
    periods: list[Period]
    changes: list[Change]
    captures: dict[str, Capture]
    exclusions: dict[str, dict[str, str]]
    texts: dict[str, str]
    sections: dict[str, list[Section]]
    histories: dict[str, SectionHistory]
    current_lineage: dict[str, str]
    stated_date: str | None

    @property
    def name(self) -> str:
        return self.declaration.name

    @property
    def latest(self) -> Version | None:
        return self.versions[self.periods[-1].version] if self.periods else None


def section_histories(
    first: list[Section], first_seen: datetime, changes: list[Change]
) -> tuple[dict[str, SectionHistory], dict[str, str]]:
    """Follow each section through the changes by its lineage id; returns the histories and
    the latest version's map of section id -> lineage id."""
    histories = {s.id: SectionHistory(s.id, s.title, first_seen, s.id, titles=[(first_seen, s.title)]) for s in first}
    lineage = {s.id: s.id for s in first}
    for change in changes:
        for entry in change.diff.sections:
            if entry.new_id is not None:
                lid = change.lineage.get(entry.new_id, entry.new_id)
            else:
                lid = lineage.get(entry.old_id or "", entry.old_id or "")
            title = entry.new_title if entry.new_title is not None else (entry.old_title or "")
            history = histories.get(lid)
            if history is None:
                history = histories[lid] = SectionHistory(lid, title, change.published, entry.new_id)
                history.titles.append((change.published, title))
            if title != history.title and entry.new_title is not None:
                history.titles.append((change.published, title))
                history.title = title
            if entry.status == "removed":
                history.removed_at = change.published
            if entry.status != "unchanged":
                history.entries.append((change, entry))
        lineage = change.lineage
    # Where each lineage is now: a split leaves several current sections in one lineage.
    current: dict[str, str] = {}
    for sid, lid in lineage.items():
        current.setdefault(lid, sid)
    for lid, history in histories.items():
        history.current_id = current.get(lid)
        if history.current_id is not None:
            history.removed_at = None
    return histories, lineage


def load_policy(archive: Archive, slug: str, changes: list[Change]) -> PolicyData:
    declaration = archive.declaration(slug)
    versions = {v.id: v for v in archive.versions(slug)}
    periods = archive.history(slug)
    texts = {vid: archive.version_text(v) for vid, v in versions.items()}
    sections = {vid: segment(text) for vid, text in texts.items()}
    histories: dict[str, SectionHistory] = {}
    current_lineage: dict[str, str] = {}
    stated = None
    if periods:
        first = periods[0]
        histories, current_lineage = section_histories(sections[first.version], first.start, changes)
        latest = texts[periods[-1].version]
        stated = diff_versions(latest, latest).summary.new_stated_date
    return PolicyData(
        slug=slug,
        declaration=declaration,
        versions=versions,
        periods=periods,
        changes=changes,
        captures={c.file: c for c in archive.captures(slug)},
        exclusions=archive.exclusions(slug),
        texts=texts,
        sections=sections,
        histories=histories,
        current_lineage=current_lineage,
        stated_date=stated,
    )


# -- text pages ---------------------------------------------------------------------------
def text_markdown(
    sections: Iterable[Section],
    *,
    markers: dict[str, str] | None = None,
    base_level: int = 1,
) -> str:
    """A version's text: each section a heading with a permalink (the TOC follows it), its
    body cleaned HTML; `markers` maps section id -> Markdown shown under the heading."""
    out = []
    for section in sections:
        if section.level > 0 and section.title:
            out.append(heading(section.level + base_level, section.title, anchor(section.id), ".pd-section"))
            if markers and section.id in markers:
                out.append(markers[section.id] + "\n\n")
        body = body_without_heading(section)
        if body.strip():
            out.append(raw_block(f'<div class="pd-text">{markdown_html(body)}</div>'))
    return "".join(out)


def policy_page(data: PolicyData) -> str:
    page = src(urls.policy_page(data.slug))
    latest = data.latest
    out = [front_matter(data.name)]
    out.append(f"# {md_text(data.name)} {{ #pd--top }}\n\n")
    sources = " · ".join(external_link(u) for u in data.declaration.urls)
    out.append(f"Source: {sources}\n{{: .pd-source }}\n\n")
    head: list[str] = []
    cells: list[str] = []
    if latest is not None and data.periods:
        timeline = rel(page, src(urls.timeline_page(data.slug)))
        head += ["First seen", "Last changed", "Versions", "Captures", "Stated date"]
        if data.changes:
            last = data.changes[-1]
            changed = f"[{day(last.published)}]({rel(page, src(urls.change_page(last)))})"
        else:
            changed = "no change captured yet"
        cells += [
            day(data.periods[0].start),
            changed,
            f"[{len(data.versions)}]({timeline})",
            str(sum(len(p.captures) for p in data.periods)),
            md_text(data.stated_date) if data.stated_date else "none found",
        ]
    if head:
        out.append(f"| {' | '.join(head)} |\n|{'---|' * len(head)}\n| {' | '.join(cells)} |\n\n")
    out.append(feed_links(page, data.slug))
    if latest is None:
        out.append('!!! info "No captures yet"\n    Ingest a capture with `policy-diff ingest` to see its text here.\n')
        return "".join(out)
    compare = rel(page, src(urls.compare_page(data.slug)))
    timeline = rel(page, src(urls.timeline_page(data.slug)))
    out.append(f"[Timeline]({timeline}){{ .md-button }} [Compare versions]({compare}){{ .md-button }}\n\n")
    if not data.changes:
        out.append(
            '!!! info "One version so far"\n'
            f"    Every capture of this policy so far has the same text (first seen {day(data.periods[0].start)}). "
            "Changes will appear here when a capture with a different text is ingested.\n\n"
        )
    version_link = rel(page, src(urls.version_page(data.slug, latest.id)))
    out.append(
        f"<small>Current text: version [{latest.id}]({version_link}), in force since "
        f"{day(data.periods[-1].start)}, last captured {day(data.periods[-1].end)}.</small>\n\n"
    )
    out.append(text_markdown(data.sections[latest.id], markers=section_markers(data, page)))
    return "".join(out)


def section_markers(data: PolicyData, page: str) -> dict[str, str]:
    """A small "changed DATE" link under each current section, to its history."""
    markers = {}
    for sid, lid in data.current_lineage.items():
        history = data.histories.get(lid)
        if history is None:
            continue
        link = rel(page, src(urls.section_page(data.slug, lid)))
        if history.entries:
            text = f"changed {day(history.entries[-1][0].published)}"
        else:
            text = f"unchanged since {day(history.first_seen)}"
        markers[sid] = f"[{text}]({link}){{ .pd-changed }}"
    if not data.changes and data.latest is not None:
        for section in data.sections[data.latest.id]:
            link = rel(page, src(urls.section_page(data.slug, section.id)))
            markers[section.id] = f"[unchanged since {day(data.periods[0].start)}]({link}){{ .pd-changed }}"
    return markers


def version_page(data: PolicyData, version: Version) -> str:
    page = src(urls.version_page(data.slug, version.id))
    out = [front_matter(f"Version {version.id} of {data.name}", search_exclude=True)]
    out.append(f"# Version {version.id} {{ #pd--top }}\n\n")
    policy = rel(page, src(urls.policy_page(data.slug)))
    in_force = [p for p in data.periods if p.version == version.id]
    spans = ", ".join(span(p.start, p.end) for p in in_force) or "withdrawn captures only"
    out.append(
        f"[{md_text(data.name)}]({policy}) · first seen {day(version.first_seen)} · last seen "
        f"{day(version.last_seen)} · {len(version.captures)} captures · in force {spans}\n\n"
    )
    if data.latest is not None and version.id != data.latest.id:
        compare = rel(page, urls.compare_page(data.slug) + "index.html")
        query = f"?from={version.id}&amp;to={data.latest.id}"
        out.append(raw_block(f'<p><a href="{compare}{query}">Compare with the current version</a></p>'))
    out.append(text_markdown(data.sections[version.id]))
    return "".join(out)


# -- timeline -----------------------------------------------------------------------------
def change_flags(data: PolicyData, change: Change) -> list[tuple[str, str, str]]:
    """(admonition kind, title, explanation) for each flag of a change."""
    s = change.diff.summary
    flags = []
    if s.silent_change:
        stated = f" (it still says {s.new_stated_date})" if s.new_stated_date else ""
        flags.append(("warning", "Silent change", f"The text changed but its stated date did not{stated}."))
    if s.date_only:
        flags.append(("note", "Date only", "Only the stated date changed."))
    elif s.trivial:
        kinds = sorted({e.trivial_kind for e in change.diff.sections if e.trivial and e.trivial_kind})
        what = f" ({', '.join(kinds)})" if kinds else ""
        explanation = f"Only whitespace, punctuation, dates, numbering or link targets changed{what}."
        flags.append(("note", "Trivial change", explanation))
    earlier = {p.version for p in data.periods[: change.number - 1]}
    if change.new.version in earlier:
        flags.append(("info", "Return to an earlier text", f"The text went back to version {change.new.version}."))
    return flags


def timeline_page(data: PolicyData) -> str:
    page = src(urls.timeline_page(data.slug))
    out = [front_matter(f"Timeline of {data.name}")]
    out.append("# Timeline { #pd--top }\n\n")
    policy = rel(page, src(urls.policy_page(data.slug)))
    n_captures = sum(len(p.captures) for p in data.periods)
    out.append(
        f"[{md_text(data.name)}]({policy}): {len(data.versions)} versions in {len(data.periods)} periods, "
        f"{len(data.changes)} changes, {n_captures} captures.\n\n"
    )
    if not data.periods:
        out.append("No captures yet.\n")
        return "".join(out)
    out.append("| # | In force | Version | Captures | Change | Flags |\n|---|---|---|---|---|---|\n")
    for index, period in enumerate(data.periods):
        version = rel(page, src(urls.version_page(data.slug, period.version)))
        if index == 0:
            change_cell, flags_cell = "first capture", ""
        else:
            change = data.changes[index - 1]
            link = rel(page, src(urls.change_page(change)))
            change_cell = f"[{describe_summary(change)}]({link})"
            flags_cell = ", ".join(f"**{title}**" for _, title, _ in change_flags(data, change))
        out.append(
            f"| {index + 1} | {span(period.start, period.end)} | [{period.version}]({version}) "
            f"| {len(period.captures)} | {change_cell} | {flags_cell} |\n"
        )
    out.append("\n## Provenance { #pd--provenance }\n\n")
    out.append(
        "Every capture behind these versions: the stored file, its SHA-256, and where it was archived.\n\n"
        "| Captured | Version | File | SHA-256 | Archived copy |\n|---|---|---|---|---|\n"
    )
    for period in data.periods:
        for ref in period.captures:
            capture = data.captures.get(ref.file)
            out.append(provenance_row(data, page, period.version, ref.file, capture))
    if data.exclusions:
        out.append("\n## Withdrawn captures { #pd--withdrawn }\n\n")
        out.append("Captures kept in the archive but left out of the history, with the reason given.\n\n")
        out.append("| Capture | Reason | Withdrawn |\n|---|---|---|\n")
        for item in sorted(data.exclusions.values(), key=lambda i: i.get("file", "")):
            out.append(
                f"| {md_text(item.get('file', ''))} | {md_text(item.get('reason', ''))} "
                f"| {md_text(item.get('excluded_at', ''))} |\n"
            )
    return "".join(out)


def provenance_row(data: PolicyData, page: str, vid: str, file: str, capture: Capture | None) -> str:
    version = rel(page, src(urls.version_page(data.slug, vid)))
    if capture is None:
        return f"| ? | [{vid}]({version}) | {md_text(file)} | | |\n"
    archived = external_link(capture.wayback_url, "Wayback Machine") if capture.wayback_url else ""
    if not archived and safe_url(capture.source_url):
        archived = "source: " + external_link(capture.source_url, capture.source_url)
    sha = f'<code class="pd-sha" title="{html_text(capture.sha256)}">{html_text(capture.sha256[:16])}…</code>'
    return (
        f"| {format_iso(capture.captured_at)} | [{vid}]({version}) | {md_text(capture.file)} | {sha} | {archived} |\n"
    )


# -- change pages -------------------------------------------------------------------------
def entry_title(entry: SectionChange) -> str:
    title = entry.new_title if entry.new_title is not None else entry.old_title
    return title or "Preamble"


def entry_anchor(entry: SectionChange) -> str:
    sid = entry.new_id if entry.new_id is not None else f"removed-{entry.old_id}"
    return anchor(sid)


def entry_label(entry: SectionChange) -> str:
    """Status in words, with what moved or was renamed."""
    parts: list[str] = [entry.status]
    if entry.old_title is not None and entry.new_title is not None and entry.old_title != entry.new_title:
        renamed = f"renamed from “{entry.old_title}”"
        if entry.status == "renamed":
            parts[0] = renamed
        else:
            parts.append(renamed)
    moved = entry.status in {"moved", "renamed"} and entry.old_index is not None and entry.new_index is not None
    if moved and entry.old_index != entry.new_index:
        parts.append(f"position {entry.old_index + 1} → {entry.new_index + 1}")
    if entry.trivial:
        parts.append(f"trivial ({entry.trivial_kind})" if entry.trivial_kind else "trivial")
    if entry.note:
        parts.append(entry.note)
    return "; ".join(dict.fromkeys(parts))


def words_cell(entry: SectionChange) -> str:
    return f"+{entry.words_added} −{entry.words_removed}"


def change_page(data: PolicyData, change: Change) -> str:
    page = src(urls.change_page(change))
    out = [front_matter(f"Change of {day(change.published)} · {data.name}", hide=["navigation"])]
    out.append(f"# Change of {day(change.published)} {{ #pd--top }}\n\n")
    policy = rel(page, src(urls.policy_page(data.slug)))
    old_v = rel(page, src(urls.version_page(data.slug, change.old.version)))
    new_v = rel(page, src(urls.version_page(data.slug, change.new.version)))
    out.append(
        f"[{md_text(data.name)}]({policy}) · change {change.number} of {len(data.changes)} · "
        f"from [{change.old.version}]({old_v}) (in force {span(change.old.start, change.old.end)}) "
        f"to [{change.new.version}]({new_v}) (first captured {format_iso(change.published)})\n\n"
    )
    for kind, title, text in change_flags(data, change):
        out.append(f'!!! {kind} "{title}"\n    {md_text(text)}\n\n')
    out.append(f"**{md_text(describe_summary(change))}**\n\n")
    changed = [e for e in change.diff.sections if e.status != "unchanged"]
    unchanged = len(change.diff.sections) - len(changed)
    if changed:
        out.append("| Section | Change | Words |\n|---|---|---|\n")
        for entry in changed:
            out.append(
                f"| [{md_text(entry_title(entry))}](#{entry_anchor(entry)}) | {md_text(entry_label(entry))} "
                f"| {words_cell(entry)} |\n"
            )
        if unchanged:
            out.append(f"\n{unchanged} sections unchanged (collapsed below).\n\n")
        else:
            out.append("\n")
    out.append(
        raw_block(
            '<div class="pd-toolbar"><button type="button" class="md-button pd-toggle" aria-pressed="false">'
            "Side by side</button></div>"
        )
    )
    old_label = f"{change.old.version} ({day(change.old.start)})"
    new_label = f"{change.new.version} ({day(change.published)})"
    run: list[SectionChange] = []
    for entry in change.diff.sections:
        if entry.status == "unchanged":
            run.append(entry)
            continue
        out.append(unchanged_block(run))
        run = []
        out.append(heading(2, entry_title(entry), entry_anchor(entry), f".pd-status-{entry.status}"))
        lid = section_lineage(data, change, entry)
        history = rel(page, src(urls.section_page(data.slug, lid)))
        out.append(
            f'<span class="pd-badge pd-badge-{entry.status}">{md_text(entry_label(entry))}</span> '
            f"· {words_cell(entry)} words · [history of this section]({history})\n\n"
        )
        out.append(raw_block(diff_block(entry.diff, old_label=old_label, new_label=new_label)))
    out.append(unchanged_block(run))
    out.append("## Provenance { #pd--provenance }\n\n")
    out.append("| Captured | Version | File | SHA-256 | Archived copy |\n|---|---|---|---|---|\n")
    first = change.first_capture
    out.append(provenance_row(data, page, change.new.version, first.file, first))
    out.append("\n")
    nav = []
    if change.number > 1:
        prev = data.changes[change.number - 2]
        nav.append(f"[← Previous change ({day(prev.published)})]({rel(page, src(urls.change_page(prev)))})")
    timeline = rel(page, src(urls.timeline_page(data.slug)))
    nav.append(f"[All changes]({timeline})")
    if change.number < len(data.changes):
        nxt = data.changes[change.number]
        nav.append(f"[Next change ({day(nxt.published)}) →]({rel(page, src(urls.change_page(nxt)))})")
    out.append(" · ".join(nav) + "\n{: .pd-prevnext }\n")
    return "".join(out)


def section_lineage(data: PolicyData, change: Change, entry: SectionChange) -> str:
    if entry.new_id is not None:
        return change.lineage.get(entry.new_id, entry.new_id)
    previous = data.changes[change.number - 2].lineage if change.number > 1 else None
    old_id = entry.old_id or ""
    return previous.get(old_id, old_id) if previous is not None else old_id


def unchanged_block(run: list[SectionChange]) -> str:
    if not run:
        return ""
    titles = ", ".join(entry_title(e) for e in run[:4]) + ("…" if len(run) > 4 else "")
    label = "1 unchanged section" if len(run) == 1 else f"{len(run)} unchanged sections"
    bodies = "".join(
        f'<div class="pd-text">{markdown_html("".join(text for op, text in e.diff if op == 0))}</div>' for e in run
    )
    return raw_block(f'<details class="pd-unchanged"><summary>{label}: {html_text(titles)}</summary>{bodies}</details>')


# -- per-section history ------------------------------------------------------------------
def section_page(data: PolicyData, history: SectionHistory) -> str:
    page = src(urls.section_page(data.slug, history.lineage))
    out = [
        front_matter(
            f"History of {history.title or 'the preamble'} · {data.name}", search_exclude=True, hide=["navigation"]
        )
    ]
    out.append(f"# {md_text(history.title or 'Preamble')} {{ #pd--top }}\n\n")
    policy = rel(page, src(urls.policy_page(data.slug)))
    if history.current_id is not None:
        current = {sec.id: sec for sec in data.sections[data.latest.id]} if data.latest else {}
        titled = history.current_id in current and current[history.current_id].level > 0
        fragment = f"#{anchor(history.current_id)}" if titled else ""
        where = f"[in the current text]({policy}{fragment})"
    else:
        where = f"removed on {day(history.removed_at)}" if history.removed_at else "not in the current text"
    out.append(
        f"Section history of [{md_text(data.name)}]({policy}) · first seen {day(history.first_seen)} · {where}\n\n"
    )
    if len(history.titles) > 1:
        out.append("Titles over time:\n\n")
        out.extend(f"- {day(when)}: {md_text(title) or 'Preamble'}\n" for when, title in history.titles)
        out.append("\n")
    if not history.entries:
        out.append(f"This section has not changed since it was first captured on {day(history.first_seen)}.\n")
        return "".join(out)
    times = "once" if len(history.entries) == 1 else f"{len(history.entries)} times"
    out.append(f"Changed {times}:\n\n| Date | Change | Words |\n|---|---|---|\n")
    for change, entry in history.entries:
        label = md_text(entry_label(entry))
        out.append(f"| [{day(change.published)}](#pd--{change.number}) | {label} | {words_cell(entry)} |\n")
    out.append("\n")
    out.append(
        raw_block(
            '<div class="pd-toolbar"><button type="button" class="md-button pd-toggle" aria-pressed="false">'
            "Side by side</button></div>"
        )
    )
    for change, entry in reversed(history.entries):
        link = rel(page, src(urls.change_page(change)))
        out.append(f"## {day(change.published)}: {md_text(entry_label(entry))} {{ #pd--{change.number} }}\n\n")
        out.append(f"[The whole change]({link}) · {words_cell(entry)} words\n\n")
        out.append(
            raw_block(
                diff_block(
                    entry.diff,
                    old_label=f"{change.old.version} ({day(change.old.start)})",
                    new_label=f"{change.new.version} ({day(change.published)})",
                )
            )
        )
    return "".join(out)


# -- compare ------------------------------------------------------------------------------
def compare_page(data: PolicyData) -> str:
    page = src(urls.compare_page(data.slug))
    out = [front_matter(f"Compare versions of {data.name}", hide=["navigation"])]
    out.append("# Compare versions { #pd--top }\n\n")
    policy = rel(page, src(urls.policy_page(data.slug)))
    out.append(
        f"Any two versions of [{md_text(data.name)}]({policy}), compared section by section in your browser "
        "(diff-match-patch, word by word, as on the change pages).\n\n"
    )
    out.append(
        "Sections are paired as on the change pages: identical text first, then the same title, then "
        "similar text under a new title (labelled *renamed*); sections out of their old order are "
        "*moved*, and a section split in two or two merged into one are shown together.\n\n"
    )
    out.append(
        raw_block(
            '<div class="pd-compare" data-index="versions.json">'
            "<noscript>Comparing versions needs JavaScript; every change is also on its own page.</noscript>"
            "</div>"
        )
    )
    return "".join(out)


def compare_data(data: PolicyData) -> dict[str, str]:
    """Static JSON the compare page loads: an index of versions and one file per version."""
    base = urls.compare_page(data.slug)
    index = []
    files = {}
    for version in data.versions.values():
        index.append(
            {
                "id": version.id,
                "first_seen": format_iso(version.first_seen),
                "last_seen": format_iso(version.last_seen),
                "captures": len(version.captures),
                "file": f"{version.id}.json",
            }
        )
        # slug and parent are what diff/align.py keys its id and title passes on; the page's
        # port of it reads them rather than re-implementing slugify in JavaScript.
        sections = [
            {"id": s.id, "title": s.title, "slug": slugify(s.title), "parent": s.parent, "text": s.text}
            for s in data.sections[version.id]
        ]
        files[base + f"{version.id}.json"] = json.dumps(
            {"id": version.id, "sections": sections}, ensure_ascii=False, separators=(",", ":")
        )
    latest = data.latest.id if data.latest else None
    files[base + "versions.json"] = json.dumps({"latest": latest, "versions": index}, indent=1)
    return files
