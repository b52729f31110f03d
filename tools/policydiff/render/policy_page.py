"""A policy's page: its current text, what is known about it, and under each section a
marker saying when it last changed (a link to the section's history)."""

from __future__ import annotations

import re

from .. import urls
from ..escape import external_link, html_text, md_text
from ..history import Change, PolicyHistory
from ..wording import day, entry_label, entry_title, notice_words, upcoming_title, word_counts
from .blocks import RenderSettings, feed_links, front_matter, note_block, raw_block, rel, src, text_markdown
from .diffhtml import diff_block

OPEN_DIFFS = 6  # an upcoming change touching at most this many sections shows their diffs unfolded


def policy_page(history: PolicyHistory, settings: RenderSettings) -> str:
    page = src(urls.policy_page(history.slug))
    latest = history.in_force  # an upcoming change is shown above it, not yet as the text
    out = [front_matter(history.name)]
    out.append(f"# {md_text(history.name)} {{ #pd--top }}\n\n")
    sources = " · ".join(external_link(u) for u in history.declaration.urls)
    out.append(f"Source: {sources}\n{{: .pd-source }}\n\n")
    if latest is not None:
        timeline = rel(page, src(urls.timeline_page(history.slug)))
        head = ["First seen", "Last changed", "Versions", "Captures", "Stated date"]
        if history.changes:
            last = history.changes[-1]
            changed = f"[{day(last.published)}]({rel(page, src(urls.change_page(last)))})"
        else:
            changed = "no change captured yet"
        cells = [
            day(history.periods[0].start),
            changed,
            f"[{len(history.versions)}]({timeline})",
            str(history.capture_count),
            md_text(latest.stated_date) if latest.stated_date else "none found",
        ]
        out.append(f"| {' | '.join(head)} |\n|{'---|' * len(head)}\n| {' | '.join(cells)} |\n\n")
    out.append(manifest_line(history))
    out.append(feed_links(page, settings, history.slug))
    if latest is None:
        out.append('!!! info "No captures yet"\n    Ingest a capture with `policy-diff ingest` to see its text here.\n')
        return "".join(out)
    compare = rel(page, src(urls.compare_page(history.slug)))
    timeline = rel(page, src(urls.timeline_page(history.slug)))
    out.append(f"[Timeline]({timeline}){{ .md-button }} [Compare versions]({compare}){{ .md-button }}\n\n")
    if not history.changes:
        out.append(
            '!!! info "One version so far"\n'
            f"    Every capture of this policy so far has the same text (first seen {day(history.periods[0].start)}). "
            "Changes will appear here when a capture with a different text is ingested.\n\n"
        )
    for change in history.upcoming:
        out.append(upcoming_block(history, change, page))
    version_link = rel(page, src(urls.version_page(history.slug, latest.id)))
    period = history.periods[history.in_force_period]
    out.append(
        f"<small>Current text: version [{latest.id}]({version_link}), in force since "
        f"{day(period.start)}, last captured {day(period.end)}.</small>\n\n"
    )
    markers = section_markers(history, page) if not history.upcoming else None
    out.append(text_markdown(latest.sections, markers=markers))
    return "".join(out)


def upcoming_block(history: PolicyHistory, change: Change, page: str) -> str:
    """A change captured already that takes effect after the build date: its note, the notice
    given, and its diff against the text before it (the one in force, for the first)."""
    out = [f"## {md_text(upcoming_title(change))} {{ #pd--upcoming-{change.key} .pd-upcoming }}\n\n"]
    link = rel(page, src(urls.change_page(change)))
    new_v = rel(page, src(urls.version_page(history.slug, change.new.version)))
    notice = notice_words(change)
    out.append(
        f"Version [{change.new.version}]({new_v}) replaces the text below on {md_text(change.effective or '')}. "
        f"{md_text(notice)} [The whole change]({link}).\n\n"
    )
    out.append(note_block(change))
    old_label = f"{change.old.version} (in force)"
    new_label = f"{change.new.version} (from {change.effective})"
    changed = [e for e in change.diff.sections if e.status != "unchanged"]
    opened = " open" if len(changed) <= OPEN_DIFFS else ""  # a restructure lists its sections, folded
    for entry in changed:
        summary = (
            f"{html_text(entry_title(entry))} · {html_text(entry_label(entry))} · "
            f"{word_counts(entry.words_added, entry.words_removed)} words"
        )
        block = diff_block(entry.diff, old_label=old_label, new_label=new_label)
        out.append(
            raw_block(f'<details class="pd-upcoming-diff"{opened}><summary>{summary}</summary>{block}</details>')
        )
    return "".join(out)


def manifest_line(history: PolicyHistory) -> str:
    """The manifest head the page was built from: whoever keeps it can check later that the
    history was only ever extended, never rewritten (`verify --head`)."""
    head = history.manifest_head
    if head is None or not re.fullmatch(r"[0-9a-f]{64}", head):
        return ""
    return raw_block(
        f'<p class="pd-manifest">Archive manifest head <code>{head}</code> · keep it to check later that this '
        "history was only extended, never rewritten (<code>policy-diff verify --head</code>).</p>"
    )


def section_markers(history: PolicyHistory, page: str) -> dict[str, str]:
    """A small "changed DATE" link under each current section, to its history."""
    markers = {}
    for sid, lineage in history.current_lineage.items():
        section = history.section(lineage)
        if section is None or lineage not in history.paged_lineages:
            continue
        link = rel(page, src(urls.section_page(history.slug, lineage)))
        if section.entries:
            text = f"changed {day(history.change(section.entries[-1][0]).published)}"
        else:
            text = f"unchanged since {day(section.first_seen)}"
        markers[sid] = f"[{text}]({link}){{ .pd-changed }}"
    return markers
