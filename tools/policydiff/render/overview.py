"""The site-wide view: every tracked policy and the latest changes across all of them."""

from __future__ import annotations

from collections.abc import Sequence

from .. import urls
from ..escape import md_text
from ..history import PolicyHistory
from ..history.significance import at_least, displayed_significance
from ..wording import day
from .blocks import RenderSettings, changes_table, feed_links, front_matter, rel, src
from .charts import calendar_chart

OVERVIEW_PAGE = "policies/"


def overview_markdown(histories: Sequence[PolicyHistory], page_src: str, settings: RenderSettings) -> str:
    """The policies table and the latest changes, with links relative to `page_src`."""
    out = []
    if not histories:
        out.append("No policy is tracked yet: declare one with `policy-diff add`.\n\n")
        return "".join(out)
    out.append("| Policy | Versions | Captures | First seen | Last changed |\n|---|---|---|---|---|\n")
    for history in sorted(histories, key=lambda h: h.name.lower()):
        link = rel(page_src, src(urls.policy_page(history.slug)))
        first = day(history.first_seen) if history.first_seen else "not captured yet"
        if history.changes:
            last = history.changes[-1]
            changed = f"[{day(last.published)}]({rel(page_src, src(urls.change_page(last)))})"
        else:
            changed = "no change yet"
        out.append(
            f"| [{md_text(history.name)}]({link}) | {len(history.versions)} | {history.capture_count} "
            f"| {first} | {changed} |\n"
        )
    floor = settings.latest_min_significance
    changes = sorted(
        ((c, h) for h in histories for c in h.changes if at_least(displayed_significance(c), floor)),
        key=lambda ch: (ch[0].published, ch[1].slug),
        reverse=True,
    )[: settings.latest_changes]
    out.append("\n### Changes by month { #pd--calendar }\n\n")
    out.append(calendar_chart(histories, page_src))
    title = "Latest major changes" if floor == "major" else "Latest changes"
    out.append(f"\n### {title} {{ #pd--latest }}\n\n")
    if not changes:
        out.append("No change captured yet.\n\n")
    else:
        out.append(changes_table(changes, page_src))
    out.append("\n")
    out.append(feed_links(page_src, settings))
    return "".join(out)


def overview_page(histories: Sequence[PolicyHistory], settings: RenderSettings) -> str:
    page = src(OVERVIEW_PAGE)
    return (
        front_matter("Policies") + "# Tracked policies { #pd--top }\n\n" + overview_markdown(histories, page, settings)
    )
