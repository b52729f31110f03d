"""A policy's timeline: every period in force with the change that led to it and its flags,
the provenance of every capture, and the captures withdrawn from the history."""

from __future__ import annotations

from .. import urls
from ..escape import md_text
from ..history import PolicyHistory
from ..wording import FLAG_TITLES, change_summary, shown_flags
from .blocks import PROVENANCE_HEAD, front_matter, provenance_row, rel, span, src


def timeline_page(history: PolicyHistory) -> str:
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
    # wrapped so that a phone keeps the columns a reader needs (policy-diff.css)
    out.append('<div class="pd-timeline" markdown>\n\n')
    out.append("| # | In force | Version | Captures | Change | Flags |\n|---|---|---|---|---|---|\n")
    for index, period in enumerate(history.periods):
        version = rel(page, src(urls.version_page(history.slug, period.version)))
        if index == 0:
            change_cell, flags_cell = "first capture", ""
        else:
            change = history.changes[index - 1]
            link = rel(page, src(urls.change_page(change)))
            change_cell = f"[{change_summary(change.diff)}]({link})"
            flags_cell = ", ".join(f"**{FLAG_TITLES[name]}**" for name in shown_flags(change.flags))
        out.append(
            f"| {index + 1} | {span(period.start, period.end)} | [{period.version}]({version}) "
            f"| {len(period.captures)} | {change_cell} | {flags_cell} |\n"
        )
    out.append("\n</div>\n")
    out.append("\n## Provenance { #pd--provenance }\n\n")
    out.append("Every capture behind these versions: the stored file, its SHA-256, and where it was archived.\n\n")
    out.append(PROVENANCE_HEAD)
    for period in history.periods:
        for ref in period.captures:
            out.append(provenance_row(history, page, period.version, ref.file, history.capture(ref.file)))
    if history.exclusions:
        out.append("\n## Withdrawn captures { #pd--withdrawn }\n\n")
        out.append("Captures kept in the archive but left out of the history, with the reason given.\n\n")
        out.append("| Capture | Reason | Withdrawn |\n|---|---|---|\n")
        for item in history.exclusions:
            out.append(f"| {md_text(item.file)} | {md_text(item.reason)} | {md_text(item.excluded_at)} |\n")
    return "".join(out)
