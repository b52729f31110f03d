"""A policy's page: its current text, what is known about it, and under each section a
marker saying when it last changed (a link to the section's history)."""

from __future__ import annotations

import re

from .. import urls
from ..escape import external_link, md_text
from ..history import PolicyHistory
from ..wording import day
from .blocks import RenderSettings, feed_links, front_matter, raw_block, rel, src, text_markdown


def policy_page(history: PolicyHistory, settings: RenderSettings) -> str:
    page = src(urls.policy_page(history.slug))
    latest = history.latest
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
    version_link = rel(page, src(urls.version_page(history.slug, latest.id)))
    out.append(
        f"<small>Current text: version [{latest.id}]({version_link}), in force since "
        f"{day(history.periods[-1].start)}, last captured {day(history.periods[-1].end)}.</small>\n\n"
    )
    out.append(text_markdown(latest.sections, markers=section_markers(history, page)))
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
