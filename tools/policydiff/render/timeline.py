"""A policy's timeline: every period in force with the change that led to it and its flags,
the provenance of every capture, and the captures withdrawn from the history."""

from __future__ import annotations

from .. import urls
from ..escape import markdown_plain, md_text
from ..history import PolicyHistory
from ..history.significance import displayed_significance
from ..wording import FLAG_TITLES, MATERIAL_TITLE, NOTE_TITLE, change_summary, shortened, shown_flags, upcoming_title
from .blocks import (
    PROVENANCE_HEAD,
    RenderSettings,
    capture_link,
    front_matter,
    headline_text,
    provenance_row,
    rel,
    significance_badge,
    span,
    src,
)
from .charts import timeline_chart

NOTE_CHARS = 160  # of an editor's note in the table; the change page has all of it


def timeline_page(history: PolicyHistory, settings: RenderSettings | None = None) -> str:
    page = src(urls.timeline_page(history.slug))
    out = [front_matter(f"Timeline of {history.name}")]
    out.append("# Timeline { #pd--top }\n\n")
    policy = rel(page, src(urls.policy_page(history.slug)))
    out.append(
        f"[{md_text(history.name)}]({policy}): {len(history.versions)} versions in {len(history.periods)} periods, "
        f"{len(history.changes)} changes, {history.capture_count} captures.\n\n"
    )
    if not history.periods:
        out.append("No captures yet.\n")
        return "".join(out)
    out.append(timeline_chart(history, page))
    # wrapped so that a phone keeps the columns a reader needs (policy-diff.css)
    out.append('<div class="pd-timeline" markdown>\n\n')
    out.append("| # | In force | Version | Captures | Significance | Change | Flags |\n|---|---|---|---|---|---|---|\n")
    for index, period in enumerate(history.periods):
        version = rel(page, src(urls.version_page(history.slug, period.version)))
        if index == 0:
            change_cell, flags_cell, level_cell = "first capture", "", ""
        else:
            change = history.changes[index - 1]
            link = rel(page, src(urls.change_page(change)))
            headline = headline_text(change)
            change_cell = f"[{headline}]({link}) ({change_summary(change.diff)})"
            if change.note is not None:  # the publisher's word first
                words = md_text(shortened(markdown_plain(change.note.text), NOTE_CHARS))
                change_cell = f"*{NOTE_TITLE}:* {words} · {change_cell}"
            flags = [f"**{FLAG_TITLES[name]}**" for name in shown_flags(change.flags)]
            if change.upcoming:
                flags.insert(0, f"**{md_text(upcoming_title(change))}**")
            if change.material:
                flags.insert(0, f"**{MATERIAL_TITLE}**")
            flags_cell = ", ".join(flags)
            level_cell = significance_badge(displayed_significance(change))
        in_force = span(period.start, period.end)
        if index and history.changes[index - 1].upcoming:
            in_force = f"from {md_text(history.changes[index - 1].effective or '')} (captured {in_force})"
        out.append(
            f"| {index + 1} | {in_force} | [{period.version}]({version}) "
            f"| {len(period.captures)} | {level_cell} | {change_cell} | {flags_cell} |\n"
        )
    out.append("\n</div>\n")
    out.append("\n## Provenance { #pd--provenance }\n\n")
    out.append("Every capture behind these versions: the stored file, its SHA-256, and where it was archived.")
    if settings is not None and settings.captures:
        out.append(
            " Each file is published as it is stored, as plain text (`.txt` appended to its name, so no capture "
            "ever runs as a page of this site): `sha256sum` of the download gives the SHA-256 shown."
        )
    out.append("\n\n")
    out.append(PROVENANCE_HEAD)
    for period in history.periods:
        for ref in period.captures:
            out.append(provenance_row(history, page, period.version, ref.file, history.capture(ref.file), settings))
    if history.exclusions:
        out.append("\n## Withdrawn captures { #pd--withdrawn }\n\n")
        out.append("Captures kept in the archive but left out of the history, with the reason given.\n\n")
        out.append("| Capture | Reason | Withdrawn |\n|---|---|---|\n")
        for item in history.exclusions:
            file = capture_link(history, page, item.file, settings)
            out.append(f"| {file} | {md_text(item.reason)} | {md_text(item.excluded_at)} |\n")
    return "".join(out)
