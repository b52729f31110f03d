"""The site-wide view: every tracked policy and the latest changes across all of them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .. import urls
from .escape import md_text
from .pages import day, describe_summary, feed_links, front_matter, rel, src

if TYPE_CHECKING:
    from . import PolicySummary

LATEST_CHANGES = 15


def overview_markdown(policies: Sequence[PolicySummary], page_src: str, *, latest: int = LATEST_CHANGES) -> str:
    """The policies table and the latest changes, with links relative to `page_src`."""
    out = []
    if not policies:
        out.append("No policy is tracked yet: declare one with `policy-diff add`.\n\n")
        return "".join(out)
    out.append("| Policy | Versions | Captures | First seen | Last changed |\n|---|---|---|---|---|\n")
    for p in sorted(policies, key=lambda p: p.name.lower()):
        link = rel(page_src, src(urls.policy_page(p.slug)))
        first = day(p.first_seen) if p.first_seen else "not captured yet"
        if p.last_changed is not None and p.changes:
            changed = f"[{day(p.last_changed)}]({rel(page_src, src(urls.change_page(p.changes[-1])))})"
        else:
            changed = "no change yet"
        out.append(f"| [{md_text(p.name)}]({link}) | {p.versions} | {p.captures} | {first} | {changed} |\n")
    changes = sorted(
        ((c, p) for p in policies for c in p.changes), key=lambda cp: (cp[0].published, cp[1].slug), reverse=True
    )[:latest]
    out.append("\n### Latest changes { #pd--latest }\n\n")
    if not changes:
        out.append("No change captured yet.\n\n")
    else:
        out.append("| Date | Policy | Change |\n|---|---|---|\n")
        for change, p in changes:
            link = rel(page_src, src(urls.change_page(change)))
            summary = md_text(describe_summary(change))
            out.append(f"| {day(change.published)} | {md_text(p.name)} | [{summary}]({link}) |\n")
    out.append("\n")
    out.append(feed_links(page_src))
    return "".join(out)


def overview_page(policies: Sequence[PolicySummary]) -> str:
    page = src("policies/")
    return front_matter("Policies") + "# Tracked policies { #pd--top }\n\n" + overview_markdown(policies, page)
