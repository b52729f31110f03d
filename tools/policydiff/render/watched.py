"""The watched-terms pages: every term group with its feed, and one page per group listing
the changes that added or removed text with its terms (the page its feed belongs to)."""

from __future__ import annotations

from collections.abc import Sequence

from .. import urls
from ..escape import md_text
from ..history import PolicyHistory
from .blocks import RenderSettings, changes_table, feed_links, front_matter, rel, src


def term_groups(histories: Sequence[PolicyHistory]) -> dict[str, str]:
    """Every group of these policies' matchers (defaults, the site's, the declarations'):
    id -> label."""
    groups: dict[str, str] = {}
    for history in histories:
        for group in history.term_matcher.groups:
            groups.setdefault(group.id, group.label)
    return groups


def watched_pages(histories: Sequence[PolicyHistory], settings: RenderSettings) -> dict[str, str]:
    groups = term_groups(histories)
    index = src(urls.terms_page())
    out = [front_matter("Watched terms"), "# Watched terms { #pd--top }\n\n"]
    out.append(
        "Changes that add or remove sentences with these terms (in English, French or German, by their "
        "stems) are marked on every change page, and each group has its own feed.\n\n"
    )
    out.append("| Group | Id | Changes |\n|---|---|---|\n")
    pages = {}
    for group, label in groups.items():
        found = sorted(
            ((c, h) for h in histories for c in h.changes if group in c.terms),
            key=lambda ch: (ch[0].published, ch[1].slug),
            reverse=True,
        )
        page = src(urls.terms_page(group))
        out.append(f"| [{md_text(label)}]({rel(index, page)}) | `{group}` | {len(found)} |\n")
        body = [front_matter(f"Watched terms: {label}"), f"# Changes about {md_text(label)} {{ #pd--top }}\n\n"]
        body.append(feed_links(page, settings, directory=urls.term_feed_dir(group)))
        if not found:
            body.append("No change has added or removed these terms yet.\n")
        else:
            body.append(changes_table(found, page))
        pages[page] = "".join(body)
    pages[index] = "".join(out)
    return pages
